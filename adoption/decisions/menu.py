"""The optimiser's menu: the levers it may fund, and a scenario's levers in its terms.

:func:`menu` takes one lever of each type from scenario files (the shipped ones by
default), with its unit cost and cost source; :func:`encode` writes a scenario's levers
as the trial values of a :class:`Problem` (so the search can start
from them); :func:`clipped` cuts levers to the problem's period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from adoption.calendar import format_month, parse_month
from adoption.errors import UserError
from adoption.model.interventions import Intervention
from adoption.model.outcomes import Window
from adoption.scenarios.scenario import Scenario, load_scenario

#: A lever must start at least this many months before ``by``.
LEAD = 12
#: The outcome maximised by default.
OUTCOME = "household_years_any"


@dataclass(frozen=True)
class Problem:
    """What is searched: the menu, the places, the months, the budget and the objective."""

    base: Scenario  # the reference (its levers are ignored); the runs end at ``by``
    levers: tuple[Intervention, ...]
    budget: float
    first: str  # earliest start, YYYY-MM
    by: str  # outcomes counted to this month, YYYY-MM
    where: tuple[str, ...]
    outcome: str = OUTCOME

    def __post_init__(self) -> None:
        if not self.budget > 0:
            raise UserError(
                "--budget", "budget", f"must be a positive VND amount, got {self.budget}"
            )
        by, first = parse_month(self.by), parse_month(self.first)
        if not parse_month(self.base.start) < first <= by - LEAD:
            problem = (
                f"levers from {self.first} must start after the period's start "
                f"({self.base.start}) and {LEAD} months before --by {self.by}"
            )
            raise UserError("--from", "from", problem)
        if by > parse_month(self.base.end):
            problem = f"must be within the scenario's period (to {self.base.end}), got {self.by}"
            raise UserError("--by", "by", problem)

    @property
    def reference(self) -> Scenario:
        """The base scenario without levers, ending at ``by``."""
        return dataclasses.replace(self.base, end=self.by, interventions=())

    @property
    def window(self) -> Window:
        """Household-years are counted from ``first`` to ``by``."""
        return Window(parse_month(self.first), parse_month(self.by), self.base.discount_rate)

    def distributions(self) -> dict:
        """Optuna's search space: a place, a start and a magnitude (or use) per menu lever."""
        from optuna.distributions import CategoricalDistribution as Choice
        from optuna.distributions import FloatDistribution, IntDistribution

        span = parse_month(self.by) - LEAD - parse_month(self.first)
        space = {}
        for i, lever in enumerate(self.levers):
            if lever.kind.cost_scales:
                space[f"{i}.magnitude"] = FloatDistribution(0.0, float(lever.kind.bounds[1]))
            else:
                space[f"{i}.use"] = Choice([False, True])
            space[f"{i}.where"] = Choice(["all", *self.where])
            space[f"{i}.start"] = IntDistribution(0, span)
        return space

    def mix(self, chosen: dict) -> tuple[Intervention, ...]:
        """The levers a trial's values describe (unused ones left out)."""
        out = []
        for i, lever in enumerate(self.levers):
            magnitude = chosen.get(f"{i}.magnitude", lever.magnitude)
            if not chosen.get(f"{i}.use", True) or magnitude <= 0:
                continue
            start = parse_month(self.first) + int(chosen[f"{i}.start"])
            end = None
            if lever.end is not None:
                length = parse_month(lever.end) - parse_month(lever.start)
                end = format_month(min(start + length, parse_month(self.by)))
            where = () if chosen[f"{i}.where"] == "all" else (chosen[f"{i}.where"],)
            label = f"{lever.type.replace('_', ' ')} {magnitude:.3g} (optimised)"
            out.append(
                dataclasses.replace(
                    lever,
                    start=format_month(start),
                    end=end,
                    magnitude=float(magnitude),
                    label=label,
                    where=where,
                )
            )
        return tuple(out)


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
