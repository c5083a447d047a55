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
"""

from __future__ import annotations

import copy

import numpy as np

from adoption.calendar import format_month, parse_month
from adoption.errors import UserError
from adoption.model.interventions import Intervention
from adoption.model.model import AdoptionModel

#: Streams the levers draw from at set-up (kept from the model built with the levers).
LEVER_STREAMS = ("subsidy", "extension")


def fork(model: AdoptionModel, interventions: list[Intervention]) -> AdoptionModel:
    """The run of ``model`` continued with ``interventions`` from its next month.

    Raises:
        UserError: if a lever starts before the month ``model`` would simulate next, or the
            model records everything (its DataCollector and agents are not carried over).
    """
    if model.record == "all":
        raise UserError("fork", "record", 'fork a model made with record="forecast" or "outcomes"')
    following = int(model.months[model.steps]) if model.steps < len(model.months) else None
    starts = [parse_month(lever.start) for lever in interventions]
    if following is None or (starts and min(starts) < following):
        done = format_month(int(model.months[model.steps - 1])) if model.steps else "nothing"
        problem = f"the model has simulated to {done}; a fork's levers must start after it"
        raise UserError("fork", "interventions", problem)
    twin = AdoptionModel(spec=model.spec.replace(interventions=tuple(interventions)))
    due = twin.households.smartphone_due
    twin.households = copy.deepcopy(model.households)
    twin.households.smartphone_due = due
    twin.teams = copy.deepcopy(model.teams)
    twin.offices.files = model.offices.files.copy()
    twin._village = {name: v.copy() for name, v in model._village.items()}
    twin._innovation = {name: v.copy() for name, v in model._innovation.items()}
    twin._cost = model._cost.copy()
    for name, generator in model.streams._gens.items():
        if name not in LEVER_STREAMS:
            twin.streams[name].bit_generator.state = generator.bit_generator.state
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
