"""Input fields of the planner's page that show the command line's message beside them.

Each field edits one key of the draft (:mod:`.draft`); when the draft's check names that
key, the field shows the message, as ``adoption validate`` prints it. CSS classes name
each field (``lever-0-magnitude``, ``scenario-name``) for people and for browser tests.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from adoption.dashboard import draft as drafts
from adoption.dashboard.state import t
from adoption.errors import UserError


@solara.component
def TextField(
    label: str,
    value,
    on_value: Callable[[str], None],
    css: str,
    error: UserError | None = None,
    hint: str = "",
):
    """A text input; ``error`` (the draft's, if about this field) is shown under it."""
    solara.InputText(
        label,
        value="" if value is None else str(value),
        on_value=on_value,
        error=str(error) if error else False,
        message=hint or None,
        classes=[css],
        hide_details=False,
    )


@solara.component
def NumberField(label, value, on_value, css, error=None, hint="", integer=False):
    """A number typed as text: a number is stored as one, anything else as typed (and checked)."""
    TextField(
        label, _show(value), lambda text: on_value(drafts.typed(text, integer)), css, error, hint
    )


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return "" if value is None else str(value)


@solara.component
def Choice(label: str, value, options: dict, on_value: Callable, css: str):
    """A drop-down of ``options`` (value -> text shown)."""
    items = [{"text": text, "value": key} for key, text in options.items()]
    solara.v.Select(
        label=label, items=items, v_model=value, on_v_model=on_value, class_=css, dense=True
    )


@solara.component
def PlacePicker(where: list, on_value: Callable[[list], None], css: str, error=None):
    """The places of a lever: chips to remove, a search box that finds names without accents."""
    query, set_query = solara.use_state("")
    draft = drafts_value()
    with solara.Column(gap="4px", classes=[css]):
        with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
            if not where:
                solara.Text(t("all districts of the scenario"), style={"color": "#555"})
            for name in where:
                solara.Button(
                    f"{name} ✕",
                    small=True,
                    outlined=True,
                    classes=["place-chip"],
                    on_click=lambda n=name: on_value([w for w in where if w != n]),
                )
        solara.InputText(
            t("Find a district or commune (accents optional)"),
            value=query,
            on_value=set_query,
            continuous_update=True,
            error=str(error) if error else False,
            classes=[f"{css}-search"],
        )
        with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
            for name in drafts.search(query, draft) if query else []:
                if name not in where:
                    solara.Button(
                        f"+ {name}",
                        small=True,
                        text=True,
                        classes=["place-hit"],
                        on_click=lambda n=name: (on_value([*where, n]), set_query("")),
                    )


def drafts_value() -> dict:
    """The session's draft (read here so the picker re-renders with it)."""
    from adoption.dashboard.state import draft

    return draft.value


@solara.component
def LanguageSwitch():
    """The page's language, one button per language (named in itself)."""
    from adoption.dashboard.state import lang
    from adoption.reports.i18n import LANGUAGES

    solara.ToggleButtonsSingle(
        value=lang.value,
        on_value=lang.set,
        children=[
            solara.Button(name, value=code, classes=[f"lang-{code}"])
            for code, name in LANGUAGES.items()
        ],
    )
