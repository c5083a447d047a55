"""Budget optimiser: which levers, where, when and how much, for a budget.

A **menu** of levers (by default one of each type the shipped scenarios use, with their
unit costs and cost sources) defines the search space. For each menu lever the optimiser
chooses

- its place: every district of the scenario together (``"all"``) or one place of ``where``;
- its first month, between ``first`` and a year before ``by`` (a lever that ends keeps its
  template's length; the others run to the end);
- its magnitude in ``[0, upper bound of the type]`` if its cost grows with the magnitude
  (:attr:`~adoption.model.lever_type.LeverType.cost_scales`; 0 = not used), else whether it is
  used at all, at the template's dose (a course costs the same whatever effect is assumed).

Each candidate is scored on the same ``runs`` posterior draws and seeds (common random
numbers, :func:`adoption.ensemble.plan`), at a reduced ``scale``, against the same runs
without levers: the objective is the mean over runs of an outcome of
:func:`adoption.model.outcomes.run_outcomes` (default household-years gained with any service
between ``first`` and ``by``), the cost the mean additional cost to ``by``. The search is
Optuna's multi-objective TPE (Bergstra et al. 2011; Ozaki et al. 2022) on (objective ↑,
cost ↓) with the constraint cost ≤ budget, so the trials also trace the cost–benefit
front. Trials are asked in batches of a fixed size (the same whatever the number of
workers) with a sampler seeded per batch; finished batches are kept in a trace file and
replayed into a fresh study on resume, so an interrupted search continues identically.

:mod:`adoption.reports.optimise_report` checks the best mix at full scale against the shipped
scenarios and writes the outputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.calendar import month_range
from adoption.decisions.fork import fork, step_to
from adoption.decisions.menu import Problem
from adoption.ensemble import cache as runcache
from adoption.ensemble.plan import plan
from adoption.files import write_atomic
from adoption.model.batch import BatchModel
from adoption.model.interventions import Intervention
from adoption.model.outcomes import run_outcomes
from adoption.model.population import simulated_households
from adoption.model.runspec import RunSpec
from adoption.model.sizes import batch_runs
from adoption.places.profiles import load_profiles
from adoption.pool import Pool, bar_disabled

#: Trials asked at once: fixed, so the search does not depend on the number of workers.
BATCH = 8


class Scorer:
    """``(run indices, levers) -> outcomes`` of runs against their references. Picklable.

    The runs of a job are stepped as one batch (:class:`~adoption.model.batch.BatchModel`;
    :meth:`groups` says which runs go together). Without ``references`` it returns the
    runs' forecast values (to make the references). With them, a candidate's runs continue
    the reference runs from ``first`` (:func:`adoption.decisions.fork.fork`): the shared
    months are simulated once; with ``snapshots``, the reference runs stepped to ``first``
    are kept (in each worker), so a candidate simulates only its own months.
    """

    def __init__(
        self,
        problem: Problem,
        runs: int,
        scale: float,
        seed: int,
        references=None,
        snapshots: bool = True,
    ):
        self.problem, self.scale = problem, scale
        self.tasks = plan(dataclasses.replace(problem.reference, runs=runs, seed=seed))
        base = problem.reference
        self.profiles = load_profiles(str(base.profile) if base.profile else None, base.districts)
        self.months = month_range(base.start, base.end)
        self.references = references
        self.snapshots = {} if snapshots else None

    def __call__(self, job: tuple[tuple[int, ...], tuple[Intervention, ...]]) -> list:
        """Run ``job = (run indices, levers)``: their values, or their outcomes if scoring."""
        indices, levers = job
        if self.references is None:
            model = BatchModel([self._spec(index) for index in indices])
            model.run_model()
            model.release()
            return model.traces()
        base = self._snapshot(indices)
        twin = fork(base, [list(levers)] * len(indices))
        try:
            twin.run_model()
            traces = twin.traces()
        finally:
            twin.release()
            if self.snapshots is None:
                base.release()
        out = []
        for index, values in zip(indices, traces, strict=True):
            outcomes = run_outcomes(
                values, self.months, self.references[index], window=self.problem.window
            )
            out.append({k: outcomes[k] for k in (self.problem.outcome, "additional_cost_vnd")})
        return out

    def groups(self, workers: int) -> list[tuple[int, ...]]:
        """The runs, in groups stepped as one batch (:func:`~adoption.model.sizes.batch_runs`)."""
        runs = len(self.tasks)
        size = batch_runs(simulated_households(self.profiles, self.scale), runs, 1)
        return [tuple(range(i, min(i + size, runs))) for i in range(0, runs, size)]

    def _spec(self, index: int) -> RunSpec:
        return self.tasks[index].spec("outcomes", scale=self.scale, interventions=())

    def _snapshot(self, indices: tuple[int, ...]) -> BatchModel:
        """The reference runs ``indices`` stepped to ``first`` (kept if ``snapshots``)."""
        if self.snapshots is not None and indices in self.snapshots:
            return self.snapshots[indices]
        model = step_to(BatchModel([self._spec(i) for i in indices]), self.problem.first)
        if self.snapshots is not None:
            self.snapshots[indices] = model
        return model

    def scored(self, references: list[np.ndarray]) -> Scorer:
        """The same scorer, scoring against ``references``."""
        out = object.__new__(Scorer)
        out.__dict__.update(self.__dict__, references=references)
        return out


def references(scorer: Scorer, pool: Pool) -> list[np.ndarray]:
    """Every run of ``scorer`` without levers: its forecast values, in run order."""
    return [values for batch in pool.map([(g, ()) for g in scorer.groups(pool.workers)])
            for values in batch]  # fmt: skip


def per_run(scorer: Scorer, mixes: list[tuple], pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """``(objective, cost)``, each ``(mixes, runs)``: every mix on every run of ``scorer``."""
    runs = len(scorer.tasks)
    jobs = [(group, mix) for mix in mixes for group in scorer.groups(pool.workers)]
    results = [row for batch in pool.map(jobs) for row in batch]
    name = scorer.problem.outcome
    objective = np.array([row[name] for row in results]).reshape(len(mixes), runs)
    cost = np.array([row["additional_cost_vnd"] for row in results]).reshape(len(mixes), runs)
    return objective, cost


def score(scorer: Scorer, mixes: list[tuple], pool: Pool) -> list[dict]:
    """Mean and s.d. over the runs of the objective and the cost of each mix."""
    objective, cost = per_run(scorer, mixes, pool)
    return [
        {
            "objective": float(o.mean()),
            "objective_sd": float(o.std(ddof=1)),
            "cost_vnd": float(c.mean()),
        }
        for o, c in zip(objective, cost, strict=True)
    ]


def search(
    problem: Problem,
    folder: Path,
    *,
    trials: int = 200,
    runs: int = 20,
    scale: float = 0.05,
    seed: int = 1,
    workers=None,
    scheduler=None,
    progress: bool = True,
    start_with: Sequence[dict] = (),
) -> pd.DataFrame:
    """Run (or resume) the search; the trace of every trial, in order.

    ``start_with``: trial values scored first (:meth:`Problem.encode` of the shipped
    scenarios' levers), so the search starts from what planners already consider.
    The trace is kept in ``folder`` after every batch, under a key of the problem, the
    settings and the code, so the same command continues where it was interrupted.
    """
    import optuna
    from tqdm.auto import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    Path(folder).mkdir(parents=True, exist_ok=True)
    key = _key(problem, runs, scale, seed, start_with)
    trace_file = Path(folder) / f"optimise-{key}.csv"
    trace = pd.read_csv(trace_file) if trace_file.is_file() else pd.DataFrame()
    space = problem.distributions()
    scorer = Scorer(problem, runs, scale, seed)
    lost = f"finished batches are kept in {trace_file}"
    with Pool(scorer, workers, scheduler, lost) as pool:
        reference_values = references(scorer, pool)
    bar = tqdm(total=trials, initial=len(trace), unit="trial", disable=bar_disabled(progress))
    with Pool(scorer.scored(reference_values), workers, scheduler, lost) as pool:
        while len(trace) < trials:
            study = _study(problem, space, trace, seed + len(trace) // BATCH)
            for values in start_with[len(trace) :][:BATCH]:
                study.enqueue_trial(values)
            asked = [study.ask(space) for _ in range(min(BATCH, trials - len(trace)))]
            scores = score(scorer, [problem.mix(t.params) for t in asked], pool)
            rows = [
                {
                    "trial": len(trace) + k,
                    **_encode(t.params),
                    **s,
                    "feasible": s["cost_vnd"] <= problem.budget,
                }
                for k, (t, s) in enumerate(zip(asked, scores, strict=True))
            ]
            trace = pd.concat([trace, pd.DataFrame(rows)], ignore_index=True)
            write_atomic(trace_file, lambda tmp, t=trace: t.to_csv(tmp, index=False))
            bar.update(len(rows))
            bar.set_postfix_str(_best_text(trace))
    bar.close()
    return pd.read_csv(trace_file)  # the same types whether resumed or not


def _study(problem: Problem, space: dict, trace: pd.DataFrame, seed: int):
    """A fresh study holding the finished trials, with a sampler seeded for this batch."""
    import optuna

    sampler = optuna.samplers.TPESampler(
        seed=seed,
        multivariate=True,
        n_startup_trials=2 * BATCH,
    )
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    for row in trace.to_dict("records"):
        params = _decode(row, space)
        study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions=space,
                values=[row["objective"], row["cost_vnd"]],
                user_attrs={"cost_vnd": row["cost_vnd"]},
                constraints={"budget": row["cost_vnd"] - problem.budget},
            )
        )
    return study


def _encode(params: dict) -> dict:
    return {name: (str(v) if isinstance(v, bool) else v) for name, v in params.items()}


def trial_mix(problem: Problem, row) -> tuple[Intervention, ...]:
    """The levers of a trace row (values read back from the CSV in their types)."""
    return problem.mix(_decode(dict(row), problem.distributions()))


def _decode(row: dict, space: dict) -> dict:
    out = {}
    for name in space:
        value = row[name]
        if name.endswith(".use"):
            value = str(value) == "True"
        elif name.endswith(".start"):
            value = int(value)
        elif name.endswith(".magnitude"):
            value = float(value)
        out[name] = value
    return out


def best(trace: pd.DataFrame) -> pd.Series | None:
    """The feasible trial with the highest objective (None if no trial fits the budget)."""
    feasible = trace[trace["feasible"].astype(str) == "True"]
    return None if feasible.empty else feasible.loc[feasible["objective"].idxmax()]


def front(trace: pd.DataFrame) -> pd.DataFrame:
    """Trials no other trial beats on both objective (↑) and cost (↓), by cost."""
    order = trace.sort_values(["cost_vnd", "objective"], ascending=[True, False])
    keep, top = [], -np.inf
    for i, row in order.iterrows():
        if row["objective"] > top:
            keep.append(i)
            top = row["objective"]
    return trace.loc[keep]


def _best_text(trace: pd.DataFrame) -> str:
    row = best(trace)
    return "no mix within the budget yet" if row is None else f"best {row['objective']:,.0f}"


def _key(problem: Problem, runs: int, scale: float, seed: int, start_with=()) -> str:
    text = json.dumps(
        {
            "code": runcache.fingerprint(),
            "problem": repr(problem),
            "runs": runs,
            "scale": scale,
            "seed": seed,
            "batch": BATCH,
            "start_with": list(start_with),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
