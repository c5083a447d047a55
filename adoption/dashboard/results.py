"""The planner's results: figures of the quick forecast, its costs, and the downloads.

The figures are drawn once per forecast, indicator, place and language (:mod:`.charts`)
and the page shows the PNG a planner downloads. Costs are the paired measures of
:func:`adoption.ensemble.costs` at the forecast's last month, for all districts.
Downloads: the scenario as TOML (what ``adoption validate`` accepts and ``adoption run``
runs at full size), the tables as CSV, the figures as PNG.
"""

from __future__ import annotations

import pandas as pd
import solara

from ..indicators import HEADLINE, INDICATORS, TOTAL
from . import draft as drafts
from . import quick, state
from .charts import charts
from .fields import Choice
from .state import forecast_task, t

#: Indicators a planner can draw: the headline ones and households using any service.
SHOWN = ("any_service_rate", *HEADLINE)
#: Cost measures shown, with the unit their median is written in.
COSTS = {
    "additional_cost_vnd": "million VND",
    "additional_households_any": "households",
    "cost_per_additional_household_vnd": "million VND",
    "household_years_any": "household-years",
    "cost_per_household_year_vnd": "million VND",
}
_MEANING = {
    "additional_cost_vnd": "Additional cost",
    "additional_households_any": "Additional households using a service",
    "cost_per_additional_household_vnd": "Cost per additional household",
    "household_years_any": "Household-years of use gained",
    "cost_per_household_year_vnd": "Cost per household-year",
}


@solara.component
def ResultsCard():
    """Figures, costs and downloads of the last quick forecast."""
    result = forecast_task.value if forecast_task.finished else None
    with solara.Card(t("Results"), classes=["results"]):
        if result is None:
            solara.Text(t("Run a quick forecast to see its figures and costs."))
            Downloads(None, {})
        else:
            ResultView(result)


@solara.component
def ResultView(result: quick.Result):
    """One forecast: choose indicator and place; figures, costs, downloads."""
    indicator, set_indicator = solara.use_state("any_service_rate")
    place, set_place = solara.use_state(TOTAL)
    districts = result.forecast.loc[result.forecast["level"] == "district", "place"]
    places = [TOTAL, *districts.unique()]
    with solara.Row(style={"flex-wrap": "wrap"}):
        labels = {n: t(INDICATORS[n].label) for n in SHOWN}
        Choice(t("Indicator"), indicator, labels, set_indicator, "pick-indicator")
        Choice(t("Place"), place, {p: t(p) for p in places}, set_place, "pick-place")
    lang = state.lang.value
    pngs = solara.use_memo(
        lambda: charts(result, indicator, place, lang), [id(result), indicator, place, lang]
    )
    solara.Text(t("Quick forecast: {seconds:.1f} s").format(seconds=result.seconds))
    for name, png in pngs.items():
        solara.Image(png, classes=[f"chart-{name}"])
    if result.costs is not None:
        solara.Markdown(cost_table(result))
    Downloads(result, pngs)


def cost_table(result: quick.Result) -> str:
    """Markdown: each cost measure's median and 90 % interval, all districts, last month."""
    table = result.costs
    last = table["date"].max()
    rows = table[(table["level"] == "total") & (table["date"] == last)].set_index("measure")
    month = pd.Timestamp(last).strftime("%Y-%m")
    lines = [
        f"**{t('Costs and gains against the same runs without the levers')}, {month}**",
        "",
        f"| | {t('median')} | {t('90 % of runs')} |",
        "|---|---:|---:|",
    ]
    for measure, unit in COSTS.items():
        if measure in rows.index:
            row = rows.loc[measure]
            median, low, high = (_in(row[q], unit) for q in ("median", "q05", "q95"))
            lines.append(f"| {t(_MEANING[measure])} ({t(unit)}) | {median} | {low} – {high} |")
    lines += ["", t("A dash: unbounded (the 90 % interval of households gained includes 0).")]
    return "\n".join(lines)


def _in(value: float, unit: str) -> str:
    if pd.isna(value):
        return "–"
    return f"{value / 1e6:,.1f}" if unit == "million VND" else f"{value:,.0f}"


@solara.component
def Downloads(result: quick.Result | None, pngs: dict[str, bytes]):
    """The scenario as TOML; with a forecast, its tables as CSV and its figures as PNG."""
    draft = state.draft.value
    scenario, error = drafts.check(draft)
    with solara.Row(classes=["downloads"]):
        if error is None:
            name = _slug(draft.get("name", "scenario"))
            solara.FileDownload(
                drafts.toml(draft),
                f"{name}.toml",
                t("Scenario (TOML)"),
                mime_type="application/toml",
            )
        if result is None or not pngs:
            return
        tables = {
            "forecast": result.forecast,
            "differences": result.differences,
            "costs": result.costs,
        }
        for stem, table in tables.items():
            if table is not None:
                solara.FileDownload(
                    lambda tb=table: quick.csv_text(tb),
                    f"{stem}.csv",
                    f"{stem}.csv",
                    mime_type="text/csv",
                )
        for stem, png in pngs.items():
            solara.FileDownload(png, f"{stem}.png", f"{stem}.png", mime_type="image/png")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(name).lower()).strip("-") or "scenario"
