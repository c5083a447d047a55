"""What the posterior predicts a reported figure would be, and how well a figure is predicted.

:func:`predictive_draws` simulates posterior draws and, for each figure, draws what it
would report (the model's value at a random month of its window, plus the observation
model's error: :func:`adoption.calibration.noise.draw_reports`). :func:`score` compares a
reported figure with those draws: quantiles, z on the logit scale, whether the figure
falls inside the 50 % and 90 % intervals, the interval score and the CRPS. The
calibration report and the hindcast both use these. This module does not sample
the posterior.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import logit

from adoption.calibration.noise import EDGE, draw_reports, observation_draws
from adoption.calibration.settings import Settings
from adoption.calibration.simulator import Simulator

#: Quantiles reported for a figure's predictive distribution.
QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


def predictive_draws(
    posterior: pd.DataFrame,
    figures: pd.DataFrame,
    settings: Settings,
    draws: int = 60,
    seed: int = 1,
    simulator: Simulator | None = None,
) -> dict[str, np.ndarray]:
    """``{figure id: predictive draws of its report}`` from ``draws`` posterior particles.

    Particles are drawn by weight; each is simulated with its own seed.
    """
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = rng.choice(len(posterior), size=draws, p=weights / weights.sum())
    particles = posterior.drop(columns="weight")
    simulator = simulator or Simulator(figures, settings)
    stats = simulator.run_many(
        [(particles.iloc[row].to_dict(), seed * 100_003 + k) for k, row in enumerate(rows)]
    )
    draws_of = observation_draws(particles.iloc[rows])
    out = {}
    for figure in figures.itertuples(index=False):
        values = _stack([s[figure.id] for s in stats])
        counts = _stack([s[f"{figure.id}/n"] for s in stats])
        out[figure.id] = draw_reports(values, counts, figure, settings.reporting_sd, draws_of, rng)
    return out


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    return np.stack([np.asarray(a, dtype=np.float64) for a in arrays])


def score(figure, draws: np.ndarray) -> dict:
    """How the reported figure compares with its predictive draws.

    ``inside_50`` / ``inside_90``: the figure lies in the central interval (for a lower
    bound: the interval's top is at or above it, i.e. the model does not rule it out;
    an upper bound likewise: tables report bounds apart). ``width_90``: the 90 %
    interval's width. ``interval_score_90``: Gneiting & Raftery (2007), in percentage
    points; for a bound one-sided: the width plus ``2 / alpha`` times how far the interval
    lies on the wrong side of the bound. ``crps``: continuous ranked probability score
    from the draws, in percentage points (points and approximate figures only: a bound
    is no value to score a distribution against). ``z``: on the logit scale.
    """
    x = draws[np.isfinite(draws)]
    y = float(figure.value)
    if not len(x):
        return {"draws": 0}
    q = {name: float(np.quantile(x, p)) for name, p in QUANTILES.items()}
    lx, ly = logit(np.clip(x, EDGE, 1 - EDGE)), float(logit(np.clip(y, EDGE, 1 - EDGE)))
    sd = float(lx.std(ddof=1)) if len(lx) > 1 else np.nan
    inside = {}
    for width, (low, high) in {50: ("q25", "q75"), 90: ("q05", "q95")}.items():
        if figure.kind == "lower_bound":
            inside[width] = y <= q[high]
        elif figure.kind == "upper_bound":
            inside[width] = y >= q[low]
        else:
            inside[width] = q[low] <= y <= q[high]
    alpha, low, high = 0.1, q["q05"], q["q95"]
    below = max(y - high, 0) if figure.kind != "upper_bound" else 0.0
    above = max(low - y, 0) if figure.kind != "lower_bound" else 0.0
    interval = (high - low) + 2 / alpha * (below + above)
    crps = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    if figure.kind in ("lower_bound", "upper_bound"):
        crps = np.nan
    return {
        "draws": len(x),
        "mean": float(x.mean()),
        **q,
        "z": (ly - float(lx.mean())) / sd if sd and sd > 0 else np.nan,
        "inside_50": bool(inside[50]),
        "inside_90": bool(inside[90]),
        "width_90": 100 * (high - low),
        "interval_score_90": 100 * interval,
        "crps": 100 * float(crps),
    }


def score_table(figures: pd.DataFrame, draws: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per figure: its description and :func:`score`."""
    rows = []
    for figure in figures.itertuples(index=False):
        rows.append(
            {
                "id": figure.id,
                "place": figure.place,
                "indicator": figure.indicator,
                "kind": figure.kind,
                "date_start": figure.date_start,
                "date_end": figure.date_end,
                "reported": figure.value,
                **score(figure, draws[figure.id]),
            }
        )
    return pd.DataFrame(rows)
