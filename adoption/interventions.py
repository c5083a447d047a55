"""Interventions: the levers a scenario pulls, and what each does to the model.

A scenario file lists interventions (see :mod:`adoption.scenario`); each is an
:class:`Intervention` of one of the :data:`TYPES`. :class:`Levers` turns a list
of them into month-by-place schedules *before* the run starts (team members and
effectiveness per village, office tables per desk, smartphone and coverage
dates, campaign reach, fee cuts, planned costs), so the monthly rules stay one
vectorised update each. ``docs/model.md`` ("Interventions") gives every type's
effect as an equation; :data:`TYPES` is the same table in code.

Timing: an intervention acts from ``start``; its effect rises linearly to the
full ``magnitude`` over ``ramp_months`` (1 = at once) and holds until ``end``.
After ``end``, *lasting* types keep their effect (trained people stay
trained, a phone or a mast stays, procedures stay online) and *running* types
stop (added members leave, the fee cut and the campaign end).

Selection randomness (which poor households get a phone, which uncovered
villages are connected first, whom a campaign reaches) draws from streams of
its own (:mod:`adoption.streams`), so two scenarios with the same seed select
the same households: a larger magnitude reaches a superset.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .calendar import format_month, parse_month
from .errors import UserError
from .places import resolve


@dataclass(frozen=True)
class InterventionType:
    """What a type of intervention does, its magnitude and what its unit cost is per."""

    meaning: str
    magnitude: str
    bounds: tuple[float, float]
    cost_unit: str
    lasting: bool


#: Every intervention type: meaning, magnitude (with allowed range), unit of cost, lasting.
TYPES: dict[str, InterventionType] = {
    "train_teams": InterventionType(
        "train the community digital teams: every visit effect is multiplied by "
        "1 + magnitude (team effectiveness)",
        "relative rise in team effectiveness (0.5 = +50 %)",
        (0.0, 5.0),
        "VND per team member trained (once, at start)",
        True,
    ),
    "add_team_members": InterventionType(
        "add members to every community team of the place (more household visits a month)",
        "members added per village team",
        (0.0, 20.0),
        "VND per added member per month (allowance, while the intervention runs)",
        False,
    ),
    "subsidise_smartphones": InterventionType(
        "give a smartphone to poor households that have none",
        "share of the place's poor households reached (those without a phone at delivery get one)",
        (0.0, 1.0),
        "VND per smartphone delivered",
        True,
    ),
    "extend_coverage": InterventionType(
        "bring mobile broadband to villages not yet covered",
        "share of the villages still uncovered at start that get coverage",
        (0.0, 1.0),
        "VND per village connected",
        True,
    ),
    "equip_offices": InterventionType(
        "equip one-stop desks with computers (raises the digitisation rate)",
        "computers per official after equipment (the desk keeps more if it has more)",
        (0.0, 1.0),
        "VND per desk equipped (once, at start)",
        True,
    ),
    "train_office_staff": InterventionType(
        "train one-stop desk staff: assisted online filing and digitisation are multiplied by "
        "1 + magnitude",
        "relative rise in staff performance (0.5 = +50 %)",
        (0.0, 5.0),
        "VND per desk trained (once, at start)",
        True,
    ),
    "raise_online_procedures": InterventionType(
        "offer more procedures online at level 3/4 at the place's desks",
        "share of procedures offered online to reach (desks above it keep theirs)",
        (0.0, 1.0),
        "VND per desk (once, at start)",
        True,
    ),
    "cut_online_fees": InterventionType(
        "waive part of the fee of procedures filed online",
        "share of the fee waived for online files (1 = free online)",
        (0.0, 1.0),
        "VND of fee per fee-bearing file (forgone on every online fee file, times magnitude)",
        False,
    ),
    "information_campaign": InterventionType(
        "information campaign on online services and the citizen app (loudspeakers, "
        "meetings, Zalo groups): reached households become aware and are pushed to install "
        "the app",
        "share of the place's households reached each month while the campaign runs",
        (0.0, 1.0),
        "VND per household reached",
        False,
    ),
}

#: Keys of an intervention table in a scenario file, and what they hold.
KEYS: dict[str, str] = {
    "type": f"one of {', '.join(TYPES)}",
    "label": "optional short name shown in outputs",
    "where": "list of district or commune names (default: every district of the scenario)",
    "start": "first month, YYYY-MM, within the scenario period",
    "end": "last month, YYYY-MM, within the period (default: the period's end)",
    "ramp_months": "months over which the effect rises to full magnitude (integer >= 1, default 1)",
    "magnitude": "size of the lever (see the type)",
    "unit_cost_vnd": "cost per unit in VND (>= 0; see the type)",
    "cost_source": "where the unit cost comes from (a docs/sources.md section or 'assumption')",
}


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

    def __post_init__(self) -> None:
        where = "Intervention"
        if self.type not in TYPES:
            raise UserError(where, "type", f"{self.type!r} unknown; allowed: {', '.join(TYPES)}")
        spec = TYPES[self.type]
        magnitude = _number(where, "magnitude", self.magnitude)
        low, high = spec.bounds
        if not low <= magnitude <= high:
            problem = f"{spec.magnitude}: must be in [{low}, {high}], got {self.magnitude!r}"
            raise UserError(where, "magnitude", problem)
        if _number(where, "unit_cost_vnd", self.unit_cost_vnd) < 0:
            raise UserError(where, "unit_cost_vnd", f"must be >= 0 ({spec.cost_unit})")
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
        object.__setattr__(self, "magnitude", magnitude)
        object.__setattr__(self, "unit_cost_vnd", float(self.unit_cost_vnd))
        object.__setattr__(self, "where", tuple(self.where))

    @property
    def name(self) -> str:
        """The label, or the type if there is none."""
        return self.label or self.type

    def ramp(self, months: np.ndarray) -> np.ndarray:
        """Share of full effect in each month: 0 before start, linear over the ramp, 1 after.

        After ``end`` it stays 1 for lasting types and drops to 0 for running types.
        """
        start = parse_month(self.start)
        end = parse_month(self.end) if self.end else int(months[-1])
        share = np.clip((months - start + 1) / max(self.ramp_months, 1), 0.0, 1.0)
        if not TYPES[self.type].lasting:
            share = np.where(months > end, 0.0, share)
        return share

    def active(self, months: np.ndarray) -> np.ndarray:
        """Months in which the intervention runs (start to end)."""
        start = parse_month(self.start)
        end = parse_month(self.end) if self.end else int(months[-1])
        return (months >= start) & (months <= end)


@dataclass
class Levers:
    """The schedules of a list of interventions for one model (see the module docstring).

    Built by :meth:`build` from the model's structure before households act;
    ``None`` fields mean "no intervention of that kind".
    """

    members_added: np.ndarray | None = None  # (months, villages)
    effectiveness: np.ndarray | None = None  # (months, villages) multiplier
    campaign_reach: np.ndarray | None = None  # (months, villages) probability per month
    campaign_cost: list = field(default_factory=list)  # (reach mask (months, villages), cost)
    fee_cut: np.ndarray | None = None  # (months, desks) share of fee waived
    fee_cost: list = field(default_factory=list)  # (cut (months, desks), VND per fee)
    planned_cost: np.ndarray | None = None  # (months, communes + districts) VND spent

    @classmethod
    def build(cls, interventions, model) -> Levers:
        """Schedules for ``model`` (an :class:`~adoption.model.AdoptionModel` being built).

        Changes the model's smartphone dates, village coverage dates and office
        tables in place; returns the schedules the monthly step applies.
        """
        levers = cls()
        if not interventions:
            return levers
        s, months = model.structure, model.months
        n_months, n_villages = len(months), s.n_villages
        n_desks = s.n_communes + s.n_districts
        levers.planned_cost = np.zeros((n_months, n_desks))
        base_members = model.teams.members.copy()
        # added members first, so that training at a later start also pays for them
        for lever in interventions:
            _check_period(lever, months)
        for lever in sorted(interventions, key=lambda lever: lever.type != "add_team_members"):
            communes = _communes(lever, s)
            villages = communes[s.village_commune]
            desks = np.concatenate([communes, _districts(lever, s)])
            ramp = lever.ramp(months).astype(np.float64)
            start_step = int(np.searchsorted(months, parse_month(lever.start)))
            kind = lever.type
            if kind == "train_teams":
                if levers.effectiveness is None:
                    levers.effectiveness = np.ones((n_months, n_villages))
                levers.effectiveness += np.outer(ramp * lever.magnitude, villages)
                trained = base_members * villages
                if levers.members_added is not None:
                    trained = trained + levers.members_added[start_step] * villages
                _spend(levers, start_step, s, trained, lever.unit_cost_vnd)
            elif kind == "add_team_members":
                if levers.members_added is None:
                    levers.members_added = np.zeros((n_months, n_villages))
                added = np.outer(ramp * lever.magnitude, villages)
                levers.members_added += added
                for step in np.flatnonzero(lever.active(months)):
                    _spend(levers, step, s, added[step], lever.unit_cost_vnd)
            elif kind == "subsidise_smartphones":
                _subsidise_phones(levers, lever, model, communes)
            elif kind == "extend_coverage":
                _extend_coverage(levers, lever, model, villages)
            elif kind in ("equip_offices", "train_office_staff", "raise_online_procedures"):
                _office_lever(model.offices, lever, ramp, desks)
                levers.planned_cost[start_step] += desks * lever.unit_cost_vnd
            elif kind == "cut_online_fees":
                cut = np.outer(ramp * lever.magnitude, desks)
                levers.fee_cut = cut if levers.fee_cut is None else levers.fee_cut + cut
                levers.fee_cost.append((cut, lever.unit_cost_vnd))
            elif kind == "information_campaign":
                reach = np.outer(ramp * lever.magnitude, villages)
                if levers.campaign_reach is None:
                    levers.campaign_reach = np.zeros((n_months, n_villages))
                levers.campaign_reach = 1 - (1 - levers.campaign_reach) * (1 - reach)
                levers.campaign_cost.append((reach > 0, lever.unit_cost_vnd))
            else:  # pragma: no cover - the scenario loader checks types
                raise ValueError(f"unknown intervention type {kind!r}")
        if levers.fee_cut is not None:
            np.minimum(levers.fee_cut, 1.0, out=levers.fee_cut)
        model.offices.refresh(model.params, months)
        return levers


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


def _check_period(lever: Intervention, months: np.ndarray) -> None:
    """A lever must start (and end) within the model's calendar."""
    first, last = format_month(int(months[0])), format_month(int(months[-1]))
    for key in ("start", "end"):
        value = getattr(lever, key)
        if value is not None and not months[0] <= parse_month(value) <= months[-1]:
            raise UserError(
                "Intervention", key, f"{value} is outside the model's period {first} to {last}"
            )


