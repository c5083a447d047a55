"""The household rules: each a vectorised update over all households.

One function per submodel of ``docs/model.md``, called by
:meth:`adoption.model.model.AdoptionModel.step` in this order:

1. :func:`background_trends` - smartphones and payment accounts arrive on their own;
2. :func:`team_visits` - community teams visit households;
3. :func:`diffusion` - Bass adoption of online filing, the app and cashless bills,
   with peer influence from the village's shares at the start of the month and
   the push of this month's team visits;
4. :func:`procedures` - households that need a procedure choose a channel at a desk.

No function loops over households in Python. Adoption uses the exponential
clocks of :mod:`adoption.model.population`. Arithmetic masking (``x * mask``) is used
instead of masked ufuncs, which are an order of magnitude slower on random masks.
"""

from __future__ import annotations

import numpy as np

from adoption.model.agents import OfficeArrays, TeamArrays
from adoption.model.params import Params, at
from adoption.model.population import CLOCKS, NEVER, Households, Structure

#: Largest monthly adoption probability (keeps log(1 - p) finite).
P_MAX = 1 - 1e-6
#: Resolution of the visit draw: probabilities are compared as 16-bit integers.
VISIT_LEVELS = 65536


def village_counts(flag: np.ndarray, structure: Structure) -> np.ndarray:
    """Number of households per village for which ``flag`` is true."""
    return np.add.reduceat(flag, structure.village_start, dtype=np.int32)


def innovation_terms(
    aware: np.ndarray,
    attitude: np.ndarray,
    online_modifier: np.ndarray,
    params: Params,
    rep: np.ndarray | None = None,
) -> dict:
    """``-p * m_i`` per household and process, capped so that ``p m_i + q <= P_MAX``.

    ``m_i`` is the attitude, times ``aware_boost`` if aware, times (for online
    filing) ``online_modifier`` (the distance factor). Kept negated, because the
    diffusion step works with ``log(1 - p m_i - q F)``. ``rep``: the run of each
    household given, in a batch (:func:`~adoption.model.params.at`).
    """
    boost = np.where(aware, at(params.aware_boost, rep), 1.0) * attitude
    out = {}
    for name in CLOCKS:
        p = at(getattr(params, f"p_{name}"), rep)
        q = at(getattr(params, f"q_{name}"), rep)
        modifier = boost * online_modifier if name == "online" else boost
        out[name] = -np.minimum(p * modifier, P_MAX - q).astype(np.float32)
    return out


def background_trends(hh: Households, month: int) -> None:
    """Smartphones and accounts arrive at their due months (constant hazards, see population)."""
    np.less_equal(hh.smartphone_due, month, out=hh.smartphone)
    np.less_equal(hh.account_due, month, out=hh.account)


def gates(
    hh: Households,
    covered: np.ndarray,
    app_live: np.ndarray,
    params: Params,
    rep: np.ndarray | None = None,
) -> dict:
    """Who can adopt what this month: coverage and a phone gate every digital service.

    The app and cashless bills need the household's own smartphone; online filing can
    also be done on a shared phone (a relative's, a neighbour's), for the households
    that have such access (``shared_phone_access``), given the skill to file.
    """
    connected = hh.smartphone & covered
    shared = (hh.smartphone | hh.shared_access) & covered  # a relative's or neighbour's phone
    return {
        "connected": connected,
        "online": shared & (hh.skill >= np.float32(at(params.skill_min, rep))),
        "app": connected & app_live,
        "cashless": connected & hh.account,
    }


def team_visits(
    hh: Households,
    structure: Structure,
    teams: TeamArrays,
    month: int,
    params: Params,
    draw: np.ndarray,
    innovation: dict,
    online_modifier: np.ndarray,
) -> np.ndarray | None:
    """Active teams visit households that have not yet adopted all three services.

    A village's team has capacity ``members * visits_per_member * scale`` a month
    (``scale``: the village's simulated households per real household)
    and spreads it evenly over the village's households still to help. A visit
    adds ``visit_skill_gain * effectiveness`` to skill, makes the household
    aware, and brings its account due month forward by
    ``visit_hazard_account * effectiveness`` of hazard.

    Returns:
        The visit *dose* per household (the team's effectiveness if visited,
        else 0), which :func:`diffusion` turns into hazard on the clocks; None
        if no team is active.
    """
    active = teams.start <= month
    if not active.any():
        teams.visits[:] = 0
        return None
    todo = ~(hh.online & hh.app & hh.cashless)
    per_member = at(params.visits_per_member, structure.village_rep)
    capacity = active * teams.members * per_member * structure.village_scale
    prob_v = np.minimum(1.0, capacity / np.maximum(village_counts(todo, structure), 1))
    threshold = np.minimum(VISIT_LEVELS - 1, np.rint(prob_v * VISIT_LEVELS)).astype(np.uint16)
    visited = todo & (draw < np.repeat(threshold, structure.village_size))
    teams.visits[:] = village_counts(visited, structure)
    idx = np.flatnonzero(visited)
    rep = structure.household_rep
    effect = teams.effectiveness[hh.village[idx]].astype(np.float32)
    gain = np.float32(at(params.visit_skill_gain, rep, idx))
    hh.skill[idx] = np.minimum(1.0, hh.skill[idx] + gain * effect)
    make_aware(hh, idx, innovation, online_modifier, params, rep)
    lacking = idx[~hh.account[idx]]
    extra = np.float32(at(params.visit_hazard_account, rep, lacking)) * effect[~hh.account[idx]]
    _bring_forward(hh, lacking, month, extra, at(params.account_hazard, rep, lacking))
    dose = np.zeros(hh.n, np.float32)
    dose[idx] = effect
    return dose


