"""Household-steps per second: one run at full scale, and 5 % runs alone or as one batch.

Prints, as median over ``--repeats`` (stepping only, construction excluded unless said):

- one full-scale run of the five districts (``record="forecast"``);
- one 5 % run (``record="outcomes"``, as sensitivity and the optimiser run them);
- ``R`` 5 % runs stepped as one :class:`adoption.model.batch.BatchModel`, for each ``--batch``
  size, with the speed-up per run over the single 5 % run (construction included, since a
  batch also pays for stacking);
- one sensitivity evaluation (2 seeds, paired runs at 5 %) point by point and in a batch of
  16 points (:meth:`adoption.decisions.experiment.Evaluator.many`).

Usage: ``python benchmarks/bench_batch.py [--repeats 3] [--batch 8 32 64]``.
"""

import argparse
import statistics
import time

import numpy as np

from adoption.decisions.experiment import Evaluator
from adoption.model.batch import BatchModel
from adoption.model.model import AdoptionModel
from adoption.model.runspec import RunSpec

MONTHS = 144


def timed(build, repeats: int, build_counts: bool) -> tuple[float, int]:
    """Median seconds of ``build().run_model()`` and the households stepped."""
    seconds, households = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        model = build()
        if not build_counts:
            start = time.perf_counter()
        model.run_model()
        seconds.append(time.perf_counter() - start)
        households = model.households.n
        model.release()
    return statistics.median(seconds), households


def line(label: str, seconds: float, households: int) -> None:
    rate = households * MONTHS / seconds
    print(f"{label:<44} {seconds:7.3f} s  {rate / 1e6:6.1f} M household-steps/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 32, 64])
    args = parser.parse_args()
    full = timed(lambda: AdoptionModel(spec=RunSpec(rng=1, record="forecast")), args.repeats, False)
    line("full scale, one run (stepping)", *full)
    small = RunSpec(scale=0.05, record="outcomes")
    one = timed(lambda: AdoptionModel(spec=small.replace(rng=1)), args.repeats, True)
    line("5 %, one run (build + stepping)", *one)
    for size in args.batch:
        specs = [small.replace(rng=r) for r in range(size)]
        seconds, households = timed(lambda s=specs: BatchModel(s), args.repeats, True)
        per_run = seconds / size
        line(f"5 %, R = {size} as one batch (build + stepping)", seconds, households)
        print(f"{'':<44} {per_run:7.3f} s per run: {one[0] / per_run:.2f}x one run alone")
    evaluator = Evaluator("scenarios/combined.toml", seeds=(1, 2), scale=0.05)
    rng = np.random.default_rng(1)
    factors = evaluator.factors()
    points = [{k: float(rng.uniform(a, b)) for k, (a, b) in factors.items()} for _ in range(16)]
    start = time.perf_counter()
    for point in points[:4]:
        evaluator(point)
    alone = (time.perf_counter() - start) / 4
    start = time.perf_counter()
    evaluator.many(points)
    batched = (time.perf_counter() - start) / len(points)
    print(
        f"sensitivity evaluation (2 seeds, paired, 5 %): {alone:.3f} s alone, "
        f"{batched:.3f} s in a batch of {len(points)} points ({alone / batched:.2f}x)"
    )


if __name__ == "__main__":
    main()
