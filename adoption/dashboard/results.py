"""The planner's results: figures of the quick forecast, its costs, and the downloads.

:class:`ResultsCard` (beside the scenario) draws the fan chart and the paired comparison
at the indicator and place chosen; :class:`CostsCard` (the page's width, below) the
cost-effectiveness chart, the cost table and the scenario file.

The figures are drawn once per forecast, indicator, place and language (:mod:`.charts`)
and the page shows the PNG a planner downloads. Costs are the paired measures of
:func:`adoption.ensemble.costs` at the forecast's last month, for all districts.
Downloads: the scenario as TOML (what ``adoption validate`` accepts and ``adoption run``
runs at full size), the tables as CSV, the figures as PNG.
"""

from __future__ import annotations

import pandas as pd
import solara

from adoption.dashboard import draft as drafts
from adoption.dashboard import quick, state
from adoption.dashboard.charts import charts, cost_chart
from adoption.dashboard.fields import Choice
from adoption.dashboard.state import forecast_task, t
from adoption.ensemble.run import slug
from adoption.model.indicators import HEADLINE, INDICATORS, TOTAL
from adoption.reports.figures import load_references
from adoption.reports.figures.references import judge_targets
from adoption.reports.figures.style import where_label
from adoption.reports.i18n import tr, using

#: Indicators a planner can draw: households using any service, the headline ones and every
#: indicator a national or provincial target is set for (``adoption/data/references.csv``).
SHOWN = tuple(dict.fromkeys(("any_service_rate", *HEADLINE, *load_references()["indicator"])))
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
    """The quick forecast's figures at a chosen indicator and place (right column)."""
    result = forecast_task.value if forecast_task.finished else None
    with solara.Card(t("Results"), classes=["results"]):
        if result is None:
            solara.Text(t("Run a quick forecast to see its figures and costs."))
        else:
            ResultView(result)


@solara.component
def ResultView(result: quick.Result):
    """Choose indicator and place; the fan chart, the paired comparison, their files."""
    places = place_choices(result.forecast, state.lang.value)
    place = state.place.value if state.place.value in places else TOTAL
    with solara.Row(style={"flex-wrap": "wrap"}):
        labels = {n: t(INDICATORS[n].label) for n in SHOWN}
        Choice(t("Indicator"), state.indicator.value, labels, state.indicator.set, "pick-indicator")
        Choice(t("Place"), place, places, state.place.set, "pick-place")
    lang, indicator = state.lang.value, state.indicator.value
    pngs = solara.use_memo(
        lambda: charts(result, indicator, place, lang), [id(result), indicator, place, lang]
    )
    solara.Text(t("Quick forecast: {seconds:.1f} s").format(seconds=result.seconds))
    if result.costs is not None:  # with levers: what they change first, then the levels
        solara.Markdown(change_line(result), style={"font-size": "1.05em"})
    for name in sorted(pngs, key=lambda n: n != "difference"):
        solara.Image(pngs[name], width="100%", classes=[f"chart-{name}"])
    verdicts = target_verdicts(result, indicator, place, lang)
    if verdicts:
        solara.Markdown(verdicts, style={"font-size": "0.95em"})
    tables = {"forecast": result.forecast, "differences": result.differences}
    Files(tables, pngs, "figure-downloads")


def target_verdicts(result: quick.Result, indicator: str, place: str, lang: str) -> str:
    """Markdown: the targets of ``indicator`` at ``place`` in the period, each with a verdict."""
    judged = judge_targets(result.forecast, load_references(), result.scenario.name)
    judged = judged[(judged["indicator"] == indicator) & (judged["place"] == place)]
    if judged.empty:
        return ""
    with using(lang):
        lines = [f"**{tr('Targets at this place')}**", ""] + [
            f"- {tr(row.label)} ({row.date}): {tr('median')} {row.median * 100:.0f} % "
            f"[{row.q05 * 100:.0f}–{row.q95 * 100:.0f} %]: {tr(row.verdict)}"
            for row in judged.itertuples()
        ]
    return "\n".join(lines)


#: The order of the place levels in the place choice.
_LEVEL_ORDER = ("total", "district", "province_2025", "commune_2025")


def place_choices(forecast: pd.DataFrame, lang: str) -> dict[str, str]:
    """Place -> label: the total, the former districts, then the 2025 provinces and communes."""
    shown = forecast[["place", "level"]].drop_duplicates()
    shown = shown[shown["level"].isin(_LEVEL_ORDER)]
    shown = shown.sort_values("level", key=lambda s: s.map(_LEVEL_ORDER.index), kind="stable")
    with using(lang):
        return {p: where_label(p, level) for p, level in shown.itertuples(index=False)}


@solara.component
def CostsCard():
    """Full width: what the levers cost and gain, and the scenario to take away."""
    result = forecast_task.value if forecast_task.finished else None
    lang = state.lang.value
    png = solara.use_memo(
        lambda: cost_chart(result, lang) if result is not None else None, [id(result), lang]
    )
    with solara.Card(t("Costs and downloads"), classes=["costs"]):
        if png is not None:
            solara.Image(png, width="100%", classes=["chart-costs"])
            solara.Markdown(cost_table(result))
        with solara.Row(classes=["downloads"], style={"flex-wrap": "wrap"}):
            ScenarioFile()
            if png is not None:
                Files({"costs": result.costs}, {"costs": png}, "cost-downloads")


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


def change_line(result: quick.Result) -> str:
    """Markdown: what the levers add by the last month, all districts, median and 90 % range."""
    table = result.costs
    last = table["date"].max()
    rows = table[(table["level"] == "total") & (table["date"] == last)].set_index("measure")
    parts = []
    for measure in ("additional_households_any", "household_years_any"):
        row = rows.loc[measure]
        low, high = (_in(row[q], "households") for q in ("q05", "q95"))
        parts.append(f"**{_in(row['median'], 'households')}** {t(_MEANING[measure]).lower()} "
                     f"({t('90 % of runs')}: {low} – {high})")  # fmt: skip
    month = pd.Timestamp(last).strftime("%Y-%m")
    return (
        t("What the levers change by {month}, all districts:").format(month=month)
        + " "
        + ("; ".join(parts))
    )


def _in(value: float, unit: str) -> str:
    if pd.isna(value):
        return "–"
    return f"{value / 1e6:,.1f}" if unit == "million VND" else f"{value:,.0f}"


@solara.component
def ScenarioFile():
    """The draft as a scenario file, when it is valid."""
    draft = state.draft.value
    if drafts.check(draft)[1] is None:
        name = slug(draft.get("name", "scenario"))
        solara.FileDownload(
            drafts.toml(draft), f"{name}.toml", t("Scenario (TOML)"), mime_type="application/toml"
        )


@solara.component
def Files(tables: dict, pngs: dict[str, bytes], css: str):
    """Tables as CSV and figures as PNG, one button each."""
    with solara.Row(classes=[css], style={"flex-wrap": "wrap"}):
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
