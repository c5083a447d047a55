"""Forecast ensembles: a scenario run over posterior draws and seeds, summarised.

An ensemble of a scenario is ``runs`` model runs; run ``r`` uses posterior
particle ``draw[r]`` (drawn with the particles' weights) and seed ``seed[r]``,
both derived from the scenario's ``seed`` alone (:func:`plan`). Two scenarios
with the same seed and number of runs therefore use the same draws and seeds,
and every stochastic process of the model draws from its own stream: their
run-by-run difference shows the levers, not noise (common random numbers).

Runs are independent tasks (:func:`run_one`, a plain picklable function) on
local processes (``workers``) or a Dask cluster (``scheduler``). Each finished
run is saved as one ``.npy`` file in a cache folder named by a hash of
everything that determines it, so an interrupted ensemble keeps its finished
runs and the same command picks up where it stopped. A run's result depends on
its task only, so the ensemble is identical whatever the number of workers.

Summaries (:func:`summarise`, :func:`differences`, :func:`costs`) are tidy
tables with the median, mean and 50 %/90 % intervals over runs.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, runcache
from .calendar import format_month, month_range, parse_month, to_timestamps
from .errors import RunError
from .indicators import RATES
from .interventions import Intervention
from .params import Params
from .posterior import CALIBRATION_DIR, POSTERIOR_FILE, load_posterior
from .scenario import Scenario

#: Rates derived from household counts: indicator -> (numerator, denominator).
DERIVED_RATES: dict[str, tuple[str, str]] = {
    "smartphone_rate": ("households_smartphone", "households"),
    "account_rate": ("households_account", "households"),
    "any_service_rate": ("households_any", "households"),
}
#: Indicators an ensemble keeps, per run, month and place.
INDICATORS: tuple[str, ...] = (
    *RATES,
    "procedures_online_share",
    *DERIVED_RATES,
    "households_online",
    "households_app",
    "households_cashless",
    "households_any",
    "households",
    "files_online",
    "cost_vnd",
)
#: Counts of simulated households and files (scaled to real ones in the summaries).
REAL_COUNTS = ("households_online", "households_app", "households_cashless",
                    "households_any", "households", "files_online")  # fmt: skip
#: Quantiles reported, and their column names.
QUANTILES: dict[str, float] = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}
#: Adoption counts costed per additional household: service -> name in the measure.
SERVICES: dict[str, str] = {
    "any": "household",
    "online": "online_filer",
    "app": "app_household",
    "cashless": "cashless_household",
}
#: Months at which costs per additional household are reported (if within the period).
COST_DATES = ("2025-12", "2030-12")


@dataclass(frozen=True)
class RunTask:
    """Everything one run needs; a run's result depends on nothing else."""

    index: int
    draw: int  # posterior particle (-1: no posterior)
    seed: int
    params: dict
    districts: tuple[str, ...] | None
    start: str
    end: str
    scale: float
    profile: str | None
    interventions: tuple[Intervention, ...]


def plan(scenario: Scenario, posterior: pd.DataFrame | None = None) -> list[RunTask]:
    """The runs of a scenario's ensemble: a posterior draw and a seed for each.

    Draws and seeds come from ``scenario.seed`` only (not from the levers), so
    scenarios that share seed and runs share them too.

    Args:
        scenario: a checked scenario.
        posterior: particles and ``weight`` (the shipped posterior if None and the
            scenario asks for it).
    """
    root = np.random.SeedSequence(scenario.seed)
    draw_seq, seed_seq = root.spawn(2)
    seeds = [int(s.generate_state(1, np.uint64)[0]) for s in seed_seq.spawn(scenario.runs)]
    if scenario.parameters == "posterior":
        table = load_posterior() if posterior is None else posterior
    else:
        table = None
    if table is None:
        draws = np.full(scenario.runs, -1)
        base = Params() if scenario.parameters == "defaults" else scenario.params
        values = [asdict(base.replace(**scenario.overrides))] * scenario.runs
    else:
        weights = table["weight"].to_numpy(dtype=float)
        rng = np.random.Generator(np.random.SFC64(draw_seq))
        draws = rng.choice(len(table), size=scenario.runs, p=weights / weights.sum())
        particles = table.drop(columns="weight")
        values = [  # the scenario's [params] override the particle's values
            asdict(Params().replace(**{**particles.iloc[d].to_dict(), **scenario.overrides}))
            for d in draws
        ]
    return [
        RunTask(
            index=r,
            draw=int(draws[r]),
            seed=seeds[r],
            params=values[r],
            districts=tuple(scenario.districts) if scenario.districts else None,
            start=scenario.start,
            end=scenario.end,
            scale=scenario.scale,
            profile=str(scenario.profile) if scenario.profile else None,
            interventions=tuple(scenario.interventions),
        )
        for r in range(scenario.runs)
    ]


