"""The observation model: how a reported figure relates to the model's value.

A reported rate ``y`` of figure ``j`` is compared with the model's rate ``s`` on the logit
scale (``docs/methods.md``, observation model, states every rule):

    logit(y) ~ Normal(logit(s) + offset[level], sd^2)
    sd^2 = (tau / (y (1 - y)))^2       reporting error: by kind on the rate scale, or, for a
                                       survey, its sampling error from the sample size
         + 1 / (n s (1 - s))           sampling: the model rate is a share of n real cases
         + definition_sd^2             the source's definition is not the indicator's, by
                                       rule (:data:`DEFINITION_SD`)
         + discrepancy^2               model discrepancy of the figure's level and family

The representativeness ``offset`` is 0 for the model's own communes and districts and a
calibrated parameter for a province's (``obs_offset_province``) and a national or regional
figure (``obs_offset_nation``; ``obs_offset_nation_files`` for a share of files: national
file statistics count every agency's files). The discrepancy of family ``f`` at level group
``g`` is
``obs_sd_<g> * exp(FAMILY_SPREAD * obs_family_<f>)`` with standard normal family terms:
a hierarchical prior (partial pooling) in non-centred form. A lower (upper) bound is the
probability that the reported figure exceeds (falls short of) ``y``. The report month is
unknown: the likelihood is the mean over the figure's months (a mixture).

These observation parameters change no run of the model, so the calibration integrates them
out of each simulation's likelihood (:func:`log_likelihood` is vectorised over their draws;
:mod:`adoption.calibration.smc`). This module owns that likelihood, its upper bound and the
predictive draws of a figure (:func:`draw_reports`) and of a forecast's observation band.
It does not simulate (:mod:`adoption.calibration.stats` gives the values and counts).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import expit, logit, ndtr

from adoption.model.indicators import INDICATORS
from adoption.model.params import Params

#: Rates are clipped to [EDGE, 1 - EDGE] before the logit (a model rate of exactly 0).
EDGE = 1e-3
#: Reporting error (on the rate scale) of each kind of figure that is not a survey's.
REPORTING_SD: dict[str, float] = {
    "point": 0.02,
    "approximate": 0.04,
    "lower_bound": 0.02,
    "upper_bound": 0.02,
}
#: A survey's sampling variance is its simple-random-sample variance times this (clustering).
SURVEY_DESIGN_EFFECT = 2.0
#: Definition error (logit scale) by how the source's definition matches the indicator's.
DEFINITION_SD: dict[str, float] = {
    "same": 0.0,  # the indicator's numerator over its base
    "scope": 0.2,  # the same count and unit over another scope (levels, channels, utilities)
    "unit": 0.4,  # another unit or a broader act (persons for households, any use for filing)
    "proxy": 1.0,  # a related quantity only (an increase read off a sentence)
}
#: Level group of each representativeness (the ``representativeness`` column).
LEVEL_GROUP: dict[str, str] = {
    "commune": "local",
    "district": "local",
    "province": "province",
    "region": "nation",
    "nation": "nation",
}
#: Indicator family of each indicator figures are reported for.
FAMILIES: dict[str, str] = {
    "online_service_rate": "filing",
    "self_service_rate": "filing",
    "self_file_rate": "filing",
    "portal_account_rate": "filing",
    "procedures_online_share": "supply",
    "online_payment_rate": "payment",
    "records_digitisation_rate": "digitisation",
    "app_install_rate": "app",
    "app_install_rate_increase_1m": "app",
    "account_rate": "accounts",
    "adult_account_rate": "accounts",
    "cashless_bill_rate": "cashless",
}
#: Indicators that are shares of procedure files (rule 4: their national figures are
#: administrative statistics with their own representativeness offset).
FILE_SHARES = frozenset(
    n for n in FAMILIES if n in INDICATORS and INDICATORS[n].share_of.endswith("files")
)
#: How far one family's discrepancy may sit from its level's: a factor exp(0.5) per sd.
FAMILY_SPREAD = 0.5
#: Observation parameters, in Params order.
NAMES = tuple(n for n in Params.names() if n in Params.observation_only())


def survey_reporting_sd(value: float, sample_size: float) -> float:
    """A survey figure's sampling error on the rate scale (design effect included)."""
    y = min(max(value, EDGE), 1 - EDGE)
    return math.sqrt(SURVEY_DESIGN_EFFECT * y * (1 - y) / sample_size)


