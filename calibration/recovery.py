"""Fuller recovery check: do posterior intervals cover known truths at about the nominal rate?

Draws ``--truths`` parameter sets from the priors, makes synthetic targets from the
model at each (with the noise model's error), calibrates to them, and counts how
often each truth falls inside its posterior 50 % and 90 % intervals. Over many
truths and parameters the coverage should be near 0.5 and 0.9; much lower means
overconfident posteriors. Prints the coverage after each truth and at the end;
writes ``calibration/recovery.csv`` (one row per truth and parameter, with the run's
final effective sample size and wall time).

    .venv/bin/python calibration/recovery.py --truths 10 --population 100
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calibration import Settings, calibrate, synthetic_targets
from adoption.calibration.observations import fit_figures
from adoption.calibration.targets import load_priors


def main() -> None:
    """Run the recovery check with the command-line settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Settings()
    parser.add_argument("--truths", type=int, default=10)
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=defaults.max_generations)
    parser.add_argument("--moves", type=int, default=defaults.moves)
    parser.add_argument("--target-ess", type=float, default=defaults.target_ess)
    parser.add_argument("--method", default=defaults.method, help="smc or pyabc")
    parser.add_argument("--scale", type=float, default=defaults.scale)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    targets = fit_figures()
    priors = load_priors()
    rng = np.random.default_rng(args.seed)
    rows = []
    for k in range(args.truths):
        truth = {name: float(p.frozen().rvs(random_state=rng)) for name, p in priors.items()}
        settings = Settings(
            population_size=args.population,
            max_generations=args.generations,
            moves=args.moves,
            target_ess=args.target_ess,
            method=args.method,
            scale=args.scale,
            workers=args.workers,
            seed=args.seed + k,
        )
        synthetic = synthetic_targets(targets, truth, settings, seed=args.seed * 1000 + k)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            posterior = calibrate(
                synthetic, priors, settings, db=Path(folder) / "r.db", progress=False
            )
        wall = time.perf_counter() - start
        final = posterior.generations.iloc[-1]
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
                    "final_ess": final["ess"],
                    "generations": len(posterior.generations),
                    "simulations": int(posterior.generations["samples"].sum()),
                    "wall_time_s": wall,
                }
            )
        done = pd.DataFrame(rows)
        print(
            f"truth {k + 1}/{args.truths}: final ESS {final['ess']:.0f}, "
            f"{len(posterior.generations)} generations, {wall:.0f} s; coverage so far "
            f"50 % {done['in50'].mean():.2f}, 90 % {done['in90'].mean():.2f}",
            flush=True,
        )
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
    print(table.groupby("parameter")[["in50", "in90", "contraction"]].mean().round(2).to_string())


if __name__ == "__main__":
    main()
