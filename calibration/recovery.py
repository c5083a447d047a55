"""Fuller recovery check: do posterior intervals cover known truths at about the nominal rate?

Draws ``--truths`` parameter sets from the priors, makes synthetic targets from the
model at each (with the noise model's error), calibrates to them, and counts how
often each truth falls inside its posterior 50 % and 90 % intervals. Over many
truths and parameters the coverage should be near 0.5 and 0.9; much lower means
overconfident posteriors. Prints a table per truth and the coverage; writes
``calibration/recovery.csv``.

    .venv/bin/python calibration/recovery.py --truths 6 --population 80 --generations 5
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calibrate import Settings, calibrate, synthetic_targets
from adoption.targets import load_priors, load_targets


def main() -> None:
    """Run the recovery check with the command-line settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truths", type=int, default=6)
    parser.add_argument("--population", type=int, default=80)
    parser.add_argument("--generations", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    targets = load_targets(role="target")
    priors = load_priors()
    rng = np.random.default_rng(args.seed)
    rows = []
    for k in range(args.truths):
        truth = {name: float(p.frozen().rvs(random_state=rng)) for name, p in priors.items()}
        settings = Settings(
            population_size=args.population,
            max_generations=args.generations,
            scale=args.scale,
            workers=args.workers,
            seed=args.seed + k,
        )
        synthetic = synthetic_targets(targets, truth, settings, seed=args.seed * 1000 + k)
        with tempfile.TemporaryDirectory() as folder:
            posterior = calibrate(
                synthetic, priors, settings, db=Path(folder) / "r.db", progress=False
            )
        summary = posterior.summary(priors).set_index("parameter")
        weights = posterior.weights / posterior.weights.sum()
        for name, value in truth.items():
            x = posterior.particles[name].to_numpy()
            order = np.argsort(x)
            cdf = np.interp(value, x[order], np.cumsum(weights[order]), left=0.0, right=1.0)
            rows.append(
                {
                    "truth": k,
                    "parameter": name,
                    "value": value,
                    "q05": summary.loc[name, "q05"],
                    "q95": summary.loc[name, "q95"],
                    "in50": 0.25 <= cdf <= 0.75,
                    "in90": 0.05 <= cdf <= 0.95,
                    "contraction": summary.loc[name, "contraction"],
                }
            )
        done = pd.DataFrame(rows)
        print(f"truth {k + 1}/{args.truths}: 90 % coverage so far {done['in90'].mean():.2f}")
    table = pd.DataFrame(rows)
    table.to_csv(Path(__file__).parent / "recovery.csv", index=False)
    n = len(table)
    for level, column in ((0.5, "in50"), (0.9, "in90")):
        rate = table[column].mean()
        se = np.sqrt(level * (1 - level) / n)
        print(
            f"coverage of {level:.0%} intervals: {rate:.2f} (nominal {level}, binomial s.e. "
            f"{se:.2f} over {n} truth-parameter pairs, which are not independent within a truth)"
        )
    print(table.groupby("parameter")[["in90", "contraction"]].mean().round(2).to_string())


if __name__ == "__main__":
    main()
