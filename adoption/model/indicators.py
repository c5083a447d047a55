"""Indicators: what the model reports each month, per commune, district and in total.

Every indicator is one :class:`Indicator` in :data:`INDICATORS`, the only place its
facts live: where its value comes from, whether it is a stock or a flow, whether it
counts simulated things (then it is converted to real units here, once), its unit,
its label in figures, what a rate is a share of, and whether it is a headline fan
chart or kept per run in forecast ensembles. Reporters for Mesa's ``DataCollector``,
the ensembles' indicator list, the calibration targets' allowed indicators, figure
labels and the indicator table of docs/analysts.md are all derived from it.

Where a value comes from (exactly one of):

- ``flag``: the number of households whose boolean state array of that name is true
  (a stock at the end of the month);
- ``desks``: a value per one-stop desk (commune desks, then district desks), e.g. the
  month's files of a kind from :func:`adoption.model.rules.procedures`, or the cumulative
  cost; a commune's value is its own desk's, a district's the sum of its desks;
- ``communes``: a function of the model giving one value per commune; districts sum;
- ``places``: a function of the model giving the value of every place directly;
- ``rate``: ``(numerator, denominator)``, two other indicators; NaN where the
  denominator is 0. Rates of real counts equal rates of simulated ones.

Counts marked ``real`` are divided by the simulated households per real household of
their commune (desks of a district by the model's scale), so a single run's
:func:`tidy` and a forecast report the same units. Places come in one order: all
communes, all districts, then :data:`TOTAL`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adoption.model.params import at

TOTAL = "All districts"


@dataclass(frozen=True)
class Indicator:
    """One reported quantity (module docstring)."""

    name: str
    meaning: str
    label: str
    unit: str  # "share" for rates in [0, 1]; else what is counted ("households", "VND", ...)
    kind: str  # "stock" (end of month), "flow" (during the month), "cumulative"
    flag: str | None = None
    desks: str | Callable | None = None
    communes: Callable | None = None
    places: Callable | None = None
    rate: tuple[str, str] | None = None
    share_of: str = ""  # what a rate is a share of, for axis labels ("% of households")
    real: bool = False  # a count of simulated things: divided by the scale
    headline: bool = False  # one of the headline fan charts
    forecast: bool = False  # kept per run in forecast ensembles

    @property
    def is_share(self) -> bool:
        """Whether the value is a share in [0, 1]."""
        return self.unit == "share"


# -- sources of values that are not a household flag or a desk count -------------------------------


def _households(model) -> np.ndarray:
    return model.structure.commune_size.astype(np.float64)


def _citizens(model) -> np.ndarray:
    s = model.structure
    return s.commune_size * s.household_size[s.commune_district]


def _adults_per_household(model) -> np.ndarray:
    return np.array([p.household_size * p.adult_share for p in model.profiles])


def _adults(model) -> np.ndarray:
    s = model.structure
    return s.commune_size * _adults_per_household(model)[s.commune_district]


def _citizens_app(model) -> np.ndarray:
    """Adults with the app: one at the household's install, the others at ``app_spread_hazard``."""
    hh, s = model.households, model.structure
    idx = np.flatnonzero(hh.app)  # the rest count 0: only app households are computed
    stay = model.app_stay  # (months + 1,) in one run; (runs, months + 1) in a batch
    age = np.minimum(np.maximum(model.month - hh.app_since[idx], 0), stay.shape[-1] - 1)
    stay = stay[age] if stay.ndim == 1 else stay[s.household_rep[idx], age]
    members = np.zeros(len(hh.app))
    members[idx] = 1 + (hh.adults[idx] - 1) * (1 - stay)
    return np.add.reduceat(members, s.commune_start, dtype=np.float64)


def _adults_account(model) -> np.ndarray:
    """Adults holding a payment account: ``account_adult_share`` of an account household's.

    A district's households all have its adults per household, so this is the commune's
    account households times those adults times the share (no pass over households' floats).
    """
    s = model.structure
    households = np.add.reduceat(model.households.account, s.commune_start, dtype=np.int64)
    share = at(model.params.account_adult_share, s.commune_rep)
    return households * _adults_per_household(model)[s.commune_district] * share


def _skilled(model) -> np.ndarray:
    """Households with the digital skill to file online themselves (``skill >= skill_min``)."""
    hh, s = model.households, model.structure
    floor = np.float32(at(model.params.skill_min, s.household_rep))
    return np.add.reduceat(hh.skill >= floor, s.commune_start, dtype=np.int64)


def _self_12m(model) -> np.ndarray:
    recent = model.households.self_filed > model.month - 12
    return np.add.reduceat(recent, model.structure.commune_start, dtype=np.int64)


