"""Calibration throughput and memory: simulations per second, and memory flat over many runs.

Runs the calibration's simulator (``adoption.calibration.Simulator`` at the default
calibration settings: the three target districts to 2025-06, scale 0.1, target
communes at full scale) ``--runs`` times in one process and prints simulations per
second and the process's resident memory every ``--every`` runs. Then it runs
``--leak-runs`` models *without* ``model.release()`` to show what Mesa 3.3's
class-level agent-id registry (``mesa.Agent._ids``, keyed by model) does to
memory when models are not released.

    .venv/bin/python benchmarks/bench_calibration.py --runs 2000
"""

from __future__ import annotations

import argparse
import gc
import time

import mesa
import numpy as np

from adoption import AdoptionModel
from adoption.calibration import Settings, Simulator
from adoption.calibration.observations import fit_figures


def rss_mb() -> float:
    """Current resident memory of this process, MB (from /proc)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 2**20


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--leak-runs", type=int, default=300)
    args = parser.parse_args()
    targets = fit_figures()
    simulator = Simulator(targets, Settings())
    simulator.run({}, 0)  # warm-up
    print(f"simulator: {simulator.districts}, to {simulator.end}, scale {simulator.settings.scale}")
    print(f"{'runs':>6} {'sims/s':>8} {'RSS MB':>8}")
    start, block = time.perf_counter(), time.perf_counter()
    for k in range(1, args.runs + 1):
        simulator.run({"q_online": 0.02 + 0.01 * np.sin(k)}, k)
        if k % args.every == 0:
            now = time.perf_counter()
            print(f"{k:>6} {args.every / (now - block):>8.2f} {rss_mb():>8.1f}")
            block = now
    total = time.perf_counter() - start
    print(f"{args.runs} simulations in {total:.1f} s: {args.runs / total:.2f} per second, one core")
    print(f"models left in mesa.Agent._ids: {len(mesa.Agent._ids)}")

    print(f"\nwithout release(), {args.leak_runs} models of the same size:")
    before = rss_mb()
    for k in range(args.leak_runs):
        model = AdoptionModel(
            districts=simulator.districts,
            end=simulator.end,
            scale=0.1,
            commune_scale=simulator.commune_scale,
            rng=k,
        )
        model.run_model()
        del model
    gc.collect()
    print(
        f"RSS {before:.1f} -> {rss_mb():.1f} MB; models kept alive in mesa.Agent._ids: "
        f"{len(mesa.Agent._ids)}"
    )


if __name__ == "__main__":
    main()
