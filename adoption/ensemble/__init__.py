"""Forecast ensembles: a scenario run over posterior draws and seeds, summarised.

- :mod:`~adoption.ensemble.plan` - the runs (draws, seeds: common random numbers) and
  the cache key that names everything that determines them;
- :mod:`~adoption.ensemble.run` - running them on workers (:mod:`adoption.pool`), kept
  in the run cache (:mod:`adoption.ensemble.cache`), resumable;
- :mod:`~adoption.ensemble.summaries` - quantiles over runs, paired differences, costs.

The indicators an ensemble keeps per run are :data:`adoption.model.indicators.FORECAST`.
"""

from adoption.ensemble.plan import RunTask, cache_key, places, plan
from adoption.ensemble.run import Ensemble, extract, run_ensemble, run_one
from adoption.ensemble.summaries import (
    COST_DATES,
    QUANTILES,
    SERVICES,
    costs,
    differences,
    quantiles,
    summarise,
)
from adoption.model.indicators import FORECAST

__all__ = [
    "COST_DATES",
    "FORECAST",
    "QUANTILES",
    "SERVICES",
    "Ensemble",
    "RunTask",
    "cache_key",
    "costs",
    "differences",
    "extract",
    "places",
    "plan",
    "quantiles",
    "run_ensemble",
    "run_one",
    "summarise",
]
