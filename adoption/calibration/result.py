"""The result of a calibration: :class:`Posterior`, its summary and the files it is saved as.

This module owns what a posterior says (effective and distinct particles, whether it
can be trusted, contraction of each parameter) and :func:`save_posterior`. It does
not run a sampler (:mod:`adoption.calibration.smc`, :mod:`adoption.calibration.pyabc_method`)
or draw figures (:mod:`adoption.calibration.report`); the forecasts read the saved
particles with :mod:`adoption.calibration.posterior`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calibration.posterior import POSTERIOR_FILE
from adoption.calibration.settings import Settings
from adoption.calibration.targets import Prior
from adoption.files import __version__, write_atomic
from adoption.model.params import Params

#: Fewest effective (and distinct) particles a posterior is trusted with (Posterior.warning).
MIN_PARTICLES = 30
#: Contraction from which a parameter counts as identified by the data.
IDENTIFIED = 0.3


@dataclass
class Posterior:
    """The last generation of a calibration run: particles, weights, and the run's record."""

    particles: pd.DataFrame  # one row per particle, one column per parameter
    weights: np.ndarray
    generations: pd.DataFrame  # per generation: epsilon (temperature), samples, ...
    settings: Settings
    db: str

    def sample_sizes(self) -> tuple[float, int]:
        """Final effective sample size and number of distinct particles."""
        ess = _ess(self.weights)
        if "ess" in self.generations and len(self.generations):
            ess = min(ess, float(self.generations["ess"].iloc[-1]))
        distinct = len(self.particles.drop_duplicates())
        return ess, distinct

    def warning(self) -> str | None:
        """Why this posterior cannot be trusted (too few effective or distinct particles), or None.

        Below :data:`MIN_PARTICLES` effective or distinct particles, a posterior variance
        has a relative sampling error above sqrt(2 / 29) = 0.26, as large as the contraction
        that counts as identification (0.3): a contraction near 1 then means "few particles",
        not "the data decide this parameter".
        """
        ess, distinct = self.sample_sizes()
        if min(ess, distinct) >= MIN_PARTICLES:
            return None
        return (
            f"degenerate posterior: final effective sample size {ess:.0f} and {distinct} distinct "
            f"particles of {len(self.particles)} (at least {MIN_PARTICLES} needed); its "
            "contractions say nothing about identification: run with more particles or "
            "generations"
        )

    def summary(self, priors: dict[str, Prior]) -> pd.DataFrame:
        """Per parameter: prior and posterior mean and sd, 5/50/95 % quantiles, contraction.

        ``contraction_se`` is the sampling error of the contraction from the effective
        sample size: a variance estimated from ESS particles has relative s.e. sqrt(2/(ESS-1)).
        ESS is that of the weights or, if smaller, that of the last generation's record (the
        SMC sampler's particles have equal weights after resampling, which overstates it).
        For a log-uniform prior the contraction is that of ``log10`` of the parameter
        (``contraction_scale``): in natural units the prior's variance is dominated by its
        top decade, so losing part of that tail alone looked like contraction.
        """
        ess = min(self.sample_sizes())
        relative_se = np.sqrt(2 / max(ess - 1, 1))
        trusted = self.warning() is None
        rows = []
        for name in self.particles.columns:
            x, w = self.particles[name].to_numpy(), self.weights
            mean = float(np.sum(w * x))
            var = float(np.sum(w * (x - mean) ** 2))
            prior = priors[name].frozen()
            q = _weighted_quantiles(x, w, [0.05, 0.5, 0.95])
            ratio = _variance_ratio(x, w, var, priors[name])
            log_scale = priors[name].distribution == "loguniform"
            rows.append(
                {
                    "parameter": name,
                    "prior_mean": float(prior.mean()),
                    "prior_sd": float(prior.std()),
                    "posterior_mean": mean,
                    "posterior_sd": var**0.5,
                    "q05": q[0],
                    "q50": q[1],
                    "q95": q[2],
                    "contraction": 1 - ratio,
                    "contraction_se": ratio * relative_se if trusted else np.nan,
                    "identified": bool(trusted and 1 - ratio >= IDENTIFIED),
                    "contraction_scale": "log10" if log_scale else "linear",
                }
            )
        return pd.DataFrame(rows)

    def mean_params(self, base: Params | None = None) -> Params:
        """Params with every calibrated parameter at its posterior mean."""
        means = {n: float(np.sum(self.weights * self.particles[n])) for n in self.particles}
        return (base or Params()).replace(**means)


def _variance_ratio(x: np.ndarray, w: np.ndarray, var: float, prior: Prior) -> float:
    """Posterior over prior variance: of ``log10 x`` for a log-uniform prior, else of ``x``."""
    if prior.distribution == "loguniform":
        low, high = np.log10(prior.bounds)
        log_x = np.log10(x)
        log_mean = np.sum(w * log_x)
        return float(np.sum(w * (log_x - log_mean) ** 2)) / ((high - low) ** 2 / 12)
    return var / float(prior.frozen().var())


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: list[float]) -> list[float]:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / np.sum(w)
    return [float(np.interp(q, cum, x[order])) for q in qs]


def _ess(weights: np.ndarray) -> float:
    """Effective sample size of importance weights (Kish)."""
    w = np.asarray(weights) / np.sum(weights)
    return float(1.0 / np.sum(w**2))


def save_posterior(posterior: Posterior, priors: dict[str, Prior], folder: str | Path) -> None:
    """Write the posterior, its summary, the per-generation record and the settings.

    Files: ``posterior.csv`` (particles with weights), ``posterior_summary.csv``,
    ``generations.csv`` and ``calibration.toml`` (settings, seed, database, version).
    Each file is written whole or not at all.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = posterior.particles.assign(weight=posterior.weights / posterior.weights.sum())
    write_atomic(folder / POSTERIOR_FILE, lambda tmp: table.to_csv(tmp, index=False))
    summary = posterior.summary(priors)
    write_atomic(folder / "posterior_summary.csv", lambda t: summary.to_csv(t, index=False))
    gens = posterior.generations
    write_atomic(folder / "generations.csv", lambda tmp: gens.to_csv(tmp, index=False))
    ess, distinct = posterior.sample_sizes()
    record = {
        "adoption_version": __version__,
        "database": posterior.db,
        "final_ess": round(ess, 1),
        "distinct_particles": distinct,
        "warning": posterior.warning() or "",
    }
    record.update(posterior.settings.to_dict())
    text = "# Settings that regenerate posterior.csv: adoption calibrate with these values.\n"
    text += "\n".join(f"{k} = {_toml_value(v)}" for k, v in record.items() if k != "reporting_sd")
    text += "\n\n[reporting_sd]\n"
    text += "\n".join(f"{k} = {v}" for k, v in posterior.settings.reporting_sd.items()) + "\n"
    write_atomic(folder / "calibration.toml", lambda tmp: Path(tmp).write_text(text, "utf-8"))


def _toml_value(value) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
