"""District profiles: the structure and starting conditions of each district.

Reads the profile file (``adoption/data/districts.csv`` by default; a user's own
file with the same columns works the same way) into :class:`DistrictProfile`
objects. Each row of the file is one value::

    district, commune, key, date, value, unit, source

``commune`` is empty for a district-wide value and names a commune for a
value that holds for that commune only (a commune named anywhere becomes a
named commune; the others get generated names). ``date`` is empty except for
the dated points of the ``procedures_online_share`` schedule, which is
interpolated linearly between its points and held flat outside them.
``source`` must not be empty: a seed file and quote, a public page, or
"assumption".

This module owns reading and checking the file. It does not create households:
that is :mod:`adoption.model.population`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from adoption.calendar import parse_month
from adoption.errors import UserError
from adoption.files import read_csv_rows
from adoption.places.names import resolve_all
from adoption.places.reform import REFORM_MONTH

COLUMNS = ["district", "commune", "key", "date", "value", "unit", "source"]

SHARE, MONTH, POSITIVE, COUNT, TEXT, FLAG = "share", "month", "positive", "count", "text", "flag"

#: District-wide keys and their type. All are required.
DISTRICT_KEYS: dict[str, str] = {
    "province": TEXT,
    "population": COUNT,
    "household_size": POSITIVE,
    "households": COUNT,
    "communes": COUNT,
    "villages": COUNT,
    "area_km2": POSITIVE,
    "poor_share": SHARE,
    "team_start": MONTH,
    "team_members": POSITIVE,
    "computers_per_official": POSITIVE,
    "desk_start": MONTH,
    "coverage_2019": SHARE,
    "coverage_full": MONTH,
    "smartphone_2019": SHARE,
    "account_2019": SHARE,
    "skill_mean": SHARE,
    "app_launch": MONTH,
    "adult_share": SHARE,
    "procedures_online_share": SHARE,
    "campaign_reach": SHARE,
}
#: District keys that may be left out.
OPTIONAL_KEYS = {"campaign_reach"}

#: Keys a commune row may set for that commune only.
COMMUNE_KEYS: dict[str, str] = {
    "named": FLAG,
    "households": COUNT,
    "villages": COUNT,
    "team_start": MONTH,
    "team_members": POSITIVE,
    "computers_per_official": POSITIVE,
    "desk_start": MONTH,
    "procedures_online_share": SHARE,
    "campaign_reach": SHARE,
}

#: Keys given as dated points: the online-share schedule (interpolated), campaign months.
DATED_KEYS = {"procedures_online_share", "campaign_reach"}

#: Largest value a count may take: all of Viet Nam has about 27 million households.
COUNT_LIMITS: dict[str, int] = {
    "population": 150_000_000,
    "households": 30_000_000,
    "communes": 20_000,
    "villages": 300_000,
}


@dataclass(frozen=True)
class Schedule:
    """A piecewise-linear schedule over months, flat before the first and after the last point.

    ``assumed`` marks the points whose source is an assumption: :meth:`at` can shift
    them on the logit scale (``supply_logit_shift``), leaving reported points as they are.
    """

    months: tuple[int, ...]
    values: tuple[float, ...]
    assumed: tuple[bool, ...] = ()
    #: Points a stated rule added after a hindcast's cut-off (not inputs of the profile).
    extrapolated: tuple[bool, ...] = ()

    def at(self, month: int | np.ndarray, shift: float = 0.0) -> np.ndarray:
        """Value(s) of the schedule at ``month``, assumed points shifted by ``shift`` (logit)."""
        values = np.asarray(self.values, dtype=np.float64)
        if shift and any(self.assumed):
            clipped = np.clip(values, 1e-4, 1 - 1e-4)
            moved = 1 / (1 + np.exp(-(np.log(clipped / (1 - clipped)) + shift)))
            values = np.where(self.assumed, moved, values)
        return np.interp(month, self.months, values)


@dataclass(frozen=True)
class CommuneSpec:
    """One commune: its villages and households, its desk and its teams."""

    name: str
    district: str
    villages: int
    households: int
    team_start: int
    team_members: float
    computers_per_official: float
    desk_start: int
    online_share: Schedule
    named: bool = False
    #: Dated campaigns of the status quo: (month, share of households reached that month).
    campaigns: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class DistrictProfile:
    """One district: starting conditions, the district desk and its communes."""

    name: str
    province: str
    population: int
    household_size: float
    households: int
    area_km2: float
    poor_share: float
    coverage_2019: float
    coverage_full: int
    smartphone_2019: float
    account_2019: float
    skill_mean: float
    app_launch: int
    adult_share: float
    desk_start: int
    computers_per_official: float
    online_share: Schedule
    communes: tuple[CommuneSpec, ...] = field(default_factory=tuple)
    #: Month from which the district desk is gone and its commune centres serve (None: never).
    reform: int | None = parse_month(REFORM_MONTH)

    @property
    def mean_distance_km(self) -> float:
        """Mean distance to the commune office: half the side of an average commune's area."""
        return 0.5 * float(np.sqrt(self.area_km2 / len(self.communes)))


