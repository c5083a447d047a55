"""Does the calibration's scale bias the fit? Target statistics at calibration scale vs full scale.

At the shipped posterior mean (or the defaults with ``--defaults``), simulates the
calibration's target statistics ``--seeds`` times at the calibration scale (2 %;
districts with a district-level target at 50 %; target communes at full scale) and at
full scale, and prints, per target, the mean over the report window at each scale, the
difference, its standard error and z = difference / s.e. A |z| well above 2 means the
scale biases what the calibration compares with. Writes ``calibration/scale_check.csv``.

    .venv/bin/python calibration/scale_check.py --seeds 20
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calibration import Settings, Simulator
from adoption.calibration.observations import fit_figures
from adoption.calibration.posterior import load_posterior
from adoption.model.params import Params


def window_means(simulator: Simulator, parameters: dict, seeds: range) -> pd.DataFrame:
    """Per seed (rows) and target (columns): the statistic's mean over its report months."""
    rows = []
    for seed in seeds:
        stats = simulator.run(parameters, seed)
        rows.append({k: float(np.nanmean(v)) for k, v in stats.items() if "/" not in k})
    return pd.DataFrame(rows)


def main() -> None:
    """Compare and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--defaults", action="store_true", help="use Params defaults")
    args = parser.parse_args()
    targets = fit_figures()
    posterior = None if args.defaults else load_posterior()
    parameters = {}
    if posterior is not None:
        weights = posterior.pop("weight").to_numpy()
        parameters = {n: float(np.sum(weights * posterior[n]) / weights.sum()) for n in posterior}
    calibration = Settings()
    small = window_means(Simulator(targets, calibration), parameters, range(args.seeds))
    full_settings = Settings(scale=1.0, district_target_scale=1.0)
    full = window_means(
        Simulator(targets, full_settings), parameters, range(1000, 1000 + args.seeds)
    )
    diff = small.mean() - full.mean()
    se = np.sqrt(small.var(ddof=1) / len(small) + full.var(ddof=1) / len(full))
    table = pd.DataFrame(
        {
            "calibration scale": small.mean(),
            "full scale": full.mean(),
            "difference": diff,
            "s.e.": se,
            "z": diff / se,
            "sd across seeds, calibration": small.std(ddof=1),
            "sd across seeds, full": full.std(ddof=1),
        }
    )
    source = "posterior mean" if parameters else "Params defaults"
    print(f"{args.seeds} seeds per scale, parameters: {source} ({Params.__name__})")
    print(table.round(4).to_string())
    table.to_csv(Path(__file__).parent / "scale_check.csv", index_label="target")


if __name__ == "__main__":
    main()
