"""Households and the village -> commune -> district structure, as NumPy arrays.

:func:`build_structure` lays out districts, communes and villages;
:func:`build_households` draws a :class:`Households` object: one array entry
per household, households stored village by village (villages commune by
commune, communes district by district), so that every
per-village, per-commune or per-district sum is a contiguous ``np.add.reduceat``.

Household adoption decisions are *exponential clocks*: each household holds,
per process, a threshold drawn once from Exp(1) and spends it down by the
process's monthly hazard while it is eligible; it adopts in the month the
threshold is used up. A monthly adoption probability ``pi`` is the hazard
``-log(1 - pi)``, so each month's adoption is exactly Bernoulli(pi) given no
earlier adoption, and a household whose hazard is raised (a lever) adopts no
later than it would have: the clock makes scenarios comparable household by
household.

This module owns the starting state. The rules that change it are in
:mod:`adoption.model.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from adoption.model.params import Params
from adoption.model.streams import Streams
from adoption.places.profiles import DistrictProfile

#: Adoptions driven by Bass diffusion and team visits, each with an exponential clock.
CLOCKS: tuple[str, ...] = ("online", "app", "cashless")
#: Far-future month: "never" for due months.
NEVER = np.iinfo(np.int32).max


@dataclass
class Structure:
    """Places and their household ranges (all index arrays are int32/int64)."""

    district_names: list[str]
    commune_names: list[str]
    commune_district: np.ndarray  # district of each commune
    village_commune: np.ndarray  # commune of each village
    village_start: np.ndarray  # first household of each village
    village_size: np.ndarray  # households per village
    village_scale: np.ndarray  # simulated households per real household, per village
    commune_start: np.ndarray  # first household of each commune
    commune_size: np.ndarray
    district_commune_start: np.ndarray  # first commune of each district
    commune_village_start: np.ndarray  # first village of each commune
    district_size: np.ndarray  # households per district
    household_size: np.ndarray  # people per household, per district
    #: In a batch of runs (:mod:`adoption.model.batch`), the run of each household, village,
    #: commune and district; None in a single run.
    household_rep: np.ndarray | None = None
    village_rep: np.ndarray | None = None
    commune_rep: np.ndarray | None = None
    district_rep: np.ndarray | None = None

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return len(self.village_size)

    @property
    def n_communes(self) -> int:
        """Number of communes."""
        return len(self.commune_names)

    @property
    def n_districts(self) -> int:
        """Number of districts."""
        return len(self.district_names)


@dataclass
class Households:
    """State of all households, one entry per household (see ``docs/model.md``)."""

    village: np.ndarray  # int32
    commune: np.ndarray  # int32
    district: np.ndarray  # int16
    poor: np.ndarray  # bool
    skill: np.ndarray  # float32, digital skill in [0, 1]
    attitude: np.ndarray  # float32, multiplier on innovation, mean 1
    distance: np.ndarray  # float32, km to the commune office
    smartphone: np.ndarray  # bool
    smartphone_due: np.ndarray  # int32: month the household has a smartphone from
    account: np.ndarray  # bool: payment account (bank or e-wallet)
    account_due: np.ndarray  # int32: month the household has an account from
    aware: np.ndarray  # bool: made aware of online services by a team visit
    verified: np.ndarray  # bool: identity verified at a one-stop desk (once)
    online: np.ndarray  # bool: an online filer (able and willing to file online)
    app: np.ndarray  # bool: citizen app installed
    cashless: np.ndarray  # bool: pays electricity/water bills through an app
    clock: dict[str, np.ndarray]  # float32 remaining Exp(1) threshold per process
    shared_access: np.ndarray  # bool: can file online on a relative's or neighbour's phone
    adults: np.ndarray  # float32: people aged 15+ (the district's household size x adult share)
    app_since: np.ndarray  # int32: month the household installed the app (NEVER if not)
    self_filed: np.ndarray  # int32: last month the household filed online itself (-NEVER: never)

    @property
    def n(self) -> int:
        """Number of households."""
        return len(self.village)

    @property
    def any_service(self) -> np.ndarray:
        """Households using at least one of online filing, the citizen app, cashless bills."""
        return self.online | self.app | self.cashless

    @property
    def portal_account(self) -> np.ndarray:
        """Households with a portal account: those that have filed online themselves."""
        return self.self_filed > -NEVER


def build_structure(
    profiles: list[DistrictProfile],
    scale: float,
    commune_scale: Mapping[str, float] | None = None,
) -> Structure:
    """Villages, communes and districts with household counts scaled by ``scale``.

    Households of a commune are split evenly over its villages; every village
    keeps at least one household whatever the scale. ``commune_scale`` sets
    another scale for named communes (e.g. full scale for the communes a
    calibration target is about, inside a scaled district).
    """
    commune_scale = dict(commune_scale or {})
    unknown = set(commune_scale) - {c.name for p in profiles for c in p.communes}
    if unknown:
        raise ValueError(f"commune_scale names unknown communes: {sorted(unknown)}")
    village_size, village_commune, commune_district, names = [], [], [], []
    village_scale = []
    for d, profile in enumerate(profiles):
        for commune in profile.communes:
            c = len(names)
            names.append(commune.name)
            commune_district.append(d)
            own = commune_scale.get(commune.name, scale)  # communes of one name share it
            base, extra = divmod(commune.households, commune.villages)
            sizes = np.full(commune.villages, base) + (np.arange(commune.villages) < extra)
            village_size.extend(np.maximum(1, np.rint(sizes * own)).astype(int))
            village_scale.extend([own] * commune.villages)
            village_commune.extend([c] * commune.villages)
    village_size = np.asarray(village_size, dtype=np.int64)
    village_commune = np.asarray(village_commune, dtype=np.int32)
    commune_district = np.asarray(commune_district, dtype=np.int32)
    commune_size = np.bincount(village_commune, weights=village_size).astype(np.int64)
    return Structure(
        district_names=[p.name for p in profiles],
        commune_names=names,
        commune_district=commune_district,
        village_commune=village_commune,
        village_start=starts(village_size),
        village_size=village_size,
        village_scale=np.asarray(village_scale, dtype=np.float64),
        commune_start=starts(commune_size),
        commune_size=commune_size,
        district_commune_start=starts(np.bincount(commune_district)),
        commune_village_start=starts(np.bincount(village_commune)),
        district_size=np.bincount(commune_district, weights=commune_size).astype(np.int64),
        household_size=np.array([p.household_size for p in profiles]),
    )


def simulated_households(
    profiles: list[DistrictProfile], scale: float, commune_scale: Mapping[str, float] | None = None
) -> int:
    """Households one run of ``profiles`` simulates at ``scale`` (batch sizes are planned on it)."""
    return int(build_structure(profiles, scale, commune_scale).village_size.sum())


def starts(sizes: np.ndarray) -> np.ndarray:
    """First index of each block of ``sizes`` consecutive entries."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def build_households(
    structure: Structure,
    profiles: list[DistrictProfile],
    params: Params,
    streams: Streams,
    start: int,
    heterogeneity: bool = True,
) -> Households:
    """Draw every household's starting state.

    With ``heterogeneity=False`` all households are identical and able: skill 1,
    attitude 1, distance 0, a smartphone, an account, not poor (the
    Bass-recurrence reduction of ``docs/model.md``).
    """
    village = np.repeat(np.arange(structure.n_villages, dtype=np.int32), structure.village_size)
    commune = structure.village_commune[village]
    district = structure.commune_district[commune].astype(np.int16)
    n = len(village)

    def per_district(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in profiles], dtype=np.float64)[district]

    rng = streams["population"]
    if heterogeneity:
        mean, conc = per_district("skill_mean"), params.skill_concentration
        poor = rng.random(n) < per_district("poor_share")
        skill = rng.beta(mean * conc, (1 - mean) * conc)
        sigma = params.attitude_sigma
        attitude = np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
        mean_km = np.array([p.mean_distance_km for p in profiles])[district]
        distance = rng.exponential(mean_km)
        phone_prior = per_district("smartphone_2019") * np.where(poor, params.phone_poor_factor, 1)
        phone_hazard = params.phone_hazard * np.where(poor, params.phone_poor_factor, 1)
        smartphone_due = _due(streams["smartphone"], phone_prior, phone_hazard, start)
        account_due = _due(
            streams["account"], per_district("account_2019"), params.account_hazard, start
        )
    else:
        poor = np.zeros(n, bool)
        skill, attitude, distance = np.ones(n), np.ones(n), np.zeros(n)
        smartphone_due = account_due = np.full(n, start, dtype=np.int32)
    clock = {name: streams[name].exponential(size=n).astype(np.float32) for name in CLOCKS}
    shared = streams["access"].random(n) < params.shared_phone_access
    adults = np.array([p.household_size * p.adult_share for p in profiles], np.float32)[district]
    return Households(
        village=village,
        commune=commune,
        district=district,
        poor=poor,
        skill=skill.astype(np.float32),
        attitude=attitude.astype(np.float32),
        distance=distance.astype(np.float32),
        smartphone=smartphone_due <= start,
        smartphone_due=smartphone_due,
        account=account_due <= start,
        account_due=account_due,
        aware=np.zeros(n, bool),
        verified=np.zeros(n, bool),
        online=np.zeros(n, bool),
        app=np.zeros(n, bool),
        cashless=np.zeros(n, bool),
        clock=clock,
        shared_access=shared if heterogeneity else np.zeros(n, bool),
        adults=adults,
        app_since=np.full(n, NEVER, np.int32),
        self_filed=np.full(n, -NEVER, np.int32),
    )


