"""Public observations: every public figure that bears on a model output, and how it maps.

``calibration/observations.csv`` holds the figures found on public pages (PAPI survey,
national and provincial reports, the northern power utility, ...), one per row, with
the value, kind (point, approximate, bound), the months it may refer to, what it is a
share of, the place and level it describes (a district, a province, the nation), the
source's own definition, the quote and page it was read on, and whether it is
compared with the model (``use = fit``) or kept as context (``use = context``: the
wrong population, another place, an index score, ...).

A figure compared with the model names the model indicator and the model places it
maps to (``model_places``: districts, or ``All districts``), the level it describes
(``representativeness``: the model's own commune or district, a province, the region or
the nation), how its definition matches the indicator's (``definition_match``) and, for a
survey, its ``sample_size``. The observation model turns those into error terms by written
rules (:mod:`adoption.calibration.noise`; ``docs/methods.md``), never by hand per figure.

:func:`load_observations` reads and checks the file; :func:`fit_figures` joins the
source texts' targets (:func:`adoption.calibration.targets.load_targets`) and the public
observations into the one table the calibration and the hindcast compare with the
model. This module reads; it does not simulate or compare.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from adoption.calendar import parse_month
from adoption.calibration.noise import DEFINITION_SD, survey_reporting_sd
from adoption.calibration.targets import CALIBRATION_DIR, INDICATORS, KINDS, SHARES, load_targets
from adoption.errors import UserError
from adoption.files import read_csv_rows
from adoption.model.indicators import TOTAL
from adoption.places.names import resolve
from adoption.places.profiles import load_profiles

COLUMNS = [
    "id",
    "use",
    "indicator",
    "value",
    "kind",
    "date_start",
    "date_end",
    "model_places",
    "representativeness",
    "definition_match",
    "sample_size",
    "place",
    "level",
    "population",
    "definition",
    "mapping",
    "quote",
    "source",
    "read_in",
    "note",
]
USES = ("fit", "context")
#: How far the place a figure describes is from the model's places.
REPRESENTATIVENESS = ("commune", "district", "province", "region", "nation")
#: Columns of the table the calibration compares with the model (:func:`fit_figures`).
FIGURE_COLUMNS = [
    "id",
    "indicator",
    "value",
    "kind",
    "date_start",
    "date_end",
    "aggregation",
    "places",
    "representativeness",
    "definition_sd",
    "reporting_sd",
    "place",
    "level",
    "source",
]


def default_observations_path() -> Path:
    """Path of the shipped file, ``calibration/observations.csv``."""
    return CALIBRATION_DIR / "observations.csv"


def load_observations(
    path: str | Path | None = None, *, profile_path: str | Path | None = None
) -> pd.DataFrame:
    """Read and check an observations file (every row, fit and context).

    Raises:
        UserError: naming the file, the row and the column, and what is allowed.
    """
    path = Path(path) if path is not None else default_observations_path()
    header, lines = read_csv_rows(path, "observations")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(path, "columns", f"missing column(s) {missing}; need {COLUMNS}")
    known = _model_places(profile_path)
    rows, seen = [], set()
    for line, row in lines:
        where = f"{path}: row {line}"
        if None in row or any(row.get(c) is None for c in COLUMNS):
            raise UserError(where, "columns", f"expected {len(header)} fields")
        if row["id"] in seen or not row["id"]:
            raise UserError(where, "id", f"{row['id']!r} is empty or used twice")
        seen.add(row["id"])
        rows.append(_check(where, row, known))
    table = pd.DataFrame(rows, columns=[*COLUMNS, "places", "definition_sd", "reporting_sd"])
    table.attrs["path"] = str(path)
    return table


def _model_places(profile_path) -> dict[str, tuple[str, str]]:
    profiles = load_profiles(profile_path)
    places = {p.name: (p.name, "district") for p in profiles}
    places[TOTAL] = (TOTAL, "total")
    return places


def _check(where: str, row: dict, known: dict) -> dict:
    for column in ("quote", "source", "read_in"):
        if not row[column]:
            raise UserError(where, column, "must not be empty: say where the figure was read")
    if row["use"] not in USES:
        raise UserError(where, "use", f"{row['use']!r}; allowed: {', '.join(USES)}")
    _month(where, "date_start", row["date_start"])
    if _month(where, "date_end", row["date_end"]) < parse_month(row["date_start"]):
        raise UserError(where, "date_end", "is before date_start")
    if row["use"] == "context":
        return row
    if row["indicator"] not in INDICATORS:
        raise UserError(where, "indicator", f"{row['indicator']!r} is not a model indicator")
    if row["kind"] not in KINDS:
        raise UserError(where, "kind", f"{row['kind']!r}; allowed: {', '.join(KINDS)}")
    value = _number(where, "value", row["value"])
    if row["indicator"] in SHARES and not 0 <= value <= 1:
        raise UserError(where, "value", f"a share must be in [0, 1], got {value}")
    row["value"] = value
    places = [p.strip() for p in row["model_places"].split(";") if p.strip()]
    if not places:
        raise UserError(where, "model_places", f"empty; allowed: {', '.join(known)}")
    # with or without diacritics, as in a scenario file ("Luc Yen" is Lục Yên)
    places = [resolve(p, list(known), where, "model_places", "model place") for p in places]
    row["places"] = tuple(known[p] for p in places)
    if row["representativeness"] not in REPRESENTATIVENESS:
        allowed = ", ".join(REPRESENTATIVENESS)
        raise UserError(where, "representativeness", f"allowed: {allowed}")
    row["definition_sd"] = _definition_sd(where, row["definition_match"])
    row["reporting_sd"] = (
        survey_reporting_sd(value, _number(where, "sample_size", row["sample_size"], low=1.0))
        if row["sample_size"]
        else math.nan
    )
    return row


def _definition_sd(where: str, match: str) -> float:
    if match not in DEFINITION_SD:
        allowed = ", ".join(DEFINITION_SD)
        raise UserError(where, "definition_match", f"{match!r}; allowed: {allowed}")
    return DEFINITION_SD[match]


def _number(where: str, column: str, text: str, low: float = -math.inf) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UserError(where, column, f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value < low:
        raise UserError(where, column, f"expected a finite number >= {low}, got {text!r}")
    return value


def _month(where: str, column: str, text: str) -> int:
    try:
        return parse_month(text)
    except ValueError:
        raise UserError(where, column, f"expected a month YYYY-MM, got {text!r}") from None


def fit_figures(
    targets: pd.DataFrame | None = None, observations: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The figures the model is compared with: the texts' targets and the fit observations.

    Args:
        targets: :func:`adoption.calibration.targets.load_targets` rows (the shipped file if None);
            only rows of role ``target`` are used.
        observations: :func:`load_observations` rows (the shipped file if None); only
            rows of use ``fit`` are used.

    Returns:
        One row per figure with :data:`FIGURE_COLUMNS`.
    """
    targets = load_targets() if targets is None else targets
    observations = load_observations() if observations is None else observations
    texts = targets[targets["role"] == "target"].copy()
    texts["places"] = [((p, lv),) for p, lv in zip(texts["place"], texts["level"], strict=True)]
    texts = texts.assign(
        representativeness=texts["level"], reporting_sd=math.nan, source=texts["seed"]
    )
    public = observations[observations["use"] == "fit"].assign(aggregation="mean_of_months")
    table = pd.concat([texts[FIGURE_COLUMNS], public[FIGURE_COLUMNS]], ignore_index=True)
    numbers = ["value", "definition_sd", "reporting_sd"]
    return table.astype({column: float for column in numbers})
