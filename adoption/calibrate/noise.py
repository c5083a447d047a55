"""The noise model: how a reported figure relates to the model's value.

A reported rate is a survey-like observation of the simulated rate: binomial sampling
variance of the real count behind it plus a reporting error of the figure's kind
(:func:`observation_sd`, the one home of that formula), one-sided for bounds
("> 25 %"), averaged over the months of its date interval (the texts carry no dates).
This module owns that likelihood (:func:`log_likelihood`), its upper bound and its
pyabc form (:func:`make_kernel`). It does not simulate (:mod:`adoption.calibrate.stats`
gives the values and counts it compares) or sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import ndtr


def observation_sd(rate: ArrayLike, n: ArrayLike, tau: float) -> np.ndarray | np.floating:
    """Standard deviation of a reported rate: ``sqrt(s(1-s)/n + tau^2)``.

    Args:
        rate: the simulated rate ``s`` (scalar or array); ``s(1-s)`` is clipped at 0.
        n: the real count behind it (scalar or array), clipped at 1 (fewer than one
            case has the sampling variance of one).
        tau: the reporting error of the figure's kind.

    Returns:
        The standard deviation, elementwise (NaN where ``s`` or ``n`` is NaN).
    """
    return np.sqrt(np.clip(rate * (1 - rate), 0, None) / np.maximum(n, 1) + tau**2)


def log_likelihood(
    sim: dict[str, np.ndarray], targets: pd.DataFrame, reporting_sd: dict[str, float]
) -> float:
    """Log-likelihood of the reported figures given one simulation (the noise model).

    For a point or approximate figure ``y`` and a simulated rate ``s`` from ``n``
    real cases at report month ``m``: ``y ~ Normal(s, s(1-s)/n + tau^2)``, ``tau`` the
    reporting error of the figure's kind. For a lower bound ``y``: the probability
    that the reported rate exceeds ``y``. The report month is unknown: the
    likelihood is the mean over the target's report months.

    Args:
        sim: :func:`adoption.calibrate.statistics` of one run.
        targets: the targets, with ``id``, ``kind`` and ``value``.
        reporting_sd: the reporting error ``tau`` of each kind of figure.

    Returns:
        The log-likelihood; ``-inf`` if a target has no month with a finite value.
    """
    total = 0.0
    for target in targets.itertuples(index=False):
        s, n = sim[target.id], sim[f"{target.id}/n"]
        ok = np.isfinite(s) & (n > 0)
        if not ok.any():
            return -np.inf
        s, n = s[ok], n[ok]
        sd = observation_sd(s, n, reporting_sd[target.kind])
        if target.kind == "lower_bound":
            like = ndtr((s - target.value) / sd)
        else:
            like = np.exp(-0.5 * ((target.value - s) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
        mean = like.mean()
        total += np.log(mean) if mean > 0 else -np.inf
    return float(total)


def max_log_likelihood(targets: pd.DataFrame, reporting_sd: dict[str, float]) -> float:
    """An upper bound of :func:`log_likelihood` (pyabc's ``pdf_max``)."""
    total = 0.0
    for target in targets.itertuples(index=False):
        if target.kind != "lower_bound":
            total += -np.log(reporting_sd[target.kind] * np.sqrt(2 * np.pi))
    return total


def make_kernel(targets: pd.DataFrame, reporting_sd: dict[str, float]) -> Any:
    """The noise model as a pyabc stochastic kernel (log scale, with its maximum)."""
    from .pyabc_method import _pyabc

    pyabc = _pyabc()

    class ReportedRateKernel(pyabc.StochasticKernel):
        """pyabc kernel wrapping :func:`log_likelihood`."""

        def __init__(self) -> None:
            super().__init__(
                ret_scale=pyabc.distance.SCALE_LOG,
                pdf_max=max_log_likelihood(targets, reporting_sd),
            )

        def __call__(self, x, x_0, t=None, par=None):  # noqa: D102
            return log_likelihood(x, targets, reporting_sd)

    return ReportedRateKernel()
