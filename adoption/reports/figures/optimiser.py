"""The budget optimiser's figure: every trial's cost against its benefit, the front, the budget.

Grey: trials over the budget; blue: within it; the line joins the cost–benefit front (no
trial both cheaper and better). The shipped scenarios and the optimised mix, checked at
full scale on fresh runs (``versus.csv``), are drawn with the 90 % range of their runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from adoption.decisions.optimise import front
from adoption.reports.figures.style import FAN_COLOUR, SERVICES, outcome_label
from adoption.reports.i18n import tr


def front_chart(trace: pd.DataFrame, versus: pd.DataFrame | None, problem) -> Figure:
    """Cost (billion VND) against the objective of every trial, with the front and the budget."""
    fig = Figure(figsize=(8.5, 5.6), layout="constrained")
    ax = fig.add_subplot()
    feasible = trace["feasible"].astype(str) == "True"
    cost = trace["cost_vnd"] / 1e9
    ax.scatter(
        cost[~feasible],
        trace.loc[~feasible, "objective"],
        s=14,
        color="0.7",
        label=tr("trial over the budget"),
    )
    ax.scatter(
        cost[feasible],
        trace.loc[feasible, "objective"],
        s=14,
        color=FAN_COLOUR,
        alpha=0.7,
        label=tr("trial within the budget (search scale)"),
    )
    edge = front(trace)
    ax.step(
        edge["cost_vnd"] / 1e9,
        edge["objective"],
        where="post",
        color=FAN_COLOUR,
        lw=1,
        label=tr("cost–benefit front of the trials"),
    )
    ax.axvline(problem.budget / 1e9, color="black", ls="--", lw=1, label=tr("budget"))
    if versus is not None:
        _checked(ax, versus)
    ax.set_xlabel(tr("additional cost to {by}, billion VND").format(by=problem.by))
    ax.set_ylabel(_ylabel(problem))
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.grid(alpha=0.3)
    title = tr("Lever mixes for {budget:,.1f} billion VND by {by}")
    ax.set_title(title.format(budget=problem.budget / 1e9, by=problem.by), fontsize=11)
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
            label=_checked_label(k),
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


def _checked_label(k: int) -> str | None:
    """The legend entry of the ``k``-th full-scale point: the mix, then the scenarios once."""
    if k == 0:
        return tr("optimised mix, full scale (90 % of runs)")
    return tr("shipped scenarios, full scale") if k == 1 else None


def _ylabel(problem) -> str:
    """The objective's label: household-years of a service, or an indicator's label."""
    name = problem.outcome
    if name.startswith("household_years_"):
        service = name.removeprefix("household_years_")
        label = tr(SERVICES[service]) if service in SERVICES else service
        text = tr("household-years of use gained ({service})\n{first} to {by}")
        return text.format(service=label, first=problem.first, by=problem.by)
    return outcome_label(name)
