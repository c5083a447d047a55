"""The household rules written the classic Mesa way, one agent per household, for comparison.

:class:`PerAgentModel` is a ``mesa.Model`` whose households are
:class:`Household` agents (``mesa.Agent``) holding their state as Python
scalars; each month the model takes its village-level snapshot (peer shares at
the start of the month, coverage, app launch, team visit probabilities) and
calls ``self.agents.shuffle_do("step")``. A household's ``step`` applies the
rules of :mod:`adoption.model.rules` to itself, in the same order:

1. background trends: smartphone and account from their due months;
2. team visit: with the village's probability ``min(1, capacity / households to help)``
   (capacity ``members * visits_per_member * village scale``), if not yet online, app and
   cashless; a visit adds skill, makes the household aware and brings the
   account due month forward;
3. Bass diffusion of online filing, the app and cashless bills: an eligible
   non-adopter adopts with probability ``p m_i + q F_v`` (``F_v``: the village
   share at the start of the month), combined with a visit's extra hazard
   ``visit_hazard * dose`` as ``1 - (1 - p m_i - q F_v) exp(-visit_hazard * dose)``
   (the monthly probability the vectorised clocks realise);
4. procedure demand (Bernoulli ``procedure_rate``), desk, channel choice,
   verification (once, at a desk whose electronic one-stop system has started),
   assisted filing, fee payment and digitisation, counted per desk.

The starting state is copied household by household from a vectorised
:class:`adoption.AdoptionModel` built with the same arguments, so both versions
start from the same population. Draws come from ``model.random`` (Python's
``random``); the runs are not random-stream-identical to the vectorised model,
only statistically comparable.

Usage::

    python benchmarks/per_agent.py [--scale 0.05] [--months 48]

prints the per-agent speed and a sanity check: the end-of-run rates of both
versions on the same small population.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

import mesa
from common import SEED, end_month, rate, table

from adoption import AdoptionModel
from adoption.model.params import Params
from adoption.model.rules import CLOCKS, P_MAX
from adoption.model.rules import (
    FILE_COUNTS as FILES,  # counts kept per desk each month, in this order
)


class Household(mesa.Agent):
    """One household, its state as Python scalars, and the monthly rules as its ``step``."""

    def __init__(self, model: PerAgentModel, state: dict) -> None:
        super().__init__(model)
        self.__dict__.update(state)

    def step(self) -> None:
        """One month of this household: trends, team visit, diffusion, procedure."""
        m = self.model
        month = m.month
        self.smartphone = self.smartphone_due <= month
        self.account = self.account_due <= month
        dose = self.team_visit(m, month)
        if self.smartphone and m.covered[self.village]:
            self.diffuse(m, dose)
        if m.random.random() < m.params.procedure_rate:
            self.file_procedure(m)

    def team_visit(self, m: PerAgentModel, month: int) -> float:
        """The village team visits with its probability; return the dose (0 if not visited)."""
        if self.online and self.app and self.cashless:
            return 0.0
        v = self.village
        if m.random.random() >= m.visit_prob[v]:
            return 0.0
        p, effect = m.params, m.effectiveness[v]
        m.visits[v] += 1
        self.skill = min(1.0, self.skill + p.visit_skill_gain * effect)
        if not self.aware:
            self.aware = True
            m.aware += 1
        if not self.account:
            self.bring_account_forward(month, p.visit_hazard_account * effect, p.account_hazard)
        return effect

    def bring_account_forward(self, month: int, extra: float, hazard: float) -> None:
        """Spend ``extra`` hazard now from the account clock (constant monthly ``hazard``)."""
        hazard = max(hazard, 1e-12)
        left = (self.account_due - month) * hazard - extra
        due = month + math.ceil(max(left, 0.0) / hazard)
        self.account_due = min(self.account_due, due)
        self.account = self.account_due <= month

    def diffuse(self, m: PerAgentModel, dose: float) -> None:
        """Bass adoption of online filing, the app and cashless bills (connected households)."""
        p, v, rand = m.params, self.village, m.random.random
        boost = self.attitude * (p.aware_boost if self.aware else 1.0)
        changed = False
        if not self.online and self.skill >= p.skill_min:
            prob = adoption_prob(
                p.p_online,
                p.q_online,
                boost * self.online_modifier,
                m.share["online"][v],
                p.visit_hazard_online * dose,
            )
            if rand() < prob:
                self.online = changed = True
                m.adopters["online"][v] += 1
        if not self.app and m.app_live[self.district]:
            prob = adoption_prob(
                p.p_app, p.q_app, boost, m.share["app"][v], p.visit_hazard_app * dose
            )
            if rand() < prob:
                self.app = changed = True
                m.adopters["app"][v] += 1
        if not self.cashless and self.account:
            prob = adoption_prob(
                p.p_cashless,
                p.q_cashless,
                boost,
                m.share["cashless"][v],
                p.visit_hazard_cashless * dose,
            )
            if rand() < prob:
                self.cashless = changed = True
                m.adopters["cashless"][v] += 1
        if changed and self.online and self.app and self.cashless:
            m.todo[v] -= 1

    def file_procedure(self, m: PerAgentModel) -> None:
        """File this month's procedure at a desk, online or in person; count it at the desk."""
        p, rand, step = m.params, m.random.random, m.step_index
        if rand() < p.district_desk_share:
            desk = m.n_communes + self.district
        else:
            desk = self.commune
        offered = rand() < m.online_share[step][desk]
        by_self = offered and self.online and self.verified and rand() < p.online_choice
        assisted = False
        if not by_self:
            if not self.verified and m.desk_start[desk] <= m.month:  # verified at e-desks only
                self.verified = True
                m.verified += 1
            assisted = offered and rand() < m.assist[step][desk]
        online = by_self or assisted
        fee = rand() < p.fee_share
        pay_prob = p.pay_online_if_online if online else p.pay_online_in_person
        paid = fee and self.account and rand() < pay_prob
        digitised = online or rand() < m.digitise[step][desk]
        counts = m.files[desk]
        counts[0] += 1
        counts[1] += online
        counts[2] += assisted
        counts[3] += fee
        counts[4] += paid
        counts[5] += digitised


