"""What was known by a month: district profiles cut to the inputs dated by a cut-off.

A hindcast at cut-off ``T`` must not see the future. The profiles hold dated inputs: the
supply schedules (share of procedures offered online, by desk, as points over months)
and the dated information campaigns of communes. :func:`known_by` keeps the points and
campaigns dated by ``T`` and drops the later ones, and a campaign not yet announced does
not happen. What follows a schedule's last point dated by ``T`` is a stated rule, not an
input: once the national target is decided (:data:`SUPPLY_TARGET`: Decision 749/QĐ-TTg of
3 June 2020, 80 % of public services online at level 4 by 2025), the schedule heads for it
linearly from its last known point and stays there (an assumed point, so the calibrated
``supply_logit_shift`` moves it as it moves the profile's own assumptions); before that
decision, or once a schedule is at or above the target, it stays at its last point. A
schedule with no point by ``T`` starts from its first point (the earliest value the
profile knows, stated as an assumption in the profile file).

Programme start dates (teams, electronic desks, the citizen app, full coverage) are kept:
they are the dates of national and provincial decisions taken before the figures' years
(``docs/sources.md``), not observations made after ``T``. The 2025 reform (district desks
closed, commune service centres from July 2025) is kept only if decided by ``T``
(:data:`~adoption.places.reform.REFORM_DECIDED`).
"""

from __future__ import annotations

import dataclasses

from adoption.calendar import parse_month
from adoption.places.profiles import DistrictProfile, Schedule
from adoption.places.reform import REFORM_DECIDED

#: The national supply target a schedule heads for after a cut-off (module docstring):
#: decided in ``decided``, ``value`` by ``month`` (docs/sources.md, National programme targets:
#: Decision 749/QĐ-TTg of 3 June 2020, "80 % of online public services at level 4" by 2025).
SUPPLY_TARGET = {"decided": "2020-06", "month": "2025-12", "value": 0.8}


def cut_schedule(schedule: Schedule, until: int) -> Schedule:
    """The schedule's points dated by month ``until`` (its first point if none is), then the rule.

    The rule (module docstring) may add one point, marked ``extrapolated`` and ``assumed``.
    """
    keep = [k for k, month in enumerate(schedule.months) if month <= until] or [0]
    months = tuple(schedule.months[k] for k in keep)
    values = tuple(schedule.values[k] for k in keep)
    assumed = tuple(bool(schedule.assumed[k]) if schedule.assumed else False for k in keep)
    extrapolated = (False,) * len(keep)
    target = parse_month(SUPPLY_TARGET["month"]), SUPPLY_TARGET["value"]
    heads = until >= parse_month(SUPPLY_TARGET["decided"]) and months[-1] < target[0]
    if heads and values[-1] < target[1]:
        if months[-1] < until:  # flat to the cut-off, then the rule
            months, values = (*months, until), (*values, values[-1])
            assumed, extrapolated = (*assumed, assumed[-1]), (*extrapolated, True)
        months, values = (*months, target[0]), (*values, target[1])
        assumed, extrapolated = (*assumed, True), (*extrapolated, True)
    return Schedule(months, values, assumed, extrapolated)


def known_by(profiles: list[DistrictProfile], until: str) -> list[DistrictProfile]:
    """The profiles as known at the end of month ``until`` (``"YYYY-MM"``)."""
    cut = parse_month(until)
    out = []
    for profile in profiles:
        communes = tuple(
            dataclasses.replace(
                commune,
                online_share=cut_schedule(commune.online_share, cut),
                campaigns=tuple((m, share) for m, share in commune.campaigns if m <= cut),
            )
            for commune in profile.communes
        )
        reform = profile.reform if cut >= parse_month(REFORM_DECIDED) else None
        out.append(
            dataclasses.replace(
                profile,
                online_share=cut_schedule(profile.online_share, cut),
                communes=communes,
                reform=reform,
            )
        )
    return out


def latest_input(profiles: list[DistrictProfile]) -> int:
    """The latest month any dated input of the profiles (schedule point, campaign) refers to.

    Points a stated rule added after a cut-off are not inputs and are not counted.
    """

    def inputs(schedule: Schedule) -> list[int]:
        rule = schedule.extrapolated or (False,) * len(schedule.months)
        return [m for m, added in zip(schedule.months, rule, strict=True) if not added]

    months = []
    for profile in profiles:
        months += inputs(profile.online_share)
        for commune in profile.communes:
            months += inputs(commune.online_share) + [m for m, _ in commune.campaigns]
    return max(months)
