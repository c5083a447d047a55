"""Many runs as one model: ``R`` runs stacked household after household, stepped together.

A :class:`BatchModel` is built from ``R`` :class:`~adoption.model.runspec.RunSpec` (their
parameters, seeds, places, scales and levers may all differ; their calendar and what
they record may not). Each run is set up exactly as :class:`~adoption.model.model.AdoptionModel`
sets it up alone, then the runs' arrays are laid end to end: households, villages,
communes, districts, desks, teams and lever schedules of run 0, then of run 1, ...
Each month is then one call of :func:`adoption.model.kernel.step` - the same rules as
one run, with the same few hundred NumPy calls whatever ``R`` - and each run draws
from its own random streams in the order it would alone. Run ``r`` of a batch is
therefore bit for bit the run ``AdoptionModel(spec=specs[r])`` (``tests/test_batch.py``).

:meth:`BatchModel.traces` gives each run's ``trace`` as a single run's
``(months, places, indicators)`` array, places in its own order (communes,
districts, total).
"""

from __future__ import annotations

import numpy as np

from adoption.model.agents import OfficeArrays, TeamArrays
from adoption.model.kernel import Draws
from adoption.model.lever_type import Schedules
from adoption.model.model import AdoptionModel
from adoption.model.population import NEVER, Households, Structure, starts
from adoption.model.runspec import RunSpec
from adoption.model.units import stack as stack_units

#: What a batch may record: the many-run modes (no Mesa agents, no DataCollector).
RECORDS = ("forecast", "outcomes", "targets")


class Values:
    """The runs' parameters, read as one :class:`~adoption.model.params.Params` is read.

    An attribute is a number where every run has the same value, else a float64 array
    with one value per run (see :func:`adoption.model.params.at`).
    """

    def __init__(self, params: list) -> None:
        self._params = params
        self._cache: dict[str, object] = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._cache:
            values = [getattr(p, name) for p in self._params]
            same = all(v == values[0] for v in values)
            self._cache[name] = values[0] if same else np.asarray(values, dtype=np.float64)
        return self._cache[name]