def _team_visits(model) -> np.ndarray:
    return np.add.reduceat(model.teams.visits, model.structure.commune_village_start)


def _teams_active(model) -> np.ndarray:
    active = (model.teams.start <= model.month).astype(np.int64)
    return np.add.reduceat(active, model.structure.commune_village_start)


def _cost(model) -> np.ndarray:
    return model.cost


def _supply_share(model) -> np.ndarray:
    """Share of procedures offered online, weighted by where files go (desk shares)."""
    s, share = model.structure, model.offices.online_share[model.step_index]
    nc, w = s.n_communes, at(model.params.district_desk_share, s.district_rep)
    w = np.where(model.offices.closes[nc:] > model.month, w, 0.0)  # no district desk after 2025
    commune = share[:nc]
    weighted = np.add.reduceat(commune * s.commune_size, s.district_commune_start)
    households = np.add.reduceat(s.commune_size, s.district_commune_start)
    district = (1 - w) * weighted / households + w * share[nc:]
    runs = model.district_start_of_run
    total = np.add.reduceat(district * households, runs) / np.add.reduceat(households, runs)
    # a 2025 unit: its communes' files, each split between its own desk and its district's
    wc = w[s.commune_district]
    own = (1 - wc) * commune + wc * share[nc:][s.commune_district]
    sums = model.units.combine(
        np.array([own * s.commune_size, s.commune_size]),
        np.array([district * households, households]),
    )
    return np.concatenate([commune, district, ratio(sums[0], sums[1]), total])


def _i(name: str, meaning: str, label: str, unit: str, kind: str, **how) -> Indicator:
    return Indicator(name, meaning, label, unit, kind, **how)


