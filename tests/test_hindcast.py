"""Hindcast: fit on the past, score what came later; the scores and the observation band."""

import json
from collections import namedtuple

import numpy as np
import pandas as pd
import pytest

from adoption.calibration.hindcast import coverage, split
from adoption.calibration.observations import fit_figures
from adoption.calibration.predictive import score
from adoption.cli import main

Figure = namedtuple("Figure", "value kind")


def _figure(value, kind="point"):
    return Figure(value, kind)


def test_split_keeps_the_future_out_of_the_fit():
    figures = fit_figures()
    parts = split(figures, "2022-12")
    cut = 2022 * 12 + 11
    month = lambda s: int(s[:4]) * 12 + int(s[5:]) - 1  # noqa: E731
    assert all(month(e) <= cut for e in parts["known"]["date_end"])
    assert all(month(s) > cut for s in parts["later"]["date_start"])
    straddle = parts["straddling"]
    assert all(
        month(s) <= cut < month(e)
        for s, e in zip(straddle["date_start"], straddle["date_end"], strict=True)
    )
    assert sum(len(p) for p in parts.values()) == len(figures)


def test_scores_of_a_figure_against_its_draws():
    draws = np.random.default_rng(0).uniform(0.2, 0.6, 4000)
    inside = score(_figure(0.4), draws)
    assert inside["inside_50"] and inside["inside_90"]
    assert inside["q05"] == pytest.approx(0.22, abs=0.01)
    assert inside["interval_score_90"] == pytest.approx(100 * (inside["q95"] - inside["q05"]))
    outside = score(_figure(0.9), draws)
    assert not outside["inside_90"] and outside["z"] > 0
    # the interval score adds 2/alpha x the miss beyond the interval
    assert outside["interval_score_90"] == pytest.approx(
        100 * ((outside["q95"] - outside["q05"]) + 20 * (0.9 - outside["q95"]))
    )
    # a point mass: the CRPS is the absolute error
    assert score(_figure(0.5), np.full(10, 0.3))["crps"] == pytest.approx(20.0)
    # bounds: inside unless the interval rules the bound out
    assert score(_figure(0.5, "lower_bound"), draws)["inside_90"]
    assert not score(_figure(0.7, "lower_bound"), draws)["inside_90"]
    assert score(_figure(0.3, "upper_bound"), draws)["inside_90"]
    assert not score(_figure(0.1, "upper_bound"), draws)["inside_90"]


def test_coverage_has_its_binomial_standard_error():
    scores = pd.DataFrame(
        {
            "inside_50": [True, False] * 10,
            "inside_90": [True] * 18 + [False] * 2,
            "interval_score_90": 1.0,
            "crps": 2.0,
        }  # fmt: skip
    )
    result = coverage(scores)
    assert result["coverage_90"] == 0.9 and result["coverage_50"] == 0.5
    assert result["coverage_90_se"] == pytest.approx(np.sqrt(0.9 * 0.1 / 20))


@pytest.mark.slow
def test_a_small_hindcast_writes_its_report(tmp_path, capsys):
    out = tmp_path / "h"
    argv = ["hindcast", "--until", "2022-12", "--out", str(out), "--population", "10",
            "--generations", "2", "--draws", "6", "--workers", "1",
            "--baseline-runs", "2"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "inside the 90 % interval" in printed
    scores = pd.read_csv(out / "scores.csv")
    later = split(fit_figures(), "2022-12")["later"]
    assert list(scores["id"]) == list(later["id"])
    assert scores["inside_90"].isin([True, False]).all()
    page = (out / "README.md").read_text(encoding="utf-8")
    assert page.startswith("# Hindcast from 2022-12") and "**Coverage**" in page
    for indicator in set(later["indicator"]):
        assert (out / f"{indicator}.png").read_bytes()[:4] == b"\x89PNG"
    assert "**Against naive forecasters**" in page
    assert {"persistence_interval_score_90", "trend_crps", "climatology_width_90"} <= set(scores)
    manifest = json.loads((out / "baseline" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["posterior_file"] == str((out / "posterior.csv").resolve())
    assert (out / "baseline" / "forecast.parquet").is_file()


def test_a_bad_cut_off_is_one_line(capsys):
    assert main(["hindcast", "--until", "2022-13"]) == 2
    assert main(["hindcast", "--until", "2018-01", "--population", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "--until" in err[0] and "--population" in err[1]
