"""The examples of the README run (at a tiny size) and print what they promise."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str) -> str:
    env = {**os.environ, "ADOPTION_EXAMPLE_TINY": "1"}
    done = subprocess.run([sys.executable, f"examples/{name}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_salib_morris_example():
    out = _run("salib_morris.py")
    assert "Morris, household_years_any, 10 evaluations" in out
    assert "lever0.magnitude" in out and "p_online" in out and "mu*" in out


def test_ema_workbench_example():
    pytest.importorskip("ema_workbench")
    out = _run("ema_workbench.py")
    assert "8 experiments; household_years_any median" in out
    assert "PRIM box where the levers gain less than the median" in out and "coverage" in out