_FILES = "procedure files"
#: Every indicator, in the order reporters and forecast tables list them.
INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        _i("online_service_rate", "share of the month's procedure files filed online (dịch vụ "
           "công trực tuyến)", "Procedure files filed online", "share", "flow",
           rate=("files_online", "files_total"), share_of=_FILES, headline=True, forecast=True),
        _i("online_payment_rate", "share of the month's fee-bearing files whose fee was paid "
           "online (thanh toán trực tuyến)", "Fees paid online", "share", "flow",
           rate=("fees_paid_online", "fee_files"), share_of="fee-bearing files", headline=True,
           forecast=True),
        _i("records_digitisation_rate", "share of the month's files held digitally (số hóa hồ "
           "sơ)", "Case records digitised", "share", "flow",
           rate=("files_digitised", "files_total"), share_of=_FILES, headline=True,
           forecast=True),
        _i("cashless_bill_rate", "share of households paying electricity and water bills "
           "through an app", "Households paying bills by app", "share", "stock",
           rate=("households_cashless", "households"), share_of="households", headline=True,
           forecast=True),
        _i("app_install_rate", "share of citizens with the provincial citizen app installed",
           "Citizens with the citizen app", "share", "stock",
           rate=("citizens_app", "citizens"), share_of="citizens", headline=True, forecast=True),
        _i("self_service_rate", "share of adults who filed a procedure online themselves in "
           "the last 12 months (one adult per filing household; what surveys such as PAPI ask)",
           "Adults filing online themselves", "share", "stock",
           rate=("households_self_12m", "adults"), share_of="adults", headline=True,
           forecast=True),
        _i("digital_skill_rate", "share of households with the digital skill to file online "
           "themselves (skill >= skill_min; team visits and skills courses raise it). Initial "
           "skills, the threshold and the visits' gain are assumptions fitted to no skills "
           "survey, and the share nears 100 % once teams have visited every household still to "
           "help: not a measure of adults' basic digital skills",
           "Households with the skill to file online", "share", "stock",
           rate=("households_skilled", "households"), share_of="households", forecast=True),
        _i("portal_account_rate", "share of adults with a portal account (one per household "
           "that has filed online itself)", "Adults with a portal account", "share", "stock",
           rate=("households_portal", "adults"), share_of="adults", forecast=True),
        _i("self_file_rate", "share of the month's procedure files filed online by the "
           "household itself (not by desk staff)", "Files filed online by citizens themselves",
           "share", "flow", rate=("files_self", "files_total"), share_of=_FILES,
           forecast=True),
        _i("full_online_rate", "share of the month's procedure files filed online for a "
           "procedure offered fully online (hồ sơ trực tuyến toàn trình: filed, paid and "
           "returned online)", "Files filed fully online", "share", "flow",
           rate=("files_full", "files_total"), share_of=_FILES, forecast=True),
        _i("app_adult_rate", "share of adults with the citizen app installed",
           "Adults with the citizen app", "share", "stock", rate=("citizens_app", "adults"),
           share_of="adults", forecast=True),
        _i("procedures_online_share", "share of procedures offered online (level 3/4), "
           "weighted by where files go", "Procedures offered online", "share", "stock",
           places=_supply_share, share_of="procedures", headline=True, forecast=True),
        _i("smartphone_rate", "share of households with a smartphone",
           "Households with a smartphone", "share", "stock",
           rate=("households_smartphone", "households"), share_of="households", forecast=True),
        _i("account_rate", "share of households with a payment account",
           "Households with a payment account", "share", "stock",
           rate=("households_account", "households"), share_of="households", forecast=True),
        _i("adult_account_rate", "share of adults holding a payment account (adults of "
           "account households times account_adult_share; what the State Bank counts)",
           "Adults with a payment account", "share", "stock",
           rate=("adults_account", "adults"), share_of="adults", forecast=True),
        _i("any_service_rate", "share of households using online filing, the app or cashless "
           "bills", "Households using an online service", "share", "stock",
           rate=("households_any", "households"), share_of="households", forecast=True),
        _i("households_online", "households able and willing to file online (online filers)",
           "Households filing online", "households", "stock", flag="online", real=True,
           forecast=True),
        _i("households_app", "households with the citizen app installed",
           "Households with the citizen app", "households", "stock", flag="app", real=True,
           forecast=True),
        _i("households_cashless", "households paying power/water bills through an app",
           "Households paying bills by app", "households", "stock", flag="cashless", real=True,
           forecast=True),
        _i("households_any", "households using at least one of online filing, the app, "
           "cashless bills", "Households using an online service", "households", "stock",
           flag="any_service", real=True, forecast=True),
        _i("households", "households", "Households", "households", "stock",
           communes=_households, real=True, forecast=True),
        _i("files_online", "files filed online in the month (by the household or by desk "
           "staff)", "Procedure files filed online in the month", "files", "flow",
           desks="files_online", real=True, forecast=True),
        _i("cost_vnd", "cumulative cost, VND: team running costs, interventions, forgone "
           "online fees", "Cumulative cost", "VND", "cumulative", desks=_cost, forecast=True),
        _i("files_total", "procedure files received in the month", "Procedure files",
           "files", "flow", desks="files_total", real=True),
        _i("files_self", "files the household filed online itself in the month",
           "Files filed online by citizens", "files", "flow", desks="files_self", real=True),
        _i("households_self_12m", "households that filed online themselves in the last 12 "
           "months", "Households filing online themselves", "households", "stock",
           communes=_self_12m, real=True),
        _i("households_skilled", "households with the digital skill to file online "
           "themselves (skill >= skill_min)", "Households with the skill to file online",
           "households", "stock", communes=_skilled, real=True),
        _i("households_portal", "households with a portal account (have filed online "
           "themselves)", "Households with a portal account", "households", "stock",
           flag="portal_account", real=True),
        _i("adults", "people aged 15 and over (household size x adult share)", "Adults",
           "adults", "stock", communes=_adults, real=True),
        _i("files_assisted", "files desk staff filed online for a visitor in the month",
           "Files filed online by desk staff", "files", "flow", desks="files_assisted",
           real=True),
        _i("files_full", "files filed online in the month for a procedure offered fully "
           "online (toàn trình)", "Files filed fully online", "files", "flow",
           desks="files_full", real=True),
        _i("fee_files", "files that carried a fee in the month", "Fee-bearing files", "files",
           "flow", desks="fee_files", real=True),
        _i("fees_paid_online", "fees paid online in the month", "Fees paid online", "files",
           "flow", desks="fees_paid_online", real=True),
        _i("files_digitised", "files digitised (online files count as digital) in the month",
           "Files digitised", "files", "flow", desks="files_digitised", real=True),
        _i("fee_files_online", "files filed online that carried a fee in the month",
           "Fee-bearing files filed online", "files", "flow", desks="fee_files_online",
           real=True),
        _i("households_verified", "households whose identity a desk has verified",
           "Households verified at a desk", "households", "stock", flag="verified", real=True),
        _i("households_smartphone", "households with a smartphone",
           "Households with a smartphone", "households", "stock", flag="smartphone", real=True),
        _i("households_account", "households with a payment account",
           "Households with a payment account", "households", "stock", flag="account",
           real=True),
        _i("adults_account", "adults holding a payment account", "Adults with an account",
           "adults", "stock", communes=_adults_account, real=True),
        _i("households_aware", "households made aware of online services (team visit or "
           "campaign)", "Households made aware", "households", "stock", flag="aware",
           real=True),
        _i("citizens", "people", "Citizens", "citizens", "stock", communes=_citizens,
           real=True),
        _i("citizens_app", "people with the citizen app installed (adults of app households, "
           "spreading within the household)", "Citizens with the app", "citizens", "stock",
           communes=_citizens_app, real=True),
        _i("team_visits", "household visits by community teams in the month",
           "Household visits by teams", "visits", "flow", communes=_team_visits, real=True),
        _i("teams_active", "community teams that have started", "Active teams", "teams",
           "stock", communes=_teams_active),
    )
}  # fmt: skip