def _named(lever: Intervention, s) -> set[str]:
    """The model's names of the places a lever names (typed with or without diacritics)."""
    known = [*s.district_names, *s.commune_names]
    what = "district or commune of the model"
    return {resolve(name, known, "Intervention", "where", what) for name in lever.where}


def _communes(lever: Intervention, s) -> np.ndarray:
    """Boolean mask of the communes an intervention acts on."""
    if not lever.where:
        return np.ones(s.n_communes, dtype=bool)
    named = _named(lever, s)
    district_names = [s.district_names[d] for d in s.commune_district]
    pairs = zip(s.commune_names, district_names, strict=True)
    return np.array([c in named or d in named for c, d in pairs])


def _districts(lever: Intervention, s) -> np.ndarray:
    """Boolean mask of the district desks an intervention acts on (whole districts named)."""
    if not lever.where:
        return np.ones(s.n_districts, dtype=bool)
    named = _named(lever, s)
    return np.array([d in named for d in s.district_names])


def _spend(levers: Levers, step: int, s, per_village: np.ndarray, unit_cost: float) -> None:
    """Add ``per_village`` units times ``unit_cost`` to each commune's spending at ``step``."""
    per_commune = np.add.reduceat(per_village, s.commune_village_start)
    levers.planned_cost[step, : s.n_communes] += per_commune * unit_cost


