"""Running the model: one run from parameters and a seed to a tidy table.

:func:`simulate` is a plain, picklable module-level function, so any
experiment tool (SALib, EMA Workbench, pyabc, a thread or process pool) can
call it. It builds an :class:`~adoption.model.AdoptionModel`, steps it through
the calendar (with an optional progress bar), returns the indicators and
releases the model so that thousands of runs in one process keep memory flat.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .model import AdoptionModel
from .params import Params, check_value
from .profiles import DistrictProfile


def as_params(params: Params | Mapping[str, float] | None, where: str = "params") -> Params:
    """A :class:`Params` from None (defaults), a Params, or a mapping of overrides.

    Raises:
        UserError: for a name that is not a parameter or a value outside its bounds.
    """
    if params is None or isinstance(params, Params):
        return params or Params()
    values = {name: check_value(name, value, where) for name, value in params.items()}
    return Params().replace(**values)


def run(model: AdoptionModel, progress: bool = False, label: str = "") -> AdoptionModel:
    """Step ``model`` through its calendar, optionally with a tqdm progress bar (months)."""
    if not progress:
        model.run_model()
        return model
    from tqdm.auto import tqdm

    with tqdm(total=len(model.months), unit="month", desc=label or "simulating") as bar:
        while model.running:
            model.step()
            bar.update(1)
            bar.set_postfix_str(model.date, refresh=False)
    return model


def simulate(
    params: Params | Mapping[str, float] | None = None,
    seed: int = 0,
    *,
    profiles: list[DistrictProfile] | None = None,
    profile_path: str | Path | None = None,
    districts: list[str] | None = None,
    start: str = "2019-01",
    end: str = "2030-12",
    scale: float = 1.0,
    interventions: list | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run the model once and return its indicators.

    Args:
        params: a :class:`Params`, a mapping of parameter overrides, or None for the defaults.
        seed: the run's seed (same seed and inputs -> identical output).
        profiles: district profiles (read from ``profile_path`` or the shipped file if None).
        profile_path: a profile CSV of the user's own.
        districts: keep only these districts.
        start: first month ``YYYY-MM``.
        end: last month ``YYYY-MM``.
        scale: households simulated per real household.
        interventions: levers (:class:`adoption.interventions.Intervention`), e.g. a
            scenario's ``load_scenario(path).interventions``.
        progress: show a progress bar.

    Returns:
        The tidy table of :func:`adoption.indicators.tidy`.
    """
    model = AdoptionModel(
        as_params(params),
        profiles,
        profile_path=profile_path,
        districts=districts,
        start=start,
        end=end,
        scale=scale,
        interventions=interventions,
        rng=seed,
    )
    try:
        run(model, progress)
        return model.tidy()
    finally:
        model.release()
