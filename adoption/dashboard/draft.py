"""The scenario a planner edits in the page: the keys of a scenario file, checked as one.

A draft is a plain dict with the keys of a scenario file (``name``, ``districts``,
``interventions``: a list of dicts, …), so what the page shows, what it checks and
what it downloads are the same thing. :func:`check` writes the draft as TOML
(:func:`adoption.scenarios.writer.dumps`) and reads it back with
:func:`adoption.scenarios.scenario.parse_scenario`, the code ``adoption validate`` runs: the page
shows the command line's message, and :func:`field` says which input it belongs to.
Nothing here imports Solara (tested without a browser).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from adoption.decisions.menu import menu
from adoption.errors import UserError
from adoption.files import SHIPPED
from adoption.model.levers import TYPES
from adoption.places.names import fold, place_names, qualified
from adoption.places.profiles import load_profiles
from adoption.scenarios.scenario import Scenario, load_scenario, parse_scenario
from adoption.scenarios.writer import dumps, lever_data, scenario_data

#: The shipped scenario files a planner can start from.
SCENARIOS = SHIPPED / "scenarios"
#: The name messages give the edited scenario (and the file name it downloads as).
FILE = "dashboard-scenario.toml"
#: Lever keys a planner types as numbers.
NUMBERS = ("magnitude", "unit_cost_vnd", "ramp_months")


def shipped() -> dict[str, Path]:
    """Shipped scenario files by name (``baseline`` first); none outside a clone."""
    paths = sorted(SCENARIOS.glob("*.toml"), key=lambda p: (p.stem != "baseline", p.stem))
    return {p.stem: p for p in paths}


def initial() -> dict:
    """The draft a page starts from: the shipped baseline, else the defaults of a file."""
    if "baseline" in shipped():
        return from_file(shipped()["baseline"])
    return scenario_data(Scenario(Path(FILE), "baseline", "Status quo: no levers."))


def from_file(path: str | Path) -> dict:
    """The draft of a scenario file (checked: a file that does not validate is refused)."""
    return scenario_data(load_scenario(path))


def from_text(text: str, name: str) -> dict:
    """The draft of an uploaded file's text; ``name`` is the file name messages give."""
    return scenario_data(parse_scenario(text, name))


def toml(draft: dict) -> str:
    """The draft as a scenario file."""
    return dumps(draft, "Scenario written by the adoption dashboard; `adoption run` runs it.")


def check(draft: dict) -> tuple[Scenario | None, UserError | None]:
    """The checked scenario, or the one-line error ``adoption validate`` would print."""
    try:
        return parse_scenario(toml(draft), FILE), None
    except UserError as error:
        return None, error


def field(error: UserError | None) -> tuple[int | None, str]:
    """Which input an error is about: ``(lever index or None, key)``."""
    if error is None:
        return None, ""
    found = re.fullmatch(r"interventions\[(\d+)\]\.?(\w*)", error.key)
    if found:
        return int(found.group(1)), found.group(2)
    return None, error.key


def typed(text: str, integer: bool = False):
    """What a planner typed in a number field: the number, or the text as typed.

    Text that is not a number is kept as text, so the check reports it as a file would.
    """
    text = str(text).strip().replace(",", "")
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text


def new_lever(kind: str, draft: dict) -> dict:
    """A new lever of type ``kind`` for the draft.

    The first such lever of a shipped scenario (with its sourced unit cost), else the
    middle of the type's bounds at no cost; from the year after the draft's first year,
    over all its districts.
    """
    template = templates().get(kind)
    if template is None:
        low, high = TYPES[kind].bounds
        template = {
            "type": kind,
            "label": kind,
            "magnitude": (low + high) / 2,
            "unit_cost_vnd": 0.0,
            "cost_source": "assumption",
            "ramp_months": 1,
        }
    start = template.get("start") or f"{int(draft['start'][:4]) + 1}-01"
    return {**template, "where": [], "start": start, "end": draft.get("end")}


def retyped(lever: dict, kind: str, draft: dict) -> dict:
    """``lever`` turned into type ``kind``: that type's magnitude, unit cost and its source.

    The unit cost of one type means nothing for another (a team member's course is not an
    adult's, nor a desk's kit), so they come from :func:`new_lever`; where and when are kept.
    """
    kept = {key: lever[key] for key in ("where", "start", "end") if key in lever}
    return {**new_lever(kind, draft), **kept}


@cache
def templates() -> dict[str, dict]:
    """The first lever of each type in the shipped scenarios (the optimiser's menu)."""
    paths = list(shipped().values())
    return {lever.type: lever_data(lever) for lever in menu(paths)} if paths else {}


@cache
def _names(districts: tuple[str, ...] | None) -> dict[str, list]:
    profiles = load_profiles(None, list(districts) if districts else None)
    pairs = [(c.name, p.name) for p in profiles for c in p.communes]
    return place_names(pairs, [p.name for p in profiles])


@cache
def districts() -> tuple[str, ...]:
    """Every district of the shipped profile, in file order."""
    return tuple(p.name for p in load_profiles())


def _shown(name: str, meant, names: dict) -> str:
    """A place as a planner picks it: a commune by its bare name when that is unique."""
    if isinstance(meant, str):
        return name
    return meant[0] if names.get(meant[0]) == [meant] else qualified(*meant)


def _district(meant) -> str:
    return meant if isinstance(meant, str) else meant[1]


def search(text: str, draft: dict, limit: int = 12) -> list[str]:
    """Districts and communes of the draft's districts whose names contain ``text``.

    Diacritics, case and spacing are optional (``"cho don"`` finds ``"Chợ Đồn"``); a
    district comes before its communes; names shared by communes carry their district.
    """
    key = fold(text)
    if not key:
        return []
    names = _names(tuple(draft.get("districts") or ()) or None)
    shown = {_shown(n, meant[0], names): meant[0] for n, meant in names.items() if len(meant) == 1}
    hits = [n for n, meant in shown.items() if key in fold(n) or key in fold(_district(meant))]
    hits.sort(key=lambda n: (not isinstance(shown[n], str), not fold(n).startswith(key), n))
    return hits[:limit]