def make_aware(
    hh: Households,
    idx: np.ndarray,
    innovation: dict,
    online_modifier: np.ndarray,
    params: Params,
    rep: np.ndarray | None = None,
) -> None:
    """Make households ``idx`` aware; their innovation terms take the ``aware_boost``."""
    newly = idx[~hh.aware[idx]]
    if newly.size:
        hh.aware[newly] = True
        fresh = innovation_terms(
            hh.aware[newly],
            hh.attitude[newly],
            online_modifier[newly],
            params,
            None if rep is None else rep[newly],
        )
        for name in CLOCKS:
            innovation[name][newly] = fresh[name]


def campaign(
    hh: Households,
    structure: Structure,
    reach: np.ndarray,
    draw: np.ndarray,
    innovation: dict,
    online_modifier: np.ndarray,
    params: Params,
) -> np.ndarray:
    """An information campaign reaches each household with its village's ``reach`` probability.

    A reached household becomes aware (as after a team visit) and gets
    ``campaign_hazard_app`` on its app clock this month (returned as the push
    that :func:`diffusion` adds).

    Returns:
        Boolean mask of the households reached this month.
    """
    reached = draw < np.repeat(reach.astype(np.float32), structure.village_size)
    rep = structure.household_rep
    make_aware(hh, np.flatnonzero(reached), innovation, online_modifier, params, rep)
    return reached


def course(
    hh: Households,
    idx: np.ndarray,
    innovation: dict,
    online_modifier: np.ndarray,
    params: Params,
    rep: np.ndarray | None = None,
) -> None:
    """Households ``idx`` complete a digital-skills course this month.

    Their skill rises to at least ``skill_min`` (the skill to file online themselves) and they
    become aware of online services (the course teaches them, as a team visit does).
    """
    hh.skill[idx] = np.maximum(hh.skill[idx], np.float32(at(params.skill_min, rep, idx)))
    make_aware(hh, idx, innovation, online_modifier, params, rep)


def _bring_forward(hh: Households, idx: np.ndarray, month: int, extra: np.ndarray, hazard) -> None:
    """Spend ``extra`` hazard now from the account clocks of ``idx`` (constant ``hazard``)."""
    hazard = np.maximum(hazard, 1e-12)
    due_before = hh.account_due[idx]
    left = (due_before - month) * hazard - extra  # hazard still to spend, after the visit
    due = month + np.ceil(np.maximum(left, 0) / hazard)  # run out now if nothing is left
    hh.account_due[idx] = np.minimum(due_before, due)
    hh.account[idx] = hh.account_due[idx] <= month


def diffusion(
    hh: Households,
    structure: Structure,
    params: Params,
    gate: dict,
    peer: dict,
    innovation: dict,
    dose: np.ndarray | None,
    push: dict | None = None,
    month: int | None = None,
) -> None:
    """Bass adoption of online filing, the citizen app and cashless bills, plus visit pushes.

    Each eligible non-adopter adopts with probability ``p * m_i + q * F_v``
    (``F_v``: its village's adopted share at the start of the month), i.e.
    spends ``-log(1 - p m_i - q F_v)`` from its clock, plus
    ``visit_hazard_* * dose`` if a team visited it this month, plus any extra
    hazard in ``push`` (process name -> hazard per household, e.g. a campaign's).
    With ``month``, a household that installs the app this month gets ``app_since = month``.
    """
    for name in CLOCKS:
        adopted = getattr(hh, name)
        idx = np.flatnonzero(gate[name] & ~adopted)  # the eligible: only their clocks move
        if not idx.size:
            continue
        q = at(getattr(params, f"q_{name}"), structure.village_rep)
        log_stay = innovation[name][idx] + (-q * peer[name]).astype(np.float32)[hh.village[idx]]
        np.log1p(log_stay, out=log_stay)  # log(1 - p m_i - q F_v) = -hazard
        if dose is not None:
            hazard = at(getattr(params, f"visit_hazard_{name}"), structure.household_rep, idx)
            log_stay -= np.float32(hazard) * dose[idx]
        if push and name in push:
            log_stay -= push[name][idx]
        clock = hh.clock[name][idx] + log_stay
        hh.clock[name][idx] = clock
        adopted[idx[clock <= 0]] = True
    if month is not None:  # the month each new app household installed
        np.minimum(hh.app_since, np.where(hh.app, month, NEVER), out=hh.app_since)


