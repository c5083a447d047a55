"""The examples run (at a tiny size) and print what they promise: real factors, real numbers."""

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The factors the examples keep with ADOPTION_EXAMPLE_TINY=1.
TINY = ("shared_phone_access", "visit_hazard_online", "assist_prob", "lever0.magnitude")
NUMBER = r"(-?[\d,]+\.\d+)"


def _run(name: str) -> str:
    env = {**os.environ, "ADOPTION_EXAMPLE_TINY": "1"}
    done = subprocess.run([sys.executable, f"examples/{name}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_salib_morris_example():
    out = _run("salib_morris.py")
    assert "Morris, household_years_any, 10 evaluations" in out  # 2 trajectories x (4 + 1)
    rows = re.findall(rf"^\s+(\S+)\s+mu\*\s+{NUMBER}\s+sigma\s+{NUMBER}$", out, re.MULTILINE)
    assert sorted(name for name, _, _ in rows) == sorted(TINY)
    mu_star = [float(mu.replace(",", "")) for _, mu, _ in rows]
    assert all(math.isfinite(m) and m >= 0 for m in mu_star)
    assert mu_star == sorted(mu_star, reverse=True) and mu_star[0] > 0  # sorted, something acts
    assert rows[-1][0] == "assist_prob"  # a desk-side parameter: no household's use changes


def test_ema_workbench_example():
    pytest.importorskip("ema_workbench")
    out = _run("ema_workbench.py")
    median = re.search(r"^8 experiments; household_years_any median (-?[\d,]+)$", out, re.MULTILINE)
    assert median and float(median.group(1).replace(",", "")) > 0
    box = out.split("PRIM box where the 'combined' plan gains less than the median:")
    assert len(box) == 2 and "coverage" in box[1] and "density" in box[1]
    assert any(name in box[1] for name in TINY[:3])  # the box limits name an uncertainty
