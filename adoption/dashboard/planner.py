"""The planner's page: a scenario, its levers, a quick forecast, what to take away.

Left: where the scenario starts from (a shipped file, an uploaded one), its name, districts
and period (:class:`ScenarioCard`), and its levers (:mod:`.levers_card`). Right: the quick
forecast, run in a background thread with a progress bar (:class:`RunCard`), its figures
and costs, and downloads (:mod:`.results`). Every input is checked by the scenario reader
on each change; the message is shown beside the input it names.
"""

from __future__ import annotations

import solara

from adoption.dashboard import draft as drafts
from adoption.dashboard import quick, state
from adoption.dashboard.fields import TextField
from adoption.dashboard.levers_card import LeversCard
from adoption.dashboard.results import CostsCard, ResultsCard
from adoption.dashboard.state import forecast_task, t
from adoption.errors import UserError

#: Top-level keys with an input of their own; other messages are shown above the form.
FIELDS = ("name", "description", "districts", "start", "end")


@solara.component
def PlannerView():
    """The planner's page."""
    scenario, error = solara.use_memo(lambda: drafts.check(state.draft.value), [state.draft.value])
    index, key = drafts.field(error)
    top = error if index is None else None
    with solara.ColumnsResponsive(12, medium=[5, 7]):  # stacked below 960 px (phones)
        with solara.Column():
            if top is not None and key not in FIELDS:
                solara.Error(str(top), classes=["draft-error"])
            ScenarioCard(top if key in FIELDS else None, key)
            LeversCard(error if index is not None else None)
        with solara.Column():
            RunCard(scenario, error)
            ResultsCard()
    CostsCard()


def _load(path) -> None:
    state.draft.set(drafts.from_file(path))


@solara.component
def ScenarioCard(error: UserError | None, key: str):
    """Where the scenario starts from, and its top-level keys."""
    upload_error, set_upload_error = solara.use_state("")
    draft = state.draft.value

    def set_key(name):
        return lambda value: state.draft.set({**state.draft.value, name: value})

    def on_file(info) -> None:
        try:
            text = info["data"].decode("utf-8")
            state.draft.set(drafts.from_text(text, info["name"]))
            set_upload_error("")
        except UserError as problem:
            set_upload_error(str(problem))
        except UnicodeDecodeError:
            set_upload_error(f"{info['name']}: {t('not a UTF-8 text file')}")

    with solara.Card(t("Scenario"), classes=["scenario"]):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for name, path in drafts.shipped().items():
                solara.Button(
                    t(name),
                    on_click=lambda p=path: _load(p),
                    outlined=True,
                    small=True,
                    classes=[f"load-{name}"],
                )
        solara.FileDrop(t("…or drop a scenario file (.toml) here"), on_file=on_file, lazy=False)
        if upload_error:
            solara.Error(upload_error, classes=["upload-error"])
        mine = {k: (error if key == k else None) for k in FIELDS}
        for key, label in (("name", "Name"), ("description", "Description")):  # page's language
            TextField(t(label), state.text_of(draft, key), set_key(state.text_key(key)),
                      f"scenario-{key}", mine[key])  # fmt: skip
        chosen = list(draft.get("districts") or drafts.districts())
        solara.SelectMultiple(
            t("Districts"),
            chosen,
            list(drafts.districts()),
            on_value=set_key("districts"),
            classes=["scenario-districts"],
        )
        if mine["districts"]:
            solara.Error(str(mine["districts"]))
        with solara.Row(style={"flex-wrap": "wrap"}):
            TextField(
                t("First month (YYYY-MM)"),
                draft.get("start"),
                set_key("start"),
                "scenario-start",
                mine["start"],
            )
            TextField(
                t("Last month (YYYY-MM)"),
                draft.get("end"),
                set_key("end"),
                "scenario-end",
                mine["end"],
            )


@solara.component
def RunCard(scenario, error: UserError | None):
    """The run button, the progress bar, the caveat of a quick forecast."""
    busy = forecast_task.pending
    with solara.Card(t("Quick forecast"), classes=["run"]):
        solara.Markdown(caveat_text())
        solara.Button(
            t("Run quick forecast"),
            icon_name="mdi-play",
            color="primary",
            disabled=busy or scenario is None,
            on_click=lambda: forecast_task(scenario),
            classes=["run-quick"],
        )
        if error is not None:
            solara.Text(t("Correct the scenario to run it."), style={"color": "#b00020"})
        if busy:
            solara.ProgressLinear(state.progress.value * 100, classes=["run-progress"])
            solara.Text(f"{t('runs finished')}: {state.progress.value:.0%}")
        if forecast_task.error:
            solara.Error(str(forecast_task.exception), classes=["run-error"])


def caveat_text() -> str:
    """What a quick forecast is and how far it was measured to be from a full one."""
    found = quick.caveat()
    return t(
        "A quick forecast simulates {scale:.0%} of the households in {runs} runs (a full "
        "forecast: 100 % in 100 runs). Measured against full forecasts of the shipped "
        "scenarios: medians within {median} percentage points; 90 % intervals {width} times as "
        "wide; household-years gained {years} % against full forecasts. Download the "
        "scenario and run `adoption run` for the figures to report."
    ).format(
        scale=quick.SCALE,
        runs=quick.RUNS,
        median=found["median_pp"],
        width=found["width_ratio"],
        years=found["household_years_pct"],
    )
