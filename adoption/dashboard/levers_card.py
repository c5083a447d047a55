"""The planner's levers: add, edit and remove levers of every type.

What a lever's magnitude means, its allowed range and what its unit cost is per come from
the lever type (:data:`adoption.model.levers.TYPES`), shown in the page's language; the
page copies none of them.
"""

from __future__ import annotations

import solara

from adoption.dashboard import draft as drafts
from adoption.dashboard import state
from adoption.dashboard.fields import Choice, NumberField, PlacePicker, TextField
from adoption.dashboard.state import t, text_key, text_of
from adoption.errors import UserError
from adoption.model.levers import TYPES
from adoption.reports.i18n import tr


def _set_lever(i: int, key: str, value) -> None:
    draft = state.draft.value
    levers = list(draft["interventions"])
    if key == "type" and value != levers[i].get("type"):  # another type: its own cost
        levers[i] = drafts.retyped(levers[i], value, draft)
    else:
        levers[i] = {**levers[i], key: value}
    state.draft.set({**draft, "interventions": levers})


def _remove(i: int) -> None:
    draft = state.draft.value
    levers = [lv for k, lv in enumerate(draft["interventions"]) if k != i]
    state.draft.set({**draft, "interventions": levers})


def _add(kind: str) -> None:
    draft = state.draft.value
    levers = [*draft["interventions"], drafts.new_lever(kind, draft)]
    state.draft.set({**draft, **_no_longer_the_status_quo(draft), "interventions": levers})


def _no_longer_the_status_quo(draft: dict) -> dict:
    """The names, in each language, that still call a draft with levers the status quo."""
    renamed = {}
    if draft["name"] == "baseline":
        renamed["name"] = "baseline with levers"
    name_vi = draft.get("name_vi") or ""  # empty: the page shows the English name
    if name_vi == tr("baseline", "vi") or (not name_vi and draft["name"] == "baseline"):
        renamed["name_vi"] = tr("baseline with levers", "vi")
    return renamed


def type_names() -> dict[str, str]:
    """Lever types by name, each shown with what it does."""
    return {name: t(kind.meaning) for name, kind in TYPES.items()}


@solara.component
def LeversCard(error: UserError | None):
    """Every lever of the draft, and a button to add one."""
    kind, set_kind = solara.use_state(next(iter(TYPES)))
    index, key = drafts.field(error)
    levers = state.draft.value["interventions"]
    with solara.Card(t("Levers"), classes=["levers"]):
        if not levers:
            solara.Text(
                t("No levers: the forecast is the status quo."),
                style={"display": "block", "margin-bottom": "16px"},
            )
        for i, lever in enumerate(levers):
            LeverEditor(i, lever, error if index == i else None, key if index == i else "")
        with solara.Row(style={"flex-wrap": "wrap"}):
            Choice(t("Type of lever"), kind, type_names(), set_kind, "new-lever-type")
            solara.Button(
                t("Add lever"),
                icon_name="mdi-plus",
                on_click=lambda: _add(kind),
                color="primary",
                classes=["add-lever"],
            )


@solara.component
def LeverEditor(i: int, lever: dict, error: UserError | None, key: str):
    """One lever's inputs; the check's message beside the input it names."""
    kind = TYPES.get(lever.get("type"))
    css = f"lever-{i}"

    def mine(name: str):
        return error if key == name or (name == "type" and not key and error) else None

    def setter(name: str):
        return lambda value: _set_lever(i, name, value)

    label = text_of(lever, "label")
    with solara.Card(f"{i + 1}. {label or lever.get('type')}", classes=[css]):
        Choice(t("Type of lever"), lever.get("type"), type_names(), setter("type"), f"{css}-type")
        TextField(t("Label"), label, setter(text_key("label")), f"{css}-label", mine("label"))
        PlacePicker(list(lever.get("where") or []), setter("where"), f"{css}-where", mine("where"))
        with solara.Row(style={"flex-wrap": "wrap"}):
            TextField(
                t("Start (YYYY-MM)"),
                lever.get("start"),
                setter("start"),
                f"{css}-start",
                mine("start"),
            )
            TextField(
                t("End (YYYY-MM)"), lever.get("end"), setter("end"), f"{css}-end", mine("end")
            )
            NumberField(
                t("Ramp (months)"),
                lever.get("ramp_months"),
                setter("ramp_months"),
                f"{css}-ramp_months",
                mine("ramp_months"),
                integer=True,
            )
        if kind is not None:
            low, high = kind.bounds
            hint = f"{t(kind.magnitude)}; {t('allowed')} [{low:g}, {high:g}]"
            NumberField(
                t("Magnitude"),
                lever.get("magnitude"),
                setter("magnitude"),
                f"{css}-magnitude",
                mine("magnitude"),
                hint,
            )
            NumberField(
                t("Unit cost (VND)"),
                lever.get("unit_cost_vnd"),
                setter("unit_cost_vnd"),
                f"{css}-unit_cost_vnd",
                mine("unit_cost_vnd"),
                t(kind.cost_unit),
            )
        TextField(
            t("Source of the unit cost"),
            text_of(lever, "cost_source"),
            setter(text_key("cost_source")),
            f"{css}-cost_source",
            mine("cost_source"),
        )
        solara.Button(
            t("Remove lever"),
            icon_name="mdi-delete",
            text=True,
            on_click=lambda: _remove(i),
            classes=[f"{css}-remove"],
        )