def default_profile_path() -> Path:
    """Path of the shipped profile file of the five districts."""
    return Path(str(resources.files("adoption") / "data" / "districts.csv"))


def load_profiles(
    path: str | Path | None = None, districts: list[str] | None = None
) -> list[DistrictProfile]:
    """Read and check a profile file.

    Args:
        path: a CSV with the columns of :data:`COLUMNS`; the shipped five-district file if None.
        districts: keep only these districts, in this order (all, in file order, if None).

    Returns:
        One :class:`DistrictProfile` per district.

    Raises:
        UserError: naming the file, the row and key, and what is allowed.
    """
    path = Path(path) if path is not None else default_profile_path()
    district_values, commune_values, order = _read_rows(path)
    if districts is not None:
        order, _ = resolve_all(districts, order, path, "district", "district of the file")
    return [
        _build_district(path, name, district_values[name], commune_values.get(name, {}))
        for name in order
    ]


def _read_rows(path: Path):
    header, rows = read_csv_rows(path, "profile")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(path, "columns", f"missing column(s) {missing}; need {COLUMNS}")
    district_values: dict[str, dict] = {}
    commune_values: dict[str, dict[str, dict]] = {}
    order: list[str] = []
    for line, row in rows:
        where = f"{path}: row {line}"
        if None in row or any(row[c] is None for c in COLUMNS):
            raise UserError(where, "columns", f"expected {len(header)} fields: {', '.join(header)}")
        district, commune, key = row["district"], row["commune"], row["key"]
        if not district:
            raise UserError(where, "district", "must not be empty")
        if not row["source"]:
            raise UserError(where, key, "source is empty: cite the text or write 'assumption'")
        allowed = COMMUNE_KEYS if commune else DISTRICT_KEYS
        if key not in allowed:
            level = "commune" if commune else "district"
            raise UserError(where, key, f"unknown {level} key; allowed: {', '.join(allowed)}")
        value = _parse_value(where, key, allowed[key], row["value"])
        if district not in district_values:
            district_values[district] = {}
            order.append(district)
        target = (
            commune_values.setdefault(district, {}).setdefault(commune, {})
            if commune
            else district_values[district]
        )
        if key in DATED_KEYS:
            try:
                month = parse_month(row["date"])
            except ValueError:
                raise UserError(where, key, "needs a date YYYY-MM in the date column") from None
            assumed = row["source"].lower().startswith("assumption")
            target.setdefault(key, {})[month] = (value, assumed)
        else:
            if key in target:
                raise UserError(where, key, "given twice for the same place")
            target[key] = value
    if not order:
        raise UserError(path, "rows", "no district rows in the file")
    return district_values, commune_values, order


def _parse_value(where: str, key: str, kind: str, text: str):
    text = (text or "").strip()
    if kind == TEXT:
        return text
    if kind == MONTH:
        try:
            return parse_month(text)
        except ValueError:
            raise UserError(where, key, f"expected a month YYYY-MM, got {text!r}") from None
    try:
        number = float(text)
    except ValueError:
        raise UserError(where, key, f"expected a number, got {text!r}") from None
    if not math.isfinite(number):
        raise UserError(where, key, f"expected a finite number, got {text!r}")
    if number > COUNT_LIMITS.get(key, math.inf):
        raise UserError(where, key, f"at most {COUNT_LIMITS[key]:,} (all of Viet Nam), got {text}")
    if kind == SHARE and not 0.0 <= number <= 1.0:
        raise UserError(where, key, f"a share must be within [0, 1], got {number}")
    if kind in (POSITIVE, COUNT, FLAG) and number <= 0:
        raise UserError(where, key, f"must be positive, got {number}")
    if kind == COUNT:
        if number != int(number):
            raise UserError(where, key, f"must be a whole number, got {number}")
        return int(number)
    return number


def check_scale(
    scale: float, profiles: list[DistrictProfile], where: str | Path = "scale", key: str = "scale"
) -> None:
    """A scale in (0, 1] that leaves every village at least one simulated household.

    Below that, every village is still simulated with one household, and counts
    divided by the scale would report more households than exist.
    """
    if isinstance(scale, bool) or not 0 < scale <= 1:
        raise UserError(where, key, f"must be in (0, 1], got {scale!r}")
    smallest = min(c.households / c.villages for p in profiles for c in p.communes)
    if scale * smallest < 1:
        raise UserError(
            where,
            key,
            f"{scale:g} is too small: the smallest villages have {smallest:.0f} households, so "
            f"the scale must be at least {1 / smallest:.2g} for one simulated household each",
        )


