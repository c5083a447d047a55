"""Running the model: one run from parameters and a seed to a tidy table.

:func:`simulate` is a plain, picklable module-level function, so any
experiment tool (SALib, EMA Workbench, pyabc, a thread or process pool) can
call it. It builds an :class:`~adoption.model.model.AdoptionModel`, steps it through
the calendar (with an optional progress bar), returns the indicators and
releases the model so that thousands of runs in one process keep memory flat.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from adoption.model.model import AdoptionModel
from adoption.model.params import Params, check_value
from adoption.model.runspec import RunSpec


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
    spec: RunSpec | None = None,
    progress: bool = False,
    **settings,
) -> pd.DataFrame:
    """Run the model once and return its indicators.

    Args:
        params: a :class:`Params`, a mapping of parameter overrides, or None for the defaults.
        seed: the run's seed (same seed and inputs -> identical output).
        spec: the run's settings (:class:`~adoption.model.runspec.RunSpec`).
        progress: show a progress bar.
        **settings: attributes of the spec by keyword, overriding it (``districts=["Lục Yên"]``,
            ``end="2025-12"``, ``scale=0.1``, ``interventions=scenario.interventions``).

    Returns:
        The tidy table of :func:`adoption.model.reporters.tidy`.
    """
    spec = spec or RunSpec()
    if params is not None or spec.params is None:
        spec = spec.replace(params=as_params(params))
    spec = spec.replace(rng=seed, **settings)
    model = AdoptionModel(spec=spec)
    try:
        run(model, progress)
        return model.tidy()
    finally:
        model.release()
