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

    [[interventions]]        # any number of levers (adoption.model.levers.TYPES)
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

from adoption.calendar import FIRST_MONTH, YEARS, parse_month
from adoption.calibration.posterior import posterior_mean_params, read_posterior, shipped
from adoption.errors import UserError
from adoption.files import SHIPPED, read_text
from adoption.model import sizes
from adoption.model.indicators import FORECAST
from adoption.model.interventions import KEYS as INTERVENTION_KEYS
from adoption.model.interventions import Intervention, with_end
from adoption.model.params import Params, check_value
from adoption.places.names import commune_name, place_names, resolve_all, resolve_place
from adoption.places.profiles import DistrictProfile, check_scale, load_profiles
from adoption.places.reform import expand, units

#: Allowed top-level keys and their meaning.
KEYS: dict[str, str] = {
    "name": "short name (text, required)",
    "description": "what the scenario represents (text)",
    "name_vi": "optional: the name in Vietnamese (shown on the Vietnamese page)",
    "description_vi": "optional: the description in Vietnamese",
    "districts": "list of district names of the profile file",
    "start": "first month, YYYY-MM",
    "end": "last month, YYYY-MM",
    "seed": "integer seed of the ensemble, >= 0",
    "runs": "number of runs of the ensemble (integer >= 1); each run has its own posterior draw "
    "and seed",
    "scale": "households simulated per real household, in (0, 1]",
    "profile": "path of a district profile CSV (relative to the scenario file)",
    "parameters": '"posterior" (the shipped calibration, default), "defaults", or the path of a '
    'posterior CSV (e.g. a hindcast\'s "calibration/hindcast-2023-12/posterior.csv")',
    "params": "table of parameter overrides",
    "discount_rate": "annual rate at which household-years gained are discounted (default 0)",
    "discount_source": "where the discount rate comes from (default 'assumption')",
    "interventions": "array of tables [[interventions]], one per lever",
}
#: Largest seed (NumPy seeds are unsigned 64-bit... kept to what TOML integers hold).
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Scenario:
    """A checked scenario file."""

    path: Path
    name: str
    description: str = ""
    districts: list[str] | None = None
    start: str = FIRST_MONTH
    end: str = "2030-12"
    seed: int = 0
    scale: float = 1.0
    profile: Path | None = None
    params: Params = field(default_factory=Params)
    parameters: str = "posterior"
    runs: int = 50
    interventions: tuple[Intervention, ...] = ()
    overrides: dict = field(default_factory=dict)
    #: Names read as another spelling ("'Luong Bang' read as 'Lương Bằng'"), for the user.
    notes: tuple[str, ...] = ()
    #: Annual discount rate of household-years gained, and its source.
    discount_rate: float = 0.0
    discount_source: str = "assumption"
    #: A posterior file other than the shipped one (``parameters`` names it).
    posterior_path: Path | None = None
    #: The name and description in Vietnamese (the dashboard's Vietnamese page shows them).
    name_vi: str = ""
    description_vi: str = ""

    @property
    def posterior_file(self) -> Path | None:
        """The posterior file the runs draw from; None with ``parameters = "defaults"``."""
        if self.parameters == "defaults":
            return None
        return self.posterior_path if self.posterior_path is not None else shipped()

    def without_interventions(self) -> Scenario:
        """The same scenario with no levers: the baseline its costs and gains are measured from."""
        return replace(self, name=f"{self.name} without interventions", interventions=())


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file, or a shipped scenario by name (``"baseline"``).

    Raises:
        UserError: for a missing or unreadable file, bad TOML, a missing name, an unknown
            key, a wrong type, a month out of order, an unknown district or place, a bad
            parameter, or an ensemble too large for this machine.
    """
    path = find_scenario(path)
    return parse_scenario(read_text(path, "scenario"), path)


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package (``baseline`` first)."""
    names = [p.stem for p in (SHIPPED / "scenarios").glob("*.toml")]
    return sorted(names, key=lambda n: (n != "baseline", n))


def find_scenario(path: str | Path) -> Path:
    """``path`` if it is a file, else the shipped scenario a bare name names (from any folder).

    Raises:
        UserError: for a bare name that is neither a file nor a shipped scenario.
    """
    path = Path(path)
    if path.exists() or path.suffix or len(path.parts) != 1:
        return path
    named = SHIPPED / "scenarios" / f"{path.name}.toml"
    if named.is_file():
        return named
    shipped = ", ".join(shipped_scenarios())
    raise UserError(path, "path", f"no such scenario file or shipped scenario; shipped: {shipped}")


