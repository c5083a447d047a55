"""The shipped posterior: reading ``calibration/posterior.csv`` for forecasts.

Kept apart from :mod:`adoption.calibration` so that running a forecast does not
import the calibration machinery (pyabc, scipy.stats).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adoption.files import REPOSITORY
from adoption.model.params import Params

#: Where the calibration writes and forecasts read (the repository's calibration/ folder).
CALIBRATION_DIR = REPOSITORY / "calibration"
POSTERIOR_FILE = "posterior.csv"


def load_posterior(path: str | Path | None = None) -> pd.DataFrame | None:
    """The posterior particles (one column per parameter and ``weight``), or None if absent."""
    path = Path(path) if path is not None else CALIBRATION_DIR / POSTERIOR_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path)


def posterior_mean_params(path: str | Path | None = None, base: Params | None = None) -> Params:
    """Params at the posterior's weighted means (``base`` or defaults if there is none)."""
    table = load_posterior(path)
    base = base or Params()
    if table is None:
        return base
    weights = table.pop("weight").to_numpy()
    weights = weights / weights.sum()
    return base.replace(**{n: float(np.sum(weights * table[n])) for n in table.columns})
