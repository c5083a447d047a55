"""Vectorised model against the classic per-agent Mesa version of the same household rules.

Runs the per-agent version (:mod:`per_agent`, one ``mesa.Agent`` per household)
at a size it can finish, the vectorised :class:`adoption.AdoptionModel` at the
same size and months, and the vectorised model on the full five-district
baseline (scale 1.0, 2019-01..2030-12), and prints household-steps per second
of each and the ratios. The goal reported against is a speed-up of at least
100x of the full-scale vectorised model over the per-agent version.

The default is the whole 2019-2030 calendar at scale 0.05 (~6.9k households):
community teams start in 2022-01, so a run of 36 months or less would leave the
team-visit rule out of the per-agent cost.

Usage::

    python benchmarks/compare_per_agent.py [--scale 0.05] [--months 144] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys

from common import Timing, best, environment, rate, table, time_vectorised
from per_agent import run_per_agent

GOAL = 100.0


def per_agent_timing(months: int, scale: float) -> Timing:
    """One per-agent run, as a :class:`Timing`."""
    run = run_per_agent(months, scale=scale)
    return Timing(run.households, run.months, run.build_s, run.run_s)


def measure(months: int, scale: float, repeats: int) -> dict[str, Timing]:
    """Best of ``repeats`` rounds; each round runs the three versions one after the other.

    Interleaving the rounds lets every version see the same machine conditions
    (other processes, CPU clock), which drift over minutes on a shared machine.
    """
    rounds = []
    for k in range(repeats):
        rounds.append(
            {
                "per-agent (mesa.Agent.step)": per_agent_timing(months, scale),
                "vectorised, same size": time_vectorised(scale=scale, months=months),
                "vectorised, full baseline": time_vectorised(scale=1.0),
            }
        )
        agents, small, full = rounds[-1].values()
        print(
            f"  round {k + 1}/{repeats}: run s per-agent {agents.run_s:.3f}, vectorised same "
            f"size {small.run_s:.3f}, full {full.run_s:.3f}; full-scale ratio "
            f"{full.steps_per_s / agents.steps_per_s:.1f}x",
            flush=True,
        )
    return {name: best([r[name] for r in rounds]) for name in rounds[0]}


def rows(timings: dict[str, Timing]) -> list[list[str]]:
    """One table row per version."""
    return [
        [
            name,
            f"{t.households:,}",
            f"{t.months}",
            f"{t.build_s:.2f}",
            f"{t.run_s:.3f}",
            rate(t.steps_per_s),
        ]
        for name, t in timings.items()
    ]


def main(argv: list[str] | None = None) -> int:
    """Time the three runs, print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="per-agent size (default 0.05)")
    parser.add_argument("--months", type=int, default=144, help="per-agent months (default 144)")
    parser.add_argument("--repeats", type=int, default=3, help="best of N for each version")
    args = parser.parse_args(argv)
    print(environment())
    time_vectorised(scale=args.scale, months=12)  # warm-up
    timings = measure(args.months, args.scale, args.repeats)
    agents, small, full = timings.values()
    headers = [
        f"version (best of {args.repeats})",
        "households",
        "months",
        "build s",
        "run s",
        "household-steps/s",
    ]
    print(f"\n{table(headers, rows(timings))}\n")
    full_ratio = full.steps_per_s / agents.steps_per_s
    same_ratio = small.steps_per_s / agents.steps_per_s
    verdict = "meets" if full_ratio >= GOAL else "misses"
    print(
        f"speed-up, vectorised full scale / per-agent: {full_ratio:7.1f}x "
        f"({verdict} the {GOAL:.0f}x goal)"
    )
    print(f"speed-up, vectorised / per-agent, same size: {same_ratio:7.1f}x")
    per_agent_full = agents.run_s * full.household_steps / agents.household_steps
    print(
        f"per-agent run of the full baseline, extrapolated linearly: {per_agent_full:.0f} s "
        f"(vectorised: {full.run_s:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
