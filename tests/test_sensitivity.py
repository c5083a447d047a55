"""The experiment function and the sensitivity analysis (issue 11), at a tiny size."""

import pickle

import numpy as np
import pandas as pd
import pytest

from adoption.calibration.targets import load_priors
from adoption.cli import main
from adoption.decisions import sensitivity
from adoption.decisions.experiment import Evaluator
from adoption.model.params import Params
from adoption.scenarios.scenario import load_scenario

SCENARIO = (
    'name = "tiny"\ndistricts = ["Chợ Đồn"]\nend = "2024-12"\nseed = 2\nruns = 2\nscale = 0.05\n'
    '[[interventions]]\ntype = "extend_coverage"\nstart = "2022-01"\nmagnitude = 1.0\n'
    'unit_cost_vnd = 1000000\ncost_source = "assumption"\n'
)


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_the_evaluator_is_picklable_deterministic_and_sees_its_inputs(scenario):
    f = Evaluator(scenario, seeds=[1, 2])
    g = pickle.loads(pickle.dumps(f))
    point = {"assist_prob": 0.5, "lever0.magnitude": 1.0}
    assert f(point) == g(point)  # same inputs and seeds: the same outcomes
    less = f({**point, "lever0.magnitude": 0.2})
    assert less["household_years_any"] < f(point)["household_years_any"]
    assert less["additional_cost_vnd"] < f(point)["additional_cost_vnd"]


def test_factor_ranges_come_from_the_priors_params_and_lever_bounds(scenario):
    f = Evaluator(scenario)
    priors, bounds = load_priors(), Params.bounds()
    prior = f.factors()
    for name, (low, high) in prior.items():
        if name == "lever0.magnitude":
            assert (low, high) == load_scenario(scenario).interventions[0].kind.bounds
        else:
            assert (low, high) == pytest.approx(priors[name].bounds)
            assert bounds[name][0] <= low < high <= bounds[name][1]
    assert not set(prior) & Params.observation_only()  # observation model: changes no run
    posterior = f.factors(source="posterior")
    for name, (low, high) in posterior.items():
        assert prior[name][0] <= low <= high <= prior[name][1]


#: A factor that drives the gain (how many villages get coverage) and one that cannot change
#: it (paying a fee at the desk does not change who uses a service).
MATTERS = {"lever0.magnitude": (0.0, 1.0), "pay_online_in_person": (0.05, 0.9)}
MORRIS_COLUMNS = ["outcome", "factor", "mu_star", "mu_star_conf", "sigma", "mu_star_relative",
                  "evaluations"]  # fmt: skip
SOBOL_COLUMNS = ["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf", "ST_half", "S1_half", "N",
                 "evaluations", "below_noise"]  # fmt: skip


def test_morris_screens_out_the_factor_that_cannot_matter(scenario, tmp_path):
    f = Evaluator(scenario)
    result = sensitivity.morris(f, MATTERS, tmp_path / "m", trajectories=3, workers=1,
                                progress=False)  # fmt: skip
    assert list(result.indices.columns) == MORRIS_COLUMNS
    names = list(sensitivity.outcomes(f))  # the period ends in 2024: no outcome dated 2030
    assert names == ["household_years_any", "household_years_online"]
    assert list(result.indices["outcome"].unique()) == names and set(result.noise) == set(names)
    assert result.design.shape == (3 * (2 + 1), 2) and list(result.outputs.columns) == names
    assert (result.indices["evaluations"] == 9).all()
    mu = result.indices.query("outcome == 'household_years_any'").set_index("factor")
    assert mu.loc["lever0.magnitude", "mu_star_relative"] == 1.0
    assert mu.loc["pay_online_in_person", "mu_star"] < 0.01 * mu.loc["lever0.magnitude", "mu_star"]


def test_sobol_finds_the_factor_that_matters(scenario, tmp_path):
    f = Evaluator(scenario)
    result = sensitivity.sobol(f, MATTERS, tmp_path / "s", n=16, workers=1, progress=False)
    assert list(result.indices.columns) == SOBOL_COLUMNS
    st = result.indices.query("outcome == 'household_years_any'").set_index("factor")["ST"]
    assert st["lever0.magnitude"] > 0.5  # how many villages get coverage drives the gain
    assert st["pay_online_in_person"] < 0.1  # paying at the desk does not change who uses a service
    assert result.indices["evaluations"].iloc[0] == 16 * (2 + 2)


