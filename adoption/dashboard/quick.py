"""The dashboard's quick forecast: a reduced ensemble, its tables and figures, and its caveat.

A quick forecast is the scenario's ensemble and the same runs without its levers (paired:
same draws and seeds) at :data:`RUNS` runs and :data:`SCALE` of the households, summarised
for the districts and the total only (communes are what make a full summary slow). How
far a quick forecast is from a full one was measured by ``benchmarks/bench_dashboard.py``
and is read from ``adoption/data/quick_caveat.csv`` (:func:`caveat`), not written here.
Nothing here imports Solara.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from adoption.ensemble import Ensemble, costs, differences, run_ensemble, summarise
from adoption.files import DATA
from adoption.reports.forecast import with_overrides
from adoption.scenarios.scenario import Scenario

#: Runs of a quick forecast (each a posterior draw and a seed).
RUNS = 20
#: Households simulated per real household in a quick forecast.
SCALE = 0.05
_CAVEAT = DATA / "quick_caveat.csv"


@dataclasses.dataclass
class Result:
    """A quick forecast: tables for districts and the total, and how long it took."""

    scenario: Scenario
    forecast: pd.DataFrame  # the scenario and its baseline, stacked
    differences: pd.DataFrame | None  # scenario minus baseline, run by run
    costs: pd.DataFrame | None
    seconds: float

    @property
    def baseline(self) -> str:
        """The name of the scenario without its levers."""
        return self.scenario.without_interventions().name


def reduced(scenario: Scenario) -> Scenario:
    """The scenario at the quick size (checked like ``--runs``/``--scale``)."""
    return with_overrides(scenario, runs=RUNS, scale=SCALE)


def run(
    scenario: Scenario, cache: str | Path, on_progress: Callable[[float], None] | None = None
) -> Result:
    """The quick forecast of a checked scenario; ``on_progress`` gets the share done."""
    began = time.perf_counter()
    small = reduced(scenario)
    parts = [small] + ([small.without_interventions()] if small.interventions else [])
    total = small.runs * len(parts)
    ensembles = []
    for k, part in enumerate(parts):

        def step(done: int, _runs: int, before: int = k * small.runs) -> None:
            if on_progress is not None:
                on_progress((before + done) / total)

        ensemble = run_ensemble(part, cache, progress=False, on_run=step, workers=None)
        step(small.runs, small.runs)  # also when every run was in the cache
        ensembles.append(_coarse(ensemble))
    main, base = ensembles[0], ensembles[-1]
    tables = [summarise(e) for e in ensembles]
    paired = len(ensembles) == 2
    return Result(
        small,
        pd.concat(tables[::-1], ignore_index=True),
        differences(main, base) if paired else None,
        costs(main, base) if paired else None,
        time.perf_counter() - began,
    )


def _coarse(ensemble: Ensemble) -> Ensemble:
    """The ensemble without its old communes (districts, 2025 units, total)."""
    keep = (ensemble.places["level"] != "commune").to_numpy()
    return dataclasses.replace(
        ensemble,
        values=ensemble.values[:, :, keep],
        places=ensemble.places[keep].reset_index(drop=True),
    )


def caveat() -> dict[str, str]:
    """The measured differences between a quick and a full forecast (``quick_caveat.csv``)."""
    with _CAVEAT.open(encoding="utf-8", newline="") as handle:
        return {row["measure"]: row["value"] for row in csv.DictReader(handle)}


def csv_text(table: pd.DataFrame | None) -> str:
    """A table as CSV text (for a download)."""
    if table is None:
        return ""
    out = io.StringIO()
    table.to_csv(out, index=False)
    return out.getvalue()
