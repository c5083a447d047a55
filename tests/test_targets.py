"""Calibration targets and priors: the shipped files, their sources, and the error messages."""

import csv
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adoption.calibration.targets import (
    COLUMNS,
    INDICATORS,
    default_priors_path,
    default_targets_path,
    load_priors,
    load_targets,
)
from adoption.errors import UserError
from adoption.model.params import Params

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _rows():
    with default_targets_path().open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path, rows, fieldnames=None):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _flat(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


def _one_line_naming(error, path, where, problem):
    message = str(error.value)
    assert "\n" not in message
    assert str(path) in message
    assert where in message
    assert problem in message


# -- the shipped files ---------------------------------------------------------------------------


def test_shipped_targets_load_with_the_issue_targets():
    targets = load_targets().set_index("id")
    assert list(load_targets().columns) == [*COLUMNS, "definition_match", "definition_sd"]
    assert set(targets["indicator"]) <= INDICATORS
    expected = {  # (place, indicator): value, from docs/sources.md (Source texts)
        ("Lâm Thượng", "online_service_rate"): 0.48,
        ("Lâm Thượng", "online_payment_rate"): 0.62,
        ("Lâm Thượng", "records_digitisation_rate"): 0.63,
        ("Lâm Thượng", "app_install_rate_increase_1m"): 0.06,
        ("Liên Châu", "online_service_rate"): 0.25,
        ("Trùng Khánh", "cashless_bill_rate"): 0.3974,
        ("Trùng Khánh", "records_digitisation_rate"): 0.9865,
    }
    found = {(r.place, r.indicator): r.value for r in targets.itertuples() if r.role == "target"}
    assert found == pytest.approx(expected)
    inputs = targets[targets["role"] == "input"]
    assert set(inputs["place"]) == {"Trùng Khánh", "Yên Lạc", "Văn Yên"}
    assert set(inputs["indicator"]) == {"procedures_online_share"}
    assert targets.loc["lien_chau_online_filing", "kind"] == "lower_bound"


def test_input_rows_match_the_profile_schedule():
    profile = pd.read_csv(Path(__file__).resolve().parents[1] / "adoption/data/districts.csv")
    schedule = profile[(profile["key"] == "procedures_online_share") & profile["commune"].isna()]
    points = set(zip(schedule["district"], schedule["value"].astype(float), strict=True))
    for row in load_targets().itertuples():
        if row.role == "input":
            assert (row.place, row.value) in points, row.id


def test_every_row_quotes_an_existing_seed_text():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent")
    for row in load_targets().itertuples():
        assert row.quote.strip() and row.seed.strip(), row.id
        seed = SEEDS / row.seed
        assert seed.is_file(), f"{row.id}: no seed file {seed}"
        text = _flat(seed.read_text(encoding="utf-8"))
        for part in row.quote.split(" … "):
            assert _flat(part) in text, f"{row.id}: quote not found in {row.seed}: {part!r}"


def test_every_percentage_target_equals_a_figure_of_its_quote():
    for row in load_targets().itertuples():
        figures = [float(f.replace(",", ".")) for f in re.findall(r"(\d+(?:,\d+)?)%", row.quote)]
        if figures:  # Văn Yên's input is derived from counts (55/560) and quotes no percentage
            assert row.value * 100 == pytest.approx(figures[-1]), row.id


def test_shipped_priors_load_and_cover_the_defaults():
    priors = load_priors()
    assert len(priors) >= 8
    defaults = Params()
    for name, prior in priors.items():
        assert name in Params.names()
        low, high = prior.bounds
        assert low <= getattr(defaults, name) <= high, name
        assert prior.reason
        draws = prior.frozen().rvs(size=500, random_state=np.random.default_rng(1))
        assert np.all((draws >= low) & (draws <= high)), name


def test_bass_priors_are_the_literature_per_month():
    priors = load_priors()
    for process in ("online", "app", "cashless"):
        q = priors[f"q_{process}"]
        assert q.args["mean"] == pytest.approx(0.38 / 12, rel=1e-3)  # docs/sources.md
        assert priors[f"p_{process}"].bounds[0] < 0.01 / 12 < priors[f"p_{process}"].bounds[1]


# -- the model statistic of a target ----------------------------------------------------------


# -- bad targets files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, problem",
    [
        ("indicator", "online_rate", "not a model indicator"),
        ("value", "48", "must be in [0, 1]"),
        ("value", "about half", "expected a number"),
        ("kind", "exact", "'exact' is not allowed"),
        ("date_start", "2022-13", "expected a month YYYY-MM"),
        ("date_end", "2021-12", "is before date_start"),
        ("place", "Lâm Thượng Thượng", "not a commune of the profile file"),
        ("level", "province", "'province' is not allowed"),
        ("role", "check", "'check' is not allowed"),
        ("aggregation", "median", "'median' is not allowed"),
        ("quote", "", "must not be empty"),
        ("seed", "", "must not be empty"),
    ],
)
def test_bad_target_row_names_file_row_and_problem(tmp_path, column, value, problem):
    rows = _rows()
    rows[1][column] = value  # the second row: CSV line 3
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, "row 3", problem)
    assert column in str(error.value)