def adoption_prob(p: float, q: float, modifier: float, share: float, visit_hazard: float) -> float:
    """Monthly adoption probability: Bass ``p m_i + q F_v``, plus a visit's extra hazard."""
    stay = 1.0 - min(p * modifier, P_MAX - q) - q * share
    if visit_hazard:
        stay *= math.exp(-visit_hazard)
    return 1.0 - stay


class PerAgentModel(mesa.Model):
    """The adoption model's household rules with one ``mesa.Agent`` per household.

    Args are those of :class:`adoption.AdoptionModel`; teams and offices are
    per-village and per-desk lists here (only households are agents).
    """

    def __init__(
        self,
        params: Params | None = None,
        profiles=None,
        *,
        start: str = "2019-01",
        end: str = "2030-12",
        scale: float = 1.0,
        rng: int | None = None,
    ) -> None:
        super().__init__(rng=rng)
        source = AdoptionModel(params, profiles, start=start, end=end, scale=scale, rng=rng)
        self.params = source.params
        self.months = source.months.tolist()
        self._copy_places(source)
        self._copy_households(source)
        source.release()
        self.history: list[dict[str, float]] = []

    # -- set-up ------------------------------------------------------------------------------

    def _copy_places(self, source: AdoptionModel) -> None:
        s, teams, offices = source.structure, source.teams, source.offices
        self.n_households = int(s.village_size.sum())
        self.n_communes = s.n_communes
        self.village_size = s.village_size.tolist()
        self.coverage_month = source._coverage_month.tolist()
        self.app_launch = source._app_launch.tolist()
        self.team_start = teams.start.tolist()
        per_member = self.params.visits_per_member * s.village_scale  # scale of each village
        self.capacity = (teams.members * per_member).tolist()
        self.effectiveness = teams.effectiveness.tolist()
        self.online_share = offices.online_share.tolist()
        self.assist = offices.assist.tolist()
        self.digitise = offices.digitise.tolist()
        self.desk_start = offices.start.tolist()
        self.n_desks = len(offices.start)

    def _copy_households(self, source: AdoptionModel) -> None:
        hh = source.households
        columns = {
            "village": hh.village,
            "commune": hh.commune,
            "district": hh.district,
            "skill": hh.skill,
            "attitude": hh.attitude,
            "online_modifier": source._online_modifier,
            "smartphone_due": hh.smartphone_due,
            "account_due": hh.account_due,
            "smartphone": hh.smartphone,
            "account": hh.account,
            "aware": hh.aware,
            "verified": hh.verified,
            "online": hh.online,
            "app": hh.app,
            "cashless": hh.cashless,
        }
        values = {name: array.tolist() for name, array in columns.items()}
        names = list(values)
        n_villages = len(self.village_size)
        self.adopters = {name: [0] * n_villages for name in CLOCKS}
        self.todo = [0] * n_villages
        self.aware = self.verified = 0
        for row in zip(*values.values(), strict=True):
            agent = Household(self, dict(zip(names, row, strict=True)))
            self._count(agent)

    def _count(self, agent: Household) -> None:
        v = agent.village
        for name in CLOCKS:
            self.adopters[name][v] += getattr(agent, name)
        self.todo[v] += not (agent.online and agent.app and agent.cashless)
        self.aware += agent.aware
        self.verified += agent.verified

    # -- the monthly step --------------------------------------------------------------------

    @property
    def step_index(self) -> int:
        """Index of the current month in :attr:`months`."""
        return max(self.steps - 1, 0)

    def step(self) -> None:
        """Village snapshot, then every household's step in random order, then record."""
        month = self.month = self.months[self.step_index]
        sizes = self.village_size
        self.share = {
            name: [c / size for c, size in zip(self.adopters[name], sizes, strict=True)]
            for name in CLOCKS
        }
        self.covered = [m <= month for m in self.coverage_month]
        self.app_live = [m <= month for m in self.app_launch]
        self.visit_prob = [
            min(1.0, cap / max(todo, 1)) if start <= month else 0.0
            for cap, todo, start in zip(self.capacity, self.todo, self.team_start, strict=True)
        ]
        self.visits = [0] * len(sizes)
        self.files = [[0] * len(FILES) for _ in range(self.n_desks)]
        self.agents.shuffle_do("step")
        self._record()
        if self.steps >= len(self.months):
            self.running = False

    def _record(self) -> None:
        totals = [sum(column) for column in zip(*self.files, strict=True)]
        row = dict(zip(FILES, totals, strict=True))
        row.update({f"households_{name}": sum(self.adopters[name]) for name in CLOCKS})
        row.update(
            households=self.n_households,
            households_aware=self.aware,
            households_verified=self.verified,
            team_visits=sum(self.visits),
        )
        self.history.append(row)

    def release(self) -> None:
        """Drop Mesa's class-level references to this model (see AdoptionModel.release)."""
        mesa.Agent._ids.pop(self, None)
        self.remove_all_agents()


