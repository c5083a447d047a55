"""How sure is the ranking of scenarios: probability of being best, regret, what flips it.

For paired ensembles (same posterior draws and seeds), each run ``r`` gives every scenario
an outcome ``O[s, r]`` (:func:`adoption.model.outcomes.run_outcomes` against the first scenario,
the reference; larger is better, except for costs). From these:

- **probability best**: the share of runs in which a scenario has the best outcome (a tie
  shares the run);
- **expected regret**: the mean over runs of ``best_r − O[s, r]`` (what choosing ``s`` loses,
  in the outcome's unit, against the best choice had the run's world been known);
- **what flips the ranking** (scenario discovery): the runs whose best scenario is not
  the overall choice (best expected outcome) are *flips*; for every parameter that varies
  over the posterior draws, the single threshold that best separates flips from the rest
  (a one-split classification tree, CART: Breiman et al. 1984, scored by Youden's J =
  true-positive rate − false-positive rate) is reported with its coverage (share of
  flips in the box) and density (share of the box that flips), as PRIM reports boxes
  (Friedman & Fisher 1999).

This module computes from ensembles; :mod:`adoption.reports.forecast` writes the tables and figure.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from adoption.calendar import parse_month
from adoption.model.outcomes import Window, check_outcome, lever_window, run_outcomes

#: The outcome ranked by default.
OUTCOME = "household_years_any"
#: The cost-effectiveness a comparison also ranks on (lowest first): a lever always adds
#: household-years, so a ranking on them alone crowns whichever spends most.
COST_OUTCOME = "cost_per_household_year_vnd"


def outcomes_per_run(ensembles: list, outcome: str = OUTCOME) -> np.ndarray:
    """``O[s, r]``: ``outcome`` of scenario ``s`` in run ``r``, against the first scenario.

    Household-years are counted from the first lever's start in any scenario to the end.
    """
    reference = ensembles[0]
    window = common_window([e.scenario for e in ensembles])
    out = np.empty((len(ensembles), len(reference.tasks)))
    for s, ensemble in enumerate(ensembles):
        for r in range(len(reference.tasks)):
            values = run_outcomes(
                ensemble.values[r], ensemble.months, reference.values[r], window=window
            )
            out[s, r] = values[check_outcome(outcome, ensemble.months) if r == 0 else outcome]
    return out


def common_window(scenarios: list) -> Window:
    """From the earliest lever start of all ``scenarios`` to the end (the first's discount)."""
    levers = [lever for s in scenarios for lever in s.interventions]
    window = lever_window(scenarios[0], scenarios[0].discount_rate)
    if levers:
        start = min(parse_month(lever.start) for lever in levers)
        window = Window(start, window.end, window.discount)
    return window


def rank(ensembles: list, outcome: str = OUTCOME) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(ranking, flips)`` tables for paired ensembles (module docstring)."""
    names = [e.name for e in ensembles]
    ranking, flips = rank_values(outcomes_per_run(ensembles, outcome), names, outcome)
    chosen = ranking["scenario"].iloc[int(ranking["chosen"].to_numpy().argmax())]
    return ranking.drop(columns="chosen"), thresholds(_parameters(ensembles[0]), flips, chosen)


def rank_values(values: np.ndarray, names: list[str], outcome: str):
    """``(ranking, flips)`` from ``O[s, r]``: flips marks the runs where the choice is not best.

    The choice is the scenario with the best mean (the first listed among equal means); in
    each run, scenarios tied at the best value share it (two identical scenarios are each
    best in half the runs, not the first in all), and a run flips when the choice is not
    among its best. Costs (any outcome named ``*cost*``) rank lowest first.
    """
    score = -values if "cost" in outcome else values
    score = np.where(np.isfinite(score), score, -np.inf)
    at_best = score == score.max(axis=0)[None, :]
    share = at_best / at_best.sum(axis=0)[None, :]
    with np.errstate(invalid="ignore"):  # -inf - -inf where no scenario ranks: NaN below
        regret = score.max(axis=0)[None, :] - score
    finite = np.where(np.isfinite(values), values, np.nan)
    means = np.where(np.isfinite(score), score, np.nan).mean(axis=1)
    chosen = int(np.nanargmax(means)) if np.isfinite(means).any() else 0  # none ranks: a tie
    with np.errstate(all="ignore"), warnings.catch_warnings():  # a scenario with no finite run
        warnings.simplefilter("ignore", RuntimeWarning)  # (no gain, so no cost per gain): NaN
        mean, median = np.nanmean(finite, axis=1), np.nanmedian(finite, axis=1)
    ranking = pd.DataFrame(
        {
            "scenario": names,
            "outcome": outcome,
            "mean": mean,
            "median": median,
            "probability_best": share.mean(axis=1),
            "expected_regret": np.where(np.isfinite(regret), regret, np.nan).mean(axis=1),
            "runs": values.shape[1],
            "chosen": [s == chosen for s in range(len(names))],
        }
    )
    return ranking, ~at_best[chosen]


def _parameters(ensemble) -> pd.DataFrame:
    table = pd.DataFrame([t.params for t in ensemble.tasks])
    return table.loc[:, table.nunique() > 1]


def thresholds(
    parameters: pd.DataFrame, flips: np.ndarray, chosen: str, top: int = 8
) -> pd.DataFrame:
    """For each parameter, the one split that best separates ``flips`` (Youden's J)."""
    rows = []
    n_flip = int(flips.sum())
    for name in parameters.columns:
        x = parameters[name].to_numpy(float)
        best = None
        for cut in np.unique(x)[:-1]:
            for side, inside in (("<=", x <= cut), (">", x > cut)):
                tpr = (inside & flips).sum() / max(n_flip, 1)
                fpr = (inside & ~flips).sum() / max(len(x) - n_flip, 1)
                if best is None or tpr - fpr > best[0]:
                    best = (tpr - fpr, side, cut, inside)
        if best is None or n_flip == 0:
            continue
        j, side, cut, inside = best
        rows.append({"parameter": name, "rule": f"{name} {side} {cut:.4g}", "youden_j": j,
                     "coverage": (inside & flips).sum() / n_flip,
                     "density": (inside & flips).sum() / max(inside.sum(), 1),
                     "runs_in_box": int(inside.sum()), "flips": n_flip,
                     "chosen": chosen})  # fmt: skip
    table = pd.DataFrame(rows)
    return table.sort_values("youden_j", ascending=False).head(top) if len(table) else table