def _schedule(points: dict[int, tuple[float, bool]]) -> Schedule:
    months = tuple(sorted(points))
    values = tuple(float(points[m][0]) for m in months)
    return Schedule(months, values, tuple(bool(points[m][1]) for m in months))


def _campaigns(*dated: dict | None) -> tuple[tuple[int, float], ...]:
    """Campaign months and reach, from the district's and the commune's rows (commune wins)."""
    merged = {}
    for points in dated:
        merged.update({m: v for m, (v, _) in (points or {}).items()})
    return tuple(sorted(merged.items()))


def _build_district(path: Path, name: str, values: dict, communes: dict) -> DistrictProfile:
    missing = [k for k in DISTRICT_KEYS if k not in values and k not in OPTIONAL_KEYS]
    if missing:
        raise UserError(path, f"{name}: {missing[0]}", "required district key is missing")
    n_communes = values["communes"]
    if len(communes) > n_communes:
        raise UserError(path, f"{name}: communes", f"{len(communes)} named but only {n_communes}")
    district_schedule = _schedule(values["procedures_online_share"])
    names = list(communes) + [f"{name} C{k:02d}" for k in range(len(communes) + 1, n_communes + 1)]
    villages = _split(values["villages"], [communes.get(c, {}).get("villages") for c in names])
    if values["households"] < sum(villages):
        raise UserError(path, f"{name}: households", "fewer households than villages")
    fixed = [communes.get(c, {}).get("households") for c in names]
    households = _split(values["households"], fixed)
    if min(households) < 1 or sum(households) != values["households"]:
        problem = "the communes' households exceed the district's"
        raise UserError(path, f"{name}: households", problem)
    specs = []
    for commune, n_villages, n_households in zip(names, villages, households, strict=True):
        own = communes.get(commune, {})
        specs.append(
            CommuneSpec(
                name=commune,
                district=name,
                villages=n_villages,
                households=n_households,
                team_start=own.get("team_start", values["team_start"]),
                team_members=own.get("team_members", values["team_members"]),
                computers_per_official=own.get(
                    "computers_per_official", values["computers_per_official"]
                ),
                desk_start=own.get("desk_start", values["desk_start"]),
                online_share=_schedule(own["procedures_online_share"])
                if "procedures_online_share" in own
                else district_schedule,
                named=commune in communes,
                campaigns=_campaigns(values.get("campaign_reach"), own.get("campaign_reach")),
            )
        )
    scalar = {k: v for k, v in values.items() if k in DISTRICT_KEYS and k not in DATED_KEYS}
    for commune, v, h in zip(names, villages, households, strict=True):
        if v > h:
            raise UserError(path, f"{name}: {commune}", f"{v} villages but {h} households")
    del scalar["communes"], scalar["villages"], scalar["team_start"], scalar["team_members"]
    return DistrictProfile(
        name=name, online_share=district_schedule, communes=tuple(specs), **scalar
    )


def _split(total: int, fixed: list[int | None]) -> list[int]:
    """Split ``total`` over slots; fixed slots keep their value, the rest share evenly."""
    free = [i for i, v in enumerate(fixed) if v is None]
    rest = total - sum(v for v in fixed if v is not None)
    if free and rest < len(free):
        rest = len(free)  # every commune keeps at least one
    base, extra = divmod(rest, max(len(free), 1))
    out = list(fixed)
    for rank, i in enumerate(free):
        out[i] = base + (1 if rank < extra else 0)
    return [int(v) for v in out]


def synthetic_profiles(n_households: int, n_districts: int = 5) -> list[DistrictProfile]:
    """Profiles of made-up districts with ``n_households`` in all (for scaling benchmarks).

    Each district copies Lục Yên's starting conditions; communes hold ~1,200
    households in 9 villages each, as in the real districts.
    """
    template = load_profiles(districts=["Lục Yên"])[0]
    per_district = _split(n_households, [None] * n_districts)
    out = []
    for d, households in enumerate(per_district):
        n_communes = max(1, round(households / 1200))
        villages = _split(9 * n_communes, [None] * n_communes)
        homes = _split(households, [None] * n_communes)
        name = f"Synthetic {d + 1}"
        communes = tuple(
            replace(
                template.communes[1],
                name=f"{name} C{k + 1:02d}",
                district=name,
                villages=min(v, h),
                households=h,
                named=False,
            )
            for k, (v, h) in enumerate(zip(villages, homes, strict=True))
        )
        out.append(replace(template, name=name, households=households, communes=communes))
    return out


def single_village(n_households: int) -> list[DistrictProfile]:
    """One district of one commune of one village (the Bass-recurrence test case)."""
    template = load_profiles(districts=["Lục Yên"])[0]
    commune = replace(
        template.communes[0], name="Village", district="Test", villages=1, households=n_households
    )
    return [replace(template, name="Test", households=n_households, communes=(commune,))]
