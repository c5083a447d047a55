"""Interventions: the levers a scenario pulls, checked, and turned into schedules before a run.

A scenario file lists interventions (see :mod:`adoption.scenarios.scenario`); each is an
:class:`Intervention` of one of the lever types in :data:`TYPES`. Every lever type
is defined once, as a :class:`~adoption.model.lever_type.LeverType` subclass in
:mod:`adoption.model.levers`: its
meaning, magnitude and bounds, unit of cost, whether it lasts, and
:meth:`LeverType.schedule`, which writes its effect and its cost into the month-by-
place :class:`Schedules` *before* the run starts (team members and effectiveness
per village, office tables per desk, smartphone and coverage dates, campaign reach,
fee cuts, planned costs), so the monthly rules stay one vectorised update each.
``docs/model.md`` ("Interventions") gives every type's effect as an equation.

Timing: an intervention acts from ``start``; its effect rises linearly to the
full ``magnitude`` over ``ramp_months`` (1 = at once) and holds until ``end``.
After ``end``, *lasting* types keep their effect (trained people stay
trained, a phone or a mast stays, procedures stay online) and *running* types
stop (added members leave, the fee cut and the campaign end).

:func:`build_schedules` receives an explicit :class:`LeverSetup` (the structure,
calendar, households, offices, coverage dates and streams a lever may read or
change), never the half-built model.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

import numpy as np

from adoption.calendar import format_month, parse_month
from adoption.errors import UserError
from adoption.model.lever_type import LeverSetup, LeverType, Schedules, Where
from adoption.model.levers import TYPES
from adoption.places.names import place_names, resolve_place

#: Keys of an intervention table in a scenario file, and what they hold.
KEYS: dict[str, str] = {
    "type": "the lever type (see `adoption.model.levers.TYPES`)",
    "label": "optional short name shown in outputs",
    "where": "list of district or commune names (default: every district of the scenario)",
    "start": "first month, YYYY-MM, within the scenario period",
    "end": "last month, YYYY-MM, within the period (default: the period's end)",
    "ramp_months": "months over which the effect rises to full magnitude (integer >= 1, default 1)",
    "magnitude": "size of the lever (see the type)",
    "unit_cost_vnd": "cost per unit in VND (0 to 1e12; see the type)",
    "cost_source": "where the unit cost comes from (a docs/sources.md section or 'assumption')",
    "label_vi": "optional: the label in Vietnamese (shown on the Vietnamese page)",
    "cost_source_vi": "optional: the cost's source in Vietnamese (shown on the Vietnamese page)",
}

#: Largest cost per unit a lever may state: a trillion VND (about 40 million USD) per
#: unit is far above any lever's; beyond it costs of whole plans overflow to infinity.
MAX_UNIT_COST_VND = 1e12


@dataclass(frozen=True)
class Intervention:
    """One lever of a scenario (see :data:`TYPES` for what each type does).

    Checked at construction: an unknown type, a magnitude outside the type's
    bounds, a cost that is not a finite number >= 0, a month that is not
    ``"YYYY-MM"``, an end before the start or a ramp < 1 raise a one-line
    :class:`~adoption.errors.UserError` naming the key (as in a scenario file).
    """

    type: str
    start: str
    magnitude: float
    unit_cost_vnd: float = 0.0
    where: tuple[str, ...] = ()
    end: str | None = None
    ramp_months: int = 1
    label: str = ""
    cost_source: str = "assumption"
    label_vi: str = ""
    cost_source_vi: str = ""

    def __post_init__(self) -> None:
        where = "Intervention"
        if self.type not in TYPES:
            raise UserError(where, "type", f"{self.type!r} unknown; allowed: {', '.join(TYPES)}")
        kind = TYPES[self.type]
        magnitude = _number(where, "magnitude", self.magnitude)
        low, high = kind.bounds
        if not low <= magnitude <= high:
            problem = f"{kind.magnitude}: must be in [{low}, {high}], got {self.magnitude!r}"
            raise UserError(where, "magnitude", problem)
        if not 0 <= _number(where, "unit_cost_vnd", self.unit_cost_vnd) <= MAX_UNIT_COST_VND:
            problem = f"must be in [0, {MAX_UNIT_COST_VND:.0e}] ({kind.cost_unit})"
            raise UserError(where, "unit_cost_vnd", problem)
        start = _month(where, "start", self.start)
        if self.end is not None and _month(where, "end", self.end) < start:
            raise UserError(where, "end", f"{self.end} is before {self.start}")
        ramp = self.ramp_months
        if isinstance(ramp, bool) or not isinstance(ramp, int) or ramp < 1:
            raise UserError(where, "ramp_months", f"must be an integer >= 1, got {ramp!r}")
        if isinstance(self.where, str) or not all(isinstance(w, str) for w in self.where):
            raise UserError(where, "where", "expected a list of district or commune names")
        if not isinstance(self.cost_source, str) or not self.cost_source.strip():
            raise UserError(where, "cost_source", "say where the unit cost comes from")
        for key in ("label", "label_vi", "cost_source_vi"):
            if not isinstance(getattr(self, key), str):
                raise UserError(where, key, "expected text")
        object.__setattr__(self, "magnitude", magnitude)
        object.__setattr__(self, "unit_cost_vnd", float(self.unit_cost_vnd))
        object.__setattr__(self, "where", tuple(self.where))

    @property
    def name(self) -> str:
        """The label, or the type if there is none."""
        return self.label or self.type

    @property
    def kind(self) -> LeverType:
        """The lever's type."""
        return TYPES[self.type]

    @property
    def first(self) -> int:
        """Month index of ``start``."""
        return parse_month(self.start)

    def last(self, months: np.ndarray) -> int:
        """Month index of ``end``, or of the calendar's last month if there is no end."""
        return parse_month(self.end) if self.end else int(months[-1])

    def ramp(self, months: np.ndarray) -> np.ndarray:
        """Share of full effect in each month: 0 before start, linear over the ramp, 1 after.

        After ``end`` it stays 1 for lasting types and drops to 0 for running types.
        """
        share = np.clip((months - self.first + 1) / max(self.ramp_months, 1), 0.0, 1.0)
        if not self.kind.lasting:
            share = np.where(months > self.last(months), 0.0, share)
        return share

    def active(self, months: np.ndarray) -> np.ndarray:
        """Months in which the intervention runs (start to end)."""
        return (months >= self.first) & (months <= self.last(months))

    def delivery(self, u: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Month in which the selected unit with uniform draw ``u`` gets the lever.

        Units with ``u < magnitude`` are selected; they are spread over the ramp in the
        order of their draws, and none later than ``end``.
        """
        spread = np.floor(u / max(self.magnitude, 1e-12) * self.ramp_months)
        return np.minimum(self.first + spread, self.last(months)).astype(np.int64)


def _number(where: str, key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise UserError(where, key, f"expected a finite number, got {value!r}")
    return float(value)


def _month(where: str, key: str, value) -> int:
    if not isinstance(value, str):
        raise UserError(where, key, f'expected a month as "YYYY-MM", got {value!r}')
    try:
        return parse_month(value)
    except ValueError:
        raise UserError(where, key, f'expected a month as "YYYY-MM", got {value!r}') from None


# -- building the schedules ------------------------------------------------------------------------


def build_schedules(interventions: list[Intervention], setup: LeverSetup) -> Schedules:
    """The schedules of ``interventions`` (each type's :meth:`LeverType.schedule`, by order)."""
    plan = Schedules()
    if not interventions:
        return plan
    s, months = setup.structure, setup.months
    plan.planned_cost = np.zeros((len(months), s.n_communes + s.n_districts))
    for lever in interventions:
        _check_period(lever, months)
    for lever in sorted(interventions, key=lambda lever: lever.kind.order):
        lever.kind.schedule(lever, _where(lever, setup), setup, plan)
    if plan.fee_cut is not None:
        np.minimum(plan.fee_cut, 1.0, out=plan.fee_cut)
    setup.offices.refresh(setup.params, months)
    return plan


def _check_period(lever: Intervention, months: np.ndarray) -> None:
    """A lever must start (and end) within the model's calendar."""
    first, last = format_month(int(months[0])), format_month(int(months[-1]))
    for key in ("start", "end"):
        value = getattr(lever, key)
        if value is not None and not months[0] <= parse_month(value) <= months[-1]:
            raise UserError(
                "Intervention", key, f"{value} is outside the model's period {first} to {last}"
            )


def _where(lever: Intervention, setup: LeverSetup) -> Where:
    s, months = setup.structure, setup.months
    if lever.where:
        district_of = [s.district_names[d] for d in s.commune_district]
        pairs = list(zip(s.commune_names, district_of, strict=True))
        names = place_names(pairs, s.district_names)
        meant = [m for n in lever.where for m in resolve_place(n, names, "Intervention", "where")]
        communes = np.array([pair in meant or pair[1] in meant for pair in pairs])
        districts = np.array([d in meant for d in s.district_names])
    else:
        communes, districts = np.ones(s.n_communes, bool), np.ones(s.n_districts, bool)
    districts &= setup.offices.closes[s.n_communes :] > lever.first  # gone after the 2025 reform
    return Where(
        communes=communes,
        villages=communes[s.village_commune],
        desks=np.concatenate([communes, districts]),
        ramp=lever.ramp(months).astype(np.float64),
        start_step=int(np.searchsorted(months, lever.first)),
    )


def with_end(lever: Intervention, end: str) -> Intervention:
    """The lever with ``end`` set if it had none."""
    return lever if lever.end is not None else replace(lever, end=end)
