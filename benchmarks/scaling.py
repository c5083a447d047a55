"""Run time of a full 2019-2030 run against the number of households (synthetic districts).

For each size (default 10k, 30k, 100k, 300k, 1M households of
``synthetic_profiles(n)``, five districts of ~1,200-household communes), builds
and runs :class:`adoption.AdoptionModel` over the 144 months, after one
warm-up run; sizes up to 100k households take the best of 2 runs. Prints
households, construction and run seconds, run seconds per million
household-steps and the ``tracemalloc`` peak of a separate, traced build + run
(timings are never taken under tracemalloc). Then fits
``log(run time) = a + b log(households)`` by least squares and prints ``b``
(1 means linear). ``--plot`` saves ``benchmarks/scaling.png`` (log-log).

Usage::

    python benchmarks/scaling.py [--sizes 10000 30000 ...] [--plot]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import SEED, Timing, best, environment, table, time_vectorised

from adoption import AdoptionModel
from adoption.places.profiles import synthetic_profiles

SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000]
#: Sizes up to this many households are timed twice (best of 2).
SMALL = 100_000
PLOT = Path(__file__).with_name("scaling.png")


@dataclass
class Point:
    """One size: its best timing and its traced memory peak."""

    timing: Timing
    peak_mb: float


def traced_peak_mb(profiles) -> float:
    """``tracemalloc`` peak of one build + full run, MB."""
    gc.collect()
    tracemalloc.start()
    model = AdoptionModel(profiles=profiles, rng=SEED)
    model.run_model()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    model.release()
    return peak / 2**20


def measure(n: int) -> Point:
    """Time the full run of ``n`` synthetic households (best of 2 if small), then trace it."""
    profiles = synthetic_profiles(n)
    repeats = 2 if n <= SMALL else 1
    timing = best([time_vectorised(profiles=profiles) for _ in range(repeats)])
    return Point(timing, traced_peak_mb(profiles))


def fit(points: list[Point]) -> tuple[float, float]:
    """Least-squares ``(a, b)`` of ``log(run s) = a + b log(households)``."""
    x = np.log([p.timing.households for p in points])
    y = np.log([p.timing.run_s for p in points])
    b, a = np.polyfit(x, y, 1)
    return float(a), float(b)


def fit_linear(points: list[Point]) -> tuple[float, float]:
    """Least-squares ``(c, d)`` of ``run s = c + d households`` (fixed and per-household cost)."""
    n = np.array([p.timing.households for p in points], dtype=float)
    d, c = np.polyfit(n, [p.timing.run_s for p in points], 1)
    return float(c), float(d)


def print_fits(points: list[Point]) -> tuple[float, float]:
    """Print the power-law fits (all sizes; sizes >= 100k) and the linear fit; return the first."""
    a, b = fit(points)
    print(
        f"fit log(run s) = a + b log(households), all sizes: b = {b:.3f} (1 = linear), a = {a:.2f}"
    )
    large = [p for p in points if p.timing.households >= SMALL]
    if 2 <= len(large) < len(points):
        print(f"  same fit on sizes >= {SMALL:,} households only: b = {fit(large)[1]:.3f}")
    c, d = fit_linear(points)
    per_step_ns = 1e9 * d / points[0].timing.months
    print(f"fit run s = c + d households: c = {c:.3f} s (fixed per run),")
    print(f"  d = {1e6 * d:.2f} s per million households = {per_step_ns:.1f} ns per household-step")
    return a, b


def report(points: list[Point]) -> str:
    """The table of sizes."""
    rows = [
        [
            f"{t.households:,}",
            f"{t.build_s:.2f}",
            f"{t.run_s:.2f}",
            f"{1e6 * t.run_s / t.household_steps:.4f}",
            f"{p.peak_mb:.0f}",
        ]
        for p in points
        for t in [p.timing]
    ]
    headers = ["households", "build s", "run s", "run s / M household-steps", "tracemalloc MB"]
    return table(headers, rows)


def plot(points: list[Point], a: float, b: float, path: Path) -> None:
    """Log-log plot of run time against households, with the fitted power law."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.array([p.timing.households for p in points], dtype=float)
    t = np.array([p.timing.run_s for p in points])
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.loglog(n, t, "o", label="measured (full 2019-2030 run, 144 months)")
    grid = np.geomspace(n.min(), n.max(), 50)
    ax.loglog(grid, np.exp(a) * grid**b, "-", label=f"fit: time ∝ households^{b:.2f}")
    c, d = fit_linear(points)
    ax.loglog(grid, c + d * grid, "--", label=f"fit: {c:.2f} s + {1e6 * d:.1f} s per M households")
    ax.set_xlabel("households (synthetic districts)")
    ax.set_ylabel("run time (s, construction excluded)")
    ax.set_title("AdoptionModel run time against population size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Measure every size, print the table and the exponent, plot if asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="household counts")
    parser.add_argument("--plot", action="store_true", help=f"save {PLOT.name} next to this file")
    args = parser.parse_args(argv)
    print(environment())
    time_vectorised(profiles=synthetic_profiles(min(args.sizes)))  # warm-up
    points = []
    for n in sorted(args.sizes):
        points.append(measure(n))
        t = points[-1].timing
        print(f"  {t.households:>9,} households: run {t.run_s:.2f} s", flush=True)
    print(f"\n{report(points)}\n")
    if len(points) >= 2:
        a, b = print_fits(points)
        if args.plot:
            plot(points, a, b, PLOT)
            print(f"saved {PLOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
