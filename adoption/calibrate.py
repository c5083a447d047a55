"""Calibration: the model fitted to the rates the districts reported, by tempered SMC.

The pieces, in the order they are used:

- :class:`Settings` - population size, stages, MCMC moves, the simulation scale, the
  seed, the reporting error of each kind of figure, workers or a Dask scheduler;
- :func:`statistics` - from one finished model, each target's simulated value at
  every month its report may refer to, with the count behind it;
- :func:`log_likelihood` - the noise model: a reported rate is a survey-like
  observation of the simulated rate (binomial sampling variance of the real
  count plus a reporting error), one-sided for bounds ("> 25 %"), averaged over
  the months of its date interval (the texts carry no dates);
- :class:`Simulator` - a picklable ``parameters -> statistics`` function;
- :class:`ParameterSpace` - the parameters on an unbounded scale (logit of the prior CDF);
- :func:`calibrate` - runs (or resumes) the sampler stage by stage with a progress
  display, keeps every finished stage in an SQLite database, and returns the
  :class:`Posterior`.

**Method** (``Settings.method = "smc"``, the default): a tempered sequential Monte
Carlo sampler with pseudo-marginal MCMC moves (resample-move SMC; Del Moral, Doucet &
Jasra 2006; Chopin 2002). The likelihood of a parameter set is estimated by one
simulation (:func:`log_likelihood` of its statistics); its expectation over the
simulator's randomness is the likelihood of the noise model, so the sampler targets
the exact posterior under the noise model. Stage by stage, the particles are
re-weighted from ``L^beta`` to ``L^beta'`` with ``beta'`` chosen so that the effective
sample size stays at ``Settings.target_ess`` of the population, resampled, and moved by
``Settings.moves`` random-walk Metropolis-Hastings steps (one simulation each) that
leave the tempered posterior invariant; ``beta`` reaches 1 (the posterior) at the last
stage. Importance weights never involve a proposal density, which in 12 dimensions made
the weights of the earlier ABC-SMC degenerate (``method = "pyabc"``, kept for comparison:
pyabc ABC-SMC with a stochastic acceptor and a temperature schedule).

pyabc is needed only for ``method = "pyabc"`` (``pip install -e '.[calibrate]'``).
This module does not draw figures (:mod:`adoption.calibration_report`) and does not
read the target and prior files (:mod:`adoption.targets`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr

from .calendar import format_month, parse_month
from .indicators import RATES
from .model import AdoptionModel
from .params import Params
from .posterior import POSTERIOR_FILE
from .profiles import load_profiles
from .rules import FILE_COUNTS
from .targets import Prior, load_priors, load_targets

#: Months in a reported rate of files: the texts report a year's files ("since the start of
#: the year", "to date"), so a file rate at report month m is the ratio of the 12 months to m.
REPORT_MONTHS = 12

#: Fewest effective (and distinct) particles a posterior is trusted with (Posterior.warning).
MIN_PARTICLES = 30
#: Contraction from which a parameter counts as identified by the data.
IDENTIFIED = 0.3

#: Samplers of :func:`calibrate` (``Settings.method``).
METHODS = ("smc", "pyabc")


@dataclass(frozen=True)
class Settings:
    """How a calibration is run. Every field is recorded with the posterior."""

    #: Particles.
    population_size: int = 150
    #: At most this many generations: the prior sample and then tempering stages. If the
    #: posterior (temperature 1) is not reached earlier, the last stage jumps to it, with
    #: whatever effective sample size that leaves (recorded in ``generations.csv``).
    max_generations: int = 8
    #: ``"smc"``: tempered SMC with MCMC moves (module docstring); ``"pyabc"``: pyabc's
    #: ABC-SMC with a stochastic acceptor, the earlier method, whose importance weights
    #: degenerated (effective sample size 5 of 150 in the shipped run of that method).
    method: str = "smc"
    #: Each stage raises the inverse temperature as far as keeps this share of the
    #: population as effective sample size (``"smc"``).
    target_ess: float = 0.5
    #: Metropolis-Hastings moves of every particle per stage, one simulation each
    #: (``"smc"``). The step size adapts towards an acceptance rate of 0.25.
    moves: int = 6
    #: ``"pyabc"`` only: stop when fewer proposals than this are accepted.
    min_acceptance_rate: float = 0.02
    #: Scale of communes without targets: they do not affect the targets (peer influence is
    #: within villages, desks have no capacity limit), so they are kept small.
    scale: float = 0.02
    target_communes_full_scale: bool = True
    #: Scale of every commune of a district that has a district-level target. At 0.1
    #: (villages of ~9 households) finite-size effects of village peer influence biased
    #: Trùng Khánh's cashless rate by -1.35 points (z = -5.2, calibration/scale_check.py).
    district_target_scale: float = 0.5
    seed: int = 20250601
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    scheduler: str | None = None
    reporting_sd: dict[str, float] = field(
        default_factory=lambda: {"point": 0.02, "approximate": 0.04, "lower_bound": 0.02}
    )
    #: ``"pyabc"`` only: pyabc re-weights a particle whose likelihood exceeds the running
    #: maximum by exp(excess / T); with a stochastic simulator that maximum is an extreme of
    #: simulation noise, and the re-weighting collapsed the effective sample size to ~2 of
    #: 150 in a first run; off, at the cost of a small bias against the highest likelihoods.
    importance_weighting: bool = False
    #: ``"pyabc"`` only: ``"fixed_iterations"`` (temperatures fall geometrically to 1 over
    #: ``max_generations``, pyabc's ExpDecayFixedIterScheme) or ``"ess"`` (pyabc's EssScheme).
    temperature_decay: str = "fixed_iterations"
    #: ``"pyabc"`` only: width of pyabc's Gaussian kernel proposal relative to its default.
    proposal_scaling: float = 1.5

    def __post_init__(self) -> None:
        from .errors import UserError

        if self.method not in METHODS:
            raise UserError("Settings", "method", f"{self.method!r}; allowed: {', '.join(METHODS)}")
        if not 0 < self.target_ess < 1:
            raise UserError("Settings", "target_ess", f"must be in (0, 1), got {self.target_ess}")
        if self.moves < 1:
            raise UserError("Settings", "moves", f"must be at least 1, got {self.moves}")
        if self.max_generations < 2 and self.method == "smc":
            raise UserError("Settings", "max_generations", "must be at least 2 (prior + 1 stage)")
        if self.max_generations < 1:
            raise UserError("Settings", "max_generations", "must be at least 1")
        if self.population_size < 2:
            problem = f"must be at least 2 particles, got {self.population_size}"
            raise UserError("Settings", "population_size", problem)
        for name in ("scale", "district_target_scale"):
            if not 0 < getattr(self, name) <= 1:
                raise UserError("Settings", name, f"must be in (0, 1], got {getattr(self, name)}")
        if not 0 <= self.seed < 2**63:
            raise UserError("Settings", "seed", f"must be an integer >= 0, got {self.seed}")
        if self.workers < 1:
            raise UserError("Settings", "workers", f"must be at least 1, got {self.workers}")

    def to_dict(self) -> dict:
        """Plain dict (for the record written next to the posterior)."""
        return asdict(self)


# -- statistics ---------------------------------------------------------------------------------


def report_months(target: pd.Series | dict) -> list[int]:
    """Months the target's report may refer to: its date interval (Mays only for a May figure)."""
    months = list(range(parse_month(target["date_start"]), parse_month(target["date_end"]) + 1))
    if target["aggregation"] == "mean_same_calendar_month":
        calendar_month = parse_month(target["date_start"]) % 12
        months = [m for m in months if m % 12 == calendar_month]
    return months


