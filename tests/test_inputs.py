"""Bad input of every kind gets one line naming the file, the key and what is allowed.

Scenario files, profiles, targets and priors, as a new user, a researcher in Python
and an adversary would write them (issue 8: items 3, 4, 11-14).
"""

import csv
import unicodedata
from pathlib import Path

import pytest

from adoption import AdoptionModel, Params
from adoption.calibration.targets import (
    default_priors_path,
    default_targets_path,
    load_priors,
    load_targets,
)
from adoption.cli import main
from adoption.errors import UserError
from adoption.model.interventions import Intervention
from adoption.model.simulate import as_params
from adoption.places.profiles import default_profile_path, load_profiles
from adoption.scenarios.scenario import load_scenario

LEVER = (
    '[[interventions]]\ntype = "train_teams"\nstart = "2026-01"\nmagnitude = 0.5\n'
    'unit_cost_vnd = 1000\ncost_source = "assumption"\n'
)


def _file(tmp_path, text, name="s.toml", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def _one_line(error, *parts):
    message = str(error.value)
    assert "\n" not in message, message
    for part in parts:
        assert str(part) in message, (part, message)
    return message


# -- parameters and levers from Python (item 3) ---------------------------------------------------


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("assist_prob", 1.5, "[0, 1]"),
        ("q_online", -0.1, "[0, 1]"),
        ("visits_per_member", float("nan"), "[0, 200]"),
        ("digitise_tau", float("inf"), "[0.1, 600]"),
        ("p_app", "0.1", "expected a number"),
    ],
)
def test_params_are_checked_at_construction(name, value, allowed):
    with pytest.raises(UserError) as info:
        Params(**{name: value})
    _one_line(info, "Params", name, allowed)
    with pytest.raises(UserError) as info:
        as_params({name: value}, where="my.toml: params")
    _one_line(info, "my.toml: params", name, allowed)


def test_every_parameter_has_bounds_that_hold_its_default_and_prior():
    bounds = Params.bounds()
    assert set(bounds) == set(Params.names())
    for name, (low, high) in bounds.items():
        assert low <= getattr(Params(), name) <= high, name
    for name, prior in load_priors().items():
        assert bounds[name][0] <= prior.bounds[0] < prior.bounds[1] <= bounds[name][1], name


@pytest.mark.parametrize(
    "changes, key, allowed",
    [
        ({"magnitude": 9}, "magnitude", "[0.0, 5.0]"),
        ({"magnitude": float("nan")}, "magnitude", "finite"),
        ({"type": "trian_teams"}, "type", "allowed: train_teams"),
        ({"unit_cost_vnd": float("inf")}, "unit_cost_vnd", "finite"),
        ({"unit_cost_vnd": -1}, "unit_cost_vnd", "[0, 1e+12]"),
        ({"unit_cost_vnd": 1e300}, "unit_cost_vnd", "[0, 1e+12]"),
        ({"start": "2026-13"}, "start", "YYYY-MM"),
        ({"start": 24228}, "start", "YYYY-MM"),
        ({"end": "2025-01"}, "end", "before"),
        ({"ramp_months": 0}, "ramp_months", ">= 1"),
        ({"where": "Chợ Đồn"}, "where", "list"),
    ],
)
def test_interventions_are_checked_at_construction(changes, key, allowed):
    lever = {"type": "train_teams", "start": "2026-01", "magnitude": 0.5}
    with pytest.raises(UserError) as info:
        Intervention(**{**lever, **changes})
    _one_line(info, "Intervention", key, allowed)


def test_a_lever_outside_the_models_period_or_places_is_a_user_error():
    late = Intervention(type="train_teams", start="2040-01", magnitude=0.5)
    with pytest.raises(UserError) as info:
        AdoptionModel(districts=["Chợ Đồn"], scale=0.05, interventions=[late], rng=1)
    _one_line(info, "start", "2040-01", "outside the model's period 2019-01 to 2030-12")
    nowhere = Intervention(type="train_teams", start="2026-01", magnitude=0.5, where=("Hà Nội",))
    with pytest.raises(UserError) as info:
        AdoptionModel(districts=["Chợ Đồn"], scale=0.05, interventions=[nowhere], rng=1)
    _one_line(info, "where", "Hà Nội")