def test_an_interrupted_evaluation_resumes_from_finished_chunks(scenario, tmp_path, monkeypatch):
    monkeypatch.setattr(sensitivity, "CHUNK", 2)  # 6 points: 3 chunks
    design = np.array([[m, 0.5] for m in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)])
    names, f, calls = list(MATTERS), Evaluator(scenario), []
    real = Evaluator.many

    def interrupted(self, points):  # Ctrl-C during the second chunk (points 3 and 4)
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.extend(points)
        return real(self, points)

    monkeypatch.setattr(Evaluator, "many", interrupted)  # workers=1: in this process
    with pytest.raises(KeyboardInterrupt):
        sensitivity.evaluate(f, design, names, tmp_path / "a", workers=1, progress=False)
    monkeypatch.setattr(Evaluator, "many", lambda self, x: calls.extend(x) or real(self, x))
    calls.clear()
    resumed = sensitivity.evaluate(f, design, names, tmp_path / "a", workers=1, progress=False)
    assert [c["lever0.magnitude"] for c in calls] == [0.4, 0.6, 0.8, 1.0]  # chunk 0 was kept
    whole = sensitivity.evaluate(f, design, names, tmp_path / "b", workers=1, progress=False)
    pd.testing.assert_frame_equal(resumed, whole)


def test_finished_chunks_of_an_edited_scenario_are_not_reused(scenario, tmp_path):
    design = np.array([[0.2], [0.8]])  # pay_online_in_person: the lever stays as in the file
    run = {"workers": 1, "progress": False}
    before = sensitivity.evaluate(Evaluator(scenario), design, ["pay_online_in_person"],
                                  tmp_path / "out", **run)  # fmt: skip
    assert (before["household_years_any"] > 0).all()
    scenario.write_text(SCENARIO.replace("magnitude = 1.0", "magnitude = 0.0"), encoding="utf-8")
    after = sensitivity.evaluate(Evaluator(scenario), design, ["pay_online_in_person"],
                                 tmp_path / "out", **run)  # fmt: skip
    assert (after["household_years_any"] == 0).all()  # no lever, no gain: not the cached gain


def test_the_command_writes_its_report_resumes_and_refuses_bad_sizes(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["sensitivity", str(scenario), "--out", str(out), "--n", "4", "--trajectories", "2",
            "--workers", "1", "--no-progress"]  # fmt: skip
    assert main(args) == 0
    for name in ("morris.csv", "sobol.csv", "sensitivity.png", "README.md"):
        assert (out / name).is_file()
    assert (out / "sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    morris = pd.read_csv(out / "morris.csv", encoding="utf-8-sig")
    assert list(morris.columns) == MORRIS_COLUMNS
    factors = set(Evaluator(scenario).factors())  # every calibrated parameter and the lever
    assert set(morris["factor"]) == factors and "assist_prob" in factors
    assert "lever0.magnitude" in (out / "README.md").read_text(encoding="utf-8")
    first = pd.read_csv(out / "sobol.csv", encoding="utf-8-sig")
    assert list(first.columns) == SOBOL_COLUMNS and set(first["factor"]) == factors
    chunks = sorted(p.stat().st_mtime_ns for p in out.rglob("evaluations-*/*"))
    assert main(args) == 0  # the same command: finished chunks are reused, results identical
    assert sorted(p.stat().st_mtime_ns for p in out.rglob("evaluations-*/*")) == chunks
    pd.testing.assert_frame_equal(first, pd.read_csv(out / "sobol.csv", encoding="utf-8-sig"))
    capsys.readouterr()
    assert main([*args[:5], "6", *args[6:]]) == 2
    err = capsys.readouterr().err
    assert "--n: n: must be a power of 2" in err and err.count("\n") == 1
    assert main([*args[:5], "1", *args[6:]]) == 2
    err = capsys.readouterr().err
    assert "--n: n: must be in [2, 65536], got 1" in err and err.count("\n") == 1