def statistics(model: AdoptionModel, targets: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each target's simulated value at each of its report months, and the real count behind it.

    Returns:
        ``{id: values}`` and ``{id + "/n": counts}``, arrays over :func:`report_months`.
        File rates are 12-month ratios of sums; stocks are end-of-month values; the app
        figure is one month's increase of the install rate. Counts are converted to
        the real (unscaled) place, for the sampling variance of the report.
    """
    data = model.datacollector.model_vars
    places = model.places
    first = int(model.months[0])
    out = {}
    for target in targets.itertuples(index=False):
        column = places.index[(places["place"] == target.place) & (places["level"] == target.level)]
        col = int(column[0])
        steps = np.array(report_months(target._asdict())) - first
        scale = _place_scale(model, target.place, target.level)
        values, counts = _series(data, target.indicator, col, steps)
        out[target.id] = values
        out[f"{target.id}/n"] = counts / scale
    return out


def _series(data: dict, indicator: str, col: int, steps: np.ndarray):
    def column(name: str) -> np.ndarray:
        return np.array([month[col] for month in data[name]], dtype=np.float64)

    if indicator in RATES and RATES[indicator][1] in FILE_COUNTS:  # a rate of monthly files
        numerator, denominator = RATES[indicator]
        num, den = np.cumsum(column(numerator)), np.cumsum(column(denominator))
        low = np.maximum(steps - REPORT_MONTHS, -1)
        num_w = num[steps] - np.where(low >= 0, num[np.maximum(low, 0)], 0)
        den_w = den[steps] - np.where(low >= 0, den[np.maximum(low, 0)], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den_w > 0, num_w / den_w, np.nan), den_w
    if indicator == "app_install_rate_increase_1m":
        rate = column("app_install_rate")
        before = np.where(steps > 0, rate[np.maximum(steps - 1, 0)], 0.0)
        return rate[steps] - before, column("citizens")[steps]
    denominator = RATES[indicator][1] if indicator in RATES else "households"
    return column(indicator)[steps], column(denominator)[steps]


def _place_scale(model: AdoptionModel, place: str, level: str) -> float:
    s = model.structure
    real = {c.name: c.households for p in model.profiles for c in p.communes}
    if level == "commune":
        return s.commune_size[s.commune_names.index(place)] / real[place]
    if level == "district":
        d = s.district_names.index(place)
        return s.district_size[d] / model.profiles[d].households
    return s.district_size.sum() / sum(p.households for p in model.profiles)


# -- noise model --------------------------------------------------------------------------------


def _pyabc():
    try:
        import pyabc
    except ImportError:  # pragma: no cover - depends on the install
        from .errors import UserError

        message = "not installed: pip install -e '.[calibrate]'"
        raise UserError("calibration", "pyabc", message) from None
    return pyabc


def log_likelihood(
    sim: dict[str, np.ndarray], targets: pd.DataFrame, reporting_sd: dict[str, float]
) -> float:
    """Log-likelihood of the reported figures given one simulation (the noise model).

    For a point or approximate figure ``y`` and a simulated rate ``s`` from ``n``
    real cases at report month ``m``: ``y ~ Normal(s, s(1-s)/n + tau^2)``, ``tau`` the
    reporting error of the figure's kind. For a lower bound ``y``: the probability
    that the reported rate exceeds ``y``. The report month is unknown: the
    likelihood is the mean over the target's report months.
    """
    total = 0.0
    for target in targets.itertuples(index=False):
        s, n = sim[target.id], sim[f"{target.id}/n"]
        ok = np.isfinite(s) & (n > 0)
        if not ok.any():
            return -np.inf
        s, n = s[ok], n[ok]
        tau = reporting_sd[target.kind]
        sd = np.sqrt(np.clip(s * (1 - s), 0, None) / n + tau**2)
        if target.kind == "lower_bound":
            like = ndtr((s - target.value) / sd)
        else:
            like = np.exp(-0.5 * ((target.value - s) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
        mean = like.mean()
        total += np.log(mean) if mean > 0 else -np.inf
    return float(total)


def max_log_likelihood(targets: pd.DataFrame, reporting_sd: dict[str, float]) -> float:
    """An upper bound of :func:`log_likelihood` (pyabc's ``pdf_max``)."""
    total = 0.0
    for target in targets.itertuples(index=False):
        if target.kind != "lower_bound":
            total += -np.log(reporting_sd[target.kind] * np.sqrt(2 * np.pi))
    return total


def make_kernel(targets: pd.DataFrame, reporting_sd: dict[str, float]):
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
            return log_likelihood(x, targets, reporting_sd)

    return ReportedRateKernel()


# -- simulator ----------------------------------------------------------------------------------


class Simulator:
    """``parameters -> statistics`` for the targets: a picklable function for pyabc or a pool.

    Simulates only the districts the targets are in, to the last target month,
    at ``settings.scale`` (target communes at full scale if so set), and
    releases each model after use.
    """

    def __init__(self, targets: pd.DataFrame, settings: Settings, base: Params | None = None):
        self.targets = targets.reset_index(drop=True)
        self.settings = settings
        self.base = base or Params()
        profiles = load_profiles()
        district_of = {c.name: p.name for p in profiles for c in p.communes}
        district_of.update({p.name: p.name for p in profiles})
        wanted = {district_of[place] for place in self.targets["place"]}
        self.profiles = [p for p in profiles if p.name in wanted]  # read once, not per run
        self.districts = [p.name for p in self.profiles]
        self.end = format_month(max(parse_month(d) for d in self.targets["date_end"]))
        district_targets = set(self.targets.loc[self.targets["level"] == "district", "place"])
        self.commune_scale = {
            commune.name: settings.district_target_scale
            for profile in self.profiles
            if profile.name in district_targets
            for commune in profile.communes
        }
        if settings.target_communes_full_scale:
            communes = self.targets.loc[self.targets["level"] == "commune", "place"]
            self.commune_scale.update(dict.fromkeys(communes, 1.0))

    def run(self, parameters: dict, seed: int) -> dict[str, np.ndarray]:
        """Statistics of one run with ``parameters`` (a subset of Params) and ``seed``."""
        params = self.base.replace(**{k: float(v) for k, v in parameters.items()})
        model = AdoptionModel(
            params,
            self.profiles,
            end=self.end,
            scale=self.settings.scale,
            commune_scale=self.commune_scale,
            rng=seed,
        )
        try:
            model.run_model()
            return statistics(model, self.targets)
        finally:
            model.release()

    def __call__(self, parameters: dict) -> dict[str, np.ndarray]:
        """The pyabc model interface: the seed comes from the worker's seeded NumPy state."""
        natural = to_natural(dict(parameters))
        return self.run(natural, int(np.random.randint(2**31 - 1)))


# -- ABC-SMC ------------------------------------------------------------------------------------


#: Log-uniform parameters are sampled as ``log10_<name>`` with a flat prior: pyabc's Gaussian
#: proposals in linear space against a 1/x prior density give degenerate importance weights.
LOG10 = "log10_"


def to_natural(parameters: dict) -> dict:
    """Parameters as pyabc samples them -> natural units (``log10_x`` -> ``x``)."""
    return {
        (k[len(LOG10) :] if k.startswith(LOG10) else k): (10**v if k.startswith(LOG10) else v)
        for k, v in parameters.items()
    }


def prior_distribution(priors: dict[str, Prior]):
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


@dataclass
class Posterior:
    """The last generation of an ABC-SMC run: particles, weights, and the run's record."""

    particles: pd.DataFrame  # one row per particle, one column per parameter
    weights: np.ndarray
    generations: pd.DataFrame  # per generation: epsilon (temperature), samples, ...
    settings: Settings
    db: str

    def sample_sizes(self) -> tuple[float, int]:
        """Final effective sample size and number of distinct particles."""
        ess = _ess(self.weights)
        if "ess" in self.generations and len(self.generations):
            ess = min(ess, float(self.generations["ess"].iloc[-1]))
        distinct = len(self.particles.drop_duplicates())
        return ess, distinct

    def warning(self) -> str | None:
        """Why this posterior cannot be trusted (too few effective or distinct particles), or None.

        Below :data:`MIN_PARTICLES` effective or distinct particles, a posterior variance
        has a relative sampling error above sqrt(2 / 29) = 0.26, as large as the contraction
        that counts as identification (0.3): a contraction near 1 then means "few particles",
        not "the data decide this parameter".
        """
        ess, distinct = self.sample_sizes()
        if min(ess, distinct) >= MIN_PARTICLES:
            return None
        return (
            f"degenerate posterior: final effective sample size {ess:.0f} and {distinct} distinct "
            f"particles of {len(self.particles)} (at least {MIN_PARTICLES} needed); its "
            "contractions say nothing about identification: run with more particles or "
            "generations"
        )

    def summary(self, priors: dict[str, Prior]) -> pd.DataFrame:
        """Per parameter: prior and posterior mean and sd, 5/50/95 % quantiles, contraction.

        ``contraction_se`` is the sampling error of the contraction from the effective
        sample size: a variance estimated from ESS particles has relative s.e. sqrt(2/(ESS-1)).
        ESS is that of the weights or, if smaller, that of the last generation's record (the
        SMC sampler's particles have equal weights after resampling, which overstates it).
        For a log-uniform prior the contraction is that of ``log10`` of the parameter
        (``contraction_scale``): in natural units the prior's variance is dominated by its
        top decade, so losing part of that tail alone looked like contraction.
        """
        ess = min(self.sample_sizes())
        relative_se = np.sqrt(2 / max(ess - 1, 1))
        trusted = self.warning() is None
        rows = []
        for name in self.particles.columns:
            x, w = self.particles[name].to_numpy(), self.weights
            mean = float(np.sum(w * x))
            var = float(np.sum(w * (x - mean) ** 2))
            prior = priors[name].frozen()
            q = _weighted_quantiles(x, w, [0.05, 0.5, 0.95])
            if priors[name].distribution == "loguniform":
                low, high = np.log10(priors[name].bounds)
                log_x = np.log10(x)
                log_mean = np.sum(w * log_x)
                ratio = float(np.sum(w * (log_x - log_mean) ** 2)) / ((high - low) ** 2 / 12)
            else:
                ratio = var / float(prior.var())
            rows.append(
                {
                    "parameter": name,
                    "prior_mean": float(prior.mean()),
                    "prior_sd": float(prior.std()),
                    "posterior_mean": mean,
                    "posterior_sd": var**0.5,
                    "q05": q[0],
                    "q50": q[1],
                    "q95": q[2],
                    "contraction": 1 - ratio,
                    "contraction_se": ratio * relative_se if trusted else np.nan,
                    "identified": bool(trusted and 1 - ratio >= IDENTIFIED),
                    "contraction_scale": (
                        "log10" if priors[name].distribution == "loguniform" else "linear"
                    ),
                }
            )
        return pd.DataFrame(rows)

    def mean_params(self, base: Params | None = None) -> Params:
        """Params with every calibrated parameter at its posterior mean."""
        means = {n: float(np.sum(self.weights * self.particles[n])) for n in self.particles}
        return (base or Params()).replace(**means)


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: list[float]) -> list[float]:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / np.sum(w)
    return [float(np.interp(q, cum, x[order])) for q in qs]


def calibrate(
    targets: pd.DataFrame | None = None,
    priors: dict[str, Prior] | None = None,
    settings: Settings | None = None,
    db: str | Path = "calibration/abc.db",
    resume: bool = False,
    progress: bool = True,
) -> Posterior:
    """Fit the model to the targets (tempered SMC, or pyabc ABC-SMC), or resume a run in ``db``.

    Args:
        targets: rows of :func:`adoption.targets.load_targets` (role ``target`` used).
        priors: from :func:`adoption.targets.load_priors`; the shipped files if None.
        settings: :class:`Settings`.
        db: SQLite database; every finished stage (generation) is kept there.
        resume: continue the last run in ``db`` instead of starting a new one.
        progress: show a progress bar over generations.

    Returns:
        The posterior of the last finished generation.
    """
    targets = load_targets() if targets is None else targets
    targets = targets[targets["role"] == "target"].reset_index(drop=True)
    priors = load_priors() if priors is None else priors
    settings = settings or Settings()
    if settings.method == "smc":
        return _calibrate_smc(targets, priors, settings, Path(db), resume, progress)
    return _calibrate_pyabc(targets, priors, settings, Path(db), resume, progress)


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
    import logging

    from tqdm.auto import tqdm

    done = abc.history.max_t + 1 if abc.history.max_t is not None else 0
    remaining = max(settings.max_generations - done, 0)
    bar = tqdm(total=settings.max_generations, initial=done, unit="gen", disable=not progress)

    class _Progress(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.startswith("t: "):
                bar.set_postfix_str(message.split(", ")[1].rstrip("."), refresh=True)
            elif message.startswith("Accepted: "):
                bar.update(1)
                bar.set_postfix_str(message.split(" = ")[1].rstrip("."), refresh=True)

    logger = logging.getLogger("ABC")
    saved = logger.handlers[:], logger.level, logger.propagate
    logger.handlers, logger.propagate = [_Progress()], False
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


def _ess(weights: np.ndarray) -> float:
    w = np.asarray(weights) / np.sum(weights)
    return float(1.0 / np.sum(w**2))


# -- tempered SMC with MCMC moves ---------------------------------------------------------------


class ParameterSpace:
    """The calibrated parameters on an unbounded scale: ``z = logit(F(x))``, ``F`` the prior CDF.

    Under the prior every ``z`` is independently standard logistic, whatever the prior's
    family, so the prior density is known in closed form; bounds disappear, so a Gaussian
    random walk needs no reflection, and a posterior piled against a bound becomes a tail.
    """

    def __init__(self, priors: dict[str, Prior]):
        self.names = list(priors)
        self._frozen = [priors[name].frozen() for name in self.names]

    def natural(self, z: np.ndarray) -> dict[str, float]:
        """One point ``z`` -> ``{parameter: value}`` in the parameters' own units."""
        u = np.clip(expit(np.asarray(z, dtype=np.float64)), 1e-15, 1 - 1e-15)
        return {n: float(f.ppf(v)) for n, f, v in zip(self.names, self._frozen, u, strict=True)}

    def natural_frame(self, z: np.ndarray) -> pd.DataFrame:
        """Points (rows of ``z``) -> a DataFrame with one column per parameter."""
        u = np.clip(expit(np.asarray(z, dtype=np.float64)), 1e-15, 1 - 1e-15)
        return pd.DataFrame(
            {
                n: f.ppf(u[:, j])
                for j, (n, f) in enumerate(zip(self.names, self._frozen, strict=True))
            }
        )

    @staticmethod
    def log_prior(z: np.ndarray) -> np.ndarray:
        """Log prior density of ``z`` (standard logistic in every coordinate), per row."""
        a = np.abs(np.asarray(z, dtype=np.float64))
        return np.sum(-a - 2 * np.log1p(np.exp(-a)), axis=-1)


class _LogLikelihood:
    """``(z, seed) -> log-likelihood`` of one simulation: picklable, for worker processes."""

    def __init__(self, targets: pd.DataFrame, settings: Settings, space: ParameterSpace):
        self.simulator = Simulator(targets, settings)
        self.space = space
        self.reporting_sd = settings.reporting_sd

    def __call__(self, job: tuple[np.ndarray, int]) -> float:
        z, seed = job
        stats = self.simulator.run(self.space.natural(z), int(seed))
        return log_likelihood(stats, self.simulator.targets, self.reporting_sd)


_WORKER_FUNCTION = None


def _set_worker_function(function) -> None:
    import signal
    import threading
    import time

    global _WORKER_FUNCTION
    _WORKER_FUNCTION = function
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the main process only
    parent = os.getppid()

    def exit_with_parent() -> None:  # a killed main process leaves no idle workers behind
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True).start()


def _call_worker_function(job):
    return _WORKER_FUNCTION(job)


class _Pool:
    """Maps a function over jobs: in this process, in local worker processes, or on Dask."""

    def __init__(self, function, settings: Settings):
        self.function, self._executor, self._client = function, None, None
        if settings.scheduler:
            from distributed import Client

            self._client = Client(settings.scheduler)
        elif settings.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Mesa sets the global start method to "spawn" on import; fork where there is
            # one, so workers inherit the simulator instead of re-importing everything.
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._executor = ProcessPoolExecutor(
                settings.workers,
                mp_context=context,
                initializer=_set_worker_function,
                initargs=(function,),
            )

    def map(self, jobs: list) -> np.ndarray:
        if self._client is not None:
            futures = self._client.map(self.function, jobs, pure=False)
            return np.array(self._client.gather(futures), dtype=np.float64)
        if self._executor is not None:
            return np.fromiter(
                self._executor.map(_call_worker_function, jobs, chunksize=2), np.float64
            )
        return np.array([self.function(job) for job in jobs], dtype=np.float64)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()


#: Columns of the per-generation record of the SMC sampler (``generations.csv``).
STAGE_COLUMNS = (
    "t",
    "beta",
    "epsilon",
    "ess",
    "unique_particles",
    "acceptance_rate",
    "samples",
    "wall_time",
    "population_end_time",
    "step_scale",
)


class _Store:
    """A run's generations in SQLite: one row per generation, one row per particle and generation.

    A generation's particles are written before its record, so a run interrupted
    mid-write resumes from the last generation whose record exists.
    """

    def __init__(self, path: Path, names: list[str]):
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(str(path))
        self.names = names
        self.columns = ", ".join(f'"z_{n}" REAL' for n in names)

    def reset(self) -> None:
        with self.connection as c:
            c.execute("DROP TABLE IF EXISTS smc_stages")
            c.execute("DROP TABLE IF EXISTS smc_particles")
            c.execute(f"CREATE TABLE smc_stages ({', '.join(STAGE_COLUMNS)})")
            c.execute(
                f"CREATE TABLE smc_particles (t INTEGER, particle INTEGER, loglik REAL, "
                f"{self.columns})"
            )

    def save(self, record: dict, z: np.ndarray, loglik: np.ndarray) -> None:
        t = int(record["t"])
        rows = [(t, i, float(loglik[i]), *map(float, z[i])) for i in range(len(z))]
        marks = ", ".join("?" * (3 + len(self.names)))
        with self.connection as c:
            c.execute("DELETE FROM smc_particles WHERE t >= ?", (t,))
            c.executemany(f"INSERT INTO smc_particles VALUES ({marks})", rows)
        with self.connection as c:
            values = [record[k] for k in STAGE_COLUMNS]
            c.execute(f"INSERT INTO smc_stages VALUES ({', '.join('?' * len(values))})", values)

    def load(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
        """The generations' records and the last generation's points and log-likelihoods."""
        try:
            stages = pd.read_sql("SELECT * FROM smc_stages ORDER BY t", self.connection)
        except Exception:  # noqa: BLE001 - no such table: nothing to resume
            return None
        if stages.empty:
            return None
        last = int(stages["t"].iloc[-1])
        particles = pd.read_sql(
            "SELECT * FROM smc_particles WHERE t = ? ORDER BY particle",
            self.connection,
            params=(last,),
        )
        columns = [f"z_{n}" for n in self.names]
        if list(particles.columns[3:]) != columns:
            from .errors import UserError

            raise UserError("--resume", "parameters", "the database was run with other priors")
        return stages, particles[columns].to_numpy(), particles["loglik"].to_numpy()

    def close(self) -> None:
        self.connection.close()


def _ess_log(log_weights: np.ndarray) -> float:
    finite = np.isfinite(log_weights)
    if not finite.any():
        return 0.0
    w = np.exp(log_weights[finite] - log_weights[finite].max())
    return float(w.sum() ** 2 / np.sum(w**2))


def _next_beta(loglik: np.ndarray, beta: float, target: float) -> float:
    """The largest inverse temperature <= 1 whose re-weighting keeps ESS >= ``target``."""
    increment = np.where(np.isfinite(loglik), loglik, -np.inf)
    if _ess_log((1.0 - beta) * increment) >= target:
        return 1.0
    low, high = beta, 1.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if _ess_log((mid - beta) * increment) >= target else (low, mid)
    return low


def _systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(weights)
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights / weights.sum()), positions), n - 1)


