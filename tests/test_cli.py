"""The command line a planner uses: run, validate, params, and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adoption.cli import main
from adoption.ensemble import run as ensemble
from adoption.errors import UserError
from adoption.scenarios.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


_LEVER = (
    '[[interventions]]\ntype = "train_teams"\nstart = "2026-01"\nmagnitude = 0.5\n'
    'unit_cost_vnd = 1000\ncost_source = "assumption"\n'
)


def _scenario(tmp_path, text, name='name = "s"\n'):
    """A scenario file of ``text``, named unless ``text`` sets or misspells the name."""
    path = tmp_path / "s.toml"
    named = text.startswith(("name", "nme"))
    path.write_text(text if named else name + text, encoding="utf-8")
    return path


def test_baseline_scenario_is_valid():
    scenario = load_scenario(BASELINE)
    assert scenario.name == "baseline" and len(scenario.districts) == 5


def test_run_writes_tables_costs_figures_and_manifest(tmp_path):
    import hashlib
    import json

    scenario = _scenario(
        tmp_path,
        'name = "t"\ndistricts = ["Chợ Đồn"]\nend = "2021-12"\nscale = 0.2\nseed = 3\n'
        "runs = 3\n"
        '[[interventions]]\ntype = "train_teams"\nstart = "2021-01"\nmagnitude = 0.5\n'
        'unit_cost_vnd = 1000\ncost_source = "assumption"\n',
    )
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--no-progress", "--workers", "1"]) == 0
    table = pd.read_parquet(out / "forecast.parquet")
    columns = {"scenario", "date", "place", "indicator", "median", "q05", "q25", "q75", "q95"}
    assert columns <= set(table.columns)
    assert table["date"].nunique() == 36 and set(table["runs"]) == {3}
    ok = table.dropna(subset=["median"])
    assert (ok["q05"] <= ok["q25"]).all() and (ok["q25"] <= ok["median"]).all()
    assert (ok["median"] <= ok["q75"]).all() and (ok["q75"] <= ok["q95"]).all()
    csv = pd.read_csv(out / "forecast.csv")
    assert set(csv["level"]) == {"district", "total"}  # communes only in Parquet
    assert (out / "differences.parquet").is_file()
    costs = pd.read_csv(out / "costs.csv")
    assert {"cost_per_additional_household_vnd", "additional_cost_vnd"} <= set(costs["measure"])
    for name in ("forecast.png", "comparison.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["scenarios"][0]["file_sha256"] == hashlib.sha256(scenario.read_bytes()).hexdigest()
    )
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert not list(out.glob(".*part"))


@pytest.mark.parametrize(
    "text, key, allowed",
    [
        ('nme = "x"\n', "nme", "allowed:"),
        ('start = "2019-13"\n', "start", "YYYY-MM"),
        ('end = "2018-06"\n', "end", "before start"),
        ('start = "2001-01"\n', "start", "must be 2019-01"),
        ('start = "2090-01"\nend = "2095-01"\n', "start", "must be 2019-01"),
        ('districts = ["Hà Nội"]\n', "districts", "known:"),
        ("seed = 1.5\n", "seed", "expected int"),
        ("scale = 2\n", "scale", "(0, 1]"),
        ("[params]\nq_onlin = 0.1\n", "q_onlin", "unknown parameter"),
        ('[params]\nq_online = "high"\n', "q_online", "expected a number"),
        ("name = \n", "syntax", "TOML"),
        ("runs = 0\n", "runs", ">= 1"),
        ('[[interventions]]\ntype = "bribes"\n', "interventions[0].", "missing"),
        (_LEVER.replace("train_teams", "bribes"), "interventions[0].type", "allowed:"),
        (_LEVER + "colour = 1\n", "interventions[0].colour", "allowed:"),
        (_LEVER.replace("0.5", '"big"'), "interventions[0].magnitude", "expected a finite number"),
        (_LEVER.replace("0.5", "9"), "interventions[0].magnitude", "[0.0, 5.0]"),
        (_LEVER.replace("1000", "-5"), "interventions[0].unit_cost_vnd", "[0, 1e+12]"),
        (_LEVER.replace("1000", "1e300"), "interventions[0].unit_cost_vnd", "[0, 1e+12]"),
        (_LEVER.replace("2026-01", "2031-01"), "interventions[0].start", "outside"),
        (_LEVER + 'end = "2025-01"\n', "interventions[0].end", "before"),
        (_LEVER + 'where = ["Hà Nội"]\n', "interventions[0].where", "not a known district"),
        (_LEVER + "ramp_months = 0\n", "interventions[0].ramp_months", ">= 1"),
        (_LEVER.replace('"assumption"', '""'), "interventions[0].cost_source", "say where"),
    ],
)
def test_bad_scenario_is_one_line_naming_file_and_key(tmp_path, text, key, allowed):
    path = _scenario(tmp_path, text)
    with pytest.raises(UserError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message and key in message and allowed in message
    assert "\n" not in message


def test_cli_error_has_no_traceback_and_writes_nothing(tmp_path):
    path = _scenario(tmp_path, 'nme = "x"\n')
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "adoption.cli", "run", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "nme" in result.stderr and not out.exists()


def test_validate_and_params(capsys):
    assert main(["validate", str(BASELINE)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["params"]) == 0
    assert "visits_per_member" in capsys.readouterr().out


def test_parameters_source(tmp_path, monkeypatch):
    from adoption import Params
    from adoption.calibration import posterior as shipped_posterior

    path = tmp_path / "posterior.csv"
    path.write_text("q_online,weight\n0.01,0.25\n0.03,0.75\n", encoding="utf-8")
    monkeypatch.setattr(shipped_posterior, "CALIBRATION_DIR", tmp_path)
    shipped = load_scenario(_scenario(tmp_path, 'name = "a"\n'))
    assert shipped.params.q_online == pytest.approx(0.025)  # weighted posterior mean
    defaults = load_scenario(_scenario(tmp_path, 'parameters = "defaults"\n'))
    assert defaults.params == Params()
    override = load_scenario(_scenario(tmp_path, "[params]\nq_online = 0.05\n"))
    assert override.params.q_online == 0.05
    with pytest.raises(UserError, match="parameters"):
        load_scenario(_scenario(tmp_path, 'parameters = "mine"\n'))


def test_compare_pairs_scenarios_and_refuses_unpaired_ones(tmp_path, capsys):
    head = 'districts = ["Chợ Đồn"]\nend = "2021-12"\nscale = 0.1\nseed = 3\nruns = 2\n'
    a = tmp_path / "a.toml"
    a.write_text('name = "a"\n' + head, encoding="utf-8")
    b = tmp_path / "b.toml"
    b.write_text('name = "b"\n' + head + _LEVER.replace("2026-01", "2021-01"), encoding="utf-8")
    c = tmp_path / "c.toml"
    c.write_text('name = "c"\n' + head.replace("seed = 3", "seed = 4"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(a), str(c), "--out", str(out), "--no-progress"]) == 2
    message = capsys.readouterr().err
    assert "c.toml: seed" in message and message.count("\n") == 1 and not out.exists()
    args = ["compare", str(a), str(b), "--out", str(out), "--no-progress", "--workers", "1"]
    assert main(args) == 0
    forecast = pd.read_parquet(out / "forecast.parquet")
    assert set(forecast["scenario"]) == {"a", "b"}
    diff = pd.read_parquet(out / "differences.parquet")
    assert set(diff["scenario"]) == {"b"} and set(diff["versus"]) == {"a"}
    before = diff[(diff["date"] < "2021-01-01") & (diff["indicator"] == "households_online")]
    assert (before[["q05", "q95"]] == 0).all().all()  # same draws and seeds: no difference yet
    assert (out / "cost_effectiveness.png").read_bytes()[:4] == b"\x89PNG"


# -- issue 8: a new user's small things, the summary, places ---------------------------------------


def test_version_and_params_with_sources(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("adoption 0.")
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "assist_prob = 0.25 0-1, allowed [0, 1]" in out
    assert out.count("    source: ") == len(__import__("adoption").Params.names())


def test_params_into_a_closed_pipe_is_quiet():
    result = subprocess.run(
        f"{sys.executable} -m adoption.cli params --csv | head -3",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert result.stdout.count("\n") == 3
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_places_lists_districts_and_communes(capsys):
    assert main(["places"]) == 0
    out = capsys.readouterr().out
    for district in ("Lục Yên", "Văn Yên", "Yên Lạc", "Trùng Khánh", "Chợ Đồn"):
        assert district in out
    assert "Lương Bằng" in out
    assert main(["places", "cho don"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Chợ Đồn (Bắc Kạn)") and "Lương Bằng:" in out and "Lục Yên" not in out
    assert main(["places", "Cho Dong"]) == 2
    assert "did you mean Chợ Đồn" in capsys.readouterr().err


def test_run_prints_the_headline_and_names_what_it_read(tmp_path, capsys):
    path = _scenario(
        tmp_path,
        'name = "s"\ndistricts = ["Cho Don", "Yên Lạc"]\nend = "2020-06"\nscale = 0.1\nruns = 3\n',
    )
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "'Cho Don' read as 'Chợ Đồn'" in captured.err
    lines = captured.out.splitlines()
    assert lines[0] == "s: 2020-06, median [90 % interval] over 3 runs:"
    assert "files online" in lines[1] and "households using a service" in lines[1]
    assert [line.split()[0] for line in lines[2:5]] == ["Chợ", "Yên", "All"]
    assert "%" in lines[4] and "[" in lines[4]
    assert lines[-1].startswith("done in ")


def _dies_on_the_third(tasks):
    """A batch whose worker process is killed (module-level: workers unpickle it by name)."""
    import os
    import signal

    if any(task.index == 2 for task in tasks):
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_RUN_BATCH(tasks)


_REAL_RUN_BATCH = ensemble.run_batch


def test_a_killed_worker_is_one_line_and_keeps_finished_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ensemble, "run_batch", _dies_on_the_third)  # forked workers inherit it
    path = _scenario(
        tmp_path, 'name = "s"\ndistricts = ["Chợ Đồn"]\nend = "2019-12"\nscale = 0.1\nruns = 6\n'
    )
    out = tmp_path / "o"
    code = main(["run", str(path), "--out", str(out), "--no-progress", "--workers", "2"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "worker process ended abruptly" in err
    assert not (out / "forecast.csv").exists()
    monkeypatch.undo()
    assert main(["run", str(path), "--out", str(out), "--no-progress", "--workers", "2"]) == 0


def test_run_with_another_posterior_records_it_in_the_manifest(tmp_path):
    posterior = tmp_path / "posterior.csv"
    posterior.write_text("p_online,weight\n0.001,1\n0.003,1\n", encoding="utf-8")
    path = _scenario(tmp_path, 'name = "s"\ndistricts = ["Chợ Đồn"]\nend = "2020-12"\nruns = 2\n')
    out = tmp_path / "o"
    args = ["run", str(path), "--out", str(out), "--scale", "0.05", "--no-figures"]
    assert main([*args, "--posterior", str(posterior), "--no-progress", "--workers", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["posterior_file"] == str(posterior.resolve())
    assert manifest["scenarios"][0]["parameters"] == str(posterior.resolve())
    assert main([*args, "--posterior", str(tmp_path / "none.csv")]) == 2


@pytest.mark.parametrize(
    "argv, option",
    [
        (["run", "scenarios/baseline.toml", "--out", "x", "--workers", "0"], "--workers"),
        (["run", "scenarios/baseline.toml", "--out", "x", "--workers", "-2"], "--workers"),
        (["run", "scenarios/baseline.toml", "--out", "x", "--workers", "10000"], "--workers"),
        (["hindcast", "--until", "2022-12", "--draws", "0"], "--draws"),
        (["hindcast", "--until", "2022-12", "--draws", "100000000"], "--draws"),
        (["hindcast", "--until", "2022-12", "--baseline-runs", "-1"], "--baseline-runs"),
        (["sensitivity", "scenarios/combined.toml", "--out", "x", "--n", "1073741824"], "--n"),
        (
            ["sensitivity", "scenarios/combined.toml", "--out", "x", "--trajectories", "100000000"],
            "--trajectories",
        ),
        (
            ["sensitivity", "scenarios/combined.toml", "--out", "x", "--seeds", "100000000"],
            "--seeds",
        ),
        (["run", "scenarios/baseline.toml", "--out", "x", "--scheduler", "garbage"], "--scheduler"),
        (["calibrate", "--scheduler", "garbage"], "--scheduler"),
    ],
)
def test_a_count_option_out_of_range_is_refused_before_any_work(argv, option, tmp_path, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"adoption: error: {option}:")
    assert not Path("x").exists()  # nothing written


@pytest.mark.parametrize(
    "argv",
    [
        ["calibrate", "--out", "calibration", "--population", "4", "--generations", "2"],
        ["hindcast", "--until", "2022-12", "--out", "calibration/hindcast-2022-12", "--draws", "2"],
        ["figures", "--out", "figures", "--runs", "2"],
    ],
)
def test_a_toy_run_does_not_overwrite_shipped_results(argv, capsys):
    shipped = ROOT / "calibration" / "posterior.csv"
    before = shipped.read_bytes()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "shipped with adoption" in err and "--replace" in err
    assert shipped.read_bytes() == before


@pytest.mark.parametrize(  # both take --no-progress, as run does
    "command", [["calibrate", "--no-progress"], ["hindcast", "--until", "2022-12", "--no-progress"]]
)
def test_calibrate_and_hindcast_keep_a_users_files_and_lock_their_folder(command, tmp_path, capsys):
    """As `run` does: no user's file replaced, no second command in the same folder."""
    from adoption.ensemble.outputs import OutputSet

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep me", encoding="utf-8")
    assert main([*command, "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not outputs of adoption (thesis.tex)" in err
    assert (mine / "thesis.tex").read_text(encoding="utf-8") == "keep me"

    busy = tmp_path / "busy"
    with OutputSet(busy, command[0], staged=False):  # another command of the kind holds it
        assert main([*command, "--out", str(busy)]) == 2
        assert "another adoption command" in capsys.readouterr().err

    forecast = tmp_path / "forecast"
    forecast.mkdir()
    (forecast / "manifest.json").write_text('{"writer": "run"}', encoding="utf-8")
    assert main([*command, "--out", str(forecast)]) == 2
    assert "outputs of `adoption run`" in capsys.readouterr().err


def test_calibrate_db_naming_a_folder_is_one_line(tmp_path, capsys):
    assert main(["calibrate", "--out", str(tmp_path / "c"), "--db", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--db" in err and "is a folder" in err


def test_sensitivity_of_a_scenario_without_levers_is_refused(tmp_path, capsys):
    """All-zero indices and "nan%" noise told nothing: say why instead, before any run."""
    assert main(["sensitivity", "scenarios/baseline.toml", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no levers" in err
    assert not (tmp_path / "s").exists()


def test_optimise_by_before_from_is_one_line(tmp_path, capsys):
    argv = ["optimise", "--budget", "4e8", "--from", "2027-01", "--by", "2026-12",
            "--out", str(tmp_path / "o")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--by" in err and "before --from" in err


def test_progress_bars_are_quiet_when_output_is_not_a_terminal():
    """A log file gets no bar per run: tqdm's disable=None, unless asked for no bar at all."""
    from adoption.pool import bar_disabled

    assert bar_disabled(True) is None and bar_disabled(False) is True
    out = subprocess.run([sys.executable, "-m", "adoption.cli", "calibrate", "--help"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "--no-progress" in out


def test_optimise_lists_its_outcomes_and_finds_the_baseline_from_any_folder(
    tmp_path, capsys, monkeypatch
):
    from adoption.model.outcomes import SERVICES

    out = subprocess.run([sys.executable, "-m", "adoption.cli", "optimise", "--help"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    flat = " ".join(out.split())
    assert all(f"household_years_{service}" in flat for service in SERVICES)
    monkeypatch.chdir(tmp_path)  # no scenarios/ here: the package's baseline is found
    argv = ["optimise", "--budget", "1", "--from", "2027-01", "--by", "2026-12", "--out", "o"]
    assert main(argv) == 2  # stops at the period check, after the baseline was found
    assert "before --from" in capsys.readouterr().err


def test_validate_says_how_it_read_the_names(tmp_path, capsys):
    path = _scenario(tmp_path, 'name = "s"\ndistricts = ["Cho Don"]\nend = "2020-06"\n')
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert ": ok (s," in captured.out and "'Cho Don' read as 'Chợ Đồn'" in captured.err


@pytest.mark.parametrize(
    "lang, place_header, district, province, total",
    [
        ("en", "place", "Chợ Đồn (former district)", "Thái Nguyên (province, modelled part)",
         "All districts"),
        ("vi", "địa bàn", "huyện cũ Chợ Đồn", "phần mô hình của tỉnh Thái Nguyên",
         "Tất cả các huyện"),
    ],
)  # fmt: skip
def test_run_writes_a_planners_table_in_its_language(
    tmp_path, lang, place_header, district, province, total
):
    """Former districts, 2025 provinces and total x headline indicators x key years, in %."""
    from adoption.model.indicators import HEADLINE

    path = _scenario(tmp_path, 'name = "s"\ndistricts = ["Chợ Đồn"]\nend = "2026-12"\n'
                               "scale = 0.05\nruns = 3\n")  # fmt: skip
    out = tmp_path / "o"
    assert main(["run", str(path), "--out", str(out), "--no-figures", "--no-progress",
                 "--lang", lang]) == 0  # fmt: skip
    planner = pd.read_csv(out / "planner.csv", encoding="utf-8-sig")
    assert planner.columns[0] == place_header
    assert len(planner) == 3 * len(HEADLINE) * 2  # Chợ Đồn, its province, total; 2025, 2026
    assert set(planner.iloc[:, 0]) == {district, province, total}
    forecast = pd.read_csv(out / "forecast.csv", encoding="utf-8-sig")
    row = forecast[(forecast["date"] == "2026-12") & (forecast["place"] == "Chợ Đồn")
                   & (forecast["indicator"] == HEADLINE[0])].iloc[0]  # fmt: skip
    first = planner[(planner.iloc[:, 0] == district) & (planner.iloc[:, 3] == 2026)].iloc[0]
    assert first.iloc[4] == pytest.approx(100 * row["median"], abs=0.05)
    assert first.iloc[5] <= first.iloc[4] <= first.iloc[6]


def test_a_cost_date_before_any_lever_says_so(tmp_path, capsys):
    """Not "unbounded ..., 0 (0 to 0)": the levers of the scenario start later."""
    lever = ('[[interventions]]\ntype = "train_teams"\nstart = "2026-01"\nmagnitude = 0.5\n'
             'unit_cost_vnd = 1000\ncost_source = "assumption"\n')  # fmt: skip
    path = _scenario(tmp_path, 'name = "s"\ndistricts = ["Chợ Đồn"]\nend = "2026-12"\n'
                               "scale = 0.05\nruns = 2\n" + lever)  # fmt: skip
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-figures",
                 "--no-progress"]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert "s vs s without interventions, 2025-12: no lever active yet" in said
    assert "unbounded" not in said.split("2025-12")[1].split("\n")[0]


def test_the_run_summary_says_whether_each_national_target_is_met():
    """The verdict follows where the target falls in the runs' spread at its month."""
    from adoption.reports.headline import target_lines

    refs = pd.DataFrame({"indicator": ["account_rate"] * 4, "level": ["all"] * 4,
                         "place": [""] * 4, "value": [0.5, 0.65, 0.75, 0.95],
                         "date": ["2030-12"] * 4, "label": list("abcd")})  # fmt: skip
    table = pd.DataFrame({"scenario": ["s"], "indicator": ["account_rate"], "level": ["total"],
                          "place": ["All districts"], "date": [pd.Timestamp("2030-12-01")],
                          "q05": [0.6], "median": [0.7], "q95": [0.8]})  # fmt: skip
    lines = target_lines(table, refs, "s")
    verdicts = [line.rsplit(": ", 1)[1] for line in lines[1:]]
    assert verdicts == ["met in over 95 % of runs", "met by the median", "missed by the median",
                        "missed in over 95 % of runs"]  # fmt: skip
    assert target_lines(table, refs.assign(date="2040-12"), "s") == []  # not in the period


def test_a_provincial_target_is_judged_at_the_places_it_names_only():
    from adoption.reports.headline import target_lines

    refs = pd.DataFrame({"indicator": ["account_rate"], "level": ["province_2025"],
                         "place": ["Lào Cai"], "value": [0.75], "date": ["2025-12"],
                         "label": ["Yên Bái: 75 % by 2025"]})  # fmt: skip
    table = pd.DataFrame({"scenario": "s", "indicator": "account_rate",
                          "level": ["province_2025", "province_2025", "district", "total"],
                          "place": ["Lào Cai", "Cao Bằng", "Lục Yên", "All districts"],
                          "date": pd.Timestamp("2025-12-01"),
                          "q05": 0.6, "median": 0.7, "q95": 0.8})  # fmt: skip
    lines = target_lines(table, refs, "s")
    assert lines[1:] == ["Yên Bái: 75 % by 2025 (account_rate, Lào Cai, 2025-12): median "
                         "70.0 % [60.0 %-80.0 %]: missed by the median"]  # fmt: skip


def test_costs_are_for_the_places_a_lever_acts_on_with_million_vnd(tmp_path):
    """A lever in Chợ Đồn: costs.csv has it, its communes, its province and the total only."""
    lever = ('[[interventions]]\ntype = "train_teams"\nstart = "2026-01"\nmagnitude = 0.5\n'
             'unit_cost_vnd = 2e6\ncost_source = "assumption"\nwhere = ["Chợ Đồn"]\n')  # fmt: skip
    path = _scenario(tmp_path, 'name = "s"\ndistricts = ["Chợ Đồn", "Lục Yên"]\n'
                               'end = "2027-12"\nscale = 0.05\nruns = 3\n' + lever)  # fmt: skip
    out = tmp_path / "o"
    assert main(["run", str(path), "--out", str(out), "--no-figures", "--no-progress"]) == 0
    costs = pd.read_csv(out / "costs.csv", encoding="utf-8-sig")
    places = set(costs["place"])
    assert {"Chợ Đồn", "Thái Nguyên", "All districts"} <= places
    assert "Lục Yên" not in places and "Lào Cai" not in places
    assert set(costs.loc[costs["level"] == "commune", "district"]) == {"Chợ Đồn"}
    money = costs[costs["measure"] == "additional_cost_vnd"]
    assert np.allclose(money["median_million_vnd"] * 1e6, money["median"], rtol=1e-9)
    assert (
        costs.loc[costs["measure"] == "additional_households_any", "median_million_vnd"]
        .isna()
        .all()
    )
