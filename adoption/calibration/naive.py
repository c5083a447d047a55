"""Naive forecasters: what the published figures alone would have forecast.

A hindcast is worth something only if the model beats the obvious alternatives that a
planner could use without it. For each figure published after a cut-off, each naive
forecaster gives a predictive distribution built only from the figures known by the
cut-off (their date window ended by then), of the same indicator:

- **persistence** (:func:`persistence`): the latest known figure of the same indicator at
  the same place, else at the same level, else at the nearest level; its spread is the
  yearly changes between consecutive known figures of that indicator (any place; all
  indicators' changes where it has fewer than two), scaled by the horizon in years;
- **trend** (:func:`trend`): a logistic trend in time, ``logit(value) = a + b t``, fitted by
  least squares to the known figures of the indicator (any place); the predictive is the
  regression's normal predictive on the logit scale (residual sd pooled over indicators
  where the indicator has fewer than three figures);
- **climatology** (:func:`climatology`): the known figures of the indicator themselves.

A forecaster with nothing to go on (no known figure of the indicator; two dates for the
trend; two figures for climatology) gives no forecast (NaN scores), and tables say on how
many figures each was scored. Draws are deterministic (quantiles of the predictive), so
scores need no seed. Scores use :func:`adoption.calibration.predictive.score`, as the
model's do; ``docs/methods.md`` ("Hindcast") gives the formulas and references.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import norm

from adoption.calendar import parse_month
from adoption.calibration.noise import EDGE
from adoption.calibration.predictive import score_table

#: The naive forecasters, in the order tables show them.
FORECASTERS = ("persistence", "trend", "climatology")
#: Predictive draws per forecast (quantiles of the predictive distribution).
DRAWS = 200
#: Levels from the most local to the least, for "the nearest level".
LEVELS = ("commune", "district", "province", "nation")


def _months(figures: pd.DataFrame) -> np.ndarray:
    """Middle of each figure's date window, in months."""
    start = figures["date_start"].map(parse_month).to_numpy(float)
    end = figures["date_end"].map(parse_month).to_numpy(float)
    return (start + end) / 2


def _month(figure) -> float:
    """Middle of one figure's date window, in months."""
    return (parse_month(figure.date_start) + parse_month(figure.date_end)) / 2


def _quantile_draws(values: np.ndarray, n: int = DRAWS) -> np.ndarray:
    """``n`` evenly spaced quantiles of an empirical sample (its predictive draws)."""
    return np.quantile(values, (np.arange(n) + 0.5) / n)


