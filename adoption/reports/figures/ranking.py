"""How sure is the ranking of scenarios: probability of being best, expected regret, what flips it.

Left: the share of paired runs in which each scenario has the best outcome. Right: the
expected regret (what choosing the scenario loses against the best choice of each run),
in the outcome's unit. Below, the parameter ranges that best separate the runs where the
overall choice is not the best (``flips.csv``, :mod:`adoption.decisions.ranking`).
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from adoption.reports.figures.style import FAN_COLOUR, outcome_label
from adoption.reports.i18n import tr


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
    left.set_xlabel(tr("runs in which it is best, %"))
    right.barh(y, ranking["expected_regret"], color="tab:orange")
    right.set_xlabel(tr("expected regret, {unit}").format(unit=_unit(ranking["outcome"].iloc[0])))
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
    title = tr("Which scenario is best on {outcome} ({runs} paired runs)")
    runs = int(ranking["runs"].iloc[0])
    outcome = outcome_label(ranking["outcome"].iloc[0])
    fig.suptitle(title.format(outcome=outcome, runs=runs), fontsize=11)
    fig.text(0.01, 0.02, _flip_note(flips), fontsize=8, va="bottom", ha="left")
    return fig


def _unit(outcome: str) -> str:
    """The unit of ``outcome`` (an outcome name) in the language in use."""
    if outcome.startswith("household_years"):
        return tr("household-years")
    if "cost" in outcome:
        return tr("VND")
    return tr("households")


def _flip_note(flips: pd.DataFrame) -> str:
    """The note below the bars: which parameter ranges flip the ranking (three at most)."""
    if flips is None or flips.empty:
        return tr("The overall choice is best in every run: no parameter range flips the ranking.")
    top = flips.iloc[0]
    head = tr(
        "Runs in which {chosen} is not best: {flips}. "
        "Parameter ranges that best separate them (one split each, Youden's J):"
    )
    lines = [head.format(chosen=top["chosen"], flips=int(top["flips"]))]
    rule = tr(
        "{rule}: holds {coverage:.0%} of those runs; {density:.0%} "
        "of the {runs} runs in it flip (J = {j:.2f})"
    )
    for row in flips.head(3).itertuples():
        values = {"coverage": row.coverage, "density": row.density, "j": row.youden_j}
        lines.append("  " + rule.format(rule=row.rule, runs=row.runs_in_box, **values))
    return "\n".join(lines)
