"""The dashboard's quick forecast: how long it takes, and how far it is from a full forecast.

1. Time: the quick forecast of each shipped scenario with levers (``adoption.dashboard.quick
   .run``: 20 runs at 5 % of the households, paired with the same runs without levers), in
   a fresh cache, then its three figures (``adoption.dashboard.charts``). The browser test
   measures the same from the click to the chart (``tests/test_dashboard_browser.py``).
2. Caveat: the same scenarios as full forecasts (every household, ``--full-runs`` runs,
   default 40) against the quick ones, for the headline indicators and households using
   a service at all districts, at 2025-12 and 2030-12: the largest difference of medians
   (percentage points), the median ratio of 90 % interval widths (quick / full) and the
   difference of median household-years gained (% of the full, signed). With ``--write`` it
   writes them to ``adoption/data/quick_caveat.csv``, which the page shows.

Usage (from the repository root)::

    python benchmarks/bench_dashboard.py [--full-runs 40] [--write]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.dashboard import quick
from adoption.dashboard.charts import charts
from adoption.ensemble import costs, run_ensemble, summarise
from adoption.model.indicators import HEADLINE, TOTAL
from adoption.reports.forecast import with_overrides
from adoption.scenarios.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("combined", "infrastructure_push")
DATES = ("2025-12", "2030-12")
SHOWN = ("any_service_rate", *HEADLINE)


def _at(table: pd.DataFrame, name: str) -> pd.DataFrame:
    rows = table[(table["place"] == TOTAL) & (table["scenario"] == name)]
    rows = rows[rows["indicator"].isin(SHOWN)]
    return rows[rows["date"].dt.strftime("%Y-%m").isin(DATES)].set_index(["indicator", "date"])


def _years(cost: pd.DataFrame) -> float:
    rows = cost[(cost["level"] == "total") & (cost["measure"] == "household_years_any")]
    return float(rows.loc[rows["date"] == rows["date"].max(), "median"].iloc[0])


def full(scenario, runs: int, cache: Path):
    """Summary and household-years of the scenario with every household."""
    big = with_overrides(scenario, runs=runs, scale=1.0)
    main = run_ensemble(big, cache, label=f"{scenario.name}, full")
    base = run_ensemble(big.without_interventions(), cache, label="without levers, full")
    return summarise(main), _years(costs(main, base))


def main() -> None:
    """Print the timings and the caveat; write the caveat with ``--write``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--full-runs", type=int, default=40)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    gaps, ratios, years = [], [], []
    for name in SCENARIOS:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        with tempfile.TemporaryDirectory() as cache:
            began = time.perf_counter()
            result = quick.run(scenario, cache)
            drawn = charts(result, "any_service_rate", TOTAL, "vi")
            took = time.perf_counter() - began
            print(f"{name}: quick forecast {result.seconds:.1f} s, with its "
                  f"{len(drawn)} figures {took:.1f} s")  # fmt: skip
            table, gained = full(scenario, args.full_runs, Path(cache))
        a, b = _at(result.forecast, scenario.name), _at(table, scenario.name)
        gaps.append(float(np.max(np.abs(a["median"] - b["median"]))) * 100)
        ratios += list((a["q95"] - a["q05"]) / (b["q95"] - b["q05"]))
        years.append((_years(result.costs) - gained) / gained * 100)
        print(f"  medians differ by at most {gaps[-1]:.1f} pp; household-years "
              f"{_years(result.costs):,.0f} quick vs {gained:,.0f} full")  # fmt: skip
    found = {
        "median_pp": f"{max(gaps):.1f}",
        "width_ratio": f"{np.median(ratios):.1f}",
        "household_years_pct": f"{min(years):+.0f} – {max(years):+.0f}",  # no word: any language
    }
    print("caveat:", found)
    if args.write:
        _write(found, args.full_runs)


def _write(found: dict[str, str], runs: int) -> None:
    source = (
        f"benchmarks/bench_dashboard.py --full-runs {runs} --write, "
        f"{datetime.date.today():%Y-%m-%d}: quick ({quick.RUNS} runs, scale {quick.SCALE}) "
        f"against full ({runs} runs, scale 1) forecasts of {', '.join(SCENARIOS)}; "
        f"all districts; {', '.join(SHOWN)}; {', '.join(DATES)}"
    )
    meaning = {
        "median_pp": "largest difference of medians, percentage points",
        "width_ratio": "median ratio of 90 % interval widths, quick / full",
        "household_years_pct": "median household-years gained, quick minus full, % of full "
        "(lowest to highest over the scenarios)",
    }
    path = ROOT / "adoption" / "data" / "quick_caveat.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["measure", "value", "meaning", "source"])
        for key, value in found.items():
            out.writerow([key, value, meaning[key], source])
    print("wrote", path)


if __name__ == "__main__":
    main()
