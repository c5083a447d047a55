"""Posteriors for forecasts: the shipped ``calibration/posterior.csv``, or any other one.

A forecast draws its runs' parameters from a posterior file: the shipped one by default,
or one a scenario names (``parameters = "calibration/hindcast-2023-12/posterior.csv"``) or
the command line gives (``adoption run --posterior PATH``), e.g. a hindcast's fit, to score
figures published after its cut-off. :func:`read_posterior` checks such a file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adoption.errors import UserError
from adoption.files import SHIPPED
from adoption.model.params import Params

#: Where forecasts read the shipped posterior and the calibration its inputs: the clone's
#: calibration/ folder, or the installed package's copy (:data:`adoption.files.SHIPPED`).
CALIBRATION_DIR = SHIPPED / "calibration"
POSTERIOR_FILE = "posterior.csv"


def load_posterior(path: str | Path | None = None) -> pd.DataFrame | None:
    """The posterior particles (one column per parameter and ``weight``), or None if absent."""
    path = Path(path) if path is not None else CALIBRATION_DIR / POSTERIOR_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path)


def shipped() -> Path:
    """The shipped posterior file."""
    return CALIBRATION_DIR / POSTERIOR_FILE


def read_posterior(path: str | Path, where: str | Path, key: str) -> pd.DataFrame:
    """A posterior file's particles, checked: a ``weight`` column and parameters of Params.

    Raises:
        UserError: naming ``where`` and ``key`` (the file or option that named it).
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(where, key, f"{path}: no such posterior file")
    try:
        table = pd.read_csv(path)
    except (ValueError, OSError) as error:
        raise UserError(where, key, f"{path}: not a posterior CSV ({error})") from None
    unknown = sorted(set(table.columns) - set(Params.bounds()) - {"weight"})
    if "weight" not in table.columns or unknown or len(table) == 0:
        problem = f"unknown columns {unknown}" if unknown else "needs particles and a weight"
        raise UserError(where, key, f"{path}: {problem} (as `adoption calibrate` writes it)")
    weights = table["weight"].to_numpy(dtype=float)
    if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
        raise UserError(where, key, f"{path}: weights must be finite, >= 0 and not all 0")
    return table


def posterior_mean_params(path: str | Path | None = None, base: Params | None = None) -> Params:
    """Params at the posterior's weighted means (``base`` or defaults if there is none)."""
    path = Path(path) if path is not None else shipped()
    base = base or Params()
    if not path.is_file():
        return base
    table = read_posterior(path, path, "posterior")  # a file of another version: one line
    weights = table.pop("weight").to_numpy()
    weights = weights / weights.sum()
    return base.replace(**{n: float(np.sum(weights * table[n])) for n in table.columns})
