"""Quantiles over runs: NaN-aware, linear (as :func:`numpy.nanquantile`), without its slow path."""

from __future__ import annotations

import numpy as np

#: Quantiles reported, and their column names.
QUANTILES: dict[str, float] = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


def quantiles(values: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """The :data:`QUANTILES` and the mean over ``axis``, ignoring NaN (linear interpolation)."""
    ordered = np.sort(np.moveaxis(values, axis, 0), axis=0)  # NaN sort last
    n = np.sum(~np.isnan(ordered), axis=0)
    out = {}
    with np.errstate(invalid="ignore"):  # inf - inf where a run is unbounded
        for name, q in QUANTILES.items():
            out[name] = sorted_quantile(ordered, n, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean"] = np.where(n > 0, np.nansum(ordered, axis=0) / np.maximum(n, 1), np.nan)
    return out


def sorted_quantile(ordered: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of the first axis of sorted ``ordered`` with ``n`` non-NaN values."""
    position = q * np.maximum(n - 1, 0)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, np.maximum(n - 1, 0))
    frac = (position - low).astype(ordered.dtype)
    a = np.take_along_axis(ordered, low[None], axis=0)[0]
    b = np.take_along_axis(ordered, high[None], axis=0)[0]
    return np.where(n > 0, np.where(frac == 0, a, a + (b - a) * frac), np.nan)
