"""Calibration targets and priors: reading and checking their files, and each target's statistic.

Two data files in ``calibration/`` (see ``calibration/README.md``):

- ``targets.csv`` - the rates of the source texts, one per row, with the place, the model
  indicator it maps to, its kind (point, approximate, bound), the months it may refer to, how the
  model output is aggregated over them, whether it is a calibration target or an input of the
  profile, and the seed file and quote it stands on;
- ``priors.toml`` - one table per calibrated parameter of :class:`adoption.model.params.Params`: its
  distribution, bounds and the reason for them.

This module owns those two formats: :func:`load_targets` and :func:`load_priors` read them and
raise a one-line :class:`~adoption.errors.UserError` naming the file, the row (CSV line, or the
TOML line of the parameter's table) and the problem. The model value a target
is compared with (the meaning of the ``aggregation`` column) is computed by
:func:`adoption.calibration.statistics`. This module does not run the model, draw from the
priors or calibrate.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd
from scipy import stats

from adoption.calendar import parse_month
from adoption.calibration.noise import DEFINITION_SD
from adoption.calibration.posterior import CALIBRATION_DIR
from adoption.errors import UserError
from adoption.files import read_csv_rows, read_text
from adoption.model.indicators import INDICATORS as REGISTRY
from adoption.model.indicators import RATES, TOTAL
from adoption.model.indicators import SHARES as REGISTRY_SHARES
from adoption.model.params import Params
from adoption.places.profiles import load_profiles

#: Columns of the targets file, in order.
COLUMNS = [
    "id",
    "place",
    "level",
    "indicator",
    "value",
    "kind",
    "date_start",
    "date_end",
    "dating",
    "aggregation",
    "role",
    "seed",
    "quote",
    "note",
]

#: Columns a targets file may add: ``definition_match``, how the text's definition matches
#: the model's indicator (observation model, :data:`adoption.calibration.noise.DEFINITION_SD`;
#: ``same`` if absent).
OPTIONAL_COLUMNS = ["definition_match"]

#: Indicators computed here from the model's indicators: name -> meaning.
DERIVED: dict[str, str] = {
    "app_install_rate_increase_1m": (
        "increase of app_install_rate over one month: its value at the end of the month minus "
        "its value at the end of the previous month"
    ),
}
#: Indicators whose values are shares in [0, 1].
SHARES = REGISTRY_SHARES | frozenset(DERIVED)
#: Every indicator a target may name: any of the model's (adoption.model.indicators) and DERIVED.
INDICATORS = frozenset(REGISTRY) | frozenset(DERIVED)

KINDS = ("point", "approximate", "lower_bound", "upper_bound")
LEVELS = ("commune", "district", "total")
ROLES = ("target", "input")

#: How a model output is aggregated over the months ``date_start .. date_end`` (inclusive).
AGGREGATIONS: dict[str, str] = {
    "ratio_of_sums": (
        "numerator and denominator counts of the rate (indicators.RATES) summed over the "
        "months, then divided"
    ),
    "mean_of_months": "mean of the monthly values over the months",
    "mean_same_calendar_month": (
        "mean of the monthly values in the calendar month of date_start, in each year of the "
        "window (e.g. every May)"
    ),
    "schedule_point": "none: the value is a point of an input schedule (role input only)",
}

#: Distributions a prior may use: name -> its arguments besides ``bounds``.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": (),
    "loguniform": (),
    "beta": ("a", "b"),
    "truncnormal": ("mean", "sd"),
}
#: Units of parameters that are probabilities: their bounds must lie within [0, 1].
PROBABILITY_UNITS = ("0-1", "1/month")


def default_targets_path() -> Path:
    """Path of the shipped targets file, ``calibration/targets.csv``."""
    return CALIBRATION_DIR / "targets.csv"


def default_priors_path() -> Path:
    """Path of the shipped priors file, ``calibration/priors.toml``."""
    return CALIBRATION_DIR / "priors.toml"


# -- targets ------------------------------------------------------------------------------------


def load_targets(
    path: str | Path | None = None,
    *,
    profile_path: str | Path | None = None,
    role: str | None = None,
) -> pd.DataFrame:
    """Read and check a targets file.

    Args:
        path: a CSV with the columns of :data:`COLUMNS`; the shipped file if None.
        profile_path: the profile file whose commune and district names are the known places
            (the shipped five-district file if None).
        role: keep only rows of this role (``"target"`` or ``"input"``), renumbered from 0.

    Returns:
        One row per target or input, columns :data:`COLUMNS`, ``value`` as float.

    Raises:
        UserError: naming the file, the row and the column, and what is allowed.
    """
    path = Path(path) if path is not None else default_targets_path()
    places = _known_places(profile_path)
    rows = []
    header, lines = read_csv_rows(path, "targets")
    _check_header(path, header)
    seen: set[str] = set()
    for line, row in lines:
        where = f"{path}: row {line}"
        if None in row or any(v is None for v in row.values()):
            raise UserError(where, "columns", f"expected {len(COLUMNS)} fields")
        rows.append(_check_target(where, row, places))
        if rows[-1]["id"] in seen:
            raise UserError(where, "id", f"{rows[-1]['id']!r} is used twice")
        seen.add(rows[-1]["id"])
    if not rows:
        raise UserError(path, "rows", "no targets in the file")
    table = pd.DataFrame(rows, columns=[*COLUMNS, *OPTIONAL_COLUMNS, "definition_sd"])
    if role is not None:
        table = table[table["role"] == role].reset_index(drop=True)
    table.attrs["path"] = str(path)
    return table


def _known_places(profile_path: str | Path | None) -> dict[str, set[str]]:
    profiles = load_profiles(profile_path)
    return {
        "commune": {_nfc(c.name) for p in profiles for c in p.communes},
        "district": {_nfc(p.name) for p in profiles},
        "total": {TOTAL},
    }


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _check_header(path: Path, header: list[str] | None) -> None:
    header = [h.strip() for h in header or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(path, "columns", f"missing column(s) {missing}; need {COLUMNS}")
    unknown = [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    if unknown:
        raise UserError(path, "columns", f"unknown column(s) {unknown}; allowed: {COLUMNS}")


def _check_target(where: str, row: dict[str, str], places: dict[str, set[str]]) -> dict:
    for column in ("id", "seed", "quote", "dating"):
        if not row[column]:
            raise UserError(where, column, "must not be empty: cite the seed text and its words")
    _one_of(where, "level", row["level"], LEVELS)
    row["place"] = _nfc(row["place"])
    if row["place"] not in places[row["level"]]:
        raise UserError(
            where, "place", f"{row['place']!r} is not a {row['level']} of the profile file"
        )
    indicator = row["indicator"]
    if indicator not in INDICATORS:
        raise UserError(
            where,
            "indicator",
            f"{indicator!r} is not a model indicator; allowed: {', '.join(sorted(INDICATORS))}",
        )
    row["value"] = _value(where, row["value"], indicator)
    row["definition_match"] = row.get("definition_match") or "same"
    _one_of(where, "definition_match", row["definition_match"], tuple(DEFINITION_SD))
    row["definition_sd"] = DEFINITION_SD[row["definition_match"]]
    _one_of(where, "kind", row["kind"], KINDS)
    _one_of(where, "role", row["role"], ROLES)
    _one_of(where, "aggregation", row["aggregation"], tuple(AGGREGATIONS))
    _check_aggregation(where, row)
    start = _month(where, "date_start", row["date_start"])
    if _month(where, "date_end", row["date_end"]) < start:
        raise UserError(
            where, "date_end", f"{row['date_end']} is before date_start {row['date_start']}"
        )
    return row


def _one_of(where: str, column: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UserError(where, column, f"{value!r} is not allowed; use one of {', '.join(allowed)}")


def _value(where: str, text: str, indicator: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UserError(where, "value", f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise UserError(where, "value", f"expected a finite number, got {text!r}")
    if indicator in SHARES and not 0.0 <= value <= 1.0:
        raise UserError(where, "value", f"{indicator} is a rate: must be in [0, 1], got {value}")
    if value < 0:
        raise UserError(where, "value", f"{indicator} is a count: must be >= 0, got {value}")
    return value


def _check_aggregation(where: str, row: dict) -> None:
    aggregation, indicator = row["aggregation"], row["indicator"]
    if aggregation == "ratio_of_sums" and indicator not in RATES:
        raise UserError(
            where, "aggregation", f"ratio_of_sums needs a rate of counts; {indicator} is not one"
        )
    if aggregation == "schedule_point" and row["role"] != "input":
        raise UserError(where, "aggregation", "schedule_point is for rows with role input")


def _month(where: str, column: str, text: str) -> int:
    try:
        return parse_month(text)
    except ValueError:
        raise UserError(where, column, f"expected a month YYYY-MM, got {text!r}") from None


# -- priors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    """The prior of one parameter of :class:`~adoption.model.params.Params`.

    Attributes:
        name: the parameter.
        distribution: one of :data:`DISTRIBUTIONS`.
        bounds: support (uniform, loguniform, beta scaled to it) or truncation (truncnormal).
        args: the distribution's arguments besides the bounds (``a``, ``b``; ``mean``, ``sd``).
        reason: where the prior comes from.
        unit: the parameter's unit.
    """

    name: str
    distribution: str
    bounds: tuple[float, float]
    args: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    unit: str = ""

    def frozen(self):
        """The prior as a frozen ``scipy.stats`` distribution (for sampling or a pyabc ``RV``)."""
        low, high = self.bounds
        if self.distribution == "uniform":
            return stats.uniform(loc=low, scale=high - low)
        if self.distribution == "loguniform":
            return stats.loguniform(low, high)
        if self.distribution == "beta":
            return stats.beta(self.args["a"], self.args["b"], loc=low, scale=high - low)
        mean, sd = self.args["mean"], self.args["sd"]
        return stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)


_PRIOR_KEYS = ("distribution", "bounds", "reason", "unit")
_TABLE = re.compile(r"^\s*\[\s*\"?([^\]\"]+?)\"?\s*\]\s*(#.*)?$")


def load_priors(path: str | Path | None = None) -> dict[str, Prior]:
    """Read and check a priors file.

    Args:
        path: a TOML file with one table per parameter; the shipped file if None.

    Returns:
        The priors by parameter name, in file order.

    Raises:
        UserError: naming the file, the line of the parameter's table and the problem.
    """
    path = Path(path) if path is not None else default_priors_path()
    text = read_text(path, "priors")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(path, "TOML", " ".join(str(exc).split())) from None
    if not data:
        raise UserError(path, "priors", "no parameter tables in the file")
    lines = _table_lines(text)
    units = {f.name: f.metadata["unit"] for f in fields(Params)}
    priors = {}
    for name, spec in data.items():
        where = f"{path}: line {lines.get(name, '?')}"
        if name not in units:
            raise UserError(where, name, "not a parameter of adoption.model.params.Params")
        if not isinstance(spec, dict):
            raise UserError(where, name, "expected a table [name] with distribution and bounds")
        priors[name] = _check_prior(where, name, spec, units[name])
    return priors


def _table_lines(text: str) -> dict[str, int]:
    lines = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TABLE.match(line)
        if match:
            lines.setdefault(match.group(1).strip(), number)
    return lines


def _check_prior(where: str, name: str, spec: dict, unit: str) -> Prior:
    distribution = spec.get("distribution")
    if distribution not in DISTRIBUTIONS:
        raise UserError(
            where,
            name,
            f"unknown distribution {distribution!r}; use one of {', '.join(DISTRIBUTIONS)}",
        )
    allowed = (*_PRIOR_KEYS, *DISTRIBUTIONS[distribution])
    unknown = [k for k in spec if k not in allowed]
    if unknown:
        raise UserError(where, name, f"unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}")
    missing = [k for k in ("bounds", "reason", *DISTRIBUTIONS[distribution]) if k not in spec]
    if missing:
        raise UserError(where, name, f"missing key {missing[0]!r} for a {distribution} prior")
    if not isinstance(spec["reason"], str) or not spec["reason"].strip():
        raise UserError(where, name, "reason must be a non-empty string: cite a source")
    if spec.get("unit", unit) != unit:
        raise UserError(where, name, f"unit {spec['unit']!r} differs from the Params unit {unit!r}")
    bounds = _bounds(where, name, spec["bounds"], unit, distribution)
    low, high = Params.bounds()[name]
    if not low <= bounds[0] < bounds[1] <= high:
        raise UserError(where, name, f"bounds must lie within the parameter's [{low:g}, {high:g}]")
    args = {k: _number(where, name, k, spec[k]) for k in DISTRIBUTIONS[distribution]}
    if any(args[k] <= 0 for k in ("a", "b", "sd") if k in args):
        raise UserError(where, name, f"{distribution} arguments a, b, sd must be > 0, got {args}")
    return Prior(name, distribution, bounds, args, " ".join(spec["reason"].split()), unit)


def _number(where: str, name: str, key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserError(where, name, f"{key} must be a finite number, got {value!r}")
    return float(value)


def _bounds(where: str, name: str, value, unit: str, distribution: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise UserError(where, name, f"bounds must be [lower, upper], got {value!r}")
    low, high = (_number(where, name, "bounds", v) for v in value)
    if not low < high:
        raise UserError(where, name, f"bounds must have lower < upper, got [{low}, {high}]")
    if unit in PROBABILITY_UNITS and high > 1:
        raise UserError(where, name, f"a probability ({unit}) needs bounds within [0, 1]")
    if distribution == "loguniform" and low <= 0:
        raise UserError(where, name, "a loguniform prior needs a lower bound > 0")
    return low, high
