"""Writing scenarios as TOML: the one writer behind ``best.toml`` and the dashboard's download.

:func:`scenario_data` turns a checked :class:`~adoption.scenarios.scenario.Scenario` into the keys
of a scenario file (levers as ``interventions`` tables); :func:`dumps` writes such keys
as TOML text that :func:`adoption.scenarios.scenario.load_scenario` reads back to the same
scenario (tested). Reading and checking stay in :mod:`adoption.scenarios.scenario`.
"""

from __future__ import annotations

import json

from adoption.model.interventions import Intervention
from adoption.scenarios.scenario import Scenario

#: Top-level keys in the order a file lists them (tables last).
ORDER = (
    "name", "name_vi", "description", "description_vi", "districts", "start", "end", "seed",
    "runs", "scale", "profile", "parameters", "discount_rate", "discount_source",
)  # fmt: skip


def lever_data(lever: Intervention) -> dict:
    """The keys of one ``[[interventions]]`` table."""
    return {
        "label": lever.label or lever.type,
        "type": lever.type,
        "where": list(lever.where),
        "start": lever.start,
        "end": lever.end,
        "ramp_months": lever.ramp_months,
        "magnitude": lever.magnitude,
        "unit_cost_vnd": lever.unit_cost_vnd,
        "cost_source": lever.cost_source,
        **_texts_vi(lever, ("label_vi", "cost_source_vi")),
    }


def scenario_data(scenario: Scenario) -> dict:
    """The keys of a file that reads back to ``scenario`` wherever saved (profile absolute)."""
    data = {
        "name": scenario.name,
        "description": scenario.description,
        **_texts_vi(scenario, ("name_vi", "description_vi")),
        "districts": list(scenario.districts) if scenario.districts else None,
        "start": scenario.start,
        "end": scenario.end,
        "seed": scenario.seed,
        "runs": scenario.runs,
        "scale": scenario.scale,
        "profile": str(scenario.profile.resolve()) if scenario.profile else None,
        "parameters": scenario.parameters,
        "discount_rate": scenario.discount_rate,
        "discount_source": scenario.discount_source,
        "params": dict(scenario.overrides),
        "interventions": [lever_data(lever) for lever in scenario.interventions],
    }
    return data


def _texts_vi(item, keys: tuple[str, ...]) -> dict:
    """The Vietnamese texts ``item`` has (an empty one is left out of the file)."""
    return {key: getattr(item, key) for key in keys if getattr(item, key)}


def dumps(data: dict, comments: str = "") -> str:
    """TOML text of a scenario's keys; empty values (None, [], {}) are left out.

    Args:
        data: top-level keys, ``params`` (a table) and ``interventions`` (a list of tables).
        comments: lines written first, each as a ``#`` comment.
    """
    lines = [f"# {line}".rstrip() for line in comments.splitlines()]
    top = [k for k in ORDER if k in data] + [
        k for k in data if k not in ORDER and k not in ("params", "interventions")
    ]
    lines += [f"{k} = {value(data[k])}" for k in top if not _empty(data[k])]
    if data.get("params"):
        lines += ["", "[params]"] + [f"{k} = {value(v)}" for k, v in data["params"].items()]
    for lever in data.get("interventions") or []:
        lines += ["", "[[interventions]]"]
        lines += [f"{k} = {value(v)}" for k, v in lever.items() if not _empty(v)]
    return "\n".join(lines) + "\n"


def value(item) -> str:
    """One TOML value: text and lists as JSON (a TOML subset), numbers exactly."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str | list | tuple):
        return json.dumps(list(item) if isinstance(item, tuple) else item, ensure_ascii=False)
    return repr(float(item)) if isinstance(item, float) else str(item)


def _empty(item) -> bool:
    return item is None or (isinstance(item, list | tuple | dict) and not item)
