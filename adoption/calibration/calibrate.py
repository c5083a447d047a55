"""Running a calibration: :func:`calibrate` picks the sampler; :func:`synthetic_targets`.

This module owns the entry point (which targets and priors, which method of
:data:`~adoption.calibration.settings.METHODS`) and the synthetic targets of recovery
checks. The samplers themselves are :mod:`adoption.calibration.smc` and
:mod:`adoption.calibration.pyabc_method`; reading the target and prior files is
:mod:`adoption.calibration.targets`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calibration.noise import draw_reports, observation_draws
from adoption.calibration.observations import fit_figures
from adoption.calibration.pyabc_method import _calibrate_pyabc
from adoption.calibration.result import Posterior
from adoption.calibration.settings import Settings
from adoption.calibration.simulator import Simulator
from adoption.calibration.smc import _calibrate_smc
from adoption.calibration.targets import Prior, load_priors


def calibrate(
    targets: pd.DataFrame | None = None,
    priors: dict[str, Prior] | None = None,
    settings: Settings | None = None,
    db: str | Path = "calibration/abc.db",
    resume: bool = False,
    progress: bool = True,
) -> Posterior:
    """Fit the model to the targets (tempered SMC, or pyabc ABC-SMC), or resume a run in ``db``.

    Args:
        targets: the figures to fit: :func:`adoption.calibration.observations.fit_figures` (the
        texts'
            targets and the public observations; the shipped files if None), or rows of
            :func:`adoption.calibration.targets.load_targets` (role ``target`` used).
        priors: from :func:`adoption.calibration.targets.load_priors`; the shipped files if None.
        settings: :class:`~adoption.calibration.settings.Settings`.
        db: SQLite database; every finished stage (generation) is kept there.
        resume: continue the last run in ``db`` instead of starting a new one.
        progress: show a progress bar over generations.

    Returns:
        The posterior of the last finished generation.
    """
    targets = fit_figures() if targets is None else targets
    if "role" in targets:
        targets = targets[targets["role"] == "target"]
    targets = targets.reset_index(drop=True)
    priors = load_priors() if priors is None else priors
    settings = settings or Settings()
    if settings.method == "smc":
        return _calibrate_smc(targets, priors, settings, Path(db), resume, progress)
    return _calibrate_pyabc(targets, priors, settings, Path(db), resume, progress)


def synthetic_targets(
    targets: pd.DataFrame, parameters: dict, settings: Settings, seed: int
) -> pd.DataFrame:
    """Targets whose values are the model's own at ``parameters`` (for recovery checks).

    Each value is the simulated statistic at a report month drawn from the target's
    interval, plus the noise model's error, so that a calibration to them faces the
    same observation process as one to the real figures. Bounds become points.

    Args:
        targets: the targets to imitate.
        parameters: the true parameters (a subset of :class:`~adoption.model.params.Params`).
        settings: the simulation scale and the reporting errors.
        seed: seeds the simulation, the report months and the errors.

    Returns:
        A copy of ``targets`` with synthetic values, every bound made a point.
    """
    rng = np.random.default_rng(seed)
    stats = Simulator(targets, settings).run(parameters, seed)
    draws = observation_draws(parameters)
    out = targets.copy()
    for i, target in enumerate(targets.itertuples(index=False)):
        values, counts = stats[target.id][None, :], stats[f"{target.id}/n"][None, :]
        kind = "point" if target.kind in ("lower_bound", "upper_bound") else target.kind
        figure = target._replace(kind=kind)
        report = draw_reports(values, counts, figure, settings.reporting_sd, draws, rng)
        out.loc[out.index[i], "value"] = float(np.clip(report[0], 0, 1))
        out.loc[out.index[i], "kind"] = kind
    return out
