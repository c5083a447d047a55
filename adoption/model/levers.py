"""The lever types: each one definition, all registered in :data:`TYPES` at the bottom.

A lever type says what it does (``meaning``), what its magnitude is and may be
(``magnitude``, ``bounds``), what its unit cost is per (``cost_unit``), whether its
effect lasts after ``end`` (``lasting``), and, in :meth:`schedule`, how it changes
the run's schedules and what it costs when. ``docs/model.md`` ("Interventions")
writes each as an equation.

Selection randomness (which poor households get a phone, which uncovered villages
are connected first, whom a campaign reaches) draws from streams of its own
(:mod:`adoption.model.streams`), so two scenarios with the same seed select the same
households: a larger magnitude reaches a superset.

To add a lever type, add a class here and name it in :data:`TYPES` at the bottom (the one
registry: menus, tables and checks read it); if its effect needs a new
hook in the monthly step, add a schedule field to
:class:`~adoption.model.lever_type.Schedules` and apply it in the model or a rule.
"""

from __future__ import annotations

import numpy as np

from adoption.files import markdown_table
from adoption.model.lever_type import Lever, LeverSetup, LeverType, Schedules, Where
from adoption.model.population import NEVER
from adoption.model.units import build_units


class TrainTeams(LeverType):
    """Training raises every visit effect of the place's community teams."""

    name = "train_teams"
    meaning = (
        "train the community digital teams: every visit effect is multiplied by "
        "1 + magnitude (team effectiveness)"
    )
    magnitude = "relative rise in team effectiveness (0.5 = +50 %)"
    bounds = (0.0, 5.0)
    cost_unit = "VND per team member trained (once, at start)"
    cost_scales = False  # the same course or kit whatever the magnitude

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Effectiveness rises along the ramp; every member present at the start is paid for."""
        if plan.effectiveness is None:
            plan.effectiveness = np.ones((len(setup.months), setup.structure.n_villages))
        plan.effectiveness += np.outer(where.ramp * lever.magnitude, where.villages)
        trained = setup.base_members * where.villages
        if plan.members_added is not None:  # added members are scheduled first (order 0)
            trained = trained + plan.members_added[where.start_step] * where.villages
        plan.spend(where.start_step, setup.structure, trained, lever.unit_cost_vnd)


class AddTeamMembers(LeverType):
    """More members per village team: more household visits a month."""

    name = "add_team_members"
    meaning = "add members to every community team of the place (more household visits a month)"
    magnitude = "members added per village team"
    bounds = (0.0, 20.0)
    cost_unit = "VND per added member per month (allowance, while the intervention runs)"
    lasting = False
    order = 0  # before training, so that training pays for the members present at its start

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Members along the ramp; each added member's allowance every month it runs."""
        if plan.members_added is None:
            plan.members_added = np.zeros((len(setup.months), setup.structure.n_villages))
        added = np.outer(where.ramp * lever.magnitude, where.villages)
        plan.members_added += added
        for step in np.flatnonzero(lever.active(setup.months)):
            plan.spend(step, setup.structure, added[step], lever.unit_cost_vnd)


class SubsidiseSmartphones(LeverType):
    """Smartphones for poor households that have none."""

    name = "subsidise_smartphones"
    meaning = "give a smartphone to poor households that have none"
    magnitude = (
        "share of the place's poor households reached (those without a phone at delivery get one)"
    )
    cost_unit = "VND per smartphone delivered"

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Poor households with ``u < magnitude`` get a phone, spread over the ramp."""
        hh, s, months = setup.households, setup.structure, setup.months
        u = setup.streams["subsidy"].random(hh.n)
        chosen = hh.poor & where.communes[hh.commune] & (u < lever.magnitude)
        delivery = lever.delivery(u, months).astype(hh.smartphone_due.dtype)
        given = chosen & (delivery < hh.smartphone_due)
        hh.smartphone_due[given] = delivery[given]
        steps = np.searchsorted(months, delivery[given])
        real = 1.0 / s.village_scale[hh.village[given]]  # real households per simulated one
        np.add.at(plan.planned_cost, (steps, hh.commune[given]), real * lever.unit_cost_vnd)


class ExtendCoverage(LeverType):
    """Mobile broadband for villages not yet covered."""

    name = "extend_coverage"
    meaning = "bring mobile broadband to villages not yet covered"
    magnitude = "share of the villages still uncovered at start that get coverage"
    cost_unit = "VND per village connected"

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Uncovered villages with ``u < magnitude`` are connected over the ramp."""
        s, months = setup.structure, setup.months
        u = setup.streams["extension"].random(s.n_villages)
        connect = lever.delivery(u, months)
        current = setup.coverage_month
        chosen = where.villages & (u < lever.magnitude) & (current > lever.first)
        chosen &= connect < current
        current[chosen] = connect[chosen]
        steps = np.searchsorted(months, connect[chosen])
        np.add.at(plan.planned_cost, (steps, s.village_commune[chosen]), lever.unit_cost_vnd)