# -- timing and the sanity check -------------------------------------------------------------


@dataclass
class PerAgentRun:
    """A timed per-agent run and its last month's totals."""

    households: int
    months: int
    build_s: float
    run_s: float
    history: list[dict[str, float]]

    @property
    def steps_per_s(self) -> float:
        """Household-steps per second of the run (construction excluded)."""
        return self.households * self.months / self.run_s


def run_per_agent(
    months: int = 36,
    *,
    scale: float | None = 0.05,
    n_households: int | None = None,
    seed: int = SEED,
) -> PerAgentRun:
    """Build and run :class:`PerAgentModel` for ``months`` months from 2019-01.

    Args:
        months: months to simulate.
        scale: households per real household of the five districts (ignored if
            ``n_households`` is given).
        n_households: run on ``synthetic_profiles(n_households)`` at scale 1 instead.
        seed: the run's seed.
    """
    profiles = None
    if n_households is not None:
        from adoption.places.profiles import synthetic_profiles

        profiles, scale = synthetic_profiles(n_households), 1.0
    t0 = time.perf_counter()
    model = PerAgentModel(profiles=profiles, end=end_month(months), scale=scale, rng=seed)
    t1 = time.perf_counter()
    model.run_model()
    t2 = time.perf_counter()
    out = PerAgentRun(model.n_households, len(model.months), t1 - t0, t2 - t1, model.history)
    model.release()
    return out