_PROFILES: dict = {}


def _profiles(profile: str | None, districts: tuple[str, ...] | None):
    """District profiles, read once per process."""
    from .profiles import load_profiles

    key = (profile, districts)
    if key not in _PROFILES:
        _PROFILES[key] = load_profiles(profile, list(districts) if districts else None)
    return _PROFILES[key]


def run_one(task: RunTask) -> np.ndarray:
    """Run one member of an ensemble.

    Returns:
        float32 array ``(months, places, len(INDICATORS))``.
    """
    from .model import AdoptionModel

    model = AdoptionModel(
        Params(**task.params),
        _profiles(task.profile, task.districts),
        start=task.start,
        end=task.end,
        scale=task.scale,
        interventions=list(task.interventions),
        rng=task.seed,
    )
    model.run_model()
    values = extract(model)
    model.release()
    return values


def extract(model) -> np.ndarray:
    """The :data:`INDICATORS` of a finished model as ``(months, places, indicators)``."""
    data = model.datacollector.model_vars
    out = np.empty((len(data["cost_vnd"]), len(model.places), len(INDICATORS)), np.float32)
    for k, name in enumerate(INDICATORS):
        if name in DERIVED_RATES:
            num, den = (np.asarray(data[c], dtype=np.float64) for c in DERIVED_RATES[name])
            with np.errstate(invalid="ignore", divide="ignore"):
                out[:, :, k] = np.where(den > 0, num / np.maximum(den, 1e-300), np.nan)
        else:
            out[:, :, k] = np.asarray(data[name], dtype=np.float64)
    return out


def places(scenario: Scenario) -> pd.DataFrame:
    """The place table (place, level, district) of a scenario's runs, in run order."""
    from .model import place_table
    from .population import build_structure

    profiles = _profiles(
        str(scenario.profile) if scenario.profile else None,
        tuple(scenario.districts) if scenario.districts else None,
    )
    return place_table(build_structure(profiles, 0.001))


def cache_key(scenario: Scenario, tasks: list[RunTask] | None = None) -> str:
    """Hash of everything that determines a scenario's runs.

    The runs' tasks (parameters, levers, draws, seeds, period, scale), the indicators
    kept, the code and data of the package (:func:`adoption.runcache.fingerprint`), the
    user's profile file and the posterior file. ``tasks``: the scenario's :func:`plan`,
    if already made.
    """
    posterior = CALIBRATION_DIR / POSTERIOR_FILE
    data = {
        "version": __version__,
        "code": runcache.fingerprint(),
        "indicators": INDICATORS,
        "runs": [asdict(t) for t in (tasks if tasks is not None else plan(scenario))],
        "profile": runcache.file_hash(scenario.profile) if scenario.profile else "shipped",
        "posterior": runcache.file_hash(posterior) if posterior.is_file() else None,
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Ensemble:
    """The runs of one scenario: values ``(runs, months, places, indicators)`` and labels."""

    scenario: Scenario
    tasks: list[RunTask]
    values: np.ndarray
    months: np.ndarray
    places: pd.DataFrame
    folder: Path

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name


def run_ensemble(
    scenario: Scenario,
    cache: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    label: str | None = None,
) -> Ensemble:
    """Run (or finish) a scenario's ensemble, keeping each run in ``cache``.

    Args:
        scenario: a checked scenario.
        cache: folder for finished runs (one sub-folder per :func:`cache_key`).
        workers: local processes (default: all cores); 1 runs in this process.
        scheduler: address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
        progress: show a progress bar.
        label: text of the progress bar.

    Returns:
        The :class:`Ensemble`. Interrupted (Ctrl-C), it raises ``KeyboardInterrupt``
        after saving every finished run.
    """
    tasks = plan(scenario)
    folder = Path(cache) / f"{_slug(scenario.name)}-{cache_key(scenario, tasks)}"
    folder.mkdir(parents=True, exist_ok=True)
    months = month_range(scenario.start, scenario.end)
    where = places(scenario)
    shape = (len(months), len(where), len(INDICATORS))
    runs = {t.index: runcache.load(folder, t.index, shape) for t in tasks}
    todo = [t for t in tasks if runs[t.index] is None]
    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(tasks),
        initial=len(tasks) - len(todo),
        unit="run",
        desc=label or scenario.name,
        disable=not progress,
    )
    try:
        for task, values in _execute(todo, workers, scheduler, folder):
            runcache.save(folder, task.index, values)
            runs[task.index] = values
            bar.update()
    finally:
        bar.close()
    values = np.stack([runs[t.index] for t in tasks])
    return Ensemble(scenario, tasks, values, months, where, folder)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:40] or "scenario"


