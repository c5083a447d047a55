"""What was known by a month: district profiles cut to the inputs dated by a cut-off.

A hindcast at cut-off ``T`` must not see the future. The profiles hold dated inputs: the
supply schedules (share of procedures offered online, by desk, as points over months)
and the dated information campaigns of communes. :func:`known_by` keeps the points and
campaigns dated by ``T`` and drops the later ones; the stated rule for what follows is
that a schedule stays at its last point dated by ``T`` (the flat extrapolation of
:class:`~adoption.places.profiles.Schedule`), and a campaign not yet announced does not
happen. A schedule with no point by ``T`` keeps its first point (the earliest value the
profile knows, stated as an assumption in the profile file).

Programme start dates (teams, electronic desks, the citizen app, full coverage) are kept:
they are the dates of national and provincial decisions taken before the figures' years
(``docs/sources.md``), not observations made after ``T``.
"""

from __future__ import annotations

import dataclasses

from adoption.calendar import parse_month
from adoption.places.profiles import DistrictProfile, Schedule


def cut_schedule(schedule: Schedule, until: int) -> Schedule:
    """The schedule's points dated by month ``until`` (its first point if none is)."""
    keep = [k for k, month in enumerate(schedule.months) if month <= until] or [0]
    assumed = tuple(schedule.assumed[k] for k in keep) if schedule.assumed else ()
    return Schedule(
        months=tuple(schedule.months[k] for k in keep),
        values=tuple(schedule.values[k] for k in keep),
        assumed=assumed,
    )


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
        out.append(
            dataclasses.replace(
                profile, online_share=cut_schedule(profile.online_share, cut), communes=communes
            )
        )
    return out


def latest_input(profiles: list[DistrictProfile]) -> int:
    """The latest month any dated input of the profiles (schedule point, campaign) refers to."""
    months = []
    for profile in profiles:
        months += list(profile.online_share.months)
        for commune in profile.communes:
            months += list(commune.online_share.months) + [m for m, _ in commune.campaigns]
    return max(months)
