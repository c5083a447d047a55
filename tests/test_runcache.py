"""The run cache never answers for other code, and never trusts a damaged run (issue 8: 1, 15)."""

import dataclasses
import logging
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from adoption.ensemble import cache as runcache
from adoption.ensemble import run_ensemble
from adoption.scenarios.scenario import Scenario

PACKAGE = runcache.PACKAGE  # the package folder the fingerprint covers


def _scenario(tmp_path, runs=3):
    return Scenario(
        path=tmp_path / "s.toml",
        name="s",
        districts=["Chợ Đồn"],
        end="2021-06",
        seed=3,
        scale=0.1,
        runs=runs,
        parameters="defaults",
    )


_RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    # import the package from the folder given, not from the editable install
    sys.meta_path = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
    sys.path.insert(0, sys.argv[2])
    import adoption
    from adoption.ensemble import run_ensemble
    from adoption.scenarios.scenario import Scenario
    scenario = Scenario(path=Path("s.toml"), name="s", districts=["Chợ Đồn"], end="2021-06",
                        seed=3, scale=0.1, runs=2, parameters="defaults")
    e = run_ensemble(scenario, sys.argv[1], workers=1, progress=False)
    k = list(adoption.model.indicators.FORECAST).index("online_service_rate")
    print(adoption.__file__, e.folder.name, float(e.values[:, -12:, -1, k].mean()))
    """
)


def _run_with(package_parent: Path, cache: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _RUN, str(cache), str(package_parent)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_a_rule_edited_in_a_copy_of_the_package_is_not_answered_from_the_cache(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "adoption", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    first = _run_with(copy, cache)
    assert first[0].startswith(str(copy))  # the copy is the package that ran
    again = _run_with(copy, cache)
    assert again == first  # unchanged code: the cached runs are used
    rules = copy / "adoption" / "model" / "rules.py"
    text = rules.read_text(encoding="utf-8")
    edited = text.replace(
        "assisted = in_person & offered & (u[3] < offices.assist[step, desk])",
        "assisted = in_person & offered & (u[3] < 0 * offices.assist[step, desk])",
    )
    assert edited != text
    rules.write_text(edited, encoding="utf-8")
    changed = _run_with(copy, cache)
    assert changed[1] != first[1]  # another cache folder ...
    assert float(changed[2]) < float(first[2])  # ... and the edited rule's result
    assert len(list(cache.iterdir())) == 2


def test_the_fingerprint_covers_every_source_and_data_file(tmp_path, monkeypatch):
    copy = tmp_path / "adoption"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(runcache, "PACKAGE", copy)
    runcache.fingerprint.cache_clear()
    try:
        before = runcache.fingerprint()
        for name in ("model/params.py", "data/districts.csv"):
            path = copy / name
            original = path.read_bytes()
            path.write_bytes(original + b"\n")
            runcache.fingerprint.cache_clear()
            assert runcache.fingerprint() != before, name
            path.write_bytes(original)
        runcache.fingerprint.cache_clear()
        assert runcache.fingerprint() == before
    finally:
        runcache.fingerprint.cache_clear()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut in half
        lambda data: b"",  # empty
        lambda data: data[:1000] + np.random.default_rng(1).bytes(300) + data[1300:],  # overwritten
    ],
    ids=["cut in half", "empty", "overwritten"],
)
def test_a_damaged_cached_run_is_recomputed_and_reported(tmp_path, damage, caplog):
    scenario = _scenario(tmp_path)
    fresh = run_ensemble(scenario, tmp_path / "fresh", workers=1, progress=False)
    cached = run_ensemble(scenario, tmp_path / "cache", workers=1, progress=False)
    path = runcache.run_path(cached.folder, 1)
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="adoption"):
        again = run_ensemble(scenario, tmp_path / "cache", workers=1, progress=False)
    np.testing.assert_array_equal(again.values, fresh.values)
    assert "run_00001.npy was damaged" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="adoption"):  # repaired: used as it is
        run_ensemble(scenario, tmp_path / "cache", workers=1, progress=False)
    assert "damaged" not in caplog.text


def test_a_run_without_its_checksum_is_recomputed(tmp_path):
    scenario = _scenario(tmp_path, runs=2)
    cached = run_ensemble(scenario, tmp_path / "cache", workers=1, progress=False)
    runcache.run_path(cached.folder, 0).with_suffix(".sha256").unlink()
    assert runcache.load(cached.folder, 0, cached.values.shape[1:]) is None
    again = run_ensemble(dataclasses.replace(scenario), tmp_path / "cache", workers=1)
    np.testing.assert_array_equal(again.values, cached.values)
