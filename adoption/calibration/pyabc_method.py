"""The earlier method, kept for comparison: pyabc's ABC-SMC (``Settings.method = "pyabc"``).

pyabc ABC-SMC with a stochastic acceptor (the noise model of :func:`make_kernel`)
and a temperature schedule. In 12 dimensions its importance weights, which involve
the proposal density, degenerated; the default is :mod:`adoption.calibration.smc`.
This module owns everything pyabc-specific: the priors as a pyabc ``Distribution``
(log-uniform ones sampled as ``log10_<name>``), the observed data, the sampler, the
progress display and reading the posterior from pyabc's history. pyabc is imported
only when this method is used (``pip install -e '.[calibrate]'``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from adoption.calibration.noise import log_likelihood, max_log_likelihood, observation_draws
from adoption.calibration.result import Posterior, _ess
from adoption.calibration.settings import Settings
from adoption.calibration.simulator import LOG10, Simulator, to_natural
from adoption.calibration.targets import Prior
from adoption.errors import UserError
from adoption.pool import bar_disabled


def _pyabc():
    try:
        import pyabc
    except ImportError:  # pragma: no cover - depends on the install
        message = "not installed: pip install -e '.[calibrate]'"
        raise UserError("calibration", "pyabc", message) from None
    return pyabc


def prior_distribution(priors: dict[str, Prior]) -> Any:
    """The priors as a pyabc ``Distribution`` (log-uniform ones on a log10 scale)."""
    pyabc = _pyabc()
    rvs = {}
    for name, prior in priors.items():
        low, high = prior.bounds
        if prior.distribution == "uniform":
            rvs[name] = pyabc.RV("uniform", low, high - low)
        elif prior.distribution == "loguniform":
            rvs[LOG10 + name] = pyabc.RV("uniform", np.log10(low), np.log10(high / low))
        elif prior.distribution == "beta":
            rvs[name] = pyabc.RV(
                "beta", prior.args["a"], prior.args["b"], loc=low, scale=high - low
            )
        else:
            mean, sd = prior.args["mean"], prior.args["sd"]
            rvs[name] = pyabc.RV(
                "truncnorm", (low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd
            )
    return pyabc.Distribution(**rvs)


def observed(targets: pd.DataFrame) -> dict[str, np.ndarray]:
    """The reported figures in the statistics' layout (what pyabc stores as observed data)."""
    out = {}
    for target in targets.itertuples(index=False):
        out[target.id] = np.array([target.value])
        out[f"{target.id}/n"] = np.array([np.nan])
    return out


def _calibrate_pyabc(targets, priors, settings: Settings, db: Path, resume, progress) -> Posterior:
    """The earlier method: pyabc ABC-SMC with a stochastic acceptor (``method = "pyabc"``)."""
    pyabc = _pyabc()
    np.random.seed(settings.seed)
    simulator = Simulator(targets, settings)
    if settings.temperature_decay == "ess":
        scheme = _EssScheme(pyabc)
    else:
        scheme = pyabc.ExpDecayFixedIterScheme()
    abc = pyabc.ABCSMC(
        simulator,
        prior_distribution(priors),
        make_kernel(targets, settings.reporting_sd),
        population_size=settings.population_size,
        eps=pyabc.Temperature(schemes=[scheme]),
        transitions=pyabc.MultivariateNormalTransition(scaling=settings.proposal_scaling),
        acceptor=pyabc.StochasticAcceptor(
            pdf_norm_method=pyabc.acceptor.pdf_norm_max_found,
            apply_importance_weighting=settings.importance_weighting,
        ),
        sampler=_sampler(settings),
    )
    url = "sqlite:///" + str(db.resolve())
    if resume:
        abc.load(url)
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        abc.new(url, observed(targets))
    history = _run_generations(abc, settings, progress)
    return _posterior(history, settings, str(db))


def _EssScheme(pyabc):  # noqa: N802 - a class factory (pyabc is imported lazily)
    class EssScheme(pyabc.epsilon.EssScheme):
        """pyabc's EssScheme, returning a float (pyabc 0.13 returns an array and fails)."""

        def __call__(self, *args, **kwargs):
            return float(np.squeeze(super().__call__(*args, **kwargs)))

    return EssScheme()


def _sampler(settings: Settings):
    pyabc = _pyabc()
    if settings.scheduler:
        from distributed import Client

        return pyabc.sampler.DaskDistributedSampler(dask_client=Client(settings.scheduler))
    if settings.workers <= 1:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=settings.workers)


def _run_generations(abc, settings: Settings, progress: bool):
    """Run the remaining generations in one pyabc call, with a progress bar.

    One call, because pyabc's temperature schedule plans over the generations it is
    given; the bar is driven by pyabc's per-generation log messages.
    """
    from tqdm.auto import tqdm

    done = abc.history.max_t + 1 if abc.history.max_t is not None else 0
    remaining = max(settings.max_generations - done, 0)
    quiet = bar_disabled(progress)
    bar = tqdm(total=settings.max_generations, initial=done, unit="gen", disable=quiet)
    logger = logging.getLogger("ABC")
    saved = logger.handlers[:], logger.level, logger.propagate
    logger.handlers, logger.propagate = [_Progress(bar)], False
    logger.setLevel(logging.INFO)
    quiet = [logging.getLogger(name) for name in ("ABC.History", "ABC.Sampler", "ABC.Distance")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.WARNING)
    try:
        if remaining:
            abc.run(max_nr_populations=remaining, min_acceptance_rate=settings.min_acceptance_rate)
    finally:
        logger.handlers, logger.level, logger.propagate = saved
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)
        bar.close()
    return abc.history


class _Progress(logging.Handler):
    """Drives a progress bar from pyabc's per-generation log messages."""

    def __init__(self, bar) -> None:
        super().__init__()
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("t: "):
            self.bar.set_postfix_str(message.split(", ")[1].rstrip("."), refresh=True)
        elif message.startswith("Accepted: "):
            self.bar.update(1)
            self.bar.set_postfix_str(message.split(" = ")[1].rstrip("."), refresh=True)


def _posterior(history, settings: Settings, db: str) -> Posterior:
    particles, weights = history.get_distribution()
    particles = pd.DataFrame([to_natural(row) for row in particles.to_dict("records")])
    generations = history.get_all_populations()
    generations = generations[generations["t"] >= 0].reset_index(drop=True)
    generations["acceptance_rate"] = history.get_nr_particles_per_population().values[
        -len(generations) :
    ] / generations["samples"].clip(lower=1)
    generations["ess"] = [_ess(history.get_distribution(t=int(t))[1]) for t in generations["t"]]
    return Posterior(
        particles.reset_index(drop=True), np.asarray(weights), generations, settings, db
    )


def make_kernel(targets: pd.DataFrame, reporting_sd: dict[str, float]) -> Any:
    """The noise model as a pyabc stochastic kernel (log scale, with its maximum)."""
    pyabc = _pyabc()

    class ReportedRateKernel(pyabc.StochasticKernel):
        """pyabc kernel wrapping :func:`log_likelihood`."""

        def __init__(self) -> None:
            super().__init__(
                ret_scale=pyabc.distance.SCALE_LOG,
                pdf_max=max_log_likelihood(targets, reporting_sd),
            )

        def __call__(self, x, x_0, t=None, par=None):  # noqa: D102
            draws = observation_draws(to_natural(dict(par or {})))  # sampled, not integrated
            return float(log_likelihood(x, targets, reporting_sd, draws)[0])

    return ReportedRateKernel()
