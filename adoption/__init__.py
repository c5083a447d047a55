"""adoption: agent-based forecasts of digital public-service uptake in rural Vietnamese districts.

Modules in the order data flows through them: :mod:`~adoption.calendar`,
:mod:`~adoption.params`, :mod:`~adoption.profiles`, :mod:`~adoption.streams`,
:mod:`~adoption.population`, :mod:`~adoption.agents`, :mod:`~adoption.rules`,
:mod:`~adoption.indicators`, :mod:`~adoption.model`, :mod:`~adoption.simulate`,
:mod:`~adoption.scenario`, :mod:`~adoption.figures`, :mod:`~adoption.cli`.
"""

from .model import AdoptionModel
from .params import Params
from .profiles import load_profiles

__all__ = ["AdoptionModel", "Params", "load_profiles", "__version__"]
__version__ = "0.1.0"
