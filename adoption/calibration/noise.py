"""The observation model: how a reported figure relates to the model's value.

A reported rate ``y`` is compared with the model's rate ``s`` on the logit scale:

    logit(y) ~ Normal(logit(s), sd^2)
    sd^2 = (tau / (y (1 - y)))^2          reporting error of the figure (tau on the rate scale,
                                          by kind, or the figure's own ``reporting_sd``)
         + 1 / (n s (1 - s))              sampling: the rate is a share of n real cases
         + representativeness_sd^2        a province or the nation is not the model's place
         + definition_sd^2                the source's definition is not the indicator's
         + obs_discrepancy^2              model discrepancy (a calibrated parameter)

:func:`observation_sd` is the one home of that formula. A lower (upper) bound is the
probability that the reported figure exceeds (falls short of) ``y``. The report month
is unknown: the likelihood is the mean over the figure's months (a mixture). On the
logit scale a few points matter more near 0 and 1 than near one half, as they do
for a survey; the reporting error keeps a figure such as 98.65 % from being exact.

This module owns that likelihood (:func:`log_likelihood`), its upper bound, its pyabc
form (:func:`adoption.calibration.pyabc_method.make_kernel`) and the predictive draws of a figure
(:func:`draw_reports`).
It does not simulate (:mod:`adoption.calibration.stats` gives the values and counts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import expit, logit, ndtr

from adoption.model.params import Params

#: Rates are clipped to [EDGE, 1 - EDGE] before the logit (a model rate of exactly 0).
EDGE = 1e-3
#: Reporting error (on the rate scale) of each kind of figure, unless a figure gives its own.
REPORTING_SD: dict[str, float] = {
    "point": 0.02,
    "approximate": 0.04,
    "lower_bound": 0.02,
    "upper_bound": 0.02,
}


def discrepancy(parameters=None, base: Params | None = None) -> float:
    """The model discrepancy of a parameter set (a mapping, a pandas row or None).

    Its ``obs_discrepancy`` if it has one, else ``base``'s (the defaults if None): the one
    place every sampler, predictive draw and observation band reads it from.
    """
    default = (base if base is not None else Params()).obs_discrepancy
    if parameters is None or "obs_discrepancy" not in parameters:
        return float(default)
    return float(parameters["obs_discrepancy"])


def observation_sd(
    rate: ArrayLike,
    n: ArrayLike,
    reported: float,
    tau: float,
    extra_sd: float = 0.0,
) -> np.ndarray:
    """Standard deviation, on the logit scale, of a reported figure about a model rate.

    Args:
        rate: the model's rate ``s`` (scalar or array).
        n: the real count behind it (clipped at 1).
        reported: the reported figure ``y`` (sets the scale of the reporting error).
        tau: the reporting error on the rate scale.
        extra_sd: the root sum of squares of the representativeness, definition and
            discrepancy terms (logit scale).
    """
    s = np.clip(rate, EDGE, 1 - EDGE)
    y = float(np.clip(reported, EDGE, 1 - EDGE))
    report = tau / (y * (1 - y))
    sampling = 1.0 / (np.maximum(n, 1) * s * (1 - s))
    return np.sqrt(report**2 + sampling + extra_sd**2)


def figure_terms(figure, reporting_sd: dict[str, float], discrepancy: float) -> tuple:
    """``(tau, extra_sd)`` of one figure (a row of the fit table)."""
    own = getattr(figure, "reporting_sd", np.nan)
    tau = own if np.isfinite(own) else reporting_sd[figure.kind]
    rep = getattr(figure, "representativeness_sd", 0.0)
    definition = getattr(figure, "definition_sd", 0.0)
    return tau, float(np.sqrt(rep**2 + definition**2 + discrepancy**2))


def log_likelihood(
    sim: dict[str, np.ndarray],
    targets: pd.DataFrame,
    reporting_sd: dict[str, float],
    discrepancy: float = 0.0,
) -> float:
    """Log-likelihood of the reported figures given one simulation (module docstring).

    Args:
        sim: :func:`adoption.calibration.statistics` of one run.
        targets: the figures, with ``id``, ``kind``, ``value`` and, for public
            observations, their error terms.
        reporting_sd: the reporting error ``tau`` of each kind of figure.
        discrepancy: the model discrepancy (``obs_discrepancy`` of the run's parameters).

    Returns:
        The log-likelihood; ``-inf`` if a figure has no month with a finite value.
    """
    total = 0.0
    for figure in targets.itertuples(index=False):
        s, n = sim[figure.id], sim[f"{figure.id}/n"]
        ok = np.isfinite(s) & (n > 0)
        if not ok.any():
            return -np.inf
        s, n = s[ok], n[ok]
        tau, extra = figure_terms(figure, reporting_sd, discrepancy)
        sd = observation_sd(s, n, figure.value, tau, extra)
        gap = logit(np.clip(s, EDGE, 1 - EDGE)) - logit(np.clip(figure.value, EDGE, 1 - EDGE))
        if figure.kind == "lower_bound":
            like = ndtr(gap / sd)
        elif figure.kind == "upper_bound":
            like = ndtr(-gap / sd)
        else:
            like = np.exp(-0.5 * (gap / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
        mean = like.mean()
        total += np.log(mean) if mean > 0 else -np.inf
    return float(total)


def max_log_likelihood(targets: pd.DataFrame, reporting_sd: dict[str, float]) -> float:
    """An upper bound of :func:`log_likelihood` (pyabc's ``pdf_max``)."""
    total = 0.0
    for figure in targets.itertuples(index=False):
        if figure.kind not in ("lower_bound", "upper_bound"):
            tau, extra = figure_terms(figure, reporting_sd, 0.0)
            y = float(np.clip(figure.value, EDGE, 1 - EDGE))
            sd = np.sqrt((tau / (y * (1 - y))) ** 2 + extra**2)
            total += -np.log(sd * np.sqrt(2 * np.pi))
    return total


def draw_reports(
    values: np.ndarray,
    counts: np.ndarray,
    figure,
    reporting_sd: dict[str, float],
    discrepancy: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draws of what the figure would report: one per run, at a random month of its window.

    Args:
        values: model rates per run and report month ``(runs, months)``.
        counts: the real counts behind them, same shape.
        figure: a row of the fit table.
        reporting_sd: the reporting error of each kind.
        discrepancy: ``obs_discrepancy`` of each run.
        rng: the draws' generator.
    """
    runs = np.arange(len(values))
    month = rng.integers(values.shape[1], size=len(values))
    s, n = values[runs, month], counts[runs, month]
    out = np.full(len(values), np.nan)
    for r in np.flatnonzero(np.isfinite(s)):
        tau, extra = figure_terms(figure, reporting_sd, float(discrepancy[r]))
        sd = observation_sd(s[r], n[r], figure.value, tau, extra)
        out[r] = expit(logit(np.clip(s[r], EDGE, 1 - EDGE)) + sd * rng.standard_normal())
    return out
