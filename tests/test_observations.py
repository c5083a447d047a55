"""Public observations: the shipped file, its checks, and the table the model is fitted to."""

import csv

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
        assert row["kind"] == "upper_bound" and row["place"] == "Việt Nam"
        assert row["model_places"] == "All districts"


def test_places_above_the_districts_carry_a_representativeness_error():
    fit = fit_figures()
    for row in fit.itertuples():
        levels = {level for _, level in row.places}
        if row.source.endswith(".txt"):  # the source texts: their own place, no such error
            assert row.representativeness_sd == 0
        elif "total" in levels or len(row.places) > 1:
            assert row.representativeness_sd > 0, row.id


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
        ({"model_places": "Hà Nội"}, "model_places", "allowed:"),
        ({"value": "1.7"}, "value", "[0, 1]"),
        ({"definition_sd": "-1"}, "definition_sd", ">= 0"),
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
