"""The optimiser's menu: the levers it may fund, and a scenario's levers in its terms.

:func:`menu` takes one lever of each type from scenario files (the shipped ones by
default), with its unit cost and cost source; :func:`encode` writes a scenario's levers
as the trial values of an :class:`adoption.optimise.Problem` (so the search can start
from them); :func:`clipped` cuts levers to the problem's period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .calendar import parse_month
from .errors import UserError
from .interventions import Intervention
from .scenario import load_scenario

if TYPE_CHECKING:
    from .optimise import Problem

#: A lever must start at least this many months before ``by``.
LEAD = 12


def menu(paths: Sequence[str | Path], types: Sequence[str] | None = None) -> list[Intervention]:
    """One lever per type from scenario files (the first of each), optionally only ``types``."""
    found: dict[str, Intervention] = {}
    for path in paths:
        for lever in load_scenario(path).interventions:
            found.setdefault(lever.type, lever)
    if types:
        missing = [t for t in types if t not in found]
        if missing:
            allowed = ", ".join(found) or "none"
            problem = f"no lever of type {', '.join(missing)} in the menu; allowed: {allowed}"
            raise UserError("--levers", "levers", problem)
        found = {t: found[t] for t in types}
    if not found:
        raise UserError("--menu", "menu", "the menu's scenario files hold no levers")
    return list(found.values())


def encode(problem: Problem, levers: Sequence[Intervention]) -> dict:
    """The trial values nearest to ``levers``.

    The first lever of each menu type is kept, others dropped; a lever on several places,
    or on one outside ``where``, is taken as on all.
    """
    span = parse_month(problem.by) - LEAD - parse_month(problem.first)
    chosen: dict = {}
    for i, template in enumerate(problem.levers):
        match = next((lv for lv in clipped(problem, levers) if lv.type == template.type), None)
        if template.kind.cost_scales:
            chosen[f"{i}.magnitude"] = float(match.magnitude) if match else 0.0
        else:
            chosen[f"{i}.use"] = match is not None
        one = match is not None and len(match.where) == 1 and match.where[0] in problem.where
        chosen[f"{i}.where"] = match.where[0] if one else "all"
        offset = parse_month(match.start) - parse_month(problem.first) if match else 0
        chosen[f"{i}.start"] = int(min(max(offset, 0), span))
    return chosen


def clipped(problem: Problem, levers: Sequence[Intervention]) -> tuple[Intervention, ...]:
    """Levers within the problem's period (to ``by``): later ones dropped, ends cut."""
    by = parse_month(problem.by)
    out = []
    for lever in levers:
        if parse_month(lever.start) > by:
            continue
        if lever.end is not None and parse_month(lever.end) > by:
            lever = dataclasses.replace(lever, end=problem.by)
        out.append(lever)
    return tuple(out)
