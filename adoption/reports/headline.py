"""The end-of-run summary a planner reads in the terminal after ``adoption run``.

:func:`headline` turns a forecast table (:func:`adoption.ensemble.summarise`) into a
few lines: for each district and the total, the main indicators at the period's
end as median and 90 % interval. :func:`cost_lines` adds, for a scenario with
levers, its cost per additional adopting household; :func:`target_lines` whether the
median meets each national target in the period. This module formats; it computes nothing
the tables do not hold.
"""

from __future__ import annotations

import math

import pandas as pd

from adoption.reports.figures.references import judge_targets

#: Indicators of the summary, with their column heading.
MAIN: dict[str, str] = {
    "online_service_rate": "files online",
    "any_service_rate": "households using a service",
    "cashless_bill_rate": "bills by app",
    "app_install_rate": "citizens with the app",
}


def headline(table: pd.DataFrame, scenario: str | None = None) -> str:
    """Districts and total at the last month: median [5-95 %] of each :data:`MAIN` indicator."""
    if scenario is not None:
        table = table[table["scenario"] == scenario]
    rows = table[table["level"].isin(["district", "total"]) & table["indicator"].isin(MAIN)]
    last = rows["date"].max()
    rows = rows[rows["date"] == last]
    places = list(dict.fromkeys(rows["place"]))
    width = max(len(p) for p in places) + 2
    cells = {name: max(len(heading), 17) + 2 for name, heading in MAIN.items()}
    lines = [
        f"{pd.Timestamp(last):%Y-%m}, median [90 % interval] over "
        f"{int(rows['runs'].iloc[0])} runs:",
        "".ljust(width) + "".join(MAIN[n].rjust(cells[n]) for n in MAIN),
    ]
    by = rows.set_index(["place", "indicator"])
    for place in places:
        text = place.ljust(width)
        for name in MAIN:
            r = by.loc[(place, name)]
            text += f"{_pct(r['median'])} [{_pct(r['q05'])}-{_pct(r['q95'])}]".rjust(cells[name])
        lines.append(text)
    return "\n".join(lines)


def cost_lines(costs: pd.DataFrame | None) -> list[str]:
    """One line per scenario and cost date, for the total.

    The cost per additional adopting household at the date, and the household-years of
    use gained by then with the cost per household-year.
    """
    if costs is None or costs.empty:
        return []
    total = costs[costs["level"] == "total"].set_index(["scenario", "versus", "date", "measure"])
    lines = []
    for scenario, versus, date in dict.fromkeys(i[:3] for i in total.index):
        row = total.loc[(scenario, versus, date)]
        spent = row.loc["additional_cost_vnd"]
        if not spent["q95"] > 0 and not row.loc["household_years_any"]["q95"] > 0:
            lines.append(f"{scenario} vs {versus}, {date:%Y-%m}: no lever active yet")
            continue
        lines.append(
            f"{scenario} vs {versus}, {date:%Y-%m}: cost per additional adopting household "
            f"{_money(row.loc['cost_per_additional_household_vnd'])}; household-years of use "
            f"gained {_count(row.loc['household_years_any'])}, cost per household-year "
            f"{_money(row.loc['cost_per_household_year_vnd'])}"
        )
    return lines


def target_lines(table: pd.DataFrame, references: pd.DataFrame, scenario: str) -> list[str]:
    """Whether the forecast meets each national and provincial target dated within its period.

    One line per target and place it applies to (:func:`judge_targets`): the median and 90 %
    interval at the target's month and the verdict.
    """
    judged = judge_targets(table, references, scenario)
    lines = [
        f"{row.label} ({row.indicator}, {row.place}, {row.date}): median "
        f"{_pct(row.median, 1)} [{_pct(row.q05, 1)}-{_pct(row.q95, 1)}]: {row.verdict}"
        for row in judged.itertuples()
    ]
    header = "national and provincial targets in the period (the runs' median and 90 % interval):"
    return [header, *lines] if lines else []


def ranking_lines(ranking: pd.DataFrame | None, flips: pd.DataFrame | None) -> list[str]:
    """How sure the ranking is: each scenario's chance of being best and expected regret."""
    if ranking is None or ranking.empty:
        return []
    runs, lines = int(ranking["runs"].iloc[0]), []
    for outcome, rows in ranking.groupby("outcome", sort=False):
        lower = " (lower is better)" if "cost" in outcome else ""
        lines.append(f"ranking on {outcome}{lower} over {runs} paired runs:")
        for row in rows.sort_values("probability_best", ascending=False).itertuples():
            if not math.isfinite(row.mean):
                lines.append(f"  {row.scenario}: no household-year gained, nothing to rank")
                continue
            lines.append(
                f"  {row.scenario}: best in {row.probability_best:.0%} of runs, expected regret "
                f"{row.expected_regret:,.0f}, mean {row.mean:,.0f}"
            )
    if flips is not None and len(flips):
        top = flips.iloc[0]
        lines.append(
            f"  {top['chosen']} is not best in {int(top['flips'])} runs; most of all when "
            f"{top['rule']} ({top['coverage']:.0%} of those runs; flips.csv)"
        )
    return lines


def _money(row) -> str:
    if not _finite(row["median"]):
        return "unbounded (some runs gain nothing)"
    low, high = row["q05"], row["q95"]
    interval = f"{low:,.0f} to {high:,.0f}" if _finite(low) and _finite(high) else "unbounded"
    return f"{row['median']:,.0f} VND (90 % interval {interval})"


def _count(row) -> str:
    return f"{row['median']:,.0f} ({row['q05']:,.0f} to {row['q95']:,.0f})"


def _pct(value: float, decimals: int = 0) -> str:
    return f"{100 * value:.{decimals}f} %" if _finite(value) else "n/a"


def _finite(value) -> bool:
    return value is not None and not math.isnan(value) and not math.isinf(value)
