"""Forecast ensembles: a scenario run over posterior draws and seeds, summarised.

- :mod:`~adoption.ensemble.plan` - the runs (draws, seeds: common random numbers) and
  the cache key that names everything that determines them;
- :mod:`~adoption.ensemble.run` - running them on workers (:mod:`adoption.pool`), kept
  in the run cache (:mod:`adoption.runcache`), resumable;
- :mod:`~adoption.ensemble.summaries` - quantiles over runs, paired differences, costs.

The indicators an ensemble keeps per run are :data:`adoption.indicators.FORECAST`.
"""

from ..indicators import FORECAST
from .plan import RunTask, cache_key, places, plan
from .run import Ensemble, extract, run_ensemble, run_one
from .summaries import COST_DATES, QUANTILES, SERVICES, costs, differences, quantiles, summarise

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
