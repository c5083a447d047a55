"""Every behavioural parameter of the model, in one place.

:class:`Params` is a frozen dataclass: one field per parameter, each with its
unit, meaning and source in the field's metadata. District-specific inputs
(population, communes, supply schedules, smartphone and account priors) are
not here: they are data, in the district profile file (see
:mod:`adoption.places.profiles`).

Defaults are documented guesses until calibration (issue 3) replaces them with
a posterior; ``source`` says "assumption" wherever no text or public figure
stands behind a value. ``Params.table()`` lists them all; ``adoption params``
prints that table.

Rates marked "per month" are probabilities per monthly step unless they are
called hazards (then ``1 - exp(-h)`` is the monthly probability).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from adoption.errors import UserError
from adoption.files import markdown_table

_BASS = (
    "docs/sources.md, diffusion literature: Bass p ~ 0.03, q ~ 0.38 per year "
    "(Sultan, Farley & Lehmann 1990); divided by 12 for monthly steps (D)"
)


#: Allowed range of a parameter by its unit, unless the parameter names its own.
UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "0-1": (0.0, 1.0),
    "1/month": (0.0, 1.0),
    "x": (0.0, 10.0),
    "hazard": (0.0, 10.0),
    "1/km": (0.0, 1.0),
}


def _p(
    default: float,
    unit: str,
    meaning: str,
    source: str = "assumption",
    bounds: tuple[float, float] | None = None,
    observation: bool = False,
) -> float:
    bounds = bounds if bounds is not None else UNIT_BOUNDS[unit]
    metadata = {
        "unit": unit,
        "meaning": meaning,
        "source": source,
        "bounds": bounds,
        "observation": observation,
    }
    return field(default=default, metadata=metadata)


def _observation(meaning: str, default: float = 0.0, bounds=(-4.0, 4.0)) -> float:
    """An observation-model parameter (logit scale): it changes no run of the model."""
    return _p(
        default,
        "logit",
        f"observation model: {meaning}",
        "assumption; integrated over in the calibration (docs/methods.md, observation model)",
        bounds=bounds,
        observation=True,
    )


def _family(about: str) -> float:
    """An observation-model family term (standard normal): figures ``about`` a service."""
    return _p(
        0.0,
        "z",
        f"observation model: family term of figures about {about}: their discrepancy is the "
        "level's times exp(FAMILY_SPREAD x this) (calibration.noise)",
        "assumption; integrated over in the calibration (docs/methods.md, observation model)",
        bounds=(-4.0, 4.0),
        observation=True,
    )


@dataclass(frozen=True)
class Params:
    """Behavioural parameters of households, teams and offices (see ``docs/model.md``)."""

    # --- diffusion (Bass) of the three household adoptions --------------------
    p_online: float = _p(
        0.0025, "1/month", "innovation coefficient: becoming an online filer unprompted", _BASS
    )
    q_online: float = _p(
        0.032, "1/month", "imitation coefficient: pull of the village share of online filers", _BASS
    )
    p_app: float = _p(
        0.0025, "1/month", "innovation coefficient: installing the citizen app", _BASS
    )
    q_app: float = _p(0.032, "1/month", "imitation coefficient for the citizen app", _BASS)
    p_cashless: float = _p(
        0.0025, "1/month", "innovation coefficient: paying power/water bills by app", _BASS
    )
    q_cashless: float = _p(0.032, "1/month", "imitation coefficient for cashless bills", _BASS)
    aware_boost: float = _p(
        2.0, "x", "multiplier on the innovation coefficients for households made aware"
    )
    distance_effect: float = _p(
        0.05, "1/km", "relative rise of online-filing innovation per km from the commune office"
    )
    attitude_sigma: float = _p(
        0.5,
        "-",
        "s.d. of log attitude (multiplier on innovation, mean 1 across households)",
        bounds=(0.0, 3.0),
    )
    skill_concentration: float = _p(
        4.0,
        "-",
        "concentration a+b of the Beta distribution of initial digital skill",
        bounds=(0.1, 1000.0),
    )
    skill_min: float = _p(
        0.4,
        "0-1",
        "digital skill a household needs to become an online filer (app and bills need none)",
    )

    # --- infrastructure and accounts (background trends) ---------------------
    phone_hazard: float = _p(
        0.012,
        "1/month",
        "hazard of a non-poor household without a smartphone acquiring one",
        "assumption; with the 2019 priors of districts.csv it gives 0.62-0.64 of households in "
        "the mountain districts and 0.80 in Yên Lạc by Mar 2022, against 73.5 % of adults "
        "nationally and 56-58 % in the poorest mountain provinces (docs/sources.md, Smartphones); "
        "calibrated with a wide prior (calibration/priors.toml)",
    )
    phone_poor_factor: float = _p(
        0.5, "x", "multiplier on smartphone prevalence in 2019 and on the hazard, poor households"
    )
    account_hazard: float = _p(
        0.015,
        "1/month",
        "hazard of a household without a payment account opening one",
        "assumption; with the 2019 priors of districts.csv (0.25-0.35) it gives 0.61-0.65 of "
        "households by Mar 2022, near the central bank's 68 % of adults with an account "
        "(Jun 2022; docs/sources.md, Accounts)",
    )
    account_adult_share: float = _p(
        0.7,
        "0-1",
        "share of the adults of a household with a payment account who hold one themselves "
        "(sources count adults with an account; the model's accounts are households')",
        "assumption (calibrated): from one holder per household (about 1/2.9 of its adults) "
        "to every adult; docs/model.md, Indicators",
    )

    # --- procedures at the one-stop offices -----------------------------------
    procedure_rate: float = _p(
        0.05, "1/month", "probability a household needs an administrative procedure in a month"
    )
    district_desk_share: float = _p(
        0.2,
        "0-1",
        "share of procedure files handled at the district desk rather than the commune desk",
        "assumption; Văn Yên handles 415 procedure types at the district and 145 at communes "
        "(003), but most files (civil status, certification) are commune files",
    )
    file_concentration: float = _p(
        1.0,
        "x",
        "how much files crowd into the procedures offered online first: a desk offering a share "
        "s of its procedures online receives 1 - (1 - s)^k of its files for them (1: files "
        "spread evenly over procedures)",
        "assumption (calibrated): the busiest procedures (civil status, certification, residence)"
        " were put online first (Decision 06/QĐ-TTg's essential services), and 32 % of online "
        "services had no online file in 2022 (calibration/observations.csv, "
        "nat_ops_with_dossiers_2022); docs/model.md, Procedures",
        bounds=(1.0, 10.0),
    )
    full_process_share: float = _p(
        0.3,
        "0-1",
        "share of online files whose procedure is offered fully online (toàn trình: filed, paid "
        "and returned online) rather than partly online",
        "assumption (calibrated) on provinces' fully-online files (calibration/observations.csv,"
        " toàn trình); docs/model.md, Procedures",
    )
    online_choice: float = _p(
        0.8, "0-1", "probability an able, verified online filer files online when offered"
    )
    assist_prob: float = _p(
        0.25,
        "0-1",
        "probability desk staff file a visitor's procedure online at the desk, when offered online",
    )
    fee_share: float = _p(0.4, "0-1", "share of procedure files that carry a fee")
    pay_online_if_online: float = _p(
        0.85, "0-1", "probability a fee is paid online for an online file, given an account"
    )
    pay_online_in_person: float = _p(
        0.25, "0-1", "probability a fee is paid online (transfer/QR) at the desk, given an account"
    )
    fee_cut_response: float = _p(
        0.5,
        "0-1",
        "share of the gap to always filing online that a full online-fee waiver closes, for "
        "fee-bearing files of verified online filers (lever: cut_online_fees)",
    )
    digitise_max: float = _p(
        0.9, "0-1", "long-run share of paper files an office digitises, at 1 computer per official"
    )
    digitise_tau: float = _p(
        24.0,
        "months",
        "time constant of an office's digitisation build-up after its e-desk start",
        bounds=(0.1, 600.0),
    )
    staff_training: float = _p(
        1.0, "x", "multiplier on desk assistance and digitisation (lever for office training)"
    )

    # --- community digital teams ----------------------------------------------
    visits_per_member: float = _p(
        4.0,
        "households/month",
        "households a team member visits in a month at full scale",
        bounds=(0.0, 200.0),
    )
    team_effectiveness: float = _p(1.0, "x", "multiplier on every visit effect (lever: training)")
    visit_skill_gain: float = _p(0.15, "0-1", "digital skill added by one team visit")
    visit_hazard_online: float = _p(
        0.3, "hazard", "added to the online-filer clock by a visit (walk-through of a first filing)"
    )
    visit_hazard_app: float = _p(0.4, "hazard", "added to the app clock by a visit (app install)")
    visit_hazard_account: float = _p(
        0.2, "hazard", "added to the account clock by a visit (opening a payment account)"
    )
    visit_hazard_cashless: float = _p(
        0.2, "hazard", "added to the cashless-bill clock by a visit (setting up bill payment)"
    )
    campaign_hazard_app: float = _p(
        0.2,
        "hazard",
        "added to the app clock of a household an information campaign reaches that month",
        "assumption; order of magnitude from 000: ~6 % of Lâm Thượng's citizens installed the "
        "app in the campaign month of May (docs/sources.md, Source texts)",
    )
    team_cost_vnd: float = _p(
        500_000.0,
        "VND/team/month",
        "running cost of a community team",
        "docs/sources.md, Costs: Yên Bái pays each community digital team "
        "500,000 VND a month (2024)",
        bounds=(0.0, 1e9),
    )

    # --- access, the citizen app in a household, the supply schedule ---------------------
    shared_phone_access: float = _p(
        0.2,
        "0-1",
        "share of households without a smartphone that can file online on a relative's, "
        "neighbour's or team member's phone (the app and cashless bills need their own)",
        "assumption; sources describe teams and relatives filing for others (000: teams walk "
        "households through a first filing)",
    )
    app_spread_hazard: float = _p(
        0.05,
        "1/month",
        "hazard at which each further adult of an app household installs the app too (the "
        "first installs when the household adopts)",
        "assumption; with it the app can reach the share of adults provinces report for "
        "citizen accounts (docs/sources.md, Observations)",
    )
    supply_logit_shift: float = _p(
        0.0,
        "logit",
        "shift, on the logit scale, of every point of the supply schedule that is an "
        "assumption in the profile (points reported by a source stay as they are)",
        "assumption; calibrated to the supply figures of calibration/observations.csv",
        bounds=(-4.0, 4.0),
    )
    # --- observation model (calibration only: they change no run) -------------
    obs_sd_local: float = _observation(
        "model discrepancy (sd on the logit scale) between a model rate and a figure reported "
        "for the model's own commune or district",
        0.5,
        (0.0, 3.0),
    )
    obs_sd_wide: float = _observation(
        "discrepancy (sd on the logit scale) of a province's, the region's or the nation's "
        "figure about the model's districts, around its offset",
        0.5,
        (0.0, 3.0),
    )
    obs_offset_province: float = _observation(
        "mean logit offset of a province's figure over the model's district in it "
        "(representativeness; > 0: the province reports more)"
    )
    obs_offset_nation: float = _observation(
        "mean logit offset of a national or regional share of people or households over the "
        "five districts' (representativeness; > 0: the nation reports more); shares of files "
        "have obs_offset_nation_files"
    )
    obs_offset_nation_files: float = _observation(
        "mean logit offset of a national or regional share of files over the five districts' "
        "(representativeness of administrative statistics, which count ministries' and "
        "provincial agencies' files too; > 0: the nation reports more)"
    )
    obs_family_filing: float = _family("online filing")
    obs_family_supply: float = _family("procedures offered online")
    obs_family_payment: float = _family("fees paid online")
    obs_family_digitisation: float = _family("case records digitised")
    obs_family_app: float = _family("the citizen app (installs)")
    obs_family_accounts: float = _family("payment accounts")
    obs_family_cashless: float = _family("utility bills paid without cash")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            check_value(f.name, getattr(self, f.name))

    @classmethod
    def observation_only(cls) -> frozenset[str]:
        """Parameters of the observation model only: they change no run of the model."""
        return frozenset(f.name for f in dataclasses.fields(cls) if f.metadata["observation"])

    def replace(self, **changes: float) -> Params:
        """Return a copy with some parameters changed (unknown names raise ``TypeError``)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def names(cls) -> list[str]:
        """Names of all parameters, in definition order."""
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def bounds(cls) -> dict[str, tuple[float, float]]:
        """Allowed range ``(low, high)`` of every parameter (for checks, SALib, sliders)."""
        return {f.name: f.metadata["bounds"] for f in dataclasses.fields(cls)}

    @classmethod
    def table(cls) -> pd.DataFrame:
        """One row per parameter: name, default, unit, low, high, meaning, source."""
        rows = [
            {
                "name": f.name,
                "default": f.default,
                "unit": f.metadata["unit"],
                "low": f.metadata["bounds"][0],
                "high": f.metadata["bounds"][1],
                "meaning": f.metadata["meaning"],
                "source": f.metadata["source"],
            }
            for f in dataclasses.fields(cls)
        ]
        return pd.DataFrame(rows)

    @classmethod
    def markdown(cls) -> str:
        """The parameter table of ``docs/model.md`` (Markdown), generated from :meth:`table`."""
        rows = []
        for r in cls.table().itertuples():
            cells = [f"`{r.name}`", f"{r.default:g}", r.unit, f"[{r.low:g}, {r.high:g}]"]
            rows.append([c.replace("~", "\\~") for c in [*cells, r.meaning, r.source]])
        return markdown_table(["name", "default", "unit", "allowed", "meaning", "source"], rows)


