"""Scenario files: what a planner writes to ask for a forecast.

A scenario is a TOML file::

    name = "baseline"
    description = "Status quo: ..."
    districts = ["Lục Yên", "Văn Yên", "Yên Lạc", "Trùng Khánh", "Chợ Đồn"]
    start = "2019-01"
    end = "2030-12"
    seed = 20190101
    scale = 1.0              # households simulated per real household
    profile = "my.csv"      # optional: a profile file, relative to the scenario file
    parameters = "posterior" # "posterior": the shipped calibration (its posterior mean,
                             # calibration/posterior.csv); "defaults": the Params defaults

    [params]                 # optional: overrides on top of those (see `adoption params`)
    visits_per_member = 4.0

This module reads and checks a file into a :class:`Scenario`; any mistake is a
one-line :class:`~adoption.errors.UserError` naming the file, the key and what
is allowed, raised before anything is run or written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .calendar import parse_month
from .errors import UserError
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
    "seed": "integer seed of the run",
    "scale": "households simulated per real household, in (0, 1]",
    "profile": "path of a district profile CSV (relative to the scenario file)",
    "parameters": '"posterior" (the shipped calibration, default) or "defaults"',
    "params": "table of parameter overrides",
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
    districts = data.get("districts")
    if districts is not None:
        if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts):
            raise UserError(path, "districts", "expected a list of district names")
        known = [p.name for p in load_profiles(profile)]
        for district in districts:
            if district not in known:
                raise UserError(
                    path, "districts", f"{district!r} unknown; known: {', '.join(known)}"
                )
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
        path, text, description, districts, start, end, seed, float(scale), profile, params, source
    )


def _typed(path: Path, data: dict, key: str, kind, default):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "number"
        raise UserError(path, key, f"expected {names}, got {value!r}")
    return value


def _month(path: Path, data: dict, key: str, default: str) -> str:
    value = data.get(key, default)
    try:
        parse_month(value)
    except (ValueError, TypeError):
        raise UserError(path, key, f'expected a month as "YYYY-MM", got {value!r}') from None
    return value
