"""A run with levers continued from the same run without them, instead of run from the start.

Before its first lever starts, a run with levers is the same as the run without them
(every process draws from its own stream; the levers' own selections draw at set-up from
streams no monthly rule uses; a test checks this for every lever type). So the months
before the first lever need not be simulated twice: :func:`fork` takes a model without
levers that has stepped up to that month and returns a model that continues with the
levers. It builds the model with levers on a copy of the stepped households (no population
is drawn for it), so the levers' set-up acts on them (their schedules, and what levers change
before a run: smartphone due months, course months, coverage months, desk tables, the levers'
streams), and gives it the rest of the stepped model's state: teams, peer counts, innovation
terms, cost, the desks' last files, every other stream, the recorded months and the step count.
``tests/test_fork.py`` checks, lever type by lever type, that a forked run is
bit-identical to a run with the levers from the start. Many-run tools (sensitivity, the
optimiser) use it to pay for the shared months once.

A :class:`~adoption.model.batch.BatchModel` forks the same way, with one list of levers per
run (:func:`paired_many`: the runs of many points stepped as one batch, then forked at the
earliest lever of any of them, which is no later than each run's own first lever). Several
runs of a fork may continue the same run (``source``): points of a sensitivity design that
differ only in lever magnitudes share their run without levers.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np

from adoption.calendar import format_month, parse_month
from adoption.errors import UserError
from adoption.model.batch import BatchModel
from adoption.model.interventions import Intervention
from adoption.model.model import AdoptionModel
from adoption.model.runspec import RunSpec

#: Streams the levers draw from at set-up (kept from the model built with the levers).
LEVER_STREAMS = ("subsidy", "extension", "course")


def fork(model: AdoptionModel, interventions: list, source: list[int] | None = None):
    """The run of ``model`` continued with ``interventions`` from its next month.

    ``interventions``: the levers (a list of :class:`Intervention`), or for a
    :class:`BatchModel` one list of levers per run of the fork. ``source`` (a batch only):
    the run of ``model`` each run of the fork continues — several may continue the same run
    (points that differ only in their levers share their run without levers); by default
    run ``r`` continues run ``r``.

    The fork is built on the stepped households themselves (no population is drawn for it);
    only the smartphone due months are its own, as its levers' set-up changed them.

    Raises:
        UserError: if a lever starts before the month ``model`` would simulate next, or the
            model records everything (its DataCollector and agents are not carried over).
    """
    if model.record == "all":
        raise UserError("fork", "record", 'fork a model made with record="forecast" or "outcomes"')
    batch = isinstance(model, BatchModel)
    following = int(model.months[model.steps]) if model.steps < len(model.months) else None
    levers = [lever for run in interventions for lever in run] if batch else interventions
    starts = [parse_month(lever.start) for lever in levers]
    if following is None or (starts and min(starts) < following):
        done = format_month(int(model.months[model.steps - 1])) if model.steps else "nothing"
        problem = f"the model has simulated to {done}; a fork's levers must start after it"
        raise UserError("fork", "interventions", problem)
    if batch:
        source = list(range(model.n_runs)) if source is None else [int(g) for g in source]
        specs = [model.specs[g].replace(interventions=tuple(run))
                 for g, run in zip(source, interventions, strict=True)]  # fmt: skip
        twin = BatchModel(specs, households=[model.households_of(g) for g in source])
        rows = _rows(model, twin, source)
    else:
        spec = model.spec.replace(interventions=tuple(interventions))
        twin = AdoptionModel(spec=spec, households=copy.deepcopy(model.households))
        rows, source = dict.fromkeys(_LEVELS, slice(None)), [0]
    _carry(model, twin, rows, source)
    return twin


#: The levels :func:`_rows` maps from a model to its fork.
_LEVELS = ("household", "village", "desk", "place", "twin_place")


def _rows(model: BatchModel, twin: BatchModel, source: list[int]) -> dict[str, np.ndarray]:
    """Per level, the entries of ``model`` that become the fork's, in the fork's order."""
    s = model.structure

    def of(level: str, n: int) -> np.ndarray:
        first = model._starts[level]
        end = np.append(first[1:], n)
        return np.concatenate([np.arange(first[g], end[g]) for g in source])

    communes, districts = of("communes", s.n_communes), of("districts", s.n_districts)
    first = model.household_start_of_run
    return {
        "household": np.concatenate([np.arange(first[g], first[g + 1]) for g in source]),
        "village": of("villages", s.n_villages),
        "desk": np.concatenate([communes, s.n_communes + districts]),
        "place": np.concatenate([model.place_rows(g) for g in source]),
        "twin_place": np.concatenate([twin.place_rows(r) for r in range(twin.n_runs)]),
    }


def _carry(model, twin, rows: dict, source: list[int]) -> None:
    """Give ``twin`` the state of ``model`` that its own set-up did not make."""
    h, v, d = rows["household"], rows["village"], rows["desk"]
    teams = {f.name: getattr(model.teams, f.name) for f in dataclasses.fields(model.teams)}
    twin.teams = type(model.teams)(**{name: value[v].copy() for name, value in teams.items()})
    twin.offices.files = model.offices.files[d].copy()
    twin._village = {name: value[v].copy() for name, value in model._village.items()}
    twin._innovation = {name: value[h].copy() for name, value in model._innovation.items()}
    twin._cost = model._cost[..., d].copy()
    for ours, g in zip(_streams(twin), source, strict=True):
        theirs = _streams(model)[g]
        for name, generator in theirs._gens.items():
            if name not in LEVER_STREAMS:
                ours[name].bit_generator.state = generator.bit_generator.state
    if model.record != "all":
        done = model.trace[: model.steps, rows["place"]]
        twin.trace[: model.steps, rows["twin_place"]] = done
    twin.steps = model.steps


def step_to(model: AdoptionModel, month: str) -> AdoptionModel:
    """Step ``model`` until its next month is ``month`` (it must not have passed it)."""
    target = int(np.searchsorted(model.months, parse_month(month)))
    while model.steps < target:
        model.step()
    return model


def paired(build, levers: list[Intervention]) -> tuple[np.ndarray, np.ndarray]:
    """``(with levers, without)`` traces of one run, the shared months simulated once.

    ``build()`` makes the model without levers (``record`` other than ``"all"``).
    """
    base = build()
    try:
        if not levers:
            base.run_model()
            return base.trace, base.trace
        step_to(base, min((lever.start for lever in levers), key=parse_month))
        twin = fork(base, levers)
        try:
            twin.run_model()
            base.run_model()
            return twin.trace, base.trace
        finally:
            twin.release()
    finally:
        base.release()


def paired_many(specs: list[RunSpec], levers: list[list[Intervention]], source=None):
    """``[(with levers, without)]`` traces of many runs, stepped as one batch.

    ``specs``: the runs without levers (``record`` other than ``"all"``); ``levers[k]``: the
    levers of pair ``k``, which continues run ``source[k]`` of ``specs`` (default: ``k``).
    Pairs that differ only in their levers name the same run: it is simulated once. Each pair
    is bit for bit what :func:`paired` gives for its run and levers.
    """
    source = list(range(len(specs))) if source is None else [int(g) for g in source]
    base = BatchModel(specs)
    try:
        starts = [lever.start for run in levers for lever in run]
        if not starts:
            base.run_model()
            without = base.traces()
            return [(without[g], without[g]) for g in source]
        step_to(base, min(starts, key=parse_month))
        twin = fork(base, levers, source)
        try:
            twin.run_model()
            base.run_model()
            without = base.traces()
            return [(w, without[g]) for w, g in zip(twin.traces(), source, strict=True)]
        finally:
            twin.release()
    finally:
        base.release()


def _streams(model) -> list:
    return model.streams if isinstance(model.streams, list) else [model.streams]