def parse_scenario(text: str, path: str | Path) -> Scenario:
    """Check the text of a scenario file as if read from ``path`` (what the dashboard edits).

    Messages name ``path``, and a ``profile`` key is relative to its folder, as for a file.

    Raises:
        UserError: as :func:`load_scenario`.
    """
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(path, "syntax", f"not valid TOML ({error})") from None
    for key in data:
        if key not in KEYS:
            raise UserError(path, key, f"unknown key; allowed: {', '.join(KEYS)}")
    if "name" not in data:
        raise UserError(path, "name", 'missing: every scenario names what it asks (name = "...")')
    name = _typed(path, data, "name", str, "").strip()
    if not name:
        raise UserError(path, "name", "must not be empty")
    start, end = _month(path, data, "start", FIRST_MONTH), _month(path, data, "end", "2030-12")
    if start != FIRST_MONTH:
        problem = (
            f"must be {FIRST_MONTH} (or left out): the district profiles describe "
            f"January 2019 and every run starts there; read the tables from {start}"
        )
        raise UserError(path, "start", problem)
    if parse_month(end) < parse_month(start):
        raise UserError(path, "end", f"{end} is before start {start}")
    seed, runs, scale = _size_keys(path, data)
    profile = path.parent / _typed(path, data, "profile", str, "") if "profile" in data else None
    try:
        profiles = load_profiles(profile)
    except UserError as error:
        raise UserError(path, "profile", str(error)) from None
    districts, notes = _districts(path, data.get("districts"), profiles)
    chosen = [p for p in profiles if districts is None or p.name in districts]
    check_scale(scale, chosen, path, "scale")
    interventions, lever_notes = _interventions(
        path, data.get("interventions", []), chosen, start, end
    )
    source = _typed(path, data, "parameters", str, "posterior")
    posterior = posterior_file(source, path)
    source = source if posterior is None or source == "posterior" else str(posterior)
    overrides = data.get("params", {})
    if not isinstance(overrides, dict):
        raise UserError(path, "params", "expected a table of parameter = number")
    overrides = {k: check_value(k, v, f"{path}: params") for k, v in overrides.items()}
    base = posterior_mean_params(posterior) if posterior is not None else Params()
    scenario = Scenario(
        path,
        name,
        _typed(path, data, "description", str, ""),
        districts,
        start,
        end,
        seed,
        float(scale),
        profile,
        base.replace(**overrides),
        source,
        runs,
        interventions,
        overrides,
        tuple(notes + lever_notes),
    )
    check_size(scenario, chosen, path, "runs")
    own = posterior if source not in ("posterior", "defaults") else None
    texts_vi = {k: _typed(path, data, k, str, "") for k in ("name_vi", "description_vi")}
    return replace(scenario, posterior_path=own, **_discount(path, data), **texts_vi)


def posterior_file(source: str, where: str | Path, key: str = "parameters") -> Path | None:
    """The posterior file ``source`` names: the shipped one, none (``"defaults"``), or a path.

    A relative path is read beside the scenario file if it is there, else from the current
    folder; the file is checked (:func:`~adoption.calibration.posterior.read_posterior`).

    Raises:
        UserError: naming ``where`` and ``key``, for anything else or a file that is not one.
    """
    if source == "defaults":
        return None
    if source == "posterior":  # never a silent fallback to default parameters
        if not shipped().is_file():
            problem = (
                f'"posterior" asks for the shipped calibration, but {shipped()} is missing; '
                'name a posterior CSV, or "defaults" to run without one'
            )
            raise UserError(where, key, problem)
        return shipped()
    if not source.endswith(".csv"):
        allowed = '"posterior", "defaults" or the path of a posterior .csv file'
        raise UserError(where, key, f"expected {allowed}, got {source!r}")
    path = Path(source)
    if not path.is_absolute():
        beside = Path(where).parent / path
        path = beside if beside.is_file() else Path.cwd() / path
    read_posterior(path, where, key)
    return path.resolve()


def _discount(path: Path, data: dict) -> dict:
    rate = _typed(path, data, "discount_rate", (int, float), 0.0)
    if not 0 <= rate <= 1:
        raise UserError(path, "discount_rate", f"must be in [0, 1] (a yearly rate), got {rate}")
    source = _typed(path, data, "discount_source", str, "assumption").strip()
    if not source:
        raise UserError(path, "discount_source", "say where the discount rate comes from")
    return {"discount_rate": float(rate), "discount_source": source}


def _size_keys(path: Path, data: dict) -> tuple[int, int, float]:
    """``seed``, ``runs`` and ``scale``, checked."""
    seed = _typed(path, data, "seed", int, 0)
    if not 0 <= seed <= MAX_SEED:
        raise UserError(path, "seed", f"must be an integer in [0, {MAX_SEED}], got {seed}")
    runs = _typed(path, data, "runs", int, 50)
    if runs < 1:
        raise UserError(path, "runs", f"must be an integer >= 1, got {runs}")
    return seed, runs, _typed(path, data, "scale", (int, float), 1.0)