def _execute(
    tasks: list[RunTask], workers: int | None, scheduler: str | None, folder: Path
) -> Iterable:
    """Yield ``(task, values)`` as runs finish, on Dask, local processes or in-process.

    Raises:
        RunError: if a worker process dies (killed, out of memory); finished runs are kept.
    """
    if not tasks:
        return
    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler) as client:
            futures = {client.submit(run_one, t, pure=False): t for t in tasks}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:
                client.cancel(list(futures))
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        for task in tasks:
            yield task, run_one(task)
        return
    # Mesa 3.3 sets the global start method to "spawn" on import (mesa.batchrunner);
    # fork where there is one, so workers do not re-import Mesa and the package.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupt
    ) as pool:
        pending = {}
        queue = iter(tasks)
        try:
            for task in queue:  # keep 2 tasks per worker in flight
                pending[pool.submit(run_one, task)] = task
                if len(pending) >= 2 * workers:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        values = future.result()
                    except BrokenProcessPool:
                        raise RunError(
                            "a worker process ended abruptly (killed, or out of memory); the "
                            f"runs finished so far are kept in {folder}: run the same command "
                            "again to continue"
                        ) from None
                    yield task, values
                    following = next(queue, None)
                    if following is not None:
                        pending[pool.submit(run_one, following)] = following
        finally:
            for future in pending:
                future.cancel()


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which saves finished runs and cancels the rest."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


# -- summaries ----------------------------------------------------------------------------------