#: Count arrays returned by :func:`procedures`, per desk.
FILE_COUNTS = (
    "files_total",
    "files_online",
    "files_self",
    "files_assisted",
    "fee_files",
    "fees_paid_online",
    "files_digitised",
    "fee_files_online",
    "files_full",
)


def files_offered(share: np.ndarray, concentration) -> np.ndarray:
    """Share of a desk's files whose procedure is offered online: ``1 - (1 - share) ** k``.

    Files are not spread evenly over procedures: a few (birth registration, certified copies,
    residence) carry most of them and went online first, so a desk offering a share ``share``
    of its procedures online receives more than that share of its files for them. ``k`` is
    ``file_concentration``; at 1 the two shares are equal.
    """
    if np.ndim(concentration) == 0 and concentration == 1.0:
        return share
    return 1.0 - (1.0 - share) ** concentration


def procedures(
    hh: Households,
    offices: OfficeArrays,
    step: int,
    month: int,
    params: Params,
    n_communes: int,
    who: np.ndarray,
    u: np.ndarray,
    fee_cut: np.ndarray | None = None,
    rep: np.ndarray | None = None,
    home: bool = False,
) -> dict[str, np.ndarray]:
    """Households that need a procedure this month file it, online or in person.

    Each household needs a procedure in a month with probability
    ``procedure_rate``, independently (drawn as a binomial count of distinct
    households). A file goes to the district desk with probability
    ``district_desk_share``, else to the commune desk (after the 2025 reform always to the
    commune desk, now a commune service centre: ``OfficeArrays.absorb``), and is offered online
    with probability :func:`files_offered` of the desk's ``online_share`` (a share of
    procedures; files crowd into the procedures offered first); a share
    ``full_process_share`` of the files offered online are for procedures offered fully
    online (toàn trình), decided by the same uniform (below ``full_process_share`` times the
    offered share), so no draw is added. An online filer whose
    identity has been verified files online with probability ``online_choice``; anyone else comes
    in person, is verified there (once, if the desk's electronic one-stop
    system has started: staff verify on the provincial portal), and staff file it online at the desk
    with the desk's ``assist`` probability if it is offered online. A fee is
    paid online only with an account. Online files are born digital; paper
    files are digitised with the desk's ``digitise`` probability.

    ``fee_cut`` (share of the fee waived online, per desk) raises the online
    choice for fee-bearing files: ``online_choice + (1 - online_choice) *
    fee_cut_response * cut``.

    Returns:
        Counts per desk for each name in :data:`FILE_COUNTS`; with ``home``, also
        ``name@home``: the same counts per commune the filer lives in.
    """
    commune = hh.commune[who].astype(np.int64)
    district_desk = n_communes + hh.district[who].astype(np.int64)
    to_district = u[0] < np.float32(at(params.district_desk_share, rep))
    to_district &= offices.closes[district_desk] > month  # no district desk after the reform
    desk = commune + to_district * (district_desk - commune)
    offered_share = files_offered(
        offices.online_share[step, desk], at(params.file_concentration, rep)
    )
    offered = u[1] < offered_share
    # given offered, u[1] / offered_share is uniform: a share ψ of offered files are fully online
    full = u[1] < (offered_share * at(params.full_process_share, rep)).astype(np.float32)
    fee = u[4] < np.float32(at(params.fee_share, rep))
    choice = np.float32(at(params.online_choice, rep))
    if fee_cut is not None:
        gap = (1 - at(params.online_choice, rep)) * at(params.fee_cut_response, rep)
        choice = choice + (gap * fee_cut[desk] * fee).astype(np.float32)
    by_self = offered & hh.online[who] & hh.verified[who] & (u[2] < choice)
    hh.self_filed[who[by_self]] = month
    in_person = ~by_self
    e_desk = offices.verifies[desk] <= month  # staff verify on the provincial portal
    hh.verified[who[in_person & e_desk]] = True
    assisted = in_person & offered & (u[3] < offices.assist[step, desk])
    online = by_self | assisted
    pay_prob = np.where(
        online, at(params.pay_online_if_online, rep), at(params.pay_online_in_person, rep)
    )
    paid_online = fee & hh.account[who] & (u[5] < pay_prob)
    digitised = online | (u[6] < offices.digitise[step, desk])
    n_desks = len(offices.start)
    flags = (None, online, by_self, assisted, fee, paid_online, digitised, fee & online,
             online & full)  # fmt: skip
    counts = {
        name: np.bincount(desk, weights=flag, minlength=n_desks).astype(np.int64)
        for name, flag in zip(FILE_COUNTS, flags, strict=True)
    }
    if home:  # also by the filer's commune (the 2025 units count files where people live)
        for name, flag in zip(FILE_COUNTS, flags, strict=True):
            counts[f"{name}@home"] = np.bincount(commune, weights=flag, minlength=n_communes)
    offices.files[:] = counts["files_total"]
    return counts
