"""Wall time of the many-run tools at their default settings (issue 11, item 6).

Times, each as the command a user types (a fresh output folder, so nothing is answered
from a cache), on this machine's cores:

- ``adoption sensitivity scenarios/combined.toml --method morris`` (20 trajectories);
- ``adoption sensitivity scenarios/combined.toml --method sobol --n 512``;
- ``adoption optimise --budget 18.5e9 --by 2030-12`` (200 trials of 20 runs, check at
  full scale on 40 runs).

Also the cost of one evaluation (a paired pair of runs at scale 0.05) and of one run,
split into building the model and stepping it, so the fixed costs are visible.
Goal: each command under 15 minutes on the 2-core machine.

Usage (from the repository root)::

    python benchmarks/bench_decision.py [--only morris sobol optimise evaluation]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADOPTION = [sys.executable, "-m", "adoption.cli"]
COMMANDS = {
    "morris": ["sensitivity", "scenarios/combined.toml", "--method", "morris"],
    "sobol": ["sensitivity", "scenarios/combined.toml", "--method", "sobol", "--n", "512"],
    "optimise": ["optimise", "--budget", "18.5e9", "--by", "2030-12"],
}


def evaluation() -> None:
    """Seconds per evaluation and per run (build and step), scale 0.05, combined scenario."""
    from adoption.decisions.experiment import Evaluator
    from adoption.model.model import AdoptionModel

    f = Evaluator(ROOT / "scenarios" / "combined.toml", scale=0.05)
    factors = f.factors()
    point = {k: (low + high) / 2 for k, (low, high) in factors.items()}
    f(point)
    started = time.perf_counter()
    for _ in range(10):
        f(point)
    each = (time.perf_counter() - started) / 10
    build = step = 0.0
    for seed in range(10):
        t0 = time.perf_counter()
        model = AdoptionModel(
            f.scenario.params,
            f.profiles,
            scale=0.05,
            rng=seed,
            interventions=list(f.scenario.interventions),
            record="outcomes",
        )
        t1 = time.perf_counter()
        model.run_model()
        t2 = time.perf_counter()
        model.release()
        build, step = build + (t1 - t0) / 10, step + (t2 - t1) / 10
    print(
        f"evaluation (2 runs, scale 0.05, {len(factors)} factors): {each:.3f} s; "
        f"one run: build {build:.3f} s + {len(f.months)} months {step:.3f} s"
    )


def command(name: str) -> None:
    """Run one command into a fresh folder and print its wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [*ADOPTION, *COMMANDS[name], "--out", str(Path(tmp) / "out"), "--no-progress"]
        started = time.perf_counter()
        result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"{name} failed:\n{result.stderr}")
    tail = [line for line in result.stdout.splitlines() if not line.startswith("wrote ")]
    print(
        f"{name}: {seconds / 60:.1f} min wall ({os.cpu_count()} cores): adoption "
        f"{' '.join(COMMANDS[name])}"
    )
    for line in tail[-6:]:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="+", choices=["evaluation", *COMMANDS], default=["evaluation", *COMMANDS]
    )
    args = parser.parse_args()
    for name in args.only:
        evaluation() if name == "evaluation" else command(name)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
