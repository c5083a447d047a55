"""Scenario files: what a planner writes to ask for a forecast.

A scenario is a TOML file::

    name = "baseline"
    description = "Status quo: ..."
    districts = ["Lục Yên", "Văn Yên", "Yên Lạc", "Trùng Khánh", "Chợ Đồn"]
    start = "2019-01"
    end = "2030-12"
    seed = 20190101
    runs = 100               # ensemble size: posterior draws x seeds (one of each per run)
    scale = 1.0              # households simulated per real household
    profile = "my.csv"      # optional: a profile file, relative to the scenario file
    parameters = "posterior" # "posterior": the shipped calibration (calibration/posterior.csv;
                             # each run of an ensemble draws a particle); "defaults": Params

    [params]                 # optional: overrides on top of those (see `adoption params`)
    visits_per_member = 4.0

    [[interventions]]        # any number of levers (adoption.interventions.TYPES)
    type = "train_teams"
    where = ["Trùng Khánh"]  # districts or communes; default every district of the scenario
    start = "2026-01"
    end = "2030-12"          # optional, default the period's end
    ramp_months = 6          # optional, default 1
    magnitude = 0.5
    unit_cost_vnd = 2000000
    cost_source = "assumption: ..."

This module reads and checks a file into a :class:`Scenario`; any mistake is a
one-line :class:`~adoption.errors.UserError` naming the file, the key and what
is allowed, raised before anything is run or written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .calendar import parse_month
from .errors import UserError
from .interventions import KEYS as INTERVENTION_KEYS
from .interventions import TYPES, Intervention
from .params import Params
from .posterior import posterior_mean_params
from .profiles import load_profiles
from .simulate import as_params

#: Allowed top-level keys and their meaning.
KEYS: dict[str, str] = {
    "name": "short name (text)",
    "description": "what the scenario represents (text)",
    "districts": "list of district names of the profile file",
    "start": "first month, YYYY-MM",
    "end": "last month, YYYY-MM",
    "seed": "integer seed of the ensemble",
    "runs": "number of runs of the ensemble (integer >= 1); each run has its own posterior draw "
    "and seed",
    "scale": "households simulated per real household, in (0, 1]",
    "profile": "path of a district profile CSV (relative to the scenario file)",
    "parameters": '"posterior" (the shipped calibration, default) or "defaults"',
    "params": "table of parameter overrides",
    "interventions": "array of tables [[interventions]], one per lever",
}


@dataclass(frozen=True)
class Scenario:
    """A checked scenario file."""

    path: Path
    name: str
    description: str = ""
    districts: list[str] | None = None
    start: str = "2019-01"
    end: str = "2030-12"
    seed: int = 0
    scale: float = 1.0
    profile: Path | None = None
    params: Params = field(default_factory=Params)
    parameters: str = "posterior"
    runs: int = 50
    interventions: tuple[Intervention, ...] = ()
    overrides: dict = field(default_factory=dict)

    def without_interventions(self) -> Scenario:
        """The same scenario with no levers: the baseline its costs and gains are measured from."""
        return replace(self, name=f"{self.name} without interventions", interventions=())


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Raises:
        UserError: for a missing file, bad TOML, an unknown key, a wrong type,
            a month out of order, an unknown district or a bad parameter.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(path, "path", "no such scenario file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UserError(path, "syntax", f"not valid TOML ({error})") from None
    for key in data:
        if key not in KEYS:
            raise UserError(path, key, f"unknown key; allowed: {', '.join(KEYS)}")
    text = _typed(path, data, "name", str, path.stem)
    description = _typed(path, data, "description", str, "")
    start = _month(path, data, "start", "2019-01")
    end = _month(path, data, "end", "2030-12")
    if parse_month(end) < parse_month(start):
        raise UserError(path, "end", f"{end} is before start {start}")
    seed = _typed(path, data, "seed", int, 0)
    scale = _typed(path, data, "scale", (int, float), 1.0)
    if not 0 < scale <= 1:
        raise UserError(path, "scale", f"must be in (0, 1], got {scale}")
    profile = None
    if "profile" in data:
        profile = path.parent / _typed(path, data, "profile", str, "")
    runs = _typed(path, data, "runs", int, 50)
    if runs < 1:
        raise UserError(path, "runs", f"must be an integer >= 1, got {runs}")
    districts = data.get("districts")
    try:
        profiles = load_profiles(profile)
    except UserError as error:
        raise UserError(path, "profile", str(error)) from None
    known = [p.name for p in profiles]
    if districts is not None:
        if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
            raise UserError(path, "districts", "expected a list of district names")
        for district in districts:
            if district not in known:
                raise UserError(
                    path, "districts", f"{district!r} unknown; known: {', '.join(known)}"
                )
    chosen = [p for p in profiles if districts is None or p.name in districts]
    interventions = _interventions(path, data.get("interventions", []), chosen, start, end)
    source = _typed(path, data, "parameters", str, "posterior")
    if source not in ("posterior", "defaults"):
        raise UserError(path, "parameters", f'expected "posterior" or "defaults", got {source!r}')
    overrides = data.get("params", {})
    if not isinstance(overrides, dict):
        raise UserError(path, "params", "expected a table of parameter = number")
    as_params(overrides, where=f"{path}: params")  # checks names and values
    base = posterior_mean_params() if source == "posterior" else Params()
    params = base.replace(**{k: float(v) for k, v in overrides.items()})
    return Scenario(
        path,
        text,
        description,
        districts,
        start,
        end,
        seed,
        float(scale),
        profile,
        params,
        source,
        runs,
        interventions,
        {k: float(v) for k, v in overrides.items()},
    )


def _interventions(path: Path, items, profiles, start: str, end: str) -> tuple:
    """Check the ``[[interventions]]`` tables; one-line errors name ``interventions[i].key``."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UserError(path, "interventions", "expected an array of tables [[interventions]]")
    districts = {p.name for p in profiles}
    communes = {c.name for p in profiles for c in p.communes}
    first, last = parse_month(start), parse_month(end)
    out = []
    for i, item in enumerate(items):
        where_key = f"interventions[{i}]"

        def key(name: str, where_key=where_key) -> str:
            return f"{where_key}.{name}"

        for name in item:
            if name not in INTERVENTION_KEYS:
                allowed = ", ".join(INTERVENTION_KEYS)
                raise UserError(path, key(name), f"unknown key; allowed: {allowed}")
        for name in ("type", "start", "magnitude", "unit_cost_vnd", "cost_source"):
            if name not in item:
                raise UserError(path, key(name), f"missing; {INTERVENTION_KEYS[name]}")
        kind = item["type"]
        if kind not in TYPES:
            raise UserError(path, key("type"), f"{kind!r} unknown; allowed: {', '.join(TYPES)}")
        spec = TYPES[kind]
        magnitude = _typed(path, item, "magnitude", (int, float), 0.0, where_key + ".")
        low, high = spec.bounds
        if not low <= magnitude <= high:
            raise UserError(
                path,
                key("magnitude"),
                f"{spec.magnitude}: must be in [{low}, {high}], got {magnitude}",
            )
        cost = _typed(path, item, "unit_cost_vnd", (int, float), 0.0, where_key + ".")
        if cost < 0:
            raise UserError(path, key("unit_cost_vnd"), f"must be >= 0 ({spec.cost_unit})")
        months = {}
        for name, default in (("start", None), ("end", end)):
            value = item.get(name, default)
            try:
                month = parse_month(value)
            except (ValueError, TypeError):
                raise UserError(
                    path, key(name), f'expected a month as "YYYY-MM", got {value!r}'
                ) from None
            if not first <= month <= last:
                raise UserError(
                    path, key(name), f"{value} is outside the scenario period {start} to {end}"
                )
            months[name] = value
        if parse_month(months["end"]) < parse_month(months["start"]):
            raise UserError(path, key("end"), f"{months['end']} is before {months['start']}")
        ramp = _typed(path, item, "ramp_months", int, 1, where_key + ".")
        if ramp < 1:
            raise UserError(path, key("ramp_months"), f"must be an integer >= 1, got {ramp}")
        where = item.get("where", [])
        if not isinstance(where, list) or not all(isinstance(w, str) for w in where):
            raise UserError(path, key("where"), "expected a list of district or commune names")
        for place in where:
            if place not in districts and place not in communes:
                raise UserError(
                    path,
                    key("where"),
                    f"{place!r} is not a district of the scenario ({', '.join(sorted(districts))})"
                    " nor one of their communes",
                )
        label = _typed(path, item, "label", str, "", where_key + ".")
        source = _typed(path, item, "cost_source", str, "", where_key + ".")
        if not source.strip():
            raise UserError(path, key("cost_source"), "say where the unit cost comes from")
        out.append(
            Intervention(
                type=kind,
                start=months["start"],
                end=months["end"],
                magnitude=float(magnitude),
                unit_cost_vnd=float(cost),
                where=tuple(where),
                ramp_months=ramp,
                label=label,
                cost_source=source,
            )
        )
    return tuple(out)


def _typed(path: Path, data: dict, key: str, kind, default, prefix: str = ""):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "number"
        raise UserError(path, prefix + key, f"expected {names}, got {value!r}")
    return value


def _month(path: Path, data: dict, key: str, default: str) -> str:
    value = data.get(key, default)
    try:
        parse_month(value)
    except (ValueError, TypeError):
        raise UserError(path, key, f'expected a month as "YYYY-MM", got {value!r}') from None
    return value