def at(value, rep: np.ndarray | None, index: np.ndarray | None = None):
    """A parameter's value where a rule acts on it, in one run or in a batch of runs.

    ``value`` is a number when every run shares it (one run always): returned as it is.
    In a batch whose runs differ it is one value per run, and ``rep`` the run of each
    household (village, commune, file ...): the value of each, or of ``rep[index]``.
    """
    if np.ndim(value) == 0:
        return value
    return value[rep] if index is None else value[rep[index]]


_FIELDS = {f.name: f for f in dataclasses.fields(Params)}


def check_value(name: str, value, where: str = "Params") -> float:
    """``value`` as a float if it is an allowed value of parameter ``name``.

    Raises:
        UserError: for an unknown name, a value that is not a finite number, or one outside
            the parameter's bounds; one line naming ``where``, the parameter and its range.
    """
    if name not in _FIELDS:
        problem = f"unknown parameter; see `adoption params` for the {len(_FIELDS)} names"
        raise UserError(where, name, problem)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise UserError(where, name, f"expected a number, got {value!r}")
    low, high = _FIELDS[name].metadata["bounds"]
    unit = _FIELDS[name].metadata["unit"]
    if not math.isfinite(value) or not low <= value <= high:
        raise UserError(where, name, f"must be in [{low:g}, {high:g}] ({unit}), got {value!r}")
    return float(value)