def test_place_must_exist_at_its_level(tmp_path):
    rows = _rows()
    rows[0]["level"] = "district"  # Lâm Thượng is a commune, not a district
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, "row 2", "not a district of the profile file")


def test_aggregation_must_fit_the_indicator_and_role(tmp_path):
    rows = _rows()
    app = next(i for i, r in enumerate(rows) if r["indicator"] == "app_install_rate_increase_1m")
    rows[app]["aggregation"] = "ratio_of_sums"  # a derived indicator has no counts to sum
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, f"row {app + 2}", "ratio_of_sums needs a rate of counts")

    rows = _rows()
    rows[0]["aggregation"] = "schedule_point"
    path = _write(tmp_path / "bad2.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, "row 2", "schedule_point is for rows with role input")


def test_duplicate_id_is_refused(tmp_path):
    rows = _rows()
    rows[2]["id"] = rows[0]["id"]
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, "row 4", "used twice")


def test_missing_and_unknown_columns_are_refused(tmp_path):
    rows = _rows()
    for row in rows:
        del row["kind"]
    path = _write(tmp_path / "missing.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, "columns", "missing column(s) ['kind']")

    rows = _rows()
    for row in rows:
        row["weight"] = "1"
    path = _write(tmp_path / "unknown.csv", rows)
    with pytest.raises(UserError) as error:
        load_targets(path)
    _one_line_naming(error, path, "columns", "unknown column(s) ['weight']")


def test_missing_targets_file(tmp_path):
    with pytest.raises(UserError, match="no such targets file"):
        load_targets(tmp_path / "nothing.csv")


# -- bad priors files ----------------------------------------------------------------------------

GOOD = """# a comment line
[p_online]
distribution = "loguniform"
bounds = [0.0001, 0.005]
reason = "docs/sources.md"

[assist_prob]
distribution = "beta"
a = 2.0
b = 2.0
bounds = [0.0, 1.0]
reason = "assumption"
"""


def test_a_small_priors_file_loads(tmp_path):
    path = tmp_path / "priors.toml"
    path.write_text(GOOD, encoding="utf-8")
    priors = load_priors(path)
    assert list(priors) == ["p_online", "assist_prob"]
    assert priors["assist_prob"].frozen().mean() == pytest.approx(0.5)


@pytest.mark.parametrize(
    "old, new, line, problem",
    [
        ("[p_online]", "[p_onlin]", "line 2", "not a parameter of adoption.model.params.Params"),
        ('"loguniform"', '"gamma"', "line 2", "unknown distribution 'gamma'"),
        ("[0.0001, 0.005]", "[0.005, 0.0001]", "line 2", "lower < upper"),
        ("[0.0001, 0.005]", "[0.0001]", "line 2", "bounds must be [lower, upper]"),
        ("[0.0001, 0.005]", '["low", 0.005]', "line 2", "must be a finite number"),
        ("[0.0001, 0.005]", "[0.0, 0.005]", "line 2", "loguniform prior needs a lower bound > 0"),
        ("[0.0001, 0.005]", "[0.1, 1.5]", "line 2", "needs bounds within [0, 1]"),
        ('reason = "docs/sources.md"', 'reason = ""', "line 2", "reason must be a non-empty"),
        ('reason = "docs/sources.md"', 'source = "x"', "line 2", "unknown key 'source'"),
        ("a = 2.0\n", "", "line 7", "missing key 'a'"),
        ("b = 2.0", "b = -1.0", "line 7", "must be > 0"),
        ("[0.0, 1.0]", "[-0.5, 1.0]", "line 7", "must lie within the parameter"),
        ('"beta"', '"beta"\nunit = "hazard"', "line 7", "differs from the Params unit '0-1'"),
    ],
)
def test_bad_prior_names_file_line_and_problem(tmp_path, old, new, line, problem):
    assert old in GOOD
    path = tmp_path / "priors.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_priors(path)
    _one_line_naming(error, path, line, problem)


def test_bad_toml_and_the_shipped_file_line_numbers(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace("a = 2.0", "a = "), encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_priors(path)
    _one_line_naming(error, path, "TOML", "line 9")

    text = default_priors_path().read_text(encoding="utf-8")
    line = text.splitlines().index("[digitise_max]") + 1
    path = tmp_path / "shipped.toml"
    path.write_text(text.replace("[digitise_max]", "[digitize_max]"), encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_priors(path)
    _one_line_naming(error, path, f"line {line}", "digitize_max: not a parameter")


def test_missing_priors_file(tmp_path):
    with pytest.raises(UserError, match="no such priors file"):
        load_priors(tmp_path / "nothing.toml")