def _due(rng: np.random.Generator, prior, hazard, start: int) -> np.ndarray:
    """Month from which a household has a thing (smartphone, account).

    ``start`` with probability ``prior``; otherwise the month its Exp(1) clock
    runs out at the constant monthly ``hazard``, counted from ``start + 1``.
    """
    n = len(prior)
    have, threshold = rng.random(n) < prior, rng.exponential(size=n)
    with np.errstate(divide="ignore"):  # a hazard of 0 is never: inf, capped at NEVER below
        months = start + np.ceil(threshold / hazard)
    return np.where(have, start, np.minimum(months, NEVER)).astype(np.int32)


def village_coverage_month(
    structure: Structure, profiles: list[DistrictProfile], streams: Streams, start: int
) -> np.ndarray:
    """Month from which each village has mobile coverage.

    A share ``coverage_2019`` of villages is covered from the start; the others
    are covered at a month drawn uniformly up to the district's ``coverage_full``.
    """
    district = structure.commune_district[structure.village_commune]
    covered0 = np.array([p.coverage_2019 for p in profiles])[district]
    full = np.array([p.coverage_full for p in profiles])[district]
    draws = streams["coverage"].random((2, structure.n_villages))
    later = start + np.floor(draws[1] * np.maximum(full - start + 1, 1)).astype(np.int64)
    return np.where(draws[0] < covered0, start, later)
