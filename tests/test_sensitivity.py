"""The experiment function and the sensitivity analysis (issue 11), at a tiny size."""

import pickle

import pandas as pd
import pytest

from adoption import sensitivity
from adoption.cli import main
from adoption.experiment import Evaluator
from adoption.params import Params
from adoption.scenario import load_scenario
from adoption.targets import load_priors

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
    assert "obs_discrepancy" not in prior  # observation model only: changes no run
    posterior = f.factors(source="posterior")
    for name, (low, high) in posterior.items():
        assert prior[name][0] <= low <= high <= prior[name][1]


def test_sobol_finds_the_factor_that_matters(scenario, tmp_path):
    f = Evaluator(scenario)
    factors = {"lever0.magnitude": (0.0, 1.0), "pay_online_in_person": (0.05, 0.9)}
    result = sensitivity.sobol(f, factors, tmp_path / "s", n=16, workers=1, progress=False)
    st = result.indices.query("outcome == 'household_years_any'").set_index("factor")["ST"]
    assert st["lever0.magnitude"] > 0.5  # how many villages get coverage drives the gain
    assert st["pay_online_in_person"] < 0.1  # paying at the desk does not change who uses a service
    assert result.indices["evaluations"].iloc[0] == 16 * (2 + 2)


def test_the_command_writes_its_report_resumes_and_refuses_bad_sizes(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["sensitivity", str(scenario), "--out", str(out), "--n", "4", "--trajectories", "2",
            "--workers", "1", "--no-progress"]  # fmt: skip
    assert main(args) == 0
    for name in ("morris.csv", "sobol.csv", "sensitivity.png", "README.md"):
        assert (out / name).is_file()
    first = pd.read_csv(out / "sobol.csv", encoding="utf-8-sig")
    chunks = sorted(p.stat().st_mtime_ns for p in out.rglob("evaluations-*/*"))
    assert main(args) == 0  # the same command: finished chunks are reused, results identical
    assert sorted(p.stat().st_mtime_ns for p in out.rglob("evaluations-*/*")) == chunks
    pd.testing.assert_frame_equal(first, pd.read_csv(out / "sobol.csv", encoding="utf-8-sig"))
    capsys.readouterr()
    assert main([*args[:5], "6", *args[6:]]) == 2
    err = capsys.readouterr().err
    assert "--n: n: must be a power of 2" in err and err.count("\n") == 1
