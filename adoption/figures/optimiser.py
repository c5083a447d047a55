"""The budget optimiser's figure: every trial's cost against its benefit, the front, the budget.

Grey: trials over the budget; blue: within it; the line joins the cost–benefit front (no
trial both cheaper and better). The shipped scenarios and the optimised mix, checked at
full scale on fresh runs (``versus.csv``), are drawn with the 90 % range of their runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..indicators import INDICATORS
from .style import FAN_COLOUR


def front_chart(trace: pd.DataFrame, versus: pd.DataFrame | None, problem) -> Figure:
    """Cost (billion VND) against the objective of every trial, with the front and the budget."""
    from ..optimise import front

    fig = Figure(figsize=(8.5, 5.6), layout="constrained")
    ax = fig.add_subplot()
    feasible = trace["feasible"].astype(str) == "True"
    cost = trace["cost_vnd"] / 1e9
    ax.scatter(
        cost[~feasible],
        trace.loc[~feasible, "objective"],
        s=14,
        color="0.7",
        label="trial over the budget",
    )
    ax.scatter(
        cost[feasible],
        trace.loc[feasible, "objective"],
        s=14,
        color=FAN_COLOUR,
        alpha=0.7,
        label="trial within the budget (search scale)",
    )
    edge = front(trace)
    ax.step(
        edge["cost_vnd"] / 1e9,
        edge["objective"],
        where="post",
        color=FAN_COLOUR,
        lw=1,
        label="cost–benefit front of the trials",
    )
    ax.axvline(problem.budget / 1e9, color="black", ls="--", lw=1, label="budget")
    if versus is not None:
        _checked(ax, versus)
    ax.set_xlabel(f"additional cost to {problem.by}, billion VND")
    ax.set_ylabel(_ylabel(problem))
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.grid(alpha=0.3)
    ax.set_title(
        f"Lever mixes for {problem.budget / 1e9:,.1f} billion VND by {problem.by}", fontsize=11
    )
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def _checked(ax, versus: pd.DataFrame) -> None:
    """Full-scale points with the 90 % range of their runs, labelled."""
    for k, row in enumerate(versus.itertuples()):
        mine = k == 0
        x, y = row.cost_vnd / 1e9, row.objective
        yerr = np.array([[y - row.objective_q05], [row.objective_q95 - y]])
        ax.errorbar(
            x,
            y,
            yerr=yerr,
            fmt="*" if mine else "o",
            ms=13 if mine else 6,
            color="tab:red" if mine else "black",
            capsize=3,
            zorder=5,
            label="optimised mix, full scale (90 % of runs)"
            if mine
            else ("shipped scenarios, full scale" if k == 1 else None),
        )
        ax.annotate(
            row.scenario,
            (x, y),
            textcoords="offset points",
            xytext=(8, -12 if k % 2 else 6),
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
            zorder=6,
        )


def _ylabel(problem) -> str:
    name = problem.outcome
    if name.startswith("household_years_"):
        service = name.removeprefix("household_years_")
        label = "any service" if service == "any" else service
        return f"household-years of use gained ({label})\n{problem.first} to {problem.by}"
    base = name.split("@")[0].removeprefix("additional_")
    return INDICATORS[base].label if base in INDICATORS else name
