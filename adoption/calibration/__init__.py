"""Calibration: the model fitted to the rates the districts reported, by tempered SMC.

The pieces, in the order they are used, each in its own module:

- :mod:`~adoption.calibration.settings` - :class:`Settings`: population size, stages,
  MCMC moves, the simulation scale, the seed, the reporting error of each kind of
  figure, workers or a Dask scheduler;
- :mod:`~adoption.calibration.stats` - :func:`statistics`: from one finished model, each
  target's simulated value at every month its report may refer to, with the real
  count behind it;
- :mod:`~adoption.calibration.noise` - :func:`log_likelihood`, the noise model: a
  reported rate is a survey-like observation of the simulated rate (binomial sampling
  variance of the real count plus a reporting error, :func:`observation_sd`),
  one-sided for bounds ("> 25 %"), averaged over the months of its date interval
  (the texts carry no dates);
- :mod:`~adoption.calibration.simulator` - :class:`Simulator`, a picklable
  ``parameters -> statistics`` function;
- :mod:`~adoption.calibration.smc` - the tempered SMC sampler and
  :class:`ParameterSpace`, the parameters on an unbounded scale (logit of the prior CDF);
- :mod:`~adoption.calibration.pyabc_method` - the earlier pyabc ABC-SMC method;
- :mod:`~adoption.calibration.result` - :class:`Posterior`, its summary and
  :func:`save_posterior`;
- :mod:`~adoption.calibration.calibrate` - :func:`calibrate`: runs (or resumes) the sampler
  stage by stage with a progress display, keeps every finished stage in an SQLite
  database, and returns the :class:`Posterior`; :func:`synthetic_targets` for
  recovery checks.

**Method** (``Settings.method = "smc"``, the default): a tempered sequential Monte
Carlo sampler with pseudo-marginal MCMC moves (:mod:`adoption.calibration.smc`), which
targets the exact posterior under the noise model. ``method = "pyabc"``, kept for
comparison, is pyabc ABC-SMC with a stochastic acceptor and a temperature schedule;
its importance weights, which involve the proposal density, degenerated in 12
dimensions. pyabc is needed only for that method (``pip install -e '.[calibrate]'``).

This package does not draw figures (:mod:`adoption.calibration.report`), does not
read the target and prior files (:mod:`adoption.calibration.targets`) and does not start worker
processes itself (:mod:`adoption.pool`).
"""

from adoption.calibration.calibrate import calibrate, synthetic_targets
from adoption.calibration.noise import log_likelihood, max_log_likelihood, observation_sd
from adoption.calibration.pyabc_method import make_kernel, observed, prior_distribution
from adoption.calibration.result import IDENTIFIED, MIN_PARTICLES, Posterior, save_posterior
from adoption.calibration.settings import METHODS, Settings
from adoption.calibration.simulator import LOG10, Simulator, to_natural
from adoption.calibration.smc import STAGE_COLUMNS, ParameterSpace
from adoption.calibration.stats import REPORT_MONTHS, report_months, statistics

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