def yearly_changes(known: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per indicator, the changes per year between consecutive known figures of each place."""
    out: dict[str, list[float]] = {}
    known = known.assign(_t=_months(known)).sort_values("_t")
    for (indicator, _), series in known.groupby(["indicator", "place"], sort=False):
        t, v = series["_t"].to_numpy(), series["value"].to_numpy(float)
        gap = np.diff(t) / 12
        keep = gap > 0
        out.setdefault(indicator, []).extend(np.diff(v)[keep] / gap[keep])
    return {k: np.asarray(v) for k, v in out.items()}


def persistence(figure, known: pd.DataFrame, changes: dict[str, np.ndarray]) -> np.ndarray:
    """Draws of the persistence forecast of ``figure`` (empty if it has no earlier figure)."""
    same = known[known["indicator"] == figure.indicator]
    if same.empty:
        return np.array([])
    for pick in (same["place"] == figure.place, same["level"] == figure.level):
        if pick.any():
            same = same[pick]
            break
    else:
        rank = {level: k for k, level in enumerate(LEVELS)}
        distance = (same["level"].map(rank) - rank.get(figure.level, 0)).abs()
        same = same[distance == distance.min()]
    t = _months(same)
    last = same.iloc[int(np.argmax(t))]
    horizon = max((_month(figure) - t.max()) / 12, 0.0)
    steps = changes.get(figure.indicator, np.array([]))
    if len(steps) < 2:
        steps = np.concatenate(list(changes.values())) if changes else np.array([0.0])
    return np.clip(float(last["value"]) + horizon * _quantile_draws(steps), 0.0, 1.0)


def _fit(t: np.ndarray, y: np.ndarray):
    """Least squares ``y = a + b t``: coefficients, residual sd (NaN below 3 points), design."""
    x = np.column_stack([np.ones_like(t), t])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    dof = len(y) - 2
    sd = float(np.sqrt(np.sum((y - x @ coef) ** 2) / dof)) if dof > 0 else np.nan
    return coef, sd, x


def pooled_trend_sd(known: pd.DataFrame) -> float:
    """Residual sd of the logistic trends of every indicator with 3 figures or more."""
    squares, dof = 0.0, 0
    for _, same in known.groupby("indicator"):
        if len(same) >= 3 and same["date_end"].nunique() >= 2:
            y = logit(np.clip(same["value"].to_numpy(float), EDGE, 1 - EDGE))
            coef, sd, _ = _fit(_months(same) / 12, y)
            squares, dof = squares + sd**2 * (len(y) - 2), dof + len(y) - 2
    return float(np.sqrt(squares / dof)) if dof else 1.0


def trend(figure, known: pd.DataFrame, pooled_sd: float) -> np.ndarray:
    """Draws of the logistic-trend forecast of ``figure`` (empty below two dates)."""
    same = known[known["indicator"] == figure.indicator]
    t = _months(same) / 12
    if len(np.unique(t)) < 2:
        return np.array([])
    y = logit(np.clip(same["value"].to_numpy(float), EDGE, 1 - EDGE))
    coef, sd, x = _fit(t, y)
    sd = sd if np.isfinite(sd) and len(y) >= 3 else pooled_sd
    t0 = _month(figure) / 12
    point = np.array([1.0, t0])
    leverage = float(point @ np.linalg.pinv(x.T @ x) @ point)
    spread = sd * np.sqrt(1 + leverage)
    return expit(coef @ point + spread * norm.ppf((np.arange(DRAWS) + 0.5) / DRAWS))


def climatology(figure, known: pd.DataFrame) -> np.ndarray:
    """Draws of the climatology forecast of ``figure``: the known figures of its indicator."""
    values = known.loc[known["indicator"] == figure.indicator, "value"].to_numpy(float)
    return _quantile_draws(values) if len(values) >= 2 else np.array([])


def naive_draws(later: pd.DataFrame, known: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """``{forecaster: {figure id: draws}}`` for every later figure."""
    changes, pooled = yearly_changes(known), pooled_trend_sd(known)
    out = {name: {} for name in FORECASTERS}
    for figure in later.itertuples(index=False):
        out["persistence"][figure.id] = persistence(figure, known, changes)
        out["trend"][figure.id] = trend(figure, known, pooled)
        out["climatology"][figure.id] = climatology(figure, known)
    return out


#: Score columns kept per naive forecaster in ``scores.csv`` (prefixed with its name).
COLUMNS = ("median", "q05", "q95", "inside_50", "inside_90", "width_90", "interval_score_90",
           "crps")  # fmt: skip
BOUNDS = ("lower_bound", "upper_bound")


def with_naive(scores: pd.DataFrame, later: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """The model's ``scores`` with each naive forecaster's columns (``persistence_crps`` ...)."""
    out = scores.copy()
    for name, draws in naive_draws(later, known).items():
        table = score_table(later, draws).set_index("id").reindex(out["id"])
        for column in COLUMNS:
            values = table[column] if column in table else np.nan
            out[f"{name}_{column}"] = np.asarray(values, dtype=float)
    return out


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per forecaster (the model, then each naive one), as the hindcast reports it.

    On point and approximate figures: coverage, median width, mean 90 % interval score
    and CRPS, and the model's skill against the forecaster (``1 - model / forecaster``,
    on the figures both scored). On bounds, apart: how often the 90 % interval does not
    rule the bound out, and the mean one-sided penalty (how far it lies on the wrong
    side, times ``2 / alpha``). A width is not scored on a bound: the truth could be
    anywhere past it.
    """
    points = ~scores["kind"].isin(BOUNDS)
    rows = []
    for name in ("model", *FORECASTERS):
        prefix = "" if name == "model" else f"{name}_"
        score = scores[f"{prefix}interval_score_90"].astype(float)
        crps = scores[f"{prefix}crps"].astype(float)
        width = scores[f"{prefix}width_90"].astype(float)
        scored = score.notna()
        on = scored & points & scores["interval_score_90"].notna()
        inside = {w: scores[f"{prefix}inside_{w}"].astype(float) for w in (50, 90)}
        bounds = scored & ~points
        rows.append({
            "forecaster": name,
            "points": int((scored & points).sum()),
            "coverage_90": float(inside[90][scored & points].mean()),
            "coverage_50": float(inside[50][scored & points].mean()),
            "median_width_90": float(width[scored & points].median()),
            "interval_score_90": float(score[scored & points].mean()),
            "crps": float(crps[scored & points].mean()),
            "skill_interval_score_90": _skill(scores["interval_score_90"][on], score[on]),
            "skill_crps": _skill(scores["crps"][on], crps[on]),
            "bounds": int(bounds.sum()),
            "bounds_not_ruled_out_90": float(inside[90][bounds].mean()),
            "bound_penalty_90": float((score - width)[bounds].mean()),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _skill(model: pd.Series, other: pd.Series) -> float:
    """``1 - mean(model) / mean(other)``: > 0 when the model scores better (lower)."""
    if not len(model) or not other.mean() > 0:
        return float("nan")
    return float(1 - model.mean() / other.mean())
