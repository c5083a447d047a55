"""A run with levers continued from the same run without them, instead of run from the start.

Before its first lever starts, a run with levers is the same as the run without them
(every process draws from its own stream; the levers' own selections draw at set-up from
streams no monthly rule uses; a test checks this for every lever type). So the months
before the first lever need not be simulated twice: :func:`fork` takes a model without
levers that has stepped up to that month and returns a model that continues with the
levers. It builds the model with levers (its schedules, and what levers change before a
run: smartphone due months, coverage months, desk tables, the levers' streams) and gives
it the stepped model's state: households, teams, peer counts, innovation terms, cost,
the desks' last files, every other stream, the recorded months and the step count.
``tests/test_fork.py`` checks, lever type by lever type, that a forked run is
bit-identical to a run with the levers from the start. Many-run tools (sensitivity, the
optimiser) use it to pay for the shared months once.

A :class:`~adoption.model.batch.BatchModel` forks the same way, with one list of levers per
run (:func:`paired_many`: the runs of many points stepped as one batch, then forked at the
earliest lever of any of them, which is no later than each run's own first lever).
"""

from __future__ import annotations

import copy

import numpy as np

from adoption.calendar import format_month, parse_month
from adoption.errors import UserError
from adoption.model.batch import BatchModel
from adoption.model.interventions import Intervention
from adoption.model.model import AdoptionModel
from adoption.model.runspec import RunSpec

#: Streams the levers draw from at set-up (kept from the model built with the levers).
LEVER_STREAMS = ("subsidy", "extension")


def fork(model: AdoptionModel, interventions: list) -> AdoptionModel:
    """The run of ``model`` continued with ``interventions`` from its next month.

    ``interventions``: the levers (a list of :class:`Intervention`), or for a
    :class:`BatchModel` one list of levers per run.

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
        pairs = zip(model.specs, interventions, strict=True)
        twin = BatchModel([spec.replace(interventions=tuple(run)) for spec, run in pairs])
    else:
        twin = AdoptionModel(spec=model.spec.replace(interventions=tuple(interventions)))
    due = twin.households.smartphone_due
    twin.households = copy.deepcopy(model.households)
    twin.households.smartphone_due = due
    twin.teams = copy.deepcopy(model.teams)
    twin.offices.files = model.offices.files.copy()
    twin._village = {name: v.copy() for name, v in model._village.items()}
    twin._innovation = {name: v.copy() for name, v in model._innovation.items()}
    twin._cost = model._cost.copy()
    for ours, theirs in zip(_streams(twin), _streams(model), strict=True):
        for name, generator in theirs._gens.items():
            if name not in LEVER_STREAMS:
                ours[name].bit_generator.state = generator.bit_generator.state
    if model.record != "all":
        twin.trace[: model.steps] = model.trace[: model.steps]
    twin.steps = model.steps
    return twin


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


def paired_many(specs: list[RunSpec], levers: list[list[Intervention]]):
    """``[(with levers, without)]`` traces of many runs, stepped as one batch.

    ``specs``: the runs without levers (``record`` other than ``"all"``); ``levers[r]``:
    run ``r``'s levers. Each pair is bit for bit what :func:`paired` gives for that run.
    """
    base = BatchModel(specs)
    try:
        starts = [lever.start for run in levers for lever in run]
        if not starts:
            base.run_model()
            return [(trace, trace) for trace in base.traces()]
        step_to(base, min(starts, key=parse_month))
        twin = fork(base, levers)
        try:
            twin.run_model()
            base.run_model()
            return list(zip(twin.traces(), base.traces(), strict=True))
        finally:
            twin.release()
    finally:
        base.release()


def _streams(model) -> list:
    return model.streams if isinstance(model.streams, list) else [model.streams]