class _OfficeLever(LeverType):
    """A lever on the one-stop desks of the place, paid once per desk at the start."""

    cost_unit = "VND per desk (once, at start)"
    cost_scales = False  # the same course or kit whatever the magnitude

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Change the desks' monthly tables along the ramp; pay for every desk at the start.

        After the 2025 reform the desks of the old communes that form one new commune are that
        commune's one service centre: each pays its share (1 / their number), so a lever naming
        a new commune pays once for its centre.
        """
        self.raise_tables(setup.offices, lever, np.outer(where.ramp, where.desks))
        paid = where.desks * centre_share(setup.structure, setup.offices, lever.first)
        plan.planned_cost[where.start_step] += paid * lever.unit_cost_vnd

    def raise_tables(self, offices, lever: Lever, effect: np.ndarray) -> None:
        """Change the office tables; ``effect`` is (months, desks) in [0, 1]."""
        raise NotImplementedError


def centre_share(structure, offices, month: int) -> np.ndarray:
    """Each desk's share of a service centre at ``month`` (1 before the 2025 reform).

    After its district's desk has closed, an old commune's desk is one of the desks the model
    keeps for its new commune's single centre (``adoption/data/communes_2025.csv``): its share
    is 1 over their number. A commune the crosswalk does not map keeps 1.
    """
    s = structure
    share = np.ones(s.n_communes + s.n_districts)
    reformed = offices.closes[s.n_communes + s.commune_district] <= month
    if reformed.any():
        unit = build_units(s).commune_unit
        sizes = np.bincount(unit[unit >= 0], minlength=max(unit.max() + 1, 0))
        grouped = reformed & (unit >= 0)
        share[: s.n_communes][grouped] = 1.0 / sizes[unit[grouped]]
    return share


class EquipOffices(_OfficeLever):
    """Computers for the desks (digitisation rises with computers per official)."""

    name = "equip_offices"
    meaning = "equip one-stop desks with computers (raises the digitisation rate)"
    magnitude = "computers per official after equipment (the desk keeps more if it has more)"
    cost_unit = "VND per desk equipped (once, at start)"

    def raise_tables(self, offices, lever: Lever, effect: np.ndarray) -> None:
        """Computers per official rise towards the magnitude; a desk never loses any."""
        base = offices.computers  # before any intervention
        offices.computers_by_month = np.maximum(
            offices.computers_by_month, base + effect * np.maximum(lever.magnitude - base, 0)
        )


class TrainOfficeStaff(_OfficeLever):
    """Training of desk staff: assisted online filing and digitisation rise."""

    name = "train_office_staff"
    meaning = (
        "train one-stop desk staff: assisted online filing and digitisation are multiplied by "
        "1 + magnitude"
    )
    magnitude = "relative rise in staff performance (0.5 = +50 %)"
    bounds = (0.0, 5.0)
    cost_unit = "VND per desk trained (once, at start)"

    def raise_tables(self, offices, lever: Lever, effect: np.ndarray) -> None:
        """Staff training multiplies by 1 + magnitude along the ramp."""
        offices.training_by_month = offices.training_by_month * (1 + effect * lever.magnitude)


class RaiseOnlineProcedures(_OfficeLever):
    """More procedures offered online at level 3/4."""

    name = "raise_online_procedures"
    meaning = "offer more procedures online at level 3/4 at the place's desks"
    magnitude = "share of procedures offered online to reach (desks above it keep theirs)"

    def raise_tables(self, offices, lever: Lever, effect: np.ndarray) -> None:
        """The share offered online rises towards the magnitude; never falls."""
        share = offices.online_share
        offices.online_share = np.maximum(share, share + effect * (lever.magnitude - share))


class CutOnlineFees(LeverType):
    """A fee waiver for files filed online."""

    name = "cut_online_fees"
    meaning = "waive part of the fee of procedures filed online"
    magnitude = "share of the fee waived for online files (1 = free online)"
    cost_unit = (
        "VND of fee per fee-bearing file (forgone on every online fee file, times magnitude)"
    )
    lasting = False

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """The cut per desk and month; its cost is counted on the online fee files of the run."""
        cut = np.outer(where.ramp * lever.magnitude, where.desks)
        plan.fee_cut = cut if plan.fee_cut is None else plan.fee_cut + cut
        plan.fee_cost.append((cut, lever.unit_cost_vnd))


class InformationCampaign(LeverType):
    """Loudspeakers, meetings and Zalo messages about online services and the app."""

    name = "information_campaign"
    meaning = (
        "information campaign on online services and the citizen app (loudspeakers, "
        "meetings, Zalo groups): reached households become aware and are pushed to install "
        "the app"
    )
    magnitude = "share of the place's households reached each month while the campaign runs"
    cost_unit = "VND per household reached"
    lasting = False

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Reach per village and month (campaigns combine as independent chances)."""
        reach = np.outer(where.ramp * lever.magnitude, where.villages)
        if plan.campaign_reach is None:
            plan.campaign_reach = np.zeros((len(setup.months), setup.structure.n_villages))
        plan.campaign_reach = 1 - (1 - plan.campaign_reach) * (1 - reach)
        plan.campaign_cost.append((reach > 0, lever.unit_cost_vnd))