class BatchModel(AdoptionModel):
    """``R`` runs stepped as one model (module docstring)."""

    def __init__(self, specs: list[RunSpec], households: list | None = None) -> None:
        if not specs:
            raise ValueError("a batch needs at least one run")
        first = specs[0]
        for spec in specs:
            same = (spec.start, spec.end, spec.record, spec.offices, spec.indicators)
            if same != (first.start, first.end, first.record, first.offices, first.indicators):
                raise ValueError(
                    "the runs of a batch share start, end, record, offices and indicators"
                )
        if first.record not in RECORDS:
            raise ValueError(f"a batch records one of {RECORDS}, got {first.record!r}")
        households = households or [None] * len(specs)  # each run's, as AdoptionModel takes it
        runs = [AdoptionModel(spec=s, households=h) for s, h in zip(specs, households, strict=True)]
        super(AdoptionModel, self).__init__(rng=runs[0].streams.seed)  # mesa.Model only
        self.specs, self.n_runs = list(specs), len(runs)
        self._stack(runs)
        for run in runs:
            run.release()

    # -- stacking the runs ---------------------------------------------------------------------

    def _stack(self, runs: list[AdoptionModel]) -> None:
        one = runs[0]
        self.months, self.record, self.use_offices = one.months, one.record, one.use_offices
        self.use_teams = any(r.use_teams for r in runs)
        self.params = Values([r.params for r in runs])
        self.profiles = [p for r in runs for p in r.profiles]
        self.interventions = [lever for r in runs for lever in r.interventions]
        self.streams = [r.streams for r in runs]
        self.structure = _structure([r.structure for r in runs])
        self.households = _households([r.households for r in runs], runs)
        n = [r.households.n for r in runs]
        self.draws = Draws(self.streams, np.concatenate([[0], np.cumsum(n)]))
        self._scales = np.array([r.scale for r in runs])
        self.scale = float(self._scales[0]) if len(set(self._scales)) == 1 else None
        self._starts = {
            level: starts(np.array([getattr(r.structure, f"n_{level}") for r in runs]))
            for level in ("villages", "communes", "districts")
        }
        self.teams = TeamArrays(*(_cat([getattr(r.teams, f) for r in runs]) for f in _TEAM))
        self.offices = _offices([r.offices for r in runs], runs, self._starts["districts"])
        self.levers = _levers(runs, self.structure)
        desks = _desks([r._cost for r in runs], runs)
        self._cost = desks
        self._village = {k: _cat([r._village[k] for r in runs]) for k in one._village}
        self._innovation = {k: _cat([r._innovation[k] for r in runs]) for k in one._innovation}
        for name in ("_online_modifier", "_coverage_month", "_app_launch", "_base_members",
                     "_base_effectiveness"):  # fmt: skip
            setattr(self, name, _cat([getattr(r, name) for r in runs]))
        self.app_stay = np.stack([r.app_stay for r in runs])
        self._measured, self._measured_at, self.kept = one._measured, one._measured_at, one.kept
        self.counts, self.commune_counts = {}, {}
        self._runs_places = [r.places for r in runs]
        self._unit_counts = [r.units.n for r in runs]
        self.units = stack_units([r.units for r in runs])
        s = self.structure
        places = s.n_communes + s.n_districts + self.units.n + self.n_runs
        self.trace = np.full((len(self.months), places, len(self.kept)), np.nan, one.trace.dtype)

    # -- what the kernel reads -----------------------------------------------------------------

    @property
    def district_scale(self) -> np.ndarray:
        """Each district's run's ``scale``."""
        return self._scales[self.structure.district_rep]

    @property
    def village_start_of_run(self) -> np.ndarray:
        """First village of each run."""
        return self._starts["villages"]

    @property
    def household_start_of_run(self) -> np.ndarray:
        """First household of each run, and the number of households at the end."""
        return np.searchsorted(self.structure.household_rep, np.arange(self.n_runs + 1))

    @property
    def district_start_of_run(self) -> np.ndarray:
        """First district of each run."""
        return self._starts["districts"]

    @property
    def procedure_rates(self) -> list[float]:
        """Each run's monthly probability that a household needs a procedure."""
        return [p.procedure_rate for p in self.params._params]

    # -- results -------------------------------------------------------------------------------

    def place_rows(self, run: int) -> np.ndarray:
        """Rows of :attr:`trace` that are run ``run``'s places, in a single run's order."""
        c, d = self._starts["communes"], self._starts["districts"]
        s = self.structure
        c_end = np.append(c[1:], s.n_communes)
        d_end = np.append(d[1:], s.n_districts)
        u = starts(np.array(self._unit_counts))
        first_unit = s.n_communes + s.n_districts + u[run]
        return np.concatenate(
            [
                np.arange(c[run], c_end[run]),
                s.n_communes + np.arange(d[run], d_end[run]),
                np.arange(first_unit, first_unit + self._unit_counts[run]),
                [s.n_communes + s.n_districts + self.units.n + run],
            ]
        )

    def households_of(self, run: int) -> Households:
        """A copy of run ``run``'s households as its single run holds them (own indices)."""
        hh = self.households
        first, end = self.household_start_of_run[run : run + 2]
        shift = {
            level: self._starts[f"{level}s"][run] for level in ("village", "commune", "district")
        }
        fields = {}
        for name in Households.__dataclass_fields__:
            value = getattr(hh, name)
            if name == "clock":
                fields[name] = {k: v[first:end].copy() for k, v in value.items()}
            elif name in shift:
                fields[name] = value[first:end] - value.dtype.type(shift[name])
            else:
                fields[name] = value[first:end].copy()
        return Households(**fields)

    def traces(self) -> list[np.ndarray]:
        """Each run's ``(months, places, indicators)`` trace, as its single run would give."""
        return [self.trace[:, self.place_rows(r)] for r in range(self.n_runs)]

    def places_of(self, run: int):
        """Run ``run``'s place table (as :func:`adoption.model.model.place_table`)."""
        return self._runs_places[run]

    def tidy(self):  # noqa: D102 - a batch has no DataCollector
        raise TypeError("a batch records traces only: use traces()")


_TEAM = ("start", "members", "effectiveness", "visits")
_OFFICE_DESKS = ("start", "computers", "files", "closes", "verifies")
_OFFICE_TABLES = ("online_share", "assist", "digitise", "computers_by_month", "training_by_month")


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0].copy() if len(parts) == 1 else np.concatenate(parts, axis=-1)


def _offset(parts: list[np.ndarray], sizes: list[int]) -> list[np.ndarray]:
    """Index arrays of each run shifted by the sizes of the runs before it."""
    shifts = starts(np.array(sizes))
    return [part + shift.astype(part.dtype) for part, shift in zip(parts, shifts, strict=True)]


def _structure(parts: list[Structure]) -> Structure:
    communes = [p.n_communes for p in parts]
    districts = [p.n_districts for p in parts]
    villages = [p.n_villages for p in parts]
    commune_district = np.concatenate(_offset([p.commune_district for p in parts], districts))
    village_commune = np.concatenate(_offset([p.village_commune for p in parts], communes))
    village_size = _cat([p.village_size for p in parts])
    commune_size = _cat([p.commune_size for p in parts])

    def rep(sizes):
        return np.repeat(np.arange(len(parts), dtype=np.int32), sizes)

    return Structure(
        district_names=[n for p in parts for n in p.district_names],
        commune_names=[n for p in parts for n in p.commune_names],
        commune_district=commune_district,
        village_commune=village_commune,
        village_start=starts(village_size),
        village_size=village_size,
        village_scale=_cat([p.village_scale for p in parts]),
        commune_start=starts(commune_size),
        commune_size=commune_size,
        district_commune_start=starts(np.bincount(commune_district)),
        commune_village_start=starts(np.bincount(village_commune)),
        district_size=_cat([p.district_size for p in parts]),
        household_size=_cat([p.household_size for p in parts]),
        household_rep=rep([int(p.village_size.sum()) for p in parts]),
        village_rep=rep(villages),
        commune_rep=rep(communes),
        district_rep=rep(districts),
    )


