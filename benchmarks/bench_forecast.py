"""Wall time of a forecast ensemble: the combined scenario, full scale, 100 runs.

Goal (issue 4): under 2 minutes on the 2-core machine. Prints the time of the
ensemble itself (runs into an empty cache), of the summaries and of writing
the outputs, and the peak memory of the parent process and of a worker.
The baseline ensemble that `adoption run` adds for the costs (same draws and
seeds, scenario without interventions) is timed separately.

Usage (from the repository root)::

    python benchmarks/bench_forecast.py [--scenario scenarios/combined.toml] [--runs 100]
        [--workers 2] [--with-baseline]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "combined.toml")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--with-baseline", action="store_true", help="also time the baseline")
    args = parser.parse_args()

    from adoption.ensemble import costs, differences, run_ensemble, summarise
    from adoption.ensemble.tables import write_tables
    from adoption.reports.forecast import with_overrides
    from adoption.scenarios.scenario import load_scenario

    scenario = with_overrides(load_scenario(args.scenario), runs=args.runs)
    print(f"{scenario.name}: {scenario.runs} runs, scale {scenario.scale:g}, "
          f"{len(scenario.interventions)} interventions, {args.workers} workers, "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")  # fmt: skip
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        ensemble = run_ensemble(scenario, cache, workers=args.workers, progress=False)
        t1 = time.perf_counter()
        print(f"ensemble: {t1 - t0:.1f} s ({scenario.runs / (t1 - t0):.2f} runs/s)")
        table = summarise(ensemble)
        t2 = time.perf_counter()
        print(f"summary: {t2 - t1:.1f} s ({len(table):,} rows)")
        with tempfile.TemporaryDirectory() as out:
            write_tables(Path(out), {"forecast": table})
        t3 = time.perf_counter()
        print(f"write Parquet + CSV: {t3 - t2:.1f} s")
        total = t3 - t0
        if args.with_baseline:
            base = run_ensemble(
                scenario.without_interventions(), cache, workers=args.workers, progress=False
            )
            t4 = time.perf_counter()
            differences(ensemble, base)
            costs(ensemble, base)
            t5 = time.perf_counter()
            print(f"baseline ensemble: {t4 - t3:.1f} s; differences + costs: {t5 - t4:.1f} s")
            total = t5 - t0
    print(f"total: {total:.1f} s (goal < 120 s for the combined scenario's 100 runs)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: parent {own:.0f} MB, largest worker {workers:.0f} MB")


if __name__ == "__main__":
    main()
