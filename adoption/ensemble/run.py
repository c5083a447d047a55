"""Running a forecast ensemble: batches of runs on workers, kept in the run cache, resumable.

:func:`run_batch` is a plain picklable function of some :class:`~.plan.RunTask`: it steps
them as one :class:`~adoption.model.batch.BatchModel` (as many runs per batch as
:func:`adoption.model.sizes.batch_runs` says; at full scale, one), and each run's values
are the run's alone, whatever batch it is in. Batches go to local processes or a Dask
cluster through :class:`adoption.pool.Pool`. Each
finished run is kept by :mod:`adoption.ensemble.cache`, so an interrupted ensemble keeps its
finished runs and the same command picks up where it stopped. A run's result depends
on its task only, so the ensemble is identical whatever the number of workers.

This module runs; summaries are :mod:`adoption.ensemble.summaries`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calendar import month_range
from adoption.ensemble import cache as runcache
from adoption.ensemble.plan import RunTask, cache_key, households, places, plan
from adoption.model.batch import BatchModel
from adoption.model.indicators import FORECAST
from adoption.model.model import AdoptionModel
from adoption.model.sizes import batch_runs
from adoption.pool import Pool, bar_disabled, local_workers
from adoption.scenarios.scenario import Scenario


def run_one(task: RunTask) -> np.ndarray:
    """Run one member of an ensemble.

    Returns:
        float32 array ``(months, places, len(FORECAST))``.
    """
    model = AdoptionModel(spec=task.spec())
    model.run_model()
    values = extract(model)
    model.release()
    return values


def run_batch(tasks: tuple[RunTask, ...]) -> list[np.ndarray]:
    """Run members of an ensemble as one batch; each run's values as :func:`run_one` gives them."""
    if len(tasks) == 1:
        return [run_one(tasks[0])]
    model = BatchModel([task.spec() for task in tasks])
    model.run_model()
    values = [trace.copy() for trace in model.traces()]
    model.release()
    return values


def extract(model) -> np.ndarray:
    """The :data:`~adoption.model.indicators.FORECAST` indicators of a finished model.

    Returns:
        float32 array ``(months, places, indicators)``, counts in real units.
    """
    if model.record != "all":
        return model.trace[: model.steps].copy()
    data = model.datacollector.model_vars
    out = np.empty((len(data["cost_vnd"]), len(model.places), len(FORECAST)), np.float32)
    for k, name in enumerate(FORECAST):
        out[:, :, k] = np.asarray(data[name], dtype=np.float64)
    return out


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
    on_run: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run (or finish) a scenario's ensemble, keeping each run in ``cache``.

    Args:
        scenario: a checked scenario.
        cache: folder for finished runs (one sub-folder per :func:`cache_key`).
        workers: local processes (default: all cores); 1 runs in this process.
        scheduler: address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
        progress: show a progress bar.
        label: text of the progress bar.
        on_run: called with (runs finished, runs) after each run (the dashboard's bar).

    Returns:
        The :class:`Ensemble`. Interrupted (Ctrl-C), it raises ``KeyboardInterrupt``
        after saving every finished run.
    """
    tasks = plan(scenario)
    folder = Path(cache) / f"{slug(scenario.name)}-{cache_key(scenario, tasks)}"
    folder.mkdir(parents=True, exist_ok=True)
    months = month_range(scenario.start, scenario.end)
    where = places(scenario)
    shape = (len(months), len(where), len(FORECAST))
    runs = {t.index: runcache.load(folder, t.index, shape) for t in tasks}
    todo = [t for t in tasks if runs[t.index] is None]
    size = batch_runs(households(scenario), len(todo), 1 if scheduler else local_workers(workers))
    batches = [tuple(todo[i : i + size]) for i in range(0, len(todo), size)]
    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(tasks),
        initial=len(tasks) - len(todo),
        unit="run",
        desc=label or scenario.name,
        disable=bar_disabled(progress),
    )
    lost = f"the runs finished so far are kept in {folder}"
    done = len(tasks) - len(todo)
    try:
        with Pool(run_batch, workers if todo else 1, scheduler if todo else None, lost) as pool:
            for k, batch in pool.unordered(batches):
                for task, values in zip(batches[k], batch, strict=True):
                    runcache.save(folder, task.index, values)
                    runs[task.index] = values
                bar.update(len(batch))
                done += len(batch)
                if on_run is not None:
                    on_run(done, len(tasks))
    finally:
        bar.close()
    values = np.stack([runs[t.index] for t in tasks])
    return Ensemble(scenario, tasks, values, months, where, folder)


def slug(name: str) -> str:
    """``name`` as a short file-name part: lower case, ``-`` for anything not alphanumeric."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:40] or "scenario"