def _subsidise_phones(levers: Levers, lever: Intervention, model, communes: np.ndarray) -> None:
    """Poor households of the place with ``u < magnitude`` get a phone, spread over the ramp."""
    hh, s, months = model.households, model.structure, model.months
    u = model.streams["subsidy"].random(hh.n)
    chosen = hh.poor & communes[hh.commune] & (u < lever.magnitude)
    start = parse_month(lever.start)
    end = parse_month(lever.end) if lever.end else int(months[-1])
    spread = np.floor(u / max(lever.magnitude, 1e-12) * lever.ramp_months)
    delivery = np.minimum(start + spread, end).astype(hh.smartphone_due.dtype)
    given = chosen & (delivery < hh.smartphone_due)
    hh.smartphone_due[given] = delivery[given]
    steps = np.searchsorted(months, delivery[given])
    real = 1.0 / s.village_scale[hh.village[given]]  # real households per simulated one
    np.add.at(levers.planned_cost, (steps, hh.commune[given]), real * lever.unit_cost_vnd)


def _extend_coverage(levers: Levers, lever: Intervention, model, villages: np.ndarray) -> None:
    """Uncovered villages of the place with ``u < magnitude`` are connected over the ramp."""
    s, months = model.structure, model.months
    u = model.streams["extension"].random(s.n_villages)
    start = parse_month(lever.start)
    end = parse_month(lever.end) if lever.end else int(months[-1])
    spread = np.floor(u / max(lever.magnitude, 1e-12) * lever.ramp_months)
    connect = np.minimum(start + spread, end).astype(np.int64)
    current = model._coverage_month
    chosen = villages & (u < lever.magnitude) & (current > start) & (connect < current)
    current[chosen] = connect[chosen]
    steps = np.searchsorted(months, connect[chosen])
    np.add.at(levers.planned_cost, (steps, s.village_commune[chosen]), lever.unit_cost_vnd)


def _office_lever(offices, lever: Intervention, ramp: np.ndarray, desks: np.ndarray) -> None:
    """Raise the desks' computers, staff training or online share along the ramp."""
    effect = np.outer(ramp, desks)  # (months, desks) in [0, 1]
    if lever.type == "equip_offices":
        base = offices.computers  # before any intervention
        offices.computers_by_month = np.maximum(
            offices.computers_by_month, base + effect * np.maximum(lever.magnitude - base, 0)
        )
    elif lever.type == "train_office_staff":
        offices.training_by_month = offices.training_by_month * (1 + effect * lever.magnitude)
    else:
        share = offices.online_share
        offices.online_share = np.maximum(share, share + effect * (lever.magnitude - share))
