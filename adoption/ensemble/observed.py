"""The observation band: where a figure reported about a place would fall, not only the model.

A forecast's quantiles (``q05`` ... ``q95``) are the model's own spread over posterior
draws and seeds. A figure that a district later reports is that value seen through the
observation model of the calibration (:mod:`adoption.calibration.noise`): the model
discrepancy of a figure a district reports about the indicator (each run's posterior draw
of ``obs_sd_local`` and the indicator's family term, :func:`~adoption.calibration.noise.
local_discrepancy`) on the logit scale, then
the reporting error of a point figure on the rate scale (so a rate near 0 or 1 keeps a
band a few points wide). :func:`observation_quantiles` draws such reports, :data:`DRAWS`
per run, for every share indicator at the districts and the total (communes are left out
to keep summaries fast), and returns their quantiles: the band a planner should expect
a reported figure in. The draws come from the scenario's seed alone: reproducible.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from adoption.calibration.noise import (
    EDGE,
    NAMES,
    REPORTING_SD,
    local_discrepancy,
    observation_draws,
)
from adoption.ensemble.run import Ensemble
from adoption.ensemble.spread import sorted_quantile
from adoption.model.indicators import FORECAST, INDICATORS
from adoption.model.units import LEVELS as UNIT_LEVELS

#: Reports drawn per run.
DRAWS = 8
#: Quantiles of the band, and their column names.
BAND = {"obs_q05": 0.05, "obs_q25": 0.25, "obs_q75": 0.75, "obs_q95": 0.95}


def band_places(places: pd.DataFrame) -> np.ndarray:
    """Rows of a place table that get a band: all but communes (old or 2025)."""
    return np.flatnonzero(~places["level"].isin(["commune", UNIT_LEVELS["commune"]]).to_numpy())


def observation_quantiles(ensemble: Ensemble) -> dict[str, np.ndarray]:
    """``{obs_q05, obs_q25, obs_q75, obs_q95}`` arrays ``(months, places, indicators)``.

    NaN for indicators that are not shares and for commune rows (old or 2025).
    """
    values = ensemble.values
    shape = values.shape[1:]
    out = {name: np.full(shape, np.nan) for name in BAND}
    places = band_places(ensemble.places)
    rows = [{n: t.params[n] for n in NAMES} for t in ensemble.tasks]  # every Params field
    draws = observation_draws(pd.DataFrame(rows, columns=list(NAMES)))
    tau = REPORTING_SD["point"]
    for k, name in enumerate(FORECAST):
        if not INDICATORS[name].is_share:
            continue
        rng = _stream(ensemble.scenario.seed, name)
        discrepancy = local_discrepancy(draws, name, rng)
        s = np.clip(values[:, :, places, k].astype(np.float64), EDGE, 1 - EDGE)
        noise = rng.standard_normal((2, DRAWS, *s.shape))
        seen = expit(logit(s)[None] + discrepancy[None, :, None, None] * noise[0])
        reports = np.clip(seen + tau * noise[1], 0.0, 1.0)  # reporting error on the rate scale
        reports = np.where(np.isnan(values[None, :, :, places, k]), np.nan, reports)
        ordered = np.sort(reports.reshape(-1, *s.shape[1:]), axis=0)  # NaN last
        n = np.sum(~np.isnan(ordered), axis=0)
        for column, q in BAND.items():  # as np.nanquantile (linear), without its slow path
            out[column][:, places, k] = sorted_quantile(ordered, n, q)
    return out


def _stream(seed: int, indicator: str) -> np.random.Generator:
    """The observation draws of one indicator, from the seed and its name alone.

    Adding an indicator to the registry then leaves every other indicator's band as it was.
    """
    key = zlib.crc32(indicator.encode())
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7, key)))