def _households(parts: list[Households], runs) -> Households:
    sizes = {
        "village": [r.structure.n_villages for r in runs],
        "commune": [r.structure.n_communes for r in runs],
        "district": [r.structure.n_districts for r in runs],
    }
    fields = {}
    for name in Households.__dataclass_fields__:
        values = [getattr(p, name) for p in parts]
        if name == "clock":
            fields[name] = {k: _cat([v[k] for v in values]) for k in values[0]}
        elif name in sizes:
            fields[name] = np.concatenate(_offset(values, sizes[name]))
        else:
            fields[name] = _cat(values)
    return Households(**fields)


def _desks(parts: list[np.ndarray], runs) -> np.ndarray:
    """Per-desk arrays laid out for the batch: every run's commune desks, then district desks.

    The last axis of each part is one run's desks: its communes, then its districts.
    """
    communes = [r.structure.n_communes for r in runs]
    heads = [p[..., :c] for p, c in zip(parts, communes, strict=True)]
    tails = [p[..., c:] for p, c in zip(parts, communes, strict=True)]
    return np.concatenate(heads + tails, axis=-1)


def _offices(parts: list[OfficeArrays], runs, district_start: np.ndarray) -> OfficeArrays:
    districts = [
        p.district + district_start[r].astype(p.district.dtype) for r, p in enumerate(parts)
    ]
    fields = {"district": _desks(districts, runs)}
    for name in _OFFICE_DESKS + _OFFICE_TABLES:
        fields[name] = _desks([getattr(p, name) for p in parts], runs)
    return OfficeArrays(**fields)


def _levers(runs, structure: Structure) -> Schedules:
    """The runs' lever schedules on the batch's villages and desks (no lever: no effect)."""
    plans = [r.levers for r in runs]
    months = len(runs[0].months)
    out = Schedules()
    for name, neutral in (("members_added", 0.0), ("effectiveness", 1.0),
                          ("campaign_reach", 0.0)):  # fmt: skip
        tables = [getattr(p, name) for p in plans]
        if any(t is not None for t in tables):
            shapes = [(months, r.structure.n_villages) for r in runs]
            filled = [
                t if t is not None else np.full(s, neutral)
                for t, s in zip(tables, shapes, strict=True)
            ]
            setattr(out, name, _cat(filled))
    for name in ("fee_cut", "planned_cost"):
        tables = [getattr(p, name) for p in plans]
        if any(t is not None for t in tables):
            desks = [r.structure.n_communes + r.structure.n_districts for r in runs]
            filled = [
                t if t is not None else np.zeros((months, d))
                for t, d in zip(tables, desks, strict=True)
            ]
            setattr(out, name, _desks(filled, runs))
    courses = [p.course_month for p in plans]
    if any(t is not None for t in courses):  # per household; NEVER where a run has none
        out.course_month = _cat([t if t is not None else np.full(r.households.n, NEVER, np.int32)
                                 for t, r in zip(courses, runs, strict=True)])  # fmt: skip
    villages = [r.structure.n_villages for r in runs]
    communes = [r.structure.n_communes for r in runs]
    desks = [r.structure.n_communes + r.structure.n_districts for r in runs]
    # The k-th campaign (fee) lever of every run shares slot k: a run's cost adds its levers
    # in its own order, and a run with fewer levers adds nothing (a mask of False, cost 0).
    for k in range(max(len(p.campaign_cost) for p in plans)):
        entries = [p.campaign_cost[k] if k < len(p.campaign_cost) else None for p in plans]
        mask = _cat([e[0] if e else np.zeros((months, v), bool)
                     for e, v in zip(entries, villages, strict=True)])  # fmt: skip
        cost = _cat(
            [np.full(c, e[1] if e else 0.0) for e, c in zip(entries, communes, strict=True)]
        )
        out.campaign_cost.append((mask, cost))
    for k in range(max(len(p.fee_cost) for p in plans)):
        entries = [p.fee_cost[k] if k < len(p.fee_cost) else None for p in plans]
        cut = _desks([e[0] if e else np.zeros((months, d))
                      for e, d in zip(entries, desks, strict=True)], runs)  # fmt: skip
        cost = _desks([np.full(d, e[1] if e else 0.0) for e, d in zip(entries, desks, strict=True)],
                      runs)  # fmt: skip
        out.fee_cost.append((cut, cost))
    return out
