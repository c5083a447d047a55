"""Common random numbers, measured: paired vs unpaired differences of a capacity-only lever.

Runs the baseline and the baseline plus ``add_team_members`` (nothing else) with
the same seed and runs, and prints, for online filers and any-service
households in the total at the end of the period: the mean paired difference
with its standard error, the smallest mean + 3 s.e. over all months (>= 0 means
the lever never lowers adoption in expectation), and the s.d. of paired
differences against unpaired ones (run r against run r+1).

Usage: python benchmarks/crn.py [--runs 40] [--scale 0.25] [--members 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--members", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    from adoption.ensemble import FORECAST as INDICATORS
    from adoption.ensemble import run_ensemble
    from adoption.model.interventions import Intervention
    from adoption.scenarios.scenario import load_scenario

    base = dataclasses.replace(
        load_scenario(ROOT / "scenarios" / "baseline.toml"), runs=args.runs, scale=args.scale
    )
    lever = Intervention(
        type="add_team_members", start="2027-01", magnitude=args.members, unit_cost_vnd=0
    )
    more = dataclasses.replace(base, name="more members", interventions=(lever,))
    with tempfile.TemporaryDirectory() as cache:
        a = run_ensemble(more, cache, workers=args.workers, progress=False).values
        b = run_ensemble(base, cache, workers=args.workers, progress=False).values
    print(
        f"{args.runs} runs at scale {args.scale:g}: +{args.members:g} members per team from 2027-01"
    )
    for name in ("households_online", "households_any"):
        k = INDICATORS.index(name)
        x, y = a[:, :, -1, k] / args.scale, b[:, :, -1, k] / args.scale
        paired = x - y
        unpaired = x - np.roll(y, 1, axis=0)
        mean = paired.mean(axis=0)
        se = paired.std(axis=0, ddof=1) / np.sqrt(args.runs)
        sd_p, sd_u = paired[:, -1].std(ddof=1), unpaired[:, -1].std(ddof=1)
        print(
            f"{name}, 2030-12: paired difference {mean[-1]:,.0f} ± {se[-1]:,.0f} (s.e.); "
            f"min over months of mean + 3 s.e. = {np.min(mean + 3 * se):,.1f}; "
            f"s.d. paired {sd_p:,.0f} vs unpaired {sd_u:,.0f} (ratio {sd_p / sd_u:.3f})"
        )


if __name__ == "__main__":
    main()
