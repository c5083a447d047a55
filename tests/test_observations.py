"""Public observations: the shipped file, its checks, and the table the model is fitted to."""

import csv
import re

import numpy as np
import pytest

from adoption.calibration.observations import (
    COLUMNS,
    default_observations_path,
    fit_figures,
    load_observations,
)
from adoption.errors import UserError
from adoption.model.indicators import INDICATORS


def _rows():
    with default_observations_path().open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_every_observation_says_where_it_was_read_and_what_it_measures():
    table = load_observations()
    assert list(table.columns[: len(COLUMNS)]) == COLUMNS
    for column in ("quote", "source", "read_in", "definition", "population", "place", "level"):
        assert (table[column].str.len() > 0).all(), column
    assert {"fit", "context"} == set(table["use"])
    fit = table[table["use"] == "fit"]
    assert len(fit) >= 20
    for column in ("mapping", "representativeness"):
        assert (fit[column].str.len() > 0).all(), column


def test_the_papi_series_is_there_and_bounds_the_rural_districts():
    table = load_observations().set_index("id")
    papi = {2020: 0.0405, 2021: 0.0411, 2022: 0.0485}
    for year, value in papi.items():
        row = table.loc[f"papi_ncsp_use_{year}"]
        assert row["value"] == value and row["indicator"] == "self_service_rate"
        assert row["kind"] == "point" and row["place"] == "Việt Nam"  # as the survey reports it
        assert row["model_places"] == "All districts"


def test_places_above_the_districts_are_read_through_an_offset():
    from adoption.calibration.noise import LEVEL_GROUP

    fit = fit_figures()
    for row in fit.itertuples():
        levels = {level for _, level in row.places}
        if row.source.endswith(".txt"):  # the source texts: their own place, no offset
            assert LEVEL_GROUP[row.representativeness] == "local"
        elif "total" in levels or len(row.places) > 1:
            assert LEVEL_GROUP[row.representativeness] != "local", row.id


def test_error_terms_come_from_the_written_rules_only():
    """Definition error from the match category, a survey's reporting error from its sample."""
    from adoption.calibration.noise import DEFINITION_SD, SURVEY_DESIGN_EFFECT

    table = load_observations()
    fit = table[table["use"] == "fit"]
    assert set(fit["definition_sd"]) <= set(DEFINITION_SD.values())
    survey = fit[fit["sample_size"] != ""]
    assert len(survey) >= 5
    for row in survey.itertuples():
        n, y = float(row.sample_size), row.value
        assert row.reporting_sd == pytest.approx(np.sqrt(SURVEY_DESIGN_EFFECT * y * (1 - y) / n))
    assert fit.loc[fit["sample_size"] == "", "reporting_sd"].isna().all()  # by kind


def test_fit_figures_joins_texts_and_public_figures_on_model_indicators():
    fit = fit_figures()
    assert fit["id"].is_unique
    assert set(fit["indicator"]) <= set(INDICATORS) | {"app_install_rate_increase_1m"}
    assert {"lam_thuong_online_service", "papi_ncsp_use_2022"} <= set(fit["id"])
    assert np.isfinite(fit["definition_sd"]).all() and (fit["definition_sd"] >= 0).all()


@pytest.mark.parametrize(
    "change, key, problem",
    [
        ({"indicator": "happiness"}, "indicator", "not a model indicator"),
        ({"model_places": "Hà Nội"}, "model_places", "not a known model place"),
        ({"model_places": "Cho Dong"}, "model_places", "did you mean Chợ Đồn"),
        ({"model_places": " ; "}, "model_places", "empty; allowed:"),
        ({"value": "1.7"}, "value", "[0, 1]"),
        ({"definition_match": "roughly"}, "definition_match", "allowed: same, scope"),
        ({"sample_size": "0"}, "sample_size", ">= 1.0"),
        ({"use": "maybe"}, "use", "allowed: fit, context"),
        ({"source": ""}, "source", "say where the figure was read"),
        ({"date_end": "2019-01"}, "date_end", "before date_start"),
    ],
)
def test_bad_observation_rows_are_one_line(tmp_path, change, key, problem):
    rows = _rows()
    row = next(i for i, r in enumerate(rows) if r["use"] == "fit")
    rows[row].update(change)
    path = _write(tmp_path / "obs.csv", rows)
    with pytest.raises(UserError) as info:
        load_observations(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and f"row {row + 2}" in message
    assert key in message and problem in message


def test_model_places_may_be_written_without_diacritics(tmp_path):
    """As in a scenario file: "Luc Yen; van yen" is Lục Yên and Văn Yên."""
    rows = _rows()
    row = next(i for i, r in enumerate(rows) if r["model_places"] == "Lục Yên; Văn Yên")
    rows[row]["model_places"] = "Luc Yen; van yen"
    table = load_observations(_write(tmp_path / "obs.csv", rows))
    assert table.iloc[row]["places"] == (("Lục Yên", "district"), ("Văn Yên", "district"))


#: Words that make a figure approximate or a bound (rule 1 of docs/methods.md).
WORDING = {
    "approximate": ("khoảng", "gần", "about", "nearly", "almost", "~"),
    "lower_bound": ("hơn", "trên", "more than", ">", "subset"),
    "upper_bound": ("dưới", "less than", "<", "subset"),
}


def test_every_figure_has_the_kind_its_source_words_give_it():
    """No figure is made a bound or approximate by a reader: its quote (or mapping) says so."""
    from adoption.calibration.targets import load_targets

    observations = load_observations()
    rows = [*observations[observations["use"] == "fit"].itertuples(), *load_targets().itertuples()]
    for row in rows:
        text = f"{row.quote} {getattr(row, 'mapping', '')}".lower()
        if row.kind == "point":
            continue
        # a range ("90 - 93%") is reported approximately: its midpoint is an approximate figure
        ranged = row.kind == "approximate" and re.search(r"\d+\s*[-–]\s*\d+\s*%", text)
        assert ranged or any(word in text for word in WORDING[row.kind]), (row.id, row.kind)