def quantiles(values: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """The :data:`QUANTILES` and the mean over ``axis``, ignoring NaN (linear interpolation)."""
    ordered = np.sort(np.moveaxis(values, axis, 0), axis=0)  # NaN sort last
    n = np.sum(~np.isnan(ordered), axis=0)
    out = {}
    with np.errstate(invalid="ignore"):  # inf - inf where a run is unbounded
        for name, q in QUANTILES.items():
            out[name] = _quantile(ordered, n, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean"] = np.where(n > 0, np.nansum(ordered, axis=0) / np.maximum(n, 1), np.nan)
    return out


def _quantile(ordered: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of the first axis of sorted ``ordered`` with ``n`` non-NaN values."""
    position = q * np.maximum(n - 1, 0)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, np.maximum(n - 1, 0))
    frac = (position - low).astype(ordered.dtype)
    a = np.take_along_axis(ordered, low[None], axis=0)[0]
    b = np.take_along_axis(ordered, high[None], axis=0)[0]
    return np.where(n > 0, np.where(frac == 0, a, a + (b - a) * frac), np.nan)


def _real(ensemble: Ensemble, values: np.ndarray) -> np.ndarray:
    """Scale household and file counts, and nothing else, to real ones (divide by the scale)."""
    scale = np.ones(len(INDICATORS), np.float32)
    for name in REAL_COUNTS:
        scale[INDICATORS.index(name)] = 1 / ensemble.scenario.scale
    return values * scale


def _table(ensemble: Ensemble, stats: dict[str, np.ndarray], **columns) -> pd.DataFrame:
    """Long table of per-(month, place, indicator) statistics."""
    months, places_ = ensemble.months, ensemble.places
    n_t, n_p, n_k = len(months), len(places_), len(INDICATORS)
    frame = pd.DataFrame(
        {
            **columns,
            "date": np.repeat(to_timestamps(months).values, n_p * n_k),
            "place": np.tile(np.repeat(places_["place"].values, n_k), n_t),
            "level": np.tile(np.repeat(places_["level"].values, n_k), n_t),
            "district": np.tile(np.repeat(places_["district"].values, n_k), n_t),
            "indicator": np.tile(np.array(INDICATORS, dtype=object), n_t * n_p),
            "runs": len(ensemble.tasks),
            **{name: stats[name].astype(np.float64).ravel() for name in ("mean", *QUANTILES)},
        }
    )
    return frame


def summarise(ensemble: Ensemble) -> pd.DataFrame:
    """Tidy forecast: one row per month x place x indicator, with mean, median and intervals.

    Columns: ``scenario, date, place, level, district, indicator, runs, mean,
    q05, q25, median, q75, q95`` (household counts in real households).
    """
    stats = quantiles(_real(ensemble, ensemble.values))
    return _table(ensemble, stats, scenario=ensemble.name)


def _check_paired(a: Ensemble, b: Ensemble) -> None:
    same = [t.seed for t in a.tasks] == [t.seed for t in b.tasks] and [t.draw for t in a.tasks] == [
        t.draw for t in b.tasks
    ]
    if not same or a.values.shape != b.values.shape:
        raise ValueError(
            f"{a.name!r} and {b.name!r} are not paired: they need the same seed, runs, "
            "period, districts, scale and parameter source"
        )


def differences(scenario: Ensemble, versus: Ensemble) -> pd.DataFrame:
    """Paired differences ``scenario - versus``, run by run, summarised like :func:`summarise`.

    Both ensembles must share draws and seeds (same seed, runs, period, places):
    the difference of each pair of runs is then the effect of the levers alone.
    """
    _check_paired(scenario, versus)
    diff = _real(scenario, scenario.values) - _real(versus, versus.values)
    stats = quantiles(diff)
    table = _table(scenario, stats, scenario=scenario.name)
    table.insert(1, "versus", versus.name)
    return table


def costs(scenario: Ensemble, versus: Ensemble, dates: Iterable[str] | None = None) -> pd.DataFrame:
    """Cost and cost per additional adopting household, against ``versus``, per place.

    ``dates`` default to :data:`COST_DATES` within the period and the period's
    last month. An *adopting household* uses at least one of online filing, the citizen app
    and cashless bills (``households_any``). For each run ``r`` and date:
    additional cost = cost_r(scenario) - cost_r(versus) (VND, cumulative since
    the start of the period), additional households = households_any_r(scenario)
    - households_any_r(versus), and their ratio. A run whose levers add no
    household has an unbounded ratio (counted as +inf); a quantile that falls
    on such runs is reported as NaN (unbounded), never as a number.

    The same is reported for each service alone (online filers, app households,
    cashless households): a lever can add online filers without adding
    households that use *some* service. Office levers add online *files*
    rather than households: ``additional_online_files`` (cumulative since the
    start of the period) and ``cost_per_additional_online_file_vnd``.

    Returns:
        Long table ``scenario, versus, date, place, level, district, measure, mean,
        q05, q25, median, q75, q95, runs`` with measures ``cost_vnd``,
        ``additional_cost_vnd``, ``additional_households_{any,online,app,cashless}``,
        ``cost_per_additional_household_vnd`` (any service),
        ``cost_per_additional_online_filer_vnd``, ``..._app_household_vnd`` and
        ``..._cashless_household_vnd``.
    """
    _check_paired(scenario, versus)
    if dates is None:  # 2025-12 and 2030-12 where in the period, and the period's last month
        dates = [*COST_DATES, format_month(int(scenario.months[-1]))]
    dates = list(dict.fromkeys(dates))
    k_cost = INDICATORS.index("cost_vnd")
    a, b = _real(scenario, scenario.values), _real(versus, versus.values)
    rows = []
    for date in dates:
        month = parse_month(date)
        if month not in scenario.months:
            continue
        t = int(np.flatnonzero(scenario.months == month)[0])
        cost = a[:, t, :, k_cost].astype(np.float64)
        extra_cost = cost - b[:, t, :, k_cost]
        measures = {"cost_vnd": cost, "additional_cost_vnd": extra_cost}
        for service, suffix in SERVICES.items():
            k = INDICATORS.index(f"households_{service}")
            extra = (a[:, t, :, k] - b[:, t, :, k]).astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(extra > 0, extra_cost / np.where(extra > 0, extra, 1), np.inf)
            measures[f"additional_households_{service}"] = extra
            measures[f"cost_per_additional_{suffix}_vnd"] = ratio
        k = INDICATORS.index("files_online")  # office levers add online files, not households
        files = (a[:, : t + 1, :, k].astype(np.float64) - b[:, : t + 1, :, k]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(files > 0, extra_cost / np.where(files > 0, files, 1), np.inf)
        measures["additional_online_files"] = files
        measures["cost_per_additional_online_file_vnd"] = ratio
        for measure, values in measures.items():
            stats = quantiles(values)
            if measure.startswith("cost_per"):
                stats["mean"] = np.where(np.isinf(values).any(axis=0), np.nan, stats["mean"])
            frame = scenario.places.copy()
            frame.insert(0, "measure", measure)
            frame.insert(0, "date", pd.Timestamp(format_month(month) + "-01"))
            frame.insert(0, "versus", versus.name)
            frame.insert(0, "scenario", scenario.name)
            for name in ("mean", *QUANTILES):
                column = stats[name].astype(np.float64)
                frame[name] = np.where(np.isfinite(column), column, np.nan)
            frame["runs"] = len(scenario.tasks)
            rows.append(frame)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
