"""Hindcast: calibrate on the figures known by a month, forecast, score the figures that came later.

``adoption hindcast --until YYYY-MM`` splits the figures the model is compared with
(:func:`adoption.calibration.observations.fit_figures`: the texts' targets and the public
observations) by their date windows: those that end by the cut-off are *known* and
calibrate the model (:func:`adoption.calibration.calibrate`, same priors and sampler as the
shipped calibration); those that start after it are *later* and are scored; those whose
window straddles the cut-off are left out of both (said in the report). For each later
figure, posterior draws are simulated to its months and the observation model's error is
added (:mod:`adoption.calibration.predictive`): the figure falls inside the predictive 50 %
and 90 % intervals or not; its interval score (Gneiting & Raftery 2007) and CRPS measure
how far. The report gives the coverage with its binomial standard error, a table and a
figure per indicator (the model's monthly fan from the posterior draws, the predictive
interval of each later figure over its window, the figure itself).

This module orchestrates and reports; the sampler, the observation model and the scores
are :mod:`adoption.calibration`'s.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calendar import FIRST_MONTH, parse_month, to_timestamps
from adoption.calibration.calibrate import calibrate
from adoption.calibration.naive import summary as naive_summary
from adoption.calibration.naive import with_naive
from adoption.calibration.noise import draw_reports, observation_draws
from adoption.calibration.observations import fit_figures
from adoption.calibration.predictive import score_table
from adoption.calibration.result import save_posterior
from adoption.calibration.settings import Settings
from adoption.calibration.simulator import Simulator
from adoption.calibration.targets import load_priors
from adoption.errors import UserError
from adoption.files import write_atomic

#: First month of every simulation (the profiles describe January 2019).
START = parse_month(FIRST_MONTH)


def split(figures: pd.DataFrame, until: str) -> dict[str, pd.DataFrame]:
    """``known`` (window ends by ``until``), ``later`` (starts after), ``straddling`` (neither)."""
    cut = parse_month(until)
    end = figures["date_end"].map(parse_month)
    start = figures["date_start"].map(parse_month)
    return {
        "known": figures[end <= cut].reset_index(drop=True),
        "later": figures[start > cut].reset_index(drop=True),
        "straddling": figures[(start <= cut) & (end > cut)].reset_index(drop=True),
    }


def hindcast(
    until: str,
    out: str | Path,
    settings: Settings | None = None,
    *,
    draws: int = 60,
    seed: int = 1,
    progress: bool = True,
) -> dict:
    """Run the hindcast with cut-off ``until``; write its posterior and scores into ``out``.

    The report (figures and a Markdown page) is
    :func:`adoption.calibration.hindcast_report.write_report` of what this returns.

    Returns:
        ``{"until", "parts", "scores", "summary", "stats", "posterior", "files": [paths]}``.
    """
    # nothing dated after the cut-off reaches a run: figures (split below) nor profile inputs
    settings = dataclasses.replace(settings or Settings(), known_by=until)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts = split(fit_figures(), until)
    if parts["known"].empty or parts["later"].empty:
        problem = f"{len(parts['known'])} figures known by then, {len(parts['later'])} later"
        raise UserError("--until", "until", f"{until}: {problem}; choose another month")
    priors = load_priors()
    posterior = calibrate(parts["known"], priors, settings, db=out / "calibration.db",
                          progress=progress)  # fmt: skip
    save_posterior(posterior, priors, out)
    particles = posterior.particles.assign(weight=posterior.weights)
    stats, observed = _simulate(particles, parts["later"], settings, draws, seed)
    scores = _score(parts["later"], stats, observed, settings, seed)
    scores = with_naive(scores, parts["later"], parts["known"])
    summary = coverage(scores) | {"until": until, "known": len(parts["known"])}
    summary["naive"] = naive_summary(scores)
    path = out / "scores.csv"
    write_atomic(path, lambda tmp: scores.to_csv(tmp, index=False))
    return {"until": until, "parts": parts, "scores": scores, "summary": summary,
            "stats": stats, "posterior": posterior, "files": [path]}  # fmt: skip


def _simulate(particles: pd.DataFrame, figures: pd.DataFrame, settings: Settings,
              draws: int, seed: int) -> tuple[list[dict], dict]:  # fmt: skip
    """Statistics and monthly series of the later figures for ``draws`` posterior particles."""
    rng = np.random.default_rng(seed)
    weights = particles["weight"].to_numpy(dtype=float)
    rows = rng.choice(len(particles), size=draws, p=weights / weights.sum())
    values = particles.drop(columns="weight")
    simulator = Simulator(figures, settings, series=True)
    stats = simulator.run_many(
        [(values.iloc[r].to_dict(), seed * 100_003 + k) for k, r in enumerate(rows)]
    )
    return stats, observation_draws(values.iloc[rows])


def _score(figures, stats, observed: dict, settings: Settings, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 1])
    draws = {}
    for figure in figures.itertuples(index=False):
        values = np.stack([s[figure.id] for s in stats])
        counts = np.stack([s[f"{figure.id}/n"] for s in stats])
        draws[figure.id] = draw_reports(
            values, counts, figure, settings.reporting_sd, observed, rng
        )
    return score_table(figures, draws)


def coverage(scores: pd.DataFrame) -> dict:
    """Share of later figures inside the 50 % and 90 % intervals, with binomial s.e."""
    n = int(scores["inside_90"].notna().sum())
    out = {"figures": n}
    for width in (50, 90):
        p = float(scores[f"inside_{width}"].mean()) if n else math.nan
        out[f"coverage_{width}"] = p
        out[f"coverage_{width}_se"] = math.sqrt(p * (1 - p) / n) if n else math.nan
    out["mean_interval_score_90"] = float(scores["interval_score_90"].mean())
    out["mean_crps"] = float(scores["crps"].mean())
    return out


def monthly(stats: list[dict], figure_id: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Dates and the ``(draws, months)`` monthly values of a figure's indicator and places."""
    values = np.stack([s[f"{figure_id}/series"] for s in stats])
    dates = to_timestamps(np.arange(START, START + values.shape[1]))
    return dates, values
