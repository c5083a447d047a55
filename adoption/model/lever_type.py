"""What a lever type is: the contract every type in :mod:`adoption.model.levers` fills in.

A lever type reads the lever a scenario asks for (:class:`Lever`: an
:class:`~adoption.model.interventions.Intervention`), the places it acts on
(:class:`Where`) and what it may read or change before a run (:class:`LeverSetup`),
and writes its month-by-place effect and cost into :class:`Schedules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


class Lever(Protocol):
    """What a lever type reads of a scenario's lever (an ``Intervention``)."""

    magnitude: float
    unit_cost_vnd: float

    @property
    def first(self) -> int: ...  # noqa: D102

    def active(self, months: np.ndarray) -> np.ndarray: ...  # noqa: D102

    def delivery(self, u: np.ndarray, months: np.ndarray) -> np.ndarray: ...  # noqa: D102


class LeverType:
    """One type of lever: what it does, its magnitude, its cost; subclasses define ``schedule``.

    Class attributes: ``name`` (the ``type`` of a scenario's intervention), ``meaning``,
    ``magnitude`` (what the number means), ``bounds`` (allowed magnitudes), ``cost_unit``
    (what ``unit_cost_vnd`` is per), ``cost_scales`` (whether the cost grows with the
    magnitude; if not, the optimiser keeps the scenario's dose and searches only whether,
    where and when), ``lasting`` (keeps its effect after ``end``) and ``order`` (levers of
    lower order are scheduled first).
    """

    name: str = ""
    meaning: str = ""
    magnitude: str = ""
    bounds: tuple[float, float] = (0.0, 1.0)
    cost_unit: str = ""
    cost_scales: bool = True
    lasting: bool = True
    order: int = 1

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Write the lever's effect and planned cost into ``plan`` (or change ``setup``)."""
        raise NotImplementedError


@dataclass
class LeverSetup:
    """What levers may read, or change in place, before a run: nothing else of the model."""

    structure: object  # adoption.model.population.Structure
    months: np.ndarray
    households: object  # adoption.model.population.Households (smartphone_due may change)
    offices: object  # adoption.model.agents.OfficeArrays (monthly tables may change)
    coverage_month: np.ndarray  # month each village is covered (may change)
    base_members: np.ndarray  # team members per village before any lever
    streams: object  # adoption.model.streams.Streams
    params: object  # adoption.model.params.Params


@dataclass
class Schedules:
    """Month-by-place schedules the monthly step applies; ``None`` means "no such lever"."""

    members_added: np.ndarray | None = None  # (months, villages)
    effectiveness: np.ndarray | None = None  # (months, villages) multiplier
    campaign_reach: np.ndarray | None = None  # (months, villages) probability per month
    #: (reach mask (months, villages), cost: VND per household reached, or per commune in a batch)
    campaign_cost: list = field(default_factory=list)
    fee_cut: np.ndarray | None = None  # (months, desks) share of fee waived
    #: (cut (months, desks), VND per fee: a number, or per desk in a batch)
    fee_cost: list = field(default_factory=list)
    planned_cost: np.ndarray | None = None  # (months, communes + districts) VND spent
    #: (households,) month an adult of the household completes a skills course (NEVER: none)
    course_month: np.ndarray | None = None

    def spend(self, step: int, s, per_village: np.ndarray, unit_cost: float) -> None:
        """Add ``per_village`` units times ``unit_cost`` to each commune's spending at ``step``."""
        per_commune = np.add.reduceat(per_village, s.commune_village_start)
        self.planned_cost[step, : s.n_communes] += per_commune * unit_cost


@dataclass(frozen=True)
class Where:
    """The places a lever acts on, and its timing on the calendar."""

    communes: np.ndarray  # bool per commune
    villages: np.ndarray  # bool per village
    desks: np.ndarray  # bool per desk (commune desks, then district desks of whole districts)
    ramp: np.ndarray  # share of full effect per month
    start_step: int  # index of the start month in the calendar