def observation_draws(parameters=None, runs: int = 1) -> dict[str, np.ndarray]:
    """``{observation parameter: values (runs,)}`` from rows, a mapping, or the defaults.

    ``parameters`` is a DataFrame (one row per run), a mapping (every run), or None (the
    defaults of :class:`~adoption.model.params.Params`). A missing column takes its default.
    """
    if isinstance(parameters, pd.DataFrame):
        runs = len(parameters)
        given = {n: parameters[n].to_numpy(np.float64) for n in NAMES if n in parameters.columns}
    else:
        mapping = parameters if parameters is not None else {}
        given = {n: np.full(runs, float(mapping[n])) for n in NAMES if n in mapping}
    defaults = Params()
    return {n: given[n] if n in given else np.full(runs, getattr(defaults, n)) for n in NAMES}


def _family_scaled(scale: np.ndarray, term) -> np.ndarray:
    """A level's discrepancy times its family's factor ``exp(FAMILY_SPREAD * term)``."""
    return scale * np.exp(FAMILY_SPREAD * term)


def offset_name(figure, group: str) -> str:
    """The representativeness offset of a figure of level group ``group`` (rule 4).

    A national or regional share of files (an administrative statistic of every agency's
    files) has its own offset, ``obs_offset_nation_files``; other national figures (shares
    of people or households) and a province's figure have their group's.
    """
    if group == "nation" and figure.indicator in FILE_SHARES:
        return "obs_offset_nation_files"
    return f"obs_offset_{group}"


def figure_terms(figure, draws: dict[str, np.ndarray], reporting_sd: dict[str, float]):
    """``(tau, offset (K,), extra_sd (K,))`` of one figure for K draws of the parameters.

    ``extra_sd`` is the root sum of squares of the definition and discrepancy terms.
    ``figure`` needs ``kind``, ``indicator``, ``representativeness``, ``definition_sd``
    and ``reporting_sd`` (NaN: the kind's).
    """
    own = getattr(figure, "reporting_sd", np.nan)
    tau = own if np.isfinite(own) else reporting_sd[figure.kind]
    definition = getattr(figure, "definition_sd", 0.0)
    group = LEVEL_GROUP[getattr(figure, "representativeness", None) or figure.level]
    local = group == "local"
    offset = np.zeros_like(draws["obs_sd_local"]) if local else draws[offset_name(figure, group)]
    family = FAMILIES.get(figure.indicator)
    term = draws[f"obs_family_{family}"] if family else 0.0
    discrepancy = _family_scaled(draws["obs_sd_local" if local else "obs_sd_wide"], term)
    extra = np.sqrt(definition**2 + discrepancy**2)
    return tau, offset, extra


def observation_sd(rate: ArrayLike, n: ArrayLike, reported: float, tau: float,
                   extra_sd: ArrayLike = 0.0) -> np.ndarray:  # fmt: skip
    """Standard deviation, on the logit scale, of a reported figure about a model rate.

    Args:
        rate: the model's rate ``s`` (broadcasts with ``extra_sd``).
        n: the real count behind it (clipped at 1).
        reported: the reported figure ``y`` (sets the scale of the reporting error).
        tau: the reporting error on the rate scale.
        extra_sd: the root sum of squares of the definition and discrepancy terms.
    """
    s = np.clip(rate, EDGE, 1 - EDGE)
    y = float(np.clip(reported, EDGE, 1 - EDGE))
    report = tau / (y * (1 - y))
    sampling = 1.0 / (np.maximum(n, 1) * s * (1 - s))
    return np.sqrt(report**2 + sampling + np.asarray(extra_sd) ** 2)


