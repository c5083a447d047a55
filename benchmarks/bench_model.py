"""Speed and memory of the full five-district baseline, one agent per household.

Builds and runs ``AdoptionModel(scale=1.0)`` over 2019-01..2030-12 (144 monthly
steps, ~135k households) ``--repeats`` times and prints construction, run and
total time per run (median and min) and household-steps per second
(households x months / run time). Peak memory is measured in a fresh
subprocess that does exactly one build + run: the process's ``ru_maxrss``
(after the imports, and after the run), then the ``tracemalloc`` peak of a
second build + run in the same subprocess.

Usage::

    python benchmarks/bench_model.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc

from common import (
    SEED,
    Timing,
    best,
    environment,
    median_timing,
    rate,
    table,
    time_vectorised,
)

from adoption import AdoptionModel

MB = 1024 * 1024
#: Starts the measuring process from a bare interpreter. On Linux a process's
#: ru_maxrss starts at the high-water mark of the process it was spawned from
#: (kept across exec), so a child spawned by this script directly would report
#: this script's peak after its five runs; a bare interpreter's is ~10 MB.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def maxrss_mb() -> float:
    """Peak resident set size of this process so far, MB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib * (1 if sys.platform == "darwin" else 1024) / MB


def one_run() -> int:
    """Build and run the full baseline once; return the number of households."""
    model = AdoptionModel(scale=1.0, rng=SEED)
    model.run_model()
    n = model.households.n
    model.release()
    return n


def memory_child() -> None:
    """Body of the measuring subprocess: print its memory figures as JSON."""
    after_imports = maxrss_mb()
    one_run()
    after_run = maxrss_mb()
    gc.collect()
    tracemalloc.start()
    one_run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {"after_imports": after_imports, "after_run": after_run, "traced_peak": peak / MB}
    print(json.dumps(out))


def measure_memory() -> dict:
    """Run :func:`memory_child` in a fresh interpreter and read its JSON line."""
    command = [sys.executable, "-c", LAUNCHER, sys.executable, __file__, "--memory-child"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_table(timings: list[Timing]) -> str:
    """Median and min of each phase, and the rates they give."""
    med, low = median_timing(timings), best(timings)
    fastest_total = min(t.total_s for t in timings)
    rows = [
        ["construction (s)", f"{med.build_s:.3f}", f"{min(t.build_s for t in timings):.3f}"],
        [f"run, {med.months} monthly steps (s)", f"{med.run_s:.3f}", f"{low.run_s:.3f}"],
        ["total per run (s)", f"{med.total_s:.3f}", f"{fastest_total:.3f}"],
        [
            "run per month (ms)",
            f"{1e3 * med.run_s / med.months:.2f}",
            f"{1e3 * low.run_s / low.months:.2f}",
        ],
        ["household-steps/s (run)", rate(med.steps_per_s), rate(low.steps_per_s)],
        [
            "household-steps/s (build + run)",
            rate(med.household_steps / med.total_s),
            rate(low.household_steps / fastest_total),
        ],
    ]
    return table(["", "median", "min (best)"], rows)


def memory_table(memory: dict) -> str:
    """The subprocess's memory figures."""
    rows = [
        ["ru_maxrss after the imports", f"{memory['after_imports']:.0f}"],
        ["ru_maxrss after one build + run", f"{memory['after_run']:.0f}"],
        ["  increase over the imports", f"{memory['after_run'] - memory['after_imports']:.0f}"],
        ["tracemalloc peak of one build + run", f"{memory['traced_peak']:.1f}"],
    ]
    return table(["peak memory, fresh process", "MB"], rows)


def main(argv: list[str] | None = None) -> int:
    """Time the repeats, measure memory, print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child()
        return 0
    print(f"adoption benchmark: full five-district baseline, scale=1.0, seed {SEED}")
    print(environment())
    time_vectorised(scale=0.05)  # warm-up: imports, profile file, first allocations
    timings = []
    for k in range(args.repeats):
        timings.append(time_vectorised(scale=1.0))
        t = timings[-1]
        print(f"  run {k + 1}/{args.repeats}: build {t.build_s:.3f} s, run {t.run_s:.3f} s")
    t = timings[0]
    print(
        f"\n{t.households:,} households x {t.months} months = {t.household_steps:,} "
        f"household-steps per run, {len(timings)} repeats\n"
    )
    print(time_table(timings))
    started = time.perf_counter()
    memory = measure_memory()
    print(f"\n{memory_table(memory)}")
    print(f"(memory subprocess took {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
