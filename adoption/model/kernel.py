"""The monthly step: one code path for one run and for a batch of runs stacked together.

:func:`step` advances a model one month: background trends, the levers of the month,
team visits, campaigns, diffusion, procedures, then the month's counts per place and
the cost. It reads and writes only the model's arrays, so it steps one run
(:class:`~adoption.model.model.AdoptionModel`) and ``R`` runs stacked household after
household (:class:`~adoption.model.batch.BatchModel`) alike: a batch pays the fixed
cost of a month's few hundred NumPy calls once for all its runs.

What differs between the runs of a batch is carried by two things:

- ``model.params``: a :class:`~adoption.model.params.Params` for one run, or a
  :class:`~adoption.model.batch.Values` whose attributes are one value per run where
  the runs differ; the rules look a parameter up with :func:`at` at the households,
  villages, communes or files they act on (``structure.*_rep`` say whose each is);
- ``model.draws``: the random draws, each run's from its own streams in the order a
  single run draws them, so a run gives the same numbers alone or in any batch.
"""

from __future__ import annotations

import numpy as np

from adoption.model import indicators, rules
from adoption.model.params import at


class Draws:
    """Each run's random draws of a month, concatenated in household order."""

    def __init__(self, streams: list, household_start: np.ndarray) -> None:
        self.streams = streams
        self.bounds = list(zip(household_start[:-1], household_start[1:], strict=True))

    def visit(self) -> np.ndarray:
        """16-bit uniform draws, one per household (whom the teams visit)."""
        parts = [
            np.frombuffer(s["visit"].bytes(2 * int(b - a)), dtype=np.uint16)
            for s, (a, b) in zip(self.streams, self.bounds, strict=True)
        ]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def campaign(self, running: np.ndarray) -> np.ndarray:
        """Uniform draws per household of the runs whose campaigns run (1 elsewhere)."""
        parts = [
            s["campaign"].random(int(b - a), dtype=np.float32)
            if on
            else np.ones(int(b - a), np.float32)
            for s, (a, b), on in zip(self.streams, self.bounds, running, strict=True)
        ]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def files(self, rates: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """Households that need a procedure this month and the 7 uniforms of each file."""
        who, u = [], []
        for s, (a, b), rate in zip(self.streams, self.bounds, rates, strict=True):
            n = int(b - a)
            k = s["demand"].binomial(n, rate)
            who.append(s["demand"].choice(n, size=k, replace=False) + a)
            u.append(s["procedure"].random((7, k), dtype=np.float32))
        if len(who) == 1:
            return who[0], u[0]
        return np.concatenate(who), np.concatenate(u, axis=1)


def step(m) -> None:
    """Advance ``m`` one month: trends, courses, team visits, diffusion, procedures, counts."""
    hh, s, p, month = m.households, m.structure, m.params, m.month
    peer = {name: m._village[name] / s.village_size for name in rules.CLOCKS}
    covered = np.repeat(m._coverage_month <= month, s.village_size)
    app_live = np.repeat(m._app_launch <= month, s.district_size)
    rules.background_trends(hh, month)
    _courses(m)
    _apply_team_levers(m)
    draw = m.draws.visit()
    dose = rules.team_visits(hh, s, m.teams, month, p, draw, m._innovation, m._online_modifier)
    push = _campaign(m)
    gate = rules.gates(hh, covered, app_live, p, s.household_rep)
    rules.diffusion(hh, s, p, gate, peer, m._innovation, dose, push, month)
    files = _procedures(m)
    _record(m, files)


def _courses(m) -> None:
    """Households whose adult completes a digital-skills course this month (a lever's)."""
    done = m.levers.course_month
    if done is None:
        return
    idx = np.flatnonzero(done == m.month)
    if idx.size:
        rep = m.structure.household_rep
        rules.course(m.households, idx, m._innovation, m._online_modifier, m.params, rep)


def _apply_team_levers(m) -> None:
    """Set this month's team members and effectiveness from the scenario's levers."""
    levers, step_index = m.levers, m.step_index
    if levers.members_added is not None:
        np.add(m._base_members, levers.members_added[step_index], out=m.teams.members)
    if levers.effectiveness is not None:
        np.multiply(
            m._base_effectiveness, levers.effectiveness[step_index], out=m.teams.effectiveness
        )


def _campaign(m) -> dict | None:
    """Run this month's information campaigns; returns the app push for diffusion."""
    reach_table = m.levers.campaign_reach
    if reach_table is None or not reach_table[m.step_index].any():
        return None
    hh, s, step_index, p = m.households, m.structure, m.step_index, m.params
    reach = reach_table[step_index]
    running = np.add.reduceat(reach > 0, m.village_start_of_run) > 0
    draw = m.draws.campaign(running)
    reached = rules.campaign(hh, s, reach, draw, m._innovation, m._online_modifier, p)
    real = np.add.reduceat(reached, s.commune_start, dtype=np.int64) / m.commune_scale
    for active, unit_cost in m.levers.campaign_cost:
        # households reached in the communes where this campaign runs this month
        runs_here = np.add.reduceat(active[step_index], s.commune_village_start) > 0
        m._cost[: s.n_communes] += real * runs_here * unit_cost
    hazard = np.float32(at(p.campaign_hazard_app, s.household_rep))
    return {"app": reached * hazard}


def _procedures(m) -> dict[str, np.ndarray]:
    n_desks = len(m.offices.start)
    if not m.use_offices:  # no files, per desk and (for the 2025 units) per home commune
        zeros = {name: np.zeros(n_desks, np.int64) for name in rules.FILE_COUNTS}
        if m.units.n:
            zeros |= {f"{k}@home": np.zeros(m.structure.n_communes, np.int64) for k in zeros}
        return zeros
    who, u = m.draws.files(m.procedure_rates)
    fee_cut = None if m.levers.fee_cut is None else m.levers.fee_cut[m.step_index]
    rep = None if m.structure.household_rep is None else m.structure.household_rep[who]
    return rules.procedures(
        m.households, m.offices, m.step_index, m.month, m.params, m.structure.n_communes,
        who, u, fee_cut, rep, home=m.units.n > 0,
    )  # fmt: skip


def _record(m, files: dict[str, np.ndarray]) -> None:
    """Aggregate this month's state into the indicators' values per place (real units)."""
    s, hh = m.structure, m.households
    for name in rules.CLOCKS:
        m._village[name] = rules.village_counts(getattr(hh, name), s)
    names = None  # every indicator
    if m.record != "all":
        names = m._measured_at.get(m.step_index, m._measured)
    m.commune_counts = {}
    for name in indicators.INDICATORS if names is None else names:
        flag = indicators.INDICATORS[name].flag
        if flag in m._village:  # already counted per village for peer influence
            counts = np.add.reduceat(m._village[flag], s.commune_village_start)
        elif flag is not None:  # counted from the state itself, whatever changed it
            counts = np.add.reduceat(getattr(hh, flag), s.commune_start, dtype=np.int64)
        else:
            continue
        m.commune_counts[name] = counts
    _spend(m, files)
    m.counts = indicators.measure(m, files, names)


def _spend(m, files: dict[str, np.ndarray]) -> None:
    """Add this month's spending per desk to the cumulative cost (VND, real units).

    Team running costs, the levers' planned spending (training, members,
    phones, coverage, office levers) and forgone online fees.
    """
    s, levers, step_index = m.structure, m.levers, m.step_index
    teams_active = np.add.reduceat(m.teams.start <= m.month, s.commune_village_start)
    m._cost[: s.n_communes] += teams_active * at(m.params.team_cost_vnd, s.commune_rep)
    if levers.planned_cost is not None:
        m._cost += levers.planned_cost[step_index]
    if levers.fee_cost:
        per_real = np.concatenate([1 / m.commune_scale, 1 / m.district_scale])
        online_fees = files["fee_files_online"] * per_real
        for cut, unit_cost in levers.fee_cost:
            m._cost += online_fees * cut[step_index] * unit_cost
