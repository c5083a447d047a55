"""An installed wheel forecasts with the shipped posterior, from any folder (issue 22, item 1).

The wheel is built from this clone, installed into a folder of its own and run from another
folder, with this environment's dependencies but not its editable install (the wheel's
folder comes first on the path). Its forecast must be the clone's, number for number: the
same posterior, figures and scenario travel with it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ["run", "baseline", "--runs", "3", "--scale", "0.04", "--no-figures", "--no-progress"]


def _adoption(args: list[str], cwd: Path, site: Path | None = None):
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = str(site)
    command = [sys.executable, "-m", "adoption.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheel = [*pip, "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-w", str(build)]
    subprocess.run(wheel, check=True, timeout=600)
    site = tmp_path_factory.mktemp("site")
    (path,) = build.glob("adoption-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(path)], check=True)
    return site


@pytest.mark.slow
def test_an_installed_wheel_forecasts_the_baseline_by_name_with_the_shipped_posterior(
    site, tmp_path
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _adoption(["params"], elsewhere, site)  # imports the wheel, not the clone
    probe = [sys.executable, "-c", "import adoption; print(adoption.__file__)"]
    env = {**os.environ, "PYTHONPATH": str(site)}
    imported = subprocess.run(probe, cwd=elsewhere, env=env, capture_output=True, text=True)
    assert where.returncode == 0 and imported.stdout.startswith(str(site))

    wheel = _adoption([*RUN, "--out", "from_wheel"], elsewhere, site)
    assert wheel.returncode == 0, wheel.stderr
    manifest = json.loads((elsewhere / "from_wheel" / "manifest.json").read_text())
    assert manifest["posterior_file"].startswith(str(site))  # the wheel's copy, not null

    clone = _adoption([*RUN, "--out", str(tmp_path / "from_clone")], ROOT)
    assert clone.returncode == 0, clone.stderr
    ours = pd.read_csv(elsewhere / "from_wheel" / "forecast.csv")
    theirs = pd.read_csv(tmp_path / "from_clone" / "forecast.csv")
    pd.testing.assert_frame_equal(ours, theirs)


def test_a_shipped_scenario_is_found_by_name_from_any_folder(tmp_path, monkeypatch):
    from adoption import load_scenario
    from adoption.errors import UserError

    monkeypatch.chdir(tmp_path)
    assert load_scenario("baseline").name == load_scenario(ROOT / "scenarios/baseline.toml").name
    with pytest.raises(UserError, match="shipped: baseline, combined"):
        load_scenario("baselin")
