"""How sure is the ranking of scenarios: probability of being best, expected regret, what flips it.

Left: the share of paired runs in which each scenario has the best outcome. Right: the
expected regret (what choosing the scenario loses against the best choice of each run),
in the outcome's unit. Below, the parameter ranges that best separate the runs where the
overall choice is not the best (``flips.csv``, :mod:`adoption.ranking`).
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .style import FAN_COLOUR


def ranking_chart(ranking: pd.DataFrame, flips: pd.DataFrame) -> Figure:
    """Probability best and expected regret per scenario, with the flip rules as a note."""
    fig = Figure(figsize=(9.5, 5.4), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.17, 1, 0.83))  # room for the note below
    left, right = fig.subplots(1, 2, sharey=True)
    names = ["\n".join(textwrap.wrap(n, 22)) for n in ranking["scenario"]]
    y = range(len(names))
    left.barh(y, ranking["probability_best"] * 100, color=FAN_COLOUR)
    left.set_yticks(list(y), names, fontsize=9)
    left.invert_yaxis()
    left.set_xlim(0, 100)
    left.set_xlabel("runs in which it is best, %")
    right.barh(y, ranking["expected_regret"], color="tab:orange")
    right.set_xlabel(f"expected regret, {_unit(ranking['outcome'].iloc[0])}")
    right.xaxis.set_major_locator(MaxNLocator(4))
    right.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    for k, p in enumerate(ranking["probability_best"]):
        inside = p > 0.88  # the label inside a long bar, in white
        left.text(
            min(p * 100, 88) + 1,
            k,
            f"{p:.0%}",
            va="center",
            fontsize=9,
            color="white" if inside else "black",
        )
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    runs = int(ranking["runs"].iloc[0])
    fig.suptitle(
        f"Which scenario is best on {ranking['outcome'].iloc[0]} ({runs} paired runs)", fontsize=11
    )
    fig.text(0.01, 0.02, _flip_note(flips), fontsize=8, va="bottom", ha="left")
    return fig


def _unit(outcome: str) -> str:
    if outcome.startswith("household_years"):
        return "household-years"
    if "cost" in outcome:
        return "VND"
    return "households"


def _flip_note(flips: pd.DataFrame) -> str:
    if flips is None or flips.empty:
        return "The overall choice is best in every run: no parameter range flips the ranking."
    top = flips.iloc[0]
    lines = [
        f"Runs in which {top['chosen']} is not best: {int(top['flips'])}. "
        "Parameter ranges that best separate them (one split each, Youden's J):"
    ]
    for row in flips.head(3).itertuples():
        lines.append(
            f"  {row.rule}: holds {row.coverage:.0%} of those runs; {row.density:.0%} "
            f"of the {row.runs_in_box} runs in it flip (J = {row.youden_j:.2f})"
        )
    return "\n".join(lines)
