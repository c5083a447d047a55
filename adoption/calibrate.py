"""Calibration: ABC-SMC (pyabc) of the model to the rates the districts reported.

The pieces, in the order they are used:

- :class:`Settings` - population size, generations, the simulation scale, the seed,
  the reporting error of each kind of figure, workers or a Dask scheduler;
- :func:`statistics` - from one finished model, each target's simulated value at
  every month its report may refer to, with the count behind it;
- :class:`ReportedRateKernel` - the noise model: a reported rate is a survey-like
  observation of the simulated rate (binomial sampling variance of the real
  count plus a reporting error), one-sided for bounds ("> 25 %"), averaged over
  the months of its date interval (the texts carry no dates);
- :class:`Simulator` - a picklable ``parameters -> statistics`` function for pyabc;
- :func:`calibrate` - runs (or resumes) ABC-SMC generation by generation with a
  progress display, keeps every finished generation in pyabc's database, and
  returns the :class:`Posterior`.

pyabc is an optional dependency (``pip install -e '.[calibrate]'``). This module
does not draw figures (:mod:`adoption.calibration_report`) and does not read
the target and prior files (:mod:`adoption.targets`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

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


@dataclass(frozen=True)
class Settings:
    """How a calibration is run. Every field is recorded with the posterior."""

    population_size: int = 150
    max_generations: int = 8
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
    #: pyabc re-weights a particle whose likelihood exceeds the running maximum by
    #: exp(excess / T). With a stochastic simulator that maximum is an extreme of simulation
    #: noise, and the re-weighting collapsed the effective sample size to ~2 of 150 in a first
    #: run; off by default, at the cost of a small bias against the very highest likelihoods.
    importance_weighting: bool = False
    #: Temperatures fall geometrically over ``max_generations`` to 1 (pyabc's
    #: ExpDecayFixedIterScheme); the adaptive default jumped from 2.4 to 1 in one generation
    #: and left an effective sample size of 3 of 150.
    temperature_decay: str = "fixed_iterations"
    #: Width of pyabc's Gaussian proposal relative to its default bandwidth (wider = flatter
    #: importance weights, lower acceptance).
    proposal_scaling: float = 1.5

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

    def summary(self, priors: dict[str, Prior]) -> pd.DataFrame:
        """Per parameter: prior and posterior mean and sd, 5/50/95 % quantiles, contraction.

        ``contraction_se`` is the sampling error of the contraction from the effective
        sample size: a variance estimated from ESS particles has relative s.e. sqrt(2/(ESS-1)).
        """
        ess = _ess(self.weights)
        relative_se = np.sqrt(2 / max(ess - 1, 1))
        rows = []
        for name in self.particles.columns:
            x, w = self.particles[name].to_numpy(), self.weights
            mean = float(np.sum(w * x))
            var = float(np.sum(w * (x - mean) ** 2))
            prior = priors[name].frozen()
            q = _weighted_quantiles(x, w, [0.05, 0.5, 0.95])
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
                    "contraction": 1 - var / float(prior.var()),
                    "contraction_se": var / float(prior.var()) * relative_se,
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
    """Run ABC-SMC of the model to the targets, or resume a run kept in ``db``.

    Args:
        targets: rows of :func:`adoption.targets.load_targets` (role ``target`` used).
        priors: from :func:`adoption.targets.load_priors`; the shipped files if None.
        settings: :class:`Settings`.
        db: pyabc's SQLite database; every finished generation is kept there.
        resume: continue the last run in ``db`` instead of starting a new one.
        progress: show a progress bar over generations.

    Returns:
        The posterior of the last finished generation.
    """
    pyabc = _pyabc()
    targets = load_targets() if targets is None else targets
    targets = targets[targets["role"] == "target"].reset_index(drop=True)
    priors = load_priors() if priors is None else priors
    settings = settings or Settings()
    np.random.seed(settings.seed)
    simulator = Simulator(targets, settings)
    abc = pyabc.ABCSMC(
        simulator,
        prior_distribution(priors),
        make_kernel(targets, settings.reporting_sd),
        population_size=settings.population_size,
        eps=pyabc.Temperature(schemes=[pyabc.ExpDecayFixedIterScheme()]),
        transitions=pyabc.MultivariateNormalTransition(scaling=settings.proposal_scaling),
        acceptor=pyabc.StochasticAcceptor(
            pdf_norm_method=pyabc.acceptor.pdf_norm_max_found,
            apply_importance_weighting=settings.importance_weighting,
        ),
        sampler=_sampler(settings),
    )
    url = "sqlite:///" + str(Path(db).resolve())
    if resume:
        abc.load(url)
    else:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        abc.new(url, observed(targets))
    history = _run_generations(abc, settings, progress)
    return _posterior(history, settings, str(db))


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
    record = {"adoption_version": __version__, "database": posterior.db}
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