class DigitalSkillsCourse(LeverType):
    """A basic digital-skills course for adults, as the 2025 "Bình dân học vụ số" campaign runs."""

    name = "digital_skills_course"
    meaning = (
        'a basic digital-skills course (as in the 2025 "Bình dân học vụ số" campaign): an adult '
        "of each household reached completes it, which gives the household the skill to file "
        "online (skill_min) and makes it aware of online services"
    )
    magnitude = "share of the place's households with an adult completing it (over the ramp)"
    cost_unit = "VND per adult completing the course"

    def schedule(self, lever: Lever, where: Where, setup: LeverSetup, plan: Schedules):
        """Households with ``u < magnitude`` complete it, spread over the ramp; each adult paid."""
        hh, s, months = setup.households, setup.structure, setup.months
        u = setup.streams["course"].random(hh.n)
        chosen = where.communes[hh.commune] & (u < lever.magnitude)
        done = lever.delivery(u, months).astype(np.int32)
        if plan.course_month is None:
            plan.course_month = np.full(hh.n, NEVER, np.int32)
        np.minimum(plan.course_month, np.where(chosen, done, NEVER), out=plan.course_month)
        steps = np.searchsorted(months, done[chosen])
        real = 1.0 / s.village_scale[hh.village[chosen]]  # real households per simulated one
        np.add.at(plan.planned_cost, (steps, hh.commune[chosen]), real * lever.unit_cost_vnd)


#: Every lever type by name, in the order menus and tables list them: the one registry.
TYPES: dict[str, LeverType] = {
    kind.name: kind()
    for kind in (
        TrainTeams,
        AddTeamMembers,
        SubsidiseSmartphones,
        ExtendCoverage,
        EquipOffices,
        TrainOfficeStaff,
        RaiseOnlineProcedures,
        CutOnlineFees,
        InformationCampaign,
        DigitalSkillsCourse,
    )
}


def markdown() -> str:
    """The lever table of the README, generated from :data:`TYPES`."""
    rows = [
        [f"`{k.name}`", k.meaning, f"{k.magnitude}; [{k.bounds[0]:g}, {k.bounds[1]:g}]",
         k.cost_unit, "yes" if k.lasting else "no"]
        for k in TYPES.values()
    ]  # fmt: skip
    columns = ["type", "what it does", "magnitude; allowed", "unit cost", "lasts after `end`"]
    return markdown_table(columns, rows)