def log_likelihood(
    sim: dict[str, np.ndarray],
    targets: pd.DataFrame,
    reporting_sd: dict[str, float],
    draws: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Log-likelihood of the reported figures given one simulation, per parameter draw.

    Args:
        sim: :func:`adoption.calibration.stats.statistics` of one run.
        targets: the figures (:func:`adoption.calibration.observations.fit_figures`).
        reporting_sd: the reporting error ``tau`` of each kind of figure.
        draws: K draws of the observation parameters (:func:`observation_draws`); the
            defaults (K = 1) if None.

    Returns:
        ``(K,)`` log-likelihoods; ``-inf`` where a figure has no month with a finite value.
    """
    draws = observation_draws() if draws is None else draws
    total = np.zeros(len(draws["obs_sd_local"]))
    for figure in targets.itertuples(index=False):
        s, n = sim[figure.id], sim[f"{figure.id}/n"]
        ok = np.isfinite(s) & (n > 0)
        if not ok.any():
            return np.full_like(total, -np.inf)
        s, n = s[ok], n[ok]
        tau, offset, extra = figure_terms(figure, draws, reporting_sd)
        sd = observation_sd(s[None, :], n[None, :], figure.value, tau, extra[:, None])
        gap = (logit(np.clip(s, EDGE, 1 - EDGE))[None, :] + offset[:, None]
               - logit(np.clip(figure.value, EDGE, 1 - EDGE)))  # fmt: skip
        if figure.kind == "lower_bound":
            like = ndtr(gap / sd)
        elif figure.kind == "upper_bound":
            like = ndtr(-gap / sd)
        else:
            like = np.exp(-0.5 * (gap / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
        with np.errstate(divide="ignore"):
            total += np.log(like.mean(axis=1))
    return total


def max_log_likelihood(targets: pd.DataFrame, reporting_sd: dict[str, float]) -> float:
    """An upper bound of :func:`log_likelihood` (pyabc's ``pdf_max``)."""
    none = {name: np.zeros(1) for name in NAMES}
    total = 0.0
    for figure in targets.itertuples(index=False):
        if figure.kind not in ("lower_bound", "upper_bound"):
            tau, _, extra = figure_terms(figure, none, reporting_sd)
            y = float(np.clip(figure.value, EDGE, 1 - EDGE))
            sd = np.sqrt((tau / (y * (1 - y))) ** 2 + float(extra[0]) ** 2)
            total += -np.log(sd * np.sqrt(2 * np.pi))
    return total


def draw_reports(
    values: np.ndarray,
    counts: np.ndarray,
    figure,
    reporting_sd: dict[str, float],
    draws: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Draws of what the figure would report: one per run, at a random month of its window.

    Args:
        values: model rates per run and report month ``(runs, months)``.
        counts: the real counts behind them, same shape.
        figure: a row of the fit table.
        reporting_sd: the reporting error of each kind.
        draws: each run's observation parameters (:func:`observation_draws`).
        rng: the draws' generator.
    """
    runs = np.arange(len(values))
    month = rng.integers(values.shape[1], size=len(values))
    s, n = values[runs, month], counts[runs, month]
    tau, offset, extra = figure_terms(figure, draws, reporting_sd)
    sd = observation_sd(s, n, figure.value, tau, extra)
    noise = rng.standard_normal(len(values))
    seen = expit(logit(np.clip(s, EDGE, 1 - EDGE)) + offset + sd * noise)
    return np.where(np.isfinite(s), seen, np.nan)


def local_discrepancy(draws: dict[str, np.ndarray], indicator: str,
                      rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """The discrepancy of a figure a district would report about ``indicator``, per run.

    An indicator of no family takes a new family's term from the hierarchical prior.
    """
    family = FAMILIES.get(indicator)
    if family is not None:
        term = draws[f"obs_family_{family}"]
    else:
        term = rng.standard_normal(len(draws["obs_sd_local"]))
    return _family_scaled(draws["obs_sd_local"], term)


def prior_draws(priors: dict, points: int, seed: int) -> dict[str, np.ndarray]:
    """Quasi-random draws (scrambled Sobol) of the observation parameters from their priors.

    The points over which the calibration integrates them out; parameters without a prior
    keep their defaults. ``priors`` maps names to :class:`~adoption.calibration.targets.Prior`.
    """
    from scipy.stats import qmc

    names = [n for n in NAMES if n in priors]
    out = observation_draws(None, points)
    if names:
        u = qmc.Sobol(len(names), scramble=True, seed=seed).random(points)
        for j, name in enumerate(names):
            out[name] = priors[name].frozen().ppf(np.clip(u[:, j], 1e-12, 1 - 1e-12))
    return out


def integrated(loglik: np.ndarray, rng: np.random.Generator) -> tuple[float, int]:
    """``(log mean likelihood over the draws, index of one draw)`` from per-draw log-likelihoods.

    The mean is the likelihood with the observation parameters integrated out over their
    prior; the draw is picked in proportion to its likelihood, so with the simulation's
    model parameters it is a draw from the joint posterior. ``(-inf, 0)`` if all are 0.
    """
    top = np.max(loglik)
    if not np.isfinite(top):
        return -np.inf, 0
    weights = np.exp(loglik - top)
    index = int(rng.choice(len(loglik), p=weights / weights.sum()))
    return float(top + np.log(weights.mean())), index
