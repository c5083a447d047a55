"""Helpers shared by the benchmark scripts: timed runs of the vectorised model and tables.

Run the scripts from the repository root, e.g. ``python benchmarks/bench_model.py``;
they import this module from their own directory.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import time
from dataclasses import dataclass

import mesa
import numpy as np

from adoption import AdoptionModel
from adoption.calendar import format_month, parse_month

#: Seed of the baseline scenario (scenarios/baseline.toml).
SEED = 20190101
#: The model's default calendar.
START, END = "2019-01", "2030-12"


@dataclass
class Timing:
    """One timed run: households, months, construction and run seconds."""

    households: int
    months: int
    build_s: float
    run_s: float

    @property
    def total_s(self) -> float:
        """Construction plus run."""
        return self.build_s + self.run_s

    @property
    def household_steps(self) -> int:
        """Households times months."""
        return self.households * self.months

    @property
    def steps_per_s(self) -> float:
        """Household-steps per second of the run (construction excluded)."""
        return self.household_steps / self.run_s


def end_month(months: int, start: str = START) -> str:
    """The last month of a run of ``months`` months from ``start``."""
    return format_month(parse_month(start) + months - 1)


def time_vectorised(
    *, scale: float = 1.0, profiles=None, months: int = 144, seed: int = SEED
) -> Timing:
    """Build and run the vectorised :class:`AdoptionModel` once; time both phases."""
    gc.collect()
    t0 = time.perf_counter()
    model = AdoptionModel(profiles=profiles, end=end_month(months), scale=scale, rng=seed)
    t1 = time.perf_counter()
    model.run_model()
    t2 = time.perf_counter()
    timing = Timing(model.households.n, len(model.months), t1 - t0, t2 - t1)
    model.release()
    del model
    gc.collect()
    return timing


def best(timings: list[Timing]) -> Timing:
    """The timing with the shortest run."""
    return min(timings, key=lambda t: t.run_s)


def median_timing(timings: list[Timing]) -> Timing:
    """Per-phase medians (each phase's median, not the run with the median run time)."""
    first = timings[0]
    return Timing(
        first.households,
        first.months,
        float(np.median([t.build_s for t in timings])),
        float(np.median([t.run_s for t in timings])),
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [headers] + rows
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def rate(value: float) -> str:
    """A rate in household-steps per second, in millions or thousands."""
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    return f"{value / 1e3:.1f} k"


def environment() -> str:
    """One line naming Python, NumPy, Mesa, the CPU count and the platform."""
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__}, Mesa {mesa.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}"
        f"{'' if sys.flags.optimize == 0 else ', -O'}"
    )
