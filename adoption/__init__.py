"""adoption: agent-based forecasts of digital public-service uptake in rural Vietnamese districts.

One package per layer, in the order data flows (:data:`LAYERS`); a layer imports only
the shared modules and the layers before it, never one after it
(``tests/test_layers.py`` checks it):

- shared: :mod:`~adoption.errors`, :mod:`~adoption.files`, :mod:`~adoption.calendar`,
  :mod:`~adoption.pool`;
- :mod:`adoption.places` - districts, communes, villages and their profiles;
- :mod:`adoption.model` - parameters, households, agents, rules, levers, indicators, the model;
- :mod:`adoption.calibration` - targets, the noise model, SMC, the posterior, hindcasts;
- :mod:`adoption.scenarios` - scenario files: reading, checking, sizing, writing;
- :mod:`adoption.ensemble` - a scenario over posterior draws and seeds: runs, cache, summaries;
- :mod:`adoption.decisions` - paired runs, Evaluator, ranking, sensitivity, optimiser;
- :mod:`adoption.reports` - figures, the forecast folder, the terminal summary, languages;
- interfaces: :mod:`adoption.cli` and :mod:`adoption.dashboard`.

This module is the package's face: the names a user imports from ``adoption``.
"""

from adoption.decisions.experiment import Evaluator
from adoption.ensemble import costs, differences, run_ensemble, summarise
from adoption.files import __version__
from adoption.model.model import AdoptionModel
from adoption.model.params import Params
from adoption.model.runspec import RunSpec
from adoption.model.simulate import simulate
from adoption.places.profiles import load_profiles
from adoption.scenarios.scenario import load_scenario

#: The layers in the order data flows; each may import only the ones before it.
LAYERS = (
    ("adoption.errors", "adoption.files", "adoption.calendar", "adoption.pool"),
    ("adoption.places",),
    ("adoption.model",),
    ("adoption.calibration",),
    ("adoption.scenarios",),
    ("adoption.ensemble",),
    ("adoption.decisions",),
    ("adoption.reports",),
    ("adoption.cli", "adoption.dashboard"),
)

__all__ = [
    "AdoptionModel",
    "Evaluator",
    "Params",
    "RunSpec",
    "__version__",
    "costs",
    "differences",
    "load_profiles",
    "load_scenario",
    "run_ensemble",
    "simulate",
    "summarise",
]