def _calibrate_smc(targets, priors, settings: Settings, db: Path, resume, progress) -> Posterior:
    """Tempered SMC with pseudo-marginal random-walk Metropolis-Hastings moves.

    Generation 0 samples the prior. Each later generation (stage) raises the inverse
    temperature ``beta`` as far as keeps an effective sample size of
    ``target_ess * population_size`` (to 1 at the last allowed generation), re-weights
    the particles by ``L^(beta' - beta)``, resamples them (systematic resampling) and
    moves every particle ``moves`` times: a Gaussian random-walk step in
    :class:`ParameterSpace` with the particles' covariance times ``(2.38 / sqrt(d))^2``
    and an adaptive factor, accepted with probability
    ``min(1, prior(z') L'^beta / (prior(z) L^beta))``. ``L`` is one simulation's
    likelihood, kept with its particle until a move is accepted (pseudo-marginal MCMC: the
    chain targets the posterior under the exact noise-model likelihood). Random numbers
    come from ``(seed, generation)``, so a resumed run, or one with any number of
    workers, gives the same particles as an uninterrupted one.
    """
    import time
    from datetime import datetime

    from tqdm.auto import tqdm

    space = ParameterSpace(priors)
    n, d = settings.population_size, len(space.names)
    store = _Store(db, space.names)
    state = store.load() if resume else None
    if resume and state is None:
        from .errors import UserError

        raise UserError(db, "--resume", "no SMC run in this database to resume")
    if not resume:
        store.reset()
    records = state[0].to_dict("records") if state else []
    done = len(records)
    bar = tqdm(total=settings.max_generations, initial=done, unit="gen", disable=not progress)
    function = _LogLikelihood(targets, settings, space)
    try:
        with _Pool(function, settings) as pool:

            def simulate(z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
                seeds = rng.integers(2**31 - 1, size=len(z))
                return pool.map(list(zip(z, seeds, strict=True)))

            if state is None:
                start = time.perf_counter()
                rng = np.random.default_rng([settings.seed, 0])
                z = rng.logistic(size=(n, d))
                loglik = simulate(z, rng)
                if not np.isfinite(loglik).any():
                    raise RuntimeError("no prior simulation has a finite likelihood")
                record = _stage_record(0, 0.0, float(n), z, np.nan, n, start, 1.0, datetime)
                store.save(record, z, loglik)
                records.append(record)
                bar.update(1)
            else:
                z, loglik = state[1], state[2]
            beta, scale = float(records[-1]["beta"]), float(records[-1]["step_scale"])
            t = int(records[-1]["t"])
            while beta < 1.0:
                t += 1
                start = time.perf_counter()
                rng = np.random.default_rng([settings.seed, t])
                if t >= settings.max_generations - 1:
                    new_beta = 1.0
                else:
                    new_beta = _next_beta(loglik, beta, settings.target_ess * n)
                log_w = (new_beta - beta) * np.where(np.isfinite(loglik), loglik, -np.inf)
                ess = _ess_log(log_w)
                w = np.exp(log_w - np.max(log_w))
                beta = new_beta
                keep = _systematic_resample(w, rng)
                z, loglik = z[keep], loglik[keep]
                cov = np.atleast_2d(np.cov(z.T)) + 1e-9 * np.eye(d)
                accepted = []
                for _ in range(settings.moves):
                    step = 2.38 / np.sqrt(d) * scale
                    proposal = z + rng.multivariate_normal(np.zeros(d), cov * step**2, size=n)
                    proposed = simulate(proposal, rng)
                    with np.errstate(invalid="ignore"):
                        log_ratio = (
                            space.log_prior(proposal)
                            + beta * proposed
                            - space.log_prior(z)
                            - beta * loglik
                        )
                    take = np.isfinite(proposed) & (
                        np.log(rng.random(n)) < np.nan_to_num(log_ratio, nan=np.inf)
                    )
                    z, loglik = (
                        np.where(take[:, None], proposal, z),
                        np.where(take, proposed, loglik),
                    )
                    accepted.append(take.mean())
                    scale *= np.exp(take.mean() - 0.25)  # towards 25 % acceptance
                record = _stage_record(
                    t,
                    beta,
                    ess,
                    z,
                    float(np.mean(accepted)),
                    n * settings.moves,
                    start,
                    scale,
                    datetime,
                )
                store.save(record, z, loglik)
                records.append(record)
                bar.update(1)
                bar.set_postfix_str(f"beta={beta:.3g}, ESS={ess:.0f}", refresh=True)
    finally:
        bar.close()
        store.close()
    generations = pd.DataFrame(records)
    generations["particles"] = n
    particles = space.natural_frame(z)
    return Posterior(particles, np.full(n, 1.0 / n), generations, settings, str(db))


def _stage_record(t, beta, ess, z, acceptance, samples, start, scale, datetime) -> dict:
    import time

    return {
        "t": t,
        "beta": beta,
        "epsilon": 1.0 / beta if beta > 0 else np.inf,
        "ess": ess,
        "unique_particles": len(np.unique(z, axis=0)),
        "acceptance_rate": acceptance,
        "samples": samples,
        "wall_time": time.perf_counter() - start,
        "population_end_time": datetime.now().isoformat(sep=" "),
        "step_scale": scale,
    }


# -- recovery check -----------------------------------------------------------------------------


def synthetic_targets(
    targets: pd.DataFrame, parameters: dict, settings: Settings, seed: int
) -> pd.DataFrame:
    """Targets whose values are the model's own at ``parameters`` (for recovery checks).

    Each value is the simulated statistic at a report month drawn from the target's
    interval, plus the noise model's error, so that a calibration to them faces the
    same observation process as one to the real figures. Bounds become points.
    """
    rng = np.random.default_rng(seed)
    stats = Simulator(targets, settings).run(parameters, seed)
    out = targets.copy()
    for i, target in enumerate(targets.itertuples(index=False)):
        values, counts = stats[target.id], stats[f"{target.id}/n"]
        m = rng.integers(len(values))
        kind = "point" if target.kind == "lower_bound" else target.kind
        tau = settings.reporting_sd[kind]
        sd = np.sqrt(max(values[m] * (1 - values[m]), 0) / max(counts[m], 1) + tau**2)
        out.loc[out.index[i], "value"] = float(
            np.clip(values[m] + sd * rng.standard_normal(), 0, 1)
        )
        out.loc[out.index[i], "kind"] = kind
    return out


# -- the shipped posterior ----------------------------------------------------------------------


def save_posterior(posterior: Posterior, priors: dict[str, Prior], folder: str | Path) -> None:
    """Write the posterior, its summary, the per-generation record and the settings.

    Files: ``posterior.csv`` (particles with weights), ``posterior_summary.csv``,
    ``generations.csv`` and ``calibration.toml`` (settings, seed, database, version).
    Each file is written whole or not at all.
    """
    from . import __version__
    from .files import write_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = posterior.particles.assign(weight=posterior.weights / posterior.weights.sum())
    write_atomic(folder / POSTERIOR_FILE, lambda tmp: table.to_csv(tmp, index=False))
    summary = posterior.summary(priors)
    write_atomic(folder / "posterior_summary.csv", lambda t: summary.to_csv(t, index=False))
    gens = posterior.generations
    write_atomic(folder / "generations.csv", lambda tmp: gens.to_csv(tmp, index=False))
    ess, distinct = posterior.sample_sizes()
    record = {
        "adoption_version": __version__,
        "database": posterior.db,
        "final_ess": round(ess, 1),
        "distinct_particles": distinct,
        "warning": posterior.warning() or "",
    }
    record.update(posterior.settings.to_dict())
    text = "# Settings that regenerate posterior.csv: adoption calibrate with these values.\n"
    text += "\n".join(f"{k} = {_toml_value(v)}" for k, v in record.items() if k != "reporting_sd")
    text += "\n\n[reporting_sd]\n"
    text += "\n".join(f"{k} = {v}" for k, v in posterior.settings.reporting_sd.items()) + "\n"
    write_atomic(folder / "calibration.toml", lambda tmp: Path(tmp).write_text(text, "utf-8"))


def _toml_value(value) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
