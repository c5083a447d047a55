"""Output folders: replaced whole, one command at a time, files a planner can open (issue 8)."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from adoption.cli import main
from adoption.ensemble import outputs
from adoption.ensemble.outputs import OutputSet
from adoption.ensemble.tables import write_csv
from adoption.errors import UserError
from adoption.reports import forecast as forecast_module

SCENARIO = 'name = "{name}"\ndistricts = ["Chợ Đồn"]\nend = "2020-06"\nscale = 0.1\nseed = {seed}\n'


def _scenario(tmp_path, name="a", seed=1, runs=2):
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, seed=seed) + f"runs = {runs}\n", encoding="utf-8")
    return path


def _run(scenario, out, *extra):
    argv = ["run", str(scenario), "--out", str(out), "--no-progress", "--workers", "1", *extra]
    return main(argv)


def _consistent(out):
    """Every file the manifest lists is there with its hash; nothing else but the cache."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert {p.name for p in out.iterdir()} == {*manifest["outputs"], "manifest.json", "runs"}
    return manifest


def _no_leftovers(out):
    assert not list(out.parent.glob(f".{out.name}.staging-*"))
    assert not list(out.parent.glob(f".{out.name}.old-*"))
    assert not list(out.rglob("*.part"))


def test_a_run_killed_while_writing_leaves_the_previous_set_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path, seed=1), out) == 0
    before = _consistent(out)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # after the tables of the new run were written

    monkeypatch.setattr(forecast_module, "_write_figures", killed)
    assert _run(_scenario(tmp_path, seed=2), out) == 130
    assert _consistent(out) == before  # the old set, whole: no table of the new run beside it
    _no_leftovers(out)
    monkeypatch.undo()
    assert _run(_scenario(tmp_path, seed=2), out) == 0
    after = _consistent(out)
    assert after["scenarios"][0]["seed"] == 2
    _no_leftovers(out)


def test_a_second_command_on_the_same_folder_is_refused_while_the_first_runs(tmp_path, capsys):
    out = tmp_path / "out"
    with OutputSet(out, "run"):  # another command holds the folder
        assert _run(_scenario(tmp_path), out) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "another adoption command" in err and "is writing into this folder" in err
    assert _run(_scenario(tmp_path), out) == 0  # free again


def test_leftovers_of_a_killed_command_are_cleaned_and_its_cache_kept(tmp_path):
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path), out) == 0
    staging = tmp_path / ".out.staging-killed"
    staging.mkdir()
    (staging / "forecast.csv").write_text("half", encoding="utf-8")
    (out / "runs" / ".run_00000.npy.x.part").write_bytes(b"half")
    (out / "runs").rename(staging / "runs")  # killed with the cache moved into the new set
    assert _run(_scenario(tmp_path), out) == 0
    _no_leftovers(out)
    assert (out / "runs").is_dir()


def test_killed_between_the_two_renames_of_the_fallback_swap_is_recovered(tmp_path):
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path), out) == 0
    before = _consistent(out)
    out.rename(tmp_path / ".out.old-killed")  # the fallback moved the old set aside, then died
    with OutputSet(out, "run") as output:
        assert _consistent(out) == before  # restored before anything else happens
        (output.staging / "manifest.json").write_text('{"outputs": {}}', encoding="utf-8")
    assert _consistent(out)["outputs"] == {}
    _no_leftovers(out)


def test_the_fallback_swap_without_renameat2_publishes_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs.ctypes, "CDLL", lambda *a, **k: object())  # no renameat2
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path, seed=1), out) == 0
    assert _run(_scenario(tmp_path, seed=2), out) == 0
    assert _consistent(out)["scenarios"][0]["seed"] == 2
    _no_leftovers(out)


def test_a_folder_of_other_files_is_not_replaced(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    assert _run(_scenario(tmp_path), mine) == 2
    assert "not outputs of adoption (notes.txt)" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_another_commands_output_set_is_not_replaced(tmp_path, capsys):
    """A forecast into the optimiser's folder would delete best.toml, trials and report."""
    import json

    folder = tmp_path / "o"
    folder.mkdir()
    for name in ("best.toml", "report.md", "trials.csv"):
        (folder / name).write_text("the optimiser's", encoding="utf-8")
    manifest = {"writer": "optimise", "outputs": {"best.toml": "", "report.md": ""}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert _run(_scenario(tmp_path), folder) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "outputs of `adoption optimise`" in err
    assert (folder / "best.toml").read_text(encoding="utf-8") == "the optimiser's"
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path), out) == 0
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["writer"] == "run"


def test_a_users_file_added_to_an_output_folder_survives_the_next_run(tmp_path):
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path), out) == 0
    (out / "my notes.txt").write_text("keep me", encoding="utf-8")
    assert _run(_scenario(tmp_path, seed=5), out) == 0
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "keep me"


def test_with_an_unwritable_output_folder_nothing_is_run(tmp_path):
    with pytest.raises(UserError, match="exists and is not a folder"):
        OutputSet(_scenario(tmp_path), "run")


# -- files a planner opens -------------------------------------------------------------------------


def test_csv_opens_in_excel_with_diacritics_plain_numbers_and_months(tmp_path):
    table = pd.DataFrame(
        {
            "place": ["Lục Yên", "Chợ Đồn"],
            "date": pd.to_datetime(["2030-12-01", "2025-12-01"]),
            "cost": [70246300000.4, 1.5e-7],
            "rate": [0.123456789, np.nan],
            "runs": [100, 100],
        }
    )
    path = tmp_path / "t.csv"
    write_csv(table, path)
    data = path.read_bytes()
    assert data[:3] == b"\xef\xbb\xbf"  # the byte-order mark Excel needs to read UTF-8
    text = data.decode("utf-8-sig")
    assert "Lục Yên" in text and "2030-12," in text
    assert "70246300000," in text and "0.123457," in text
    assert "e+" not in text and "e-" not in text.replace("place", "")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["rate"].isna().iloc[1]


def test_run_writes_excel_csvs_and_no_self_comparison_for_a_scenario_without_levers(
    tmp_path, capsys
):
    out = tmp_path / "out"
    assert _run(_scenario(tmp_path), out) == 0
    printed = capsys.readouterr().out
    assert not (out / "costs.csv").exists()
    assert "no costs.csv: the scenario has no interventions" in printed
    assert (out / "forecast.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    first = (out / "forecast.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert first.split(",")[1] == "2019-01"
