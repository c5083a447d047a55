"""Calibration: the model fitted to the rates the districts reported, by tempered SMC.

The pieces, in the order they are used, each in its own module:

- :mod:`~adoption.calibrate.settings` - :class:`Settings`: population size, stages,
  MCMC moves, the simulation scale, the seed, the reporting error of each kind of
  figure, workers or a Dask scheduler;
- :mod:`~adoption.calibrate.stats` - :func:`statistics`: from one finished model, each
  target's simulated value at every month its report may refer to, with the real
  count behind it;
- :mod:`~adoption.calibrate.noise` - :func:`log_likelihood`, the noise model: a
  reported rate is a survey-like observation of the simulated rate (binomial sampling
  variance of the real count plus a reporting error, :func:`observation_sd`),
  one-sided for bounds ("> 25 %"), averaged over the months of its date interval
  (the texts carry no dates);
- :mod:`~adoption.calibrate.simulator` - :class:`Simulator`, a picklable
  ``parameters -> statistics`` function;
- :mod:`~adoption.calibrate.smc` - the tempered SMC sampler and
  :class:`ParameterSpace`, the parameters on an unbounded scale (logit of the prior CDF);
- :mod:`~adoption.calibrate.pyabc_method` - the earlier pyabc ABC-SMC method;
- :mod:`~adoption.calibrate.result` - :class:`Posterior`, its summary and
  :func:`save_posterior`;
- :mod:`~adoption.calibrate.run` - :func:`calibrate`: runs (or resumes) the sampler
  stage by stage with a progress display, keeps every finished stage in an SQLite
  database, and returns the :class:`Posterior`; :func:`synthetic_targets` for
  recovery checks.

**Method** (``Settings.method = "smc"``, the default): a tempered sequential Monte
Carlo sampler with pseudo-marginal MCMC moves (:mod:`adoption.calibrate.smc`), which
targets the exact posterior under the noise model. ``method = "pyabc"``, kept for
comparison, is pyabc ABC-SMC with a stochastic acceptor and a temperature schedule;
its importance weights, which involve the proposal density, degenerated in 12
dimensions. pyabc is needed only for that method (``pip install -e '.[calibrate]'``).

This package does not draw figures (:mod:`adoption.calibration_report`), does not
read the target and prior files (:mod:`adoption.targets`) and does not start worker
processes itself (:mod:`adoption.pool`).
"""

from .noise import log_likelihood, make_kernel, max_log_likelihood, observation_sd
from .pyabc_method import LOG10, observed, prior_distribution, to_natural
from .result import IDENTIFIED, MIN_PARTICLES, Posterior, save_posterior
from .run import calibrate, synthetic_targets
from .settings import METHODS, Settings
from .simulator import Simulator
from .smc import STAGE_COLUMNS, ParameterSpace
from .stats import REPORT_MONTHS, report_months, statistics

__all__ = [
    "IDENTIFIED",
    "LOG10",
    "METHODS",
    "MIN_PARTICLES",
    "REPORT_MONTHS",
    "STAGE_COLUMNS",
    "ParameterSpace",
    "Posterior",
    "Settings",
    "Simulator",
    "calibrate",
    "log_likelihood",
    "make_kernel",
    "max_log_likelihood",
    "observation_sd",
    "observed",
    "prior_distribution",
    "report_months",
    "save_posterior",
    "statistics",
    "synthetic_targets",
    "to_natural",
]