#: Rates: indicator -> (numerator, denominator).
RATES: dict[str, tuple[str, str]] = {n: i.rate for n, i in INDICATORS.items() if i.rate}
#: Indicators a forecast ensemble keeps per run, month and place, in this order.
FORECAST: tuple[str, ...] = tuple(n for n, i in INDICATORS.items() if i.forecast)
#: The headline indicators, in the order the fan charts show them.
HEADLINE: tuple[str, ...] = tuple(n for n, i in INDICATORS.items() if i.headline)
#: Indicators whose values are shares in [0, 1].
SHARES: frozenset[str] = frozenset(n for n, i in INDICATORS.items() if i.is_share)


def _check_registry() -> None:
    for indicator in INDICATORS.values():
        sources = [indicator.flag, indicator.desks, indicator.communes, indicator.places]
        if sum(s is not None for s in [*sources, indicator.rate]) != 1:
            raise ValueError(f"indicator {indicator.name}: give exactly one source")
        for part in indicator.rate or ():
            if part not in INDICATORS or INDICATORS[part].rate:
                raise ValueError(f"indicator {indicator.name}: {part} is not a count")


_check_registry()


# -- measuring a month -----------------------------------------------------------------------------


def needed(names) -> tuple[str, ...]:
    """``names`` and the counts their rates need, in registry order (for :func:`measure`)."""
    wanted = set(names)
    for name in names:
        wanted |= set(INDICATORS[name].rate or ())
    return tuple(n for n in INDICATORS if n in wanted)


def measure(model, files: dict[str, np.ndarray], names=None) -> dict[str, np.ndarray]:
    """The indicators' values per place this month (real units), from the model's state.

    ``files``: the month's counts per desk (:func:`adoption.model.rules.procedures`).
    ``model.commune_counts`` holds the household stocks per commune (simulated), which
    ``communes`` sources may use. ``names``: only these indicators (from :func:`needed`);
    every one if None.
    """
    names = INDICATORS if names is None else names
    s = model.structure
    real = 1.0 / model.commune_scale  # real households per simulated one, per commune
    per_desk_real = np.concatenate([real, 1.0 / model.district_scale])
    commune_rows, desk_rows, out = {}, {}, {}
    for name in names:
        i = INDICATORS[name]
        if i.flag is not None:
            commune_rows[name] = model.commune_counts[name] * (real if i.real else 1.0)
        elif i.communes is not None:
            commune_rows[name] = i.communes(model) * (real if i.real else 1.0)
        elif i.desks is not None:
            values = files[i.desks] if isinstance(i.desks, str) else i.desks(model)
            desk_rows[name] = values * (per_desk_real if i.real else 1.0)
        elif i.places is not None:
            out[name] = i.places(model)
    nc = s.n_communes
    communes = np.array([*commune_rows.values(), *(v[:nc] for v in desk_rows.values())], float)
    extra = np.zeros((len(communes), s.n_districts))
    extra[len(commune_rows) :] = [v[nc:] for v in desk_rows.values()]
    district = np.add.reduceat(communes, s.district_commune_start, axis=1) + extra
    total = np.add.reduceat(district, model.district_start_of_run, axis=1)  # per run
    units = model.units.combine(_by_home(model, files, communes, desk_rows, real), district)
    places = np.concatenate([communes, district, units, total], axis=1)
    out.update(zip([*commune_rows, *desk_rows], places, strict=True))
    for name, (numerator, denominator) in RATES.items():
        if name in names:
            out[name] = ratio(out[numerator], out[denominator])
    return out


def _by_home(model, files, communes: np.ndarray, desk_rows: dict, real) -> np.ndarray:
    """Per-commune values by where households live: file counts by home commune, cost NaN."""
    if not model.units.n:
        return communes
    home = communes.copy()
    for k, name in enumerate(desk_rows, start=len(communes) - len(desk_rows)):
        i = INDICATORS[name]
        counts = files[f"{i.desks}@home"] if isinstance(i.desks, str) else np.nan
        home[k] = counts * (real if i.real else 1.0)
    return home


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1e-300), np.nan)