def check_size(scenario: Scenario, profiles: list[DistrictProfile], where, key: str,
               workers: int | None = None) -> None:  # fmt: skip
    """Refuse an ensemble too large for this machine (:mod:`adoption.model.sizes`)."""
    import os

    households = scenario.scale * sum(p.households for p in profiles)
    months = parse_month(scenario.end) - parse_month(scenario.start) + 1
    places = sum(len(p.communes) + 1 for p in profiles) + 1
    workers = workers or os.cpu_count() or 1
    found = sizes.estimate(households, months, places, len(FORECAST), scenario.runs, workers)
    sizes.check(found, workers, where, key)


def _districts(path: Path, districts, profiles: list[DistrictProfile]):
    if districts is None:
        return None, []
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
        raise UserError(path, "districts", "expected a list of district names")
    if not districts:
        raise UserError(path, "districts", "empty; name at least one district or leave it out")
    known = [p.name for p in profiles]
    return resolve_all(districts, known, path, "districts", "district of the profile")


def _interventions(path: Path, items, profiles, start: str, end: str) -> tuple:
    """Check the ``[[interventions]]`` tables; one-line errors name ``interventions[i].key``."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UserError(path, "interventions", "expected an array of tables [[interventions]]")
    pairs = [(c.name, p.name) for p in profiles for c in p.communes]
    names = place_names(pairs, [p.name for p in profiles])
    names_2025 = units(pairs)
    first, last = parse_month(start), parse_month(end)
    out, notes = [], []
    for i, item in enumerate(items):
        prefix = f"interventions[{i}]"
        for name in item:
            if name not in INTERVENTION_KEYS:
                allowed = ", ".join(INTERVENTION_KEYS)
                raise UserError(path, f"{prefix}.{name}", f"unknown key; allowed: {allowed}")
        for name in ("type", "start", "magnitude", "unit_cost_vnd", "cost_source"):
            if name not in item:
                raise UserError(path, f"{prefix}.{name}", f"missing; {INTERVENTION_KEYS[name]}")
        where = item.get("where", [])
        if not isinstance(where, list) or not all(isinstance(w, str) for w in where):
            raise UserError(path, f"{prefix}.where", "expected a list of district or commune names")
        where, told = expand(where, names, names_2025, f"{path}: {prefix}.where")
        where, said = _places(path, f"{prefix}.where", where, names)
        notes += told
        notes += said
        try:
            lever = Intervention(**{**item, "where": tuple(where)})
        except UserError as error:
            raise UserError(path, f"{prefix}.{error.key}", error.problem) from None
        except TypeError as error:  # a value of the wrong kind for a dataclass field
            raise UserError(path, prefix, str(error)) from None
        for name in ("start", "end"):
            value = getattr(lever, name)
            if value is not None and not first <= parse_month(value) <= last:
                raise UserError(
                    path,
                    f"{prefix}.{name}",
                    f"{value} is outside the scenario period {start} to {end}",
                )
        out.append(with_end(lever, end))
    return tuple(out), notes


def _places(path: Path, key: str, typed: list[str], names: dict) -> tuple[list[str], list[str]]:
    """The canonical names of the places a lever names, and notes on how they were read."""
    out, notes, meant_all = [], [], []
    for name in typed:
        meant = resolve_place(name, names, path, key)[0]
        canonical = meant if isinstance(meant, str) else commune_name(meant, names)
        if canonical in out:
            raise UserError(path, key, f"{canonical!r} is given twice")
        if canonical != name:
            notes.append(f"{path}: {key}: {name!r} read as {canonical!r}")
        out.append(canonical)
        meant_all.append(meant)
    for commune, district in (m for m in meant_all if not isinstance(m, str)):
        if district in meant_all:  # a commune of a district also named: reached once
            notes.append(f"{path}: {key}: {commune!r} is in {district!r}, which is named too")
    return out, notes


def _typed(path: Path, data: dict, key: str, kind, default, prefix: str = ""):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "number"
        raise UserError(path, prefix + key, f"expected {names}, got {value!r}")
    if isinstance(value, float) and not value == value:  # NaN
        raise UserError(path, prefix + key, f"expected a finite number, got {value!r}")
    return value


def _month(path: Path, data: dict, key: str, default: str) -> str:
    value = data.get(key, default)
    message = f'expected a month as "YYYY-MM" (a quoted text), got {value!r}'
    if not isinstance(value, str):
        raise UserError(path, key, message)
    try:
        month = parse_month(value)
    except ValueError:
        raise UserError(path, key, message) from None
    if not YEARS[0] <= month // 12 <= YEARS[1]:
        raise UserError(path, key, f"must lie in the years {YEARS[0]} to {YEARS[1]}, got {value}")
    return value
