"""adoption: agent-based forecasts of digital public-service uptake in rural Vietnamese districts.

Modules in the order data flows through them (the README's table says what each owns):
:mod:`~adoption.calendar`, :mod:`~adoption.inputs`, :mod:`~adoption.places`,
:mod:`~adoption.params`, :mod:`~adoption.profiles`, :mod:`~adoption.streams`,
:mod:`~adoption.population`, :mod:`~adoption.agents`, :mod:`~adoption.rules`,
:mod:`~adoption.interventions` and :mod:`~adoption.levers`, :mod:`~adoption.indicators`,
:mod:`~adoption.model`, :mod:`~adoption.simulate`, :mod:`~adoption.pool`,
:mod:`~adoption.targets`, :mod:`~adoption.calibrate`, :mod:`~adoption.scenario`,
:mod:`~adoption.ensemble`, :mod:`~adoption.figures`, :mod:`~adoption.forecast`,
:mod:`~adoption.cli`.
"""

from .model import AdoptionModel
from .params import Params
from .profiles import load_profiles

__all__ = ["AdoptionModel", "Params", "load_profiles", "__version__"]
__version__ = "0.1.0"