def household_steps_per_second(
    months: int = 36, *, scale: float | None = 0.05, n_households: int | None = None
) -> float:
    """Household-steps per second of one per-agent run (see :func:`run_per_agent`)."""
    return run_per_agent(months, scale=scale, n_households=n_households).steps_per_s


#: Monthly totals compared by the sanity check (all are counts of the vectorised model too).
TOTALS = (
    *FILES,
    "households",
    *(f"households_{name}" for name in CLOCKS),
    "households_verified",
    "households_aware",
    "team_visits",
)
#: Months over which the file rates of the sanity check are pooled.
WINDOW = 12


def vectorised_history(months: int, scale: float, seed: int) -> list[dict[str, float]]:
    """The totals of :meth:`PerAgentModel._record`, month by month, from a vectorised run."""
    model = AdoptionModel(end=end_month(months), scale=scale, rng=seed)
    model.run_model()
    data = model.datacollector.model_vars
    columns = {name: [float(values[-1]) for values in data[name]] for name in TOTALS}
    model.release()
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def summary(history: list[dict[str, float]]) -> dict[str, float]:
    """File rates pooled over the last :data:`WINDOW` months; household shares at the end."""
    pooled = {name: sum(row[name] for row in history[-WINDOW:]) for name in FILES}
    last = history[-1]
    files, fees, n = pooled["files_total"], pooled["fee_files"], last["households"]
    return {
        "online_service_rate (files online / files)": pooled["files_online"] / files,
        "online_payment_rate (fees paid online / fees)": pooled["fees_paid_online"] / fees,
        "digitisation rate (files digitised / files)": pooled["files_digitised"] / files,
        "cashless share of households": last["households_cashless"] / n,
        "app share of households": last["households_app"] / n,
        "online-filer share of households": last["households_online"] / n,
        "verified share of households": last["households_verified"] / n,
        "aware share of households": last["households_aware"] / n,
        "team visits in the last month, per household": last["team_visits"] / n,
    }


def sanity(months: int, scale: float, seeds: list[int]) -> str:
    """A table of both versions' rates and shares (see :func:`summary`), mean over ``seeds``."""
    per_agent = [summary(run_per_agent(months, scale=scale, seed=s).history) for s in seeds]
    vectorised = [summary(vectorised_history(months, scale, s)) for s in seeds]
    rows = []
    for name in per_agent[0]:
        a = sum(r[name] for r in vectorised) / len(seeds)
        b = sum(r[name] for r in per_agent) / len(seeds)
        rows.append([name, f"{a:.3f}", f"{b:.3f}", f"{b - a:+.3f}"])
    return table(["mean over seeds", "vectorised", "per-agent", "difference"], rows)


def main(argv: list[str] | None = None) -> int:
    """Time one per-agent run and print the sanity comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="of the five districts")
    parser.add_argument("--months", type=int, default=48, help="from 2019-01 (default 48)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the sanity check")
    args = parser.parse_args(argv)
    run = run_per_agent(args.months, scale=args.scale)
    print(f"per-agent model: {run.households:,} households x {run.months} months")
    print(
        f"  build {run.build_s:.2f} s, run {run.run_s:.2f} s, "
        f"{rate(run.steps_per_s)} household-steps/s\n"
    )
    seeds = [SEED + k for k in range(args.seeds)]
    print(
        f"Sanity check, scale {args.scale}, {args.months} months from 2019-01, seeds "
        f"{seeds[0]}..{seeds[-1]}:\nfile rates pooled over the last {WINDOW} months, household "
        "shares at the end (rough agreement expected, not equality):"
    )
    print(sanity(args.months, args.scale, seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