# -- scenario files (items 4, 11-14) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, key, allowed",
    [
        ("", "name", "missing"),
        ('description = "forgot the name"\nruns = 3\n', "name", "missing"),
        ('name = "  "\n', "name", "empty"),
        ('name = "x"\nseed = -1\n', "seed", "[0, "),
        ('name = "x"\nstart = 24228\n', "start", "YYYY-MM"),
        ('name = "x"\nstart = "1000-01"\n', "start", "2000 to 2100"),
        ('name = "x"\nend = "9999-12"\n', "end", "2000 to 2100"),
        ('name = "x"\nscale = 1e-9\n', "scale", "too small"),
        ('name = "x"\nscale = nan\n', "scale", "finite"),
        ('name = "x"\nruns = 1000000000000\n', "runs", "too large for this machine"),
        ('name = "x"\ndistricts = ["Lục Yên", "Lục Yên"]\n', "districts", "given twice"),
        ('name = "x"\ndistricts = ["Luc Yen", "Lục Yên"]\n', "districts", "given twice"),
        ('name = "x"\ndistricts = []\n', "districts", "empty"),
        ('name = "x"\n[params]\nvisits_per_member = nan\n', "visits_per_member", "[0, 200]"),
        ('name = "x"\n[params]\nassist_prob = 1.5\n', "assist_prob", "[0, 1]"),
        ('name = "x"\n' + LEVER.replace("1000", "nan"), "unit_cost_vnd", "finite"),
        ('name = "x"\n' + LEVER.replace("1000", "inf"), "unit_cost_vnd", "finite"),
        ('name = "x"\n' + LEVER.replace('"2026-01"', "24228"), "start", "YYYY-MM"),
    ],
)
def test_bad_scenario_values_are_refused(tmp_path, text, key, allowed):
    path = _file(tmp_path, text)
    with pytest.raises(UserError) as info:
        load_scenario(path)
    _one_line(info, path, key, allowed)


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ('name = "Lục Yên"\n'.encode("cp1258", errors="replace") + b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_scenario_that_is_not_utf8_text_is_one_line(tmp_path, content, problem):
    path = _file(tmp_path, content)
    with pytest.raises(UserError) as info:
        load_scenario(path)
    _one_line(info, path, problem)


def test_folder_and_device_are_not_scenario_files(tmp_path):
    with pytest.raises(UserError) as info:
        load_scenario(tmp_path)
    _one_line(info, tmp_path, "is a folder")
    with pytest.raises(UserError) as info:
        load_scenario("/dev/null")
    _one_line(info, "/dev/null", "not a regular file")


def test_byte_order_mark_and_decomposed_names_are_read(tmp_path):
    text = 'name = "x"\ndistricts = ["Chợ Đồn"]\n' + LEVER + 'where = ["Lương Bằng"]\n'
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    scenario = load_scenario(_file(tmp_path, "\ufeff" + nfd))
    assert scenario.districts == ["Chợ Đồn"]
    assert scenario.interventions[0].where == ("Lương Bằng",)


def test_names_without_diacritics_are_read_and_said(tmp_path):
    text = 'name = "x"\ndistricts = ["cho don"]\n' + LEVER + 'where = ["Luong Bang"]\n'
    scenario = load_scenario(_file(tmp_path, text))
    assert scenario.districts == ["Chợ Đồn"]
    assert scenario.interventions[0].where == ("Lương Bằng",)
    assert any("'Luong Bang' read as 'Lương Bằng'" in note for note in scenario.notes)


def test_a_misspelt_place_gets_the_nearest_names(tmp_path):
    text = 'name = "x"\ndistricts = ["Chợ Đồn"]\n' + LEVER + 'where = ["Luong Bag"]\n'
    with pytest.raises(UserError) as info:
        load_scenario(_file(tmp_path, text))
    _one_line(info, "interventions[0].where", "did you mean Lương Bằng")


# -- profiles, targets and priors (items 11-14) ----------------------------------------------------


def _profile_rows():
    with default_profile_path().open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_profile(path, rows, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    "key, value, problem",
    [
        ("households", "nan", "finite"),
        ("households", "inf", "finite"),
        ("households", "1e11", "at most 30,000,000"),
        ("area_km2", "nan", "finite"),
        ("household_size", "inf", "finite"),
    ],
)
def test_profile_values_must_be_finite_and_sized(tmp_path, key, value, problem):
    rows = _profile_rows()
    row = next(i for i, r in enumerate(rows) if r["key"] == key)
    rows[row]["value"] = value
    path = _write_profile(tmp_path / "p.csv", rows)
    with pytest.raises(UserError) as info:
        load_profiles(path)
    _one_line(info, path, f"row {row + 2}", key, problem)


def test_a_short_profile_row_is_one_line(tmp_path):
    path = tmp_path / "p.csv"
    text = default_profile_path().read_text(encoding="utf-8").splitlines()
    text[3] = ",".join(text[3].split(",")[:3])
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profiles(path)
    _one_line(info, path, "row 4", "expected 7 fields")


def test_a_profile_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path):
    path = _write_profile(tmp_path / "p.csv", _profile_rows(), encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert [p.name for p in load_profiles(path)] == [p.name for p in load_profiles()]


@pytest.mark.parametrize(
    "load, source",
    [
        (load_profiles, default_profile_path),
        (load_targets, default_targets_path),
        (load_priors, default_priors_path),
    ],
)
def test_input_files_that_are_not_utf8_are_one_line(tmp_path, load, source):
    path = tmp_path / Path(source()).name
    path.write_bytes(source().read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(UserError) as info:
        load(path)
    _one_line(info, path, "UTF-8")


# -- the command line (items 11, 12, 14) -----------------------------------------------------------


def test_bad_options_are_one_line_and_leave_nothing(tmp_path, capsys):
    scenario = _file(tmp_path, 'name = "x"\ndistricts = ["Chợ Đồn"]\nend = "2019-06"\n')
    out = tmp_path / "out"
    cases = [
        (["run", str(scenario), "--out", str(out), "--seed", "-1"], "--seed"),
        (["run", str(scenario), "--out", str(out), "--scale", "1e-9"], "--scale"),
        (["run", str(scenario), "--out", str(out), "--runs", "0"], "--runs"),
        (["run", str(scenario), "--out", ""], "--out"),
        (["calibrate", "--generations", "1", "--out", str(out)], "--generations"),
        (["calibrate", "--population", "1", "--out", str(out)], "--population"),
    ]
    for argv, option in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and option in err, (argv, err)
    assert not out.exists()


def test_unwritable_output_folders_are_one_line(tmp_path, capsys):
    scenario = _file(tmp_path, 'name = "x"\ndistricts = ["Chợ Đồn"]\nend = "2019-06"\n')
    a_file = _file(tmp_path, "x", name="a_file")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for out in (a_file / "out", a_file, dangling, loop / "out", Path("/proc/adoption-out")):
        assert main(["run", str(scenario), "--out", str(out), "--no-progress"]) == 2, out
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--out" in err, (out, err)
    assert main(["calibrate", "--out", str(a_file)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("errno_name", ["EACCES", "EPERM", "EROFS"])
def test_a_read_only_or_immutable_output_folder_is_one_line(
    tmp_path, capsys, monkeypatch, errno_name
):
    """As root the system lets every write through, so the refusal is simulated at the probe."""
    import errno
    import os
    import tempfile

    scenario = _file(tmp_path, 'name = "x"\ndistricts = ["Chợ Đồn"]\nend = "2019-06"\n')
    code = getattr(errno, errno_name)

    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out: cannot write there" in err
    assert os.strerror(code) in err


def test_a_commune_name_shared_by_two_districts_needs_its_district(tmp_path):
    base = 'name = "x"\n' + LEVER
    with pytest.raises(UserError) as info:
        load_scenario(_file(tmp_path, base + 'where = ["Tân Lập"]\n'))
    _one_line(info, "interventions[0].where", "Tân Lập (Lục Yên)", "Tân Lập (Chợ Đồn)")
    scenario = load_scenario(_file(tmp_path, base + 'where = ["tan lap (cho don)"]\n'))
    assert scenario.interventions[0].where == ("Tân Lập (Chợ Đồn)",)
    model = AdoptionModel(
        districts=["Lục Yên", "Chợ Đồn"], scale=0.05, interventions=scenario.interventions, rng=1
    )
    s = model.structure
    trained = model.levers.effectiveness[-1][s.commune_village_start] > 1  # per commune
    districts = [s.district_names[d] for d in s.commune_district]
    assert [(c, d) for c, d, t in zip(s.commune_names, districts, trained, strict=True) if t] == [
        ("Tân Lập", "Chợ Đồn")
    ]


def test_a_user_error_in_a_worker_reaches_the_parent_as_it_is():
    import pickle

    from adoption.pool import Pool

    error = UserError("s.toml", "magnitude", "must be in [0, 1]")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.key == "magnitude"
    with Pool(_fail, workers=2) as pool, pytest.raises(UserError, match="end: outside"):
        pool.map([1, 2])


def _fail(job):
    raise UserError("Intervention", "end", f"outside ({job})")


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"rng": -1}, "rng"),
        ({"rng": 1.5}, "rng"),
        ({"start": "2025-01", "end": "2020-01"}, "end"),
        ({"end": "2200-01"}, "start/end"),
        ({"start": "2019-13"}, "start/end"),
        ({"start": "2090-01", "end": "2095-01"}, "start"),
        ({"interventions": [{"type": "train_teams"}]}, "interventions"),
    ],
)
def test_the_python_api_refuses_bad_run_settings_with_a_user_error(settings, key):
    """As the README promises: a UserError naming the setting, not a raw error deep inside."""
    from adoption import AdoptionModel

    with pytest.raises(UserError) as info:
        AdoptionModel(**settings)
    assert info.value.key == key and "\n" not in str(info.value)
