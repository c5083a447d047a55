"""The budget optimiser (issue 11): a runnable best mix in the budget, resumable, reproducible."""

import pandas as pd
import pytest

from adoption.cli import main
from adoption.decisions import menu, optimise
from adoption.errors import UserError
from adoption.scenarios.scenario import load_scenario

HEAD = (
    'districts = ["Chợ Đồn"]\nstart = "2019-01"\nend = "2024-12"\nseed = 5\nruns = 2\nscale = 0.1\n'
)
MENU = (
    '[[interventions]]\ntype = "extend_coverage"\nstart = "2022-01"\nmagnitude = 1.0\n'
    'unit_cost_vnd = 50000000\ncost_source = "assumption"\n'
    '[[interventions]]\ntype = "train_teams"\nstart = "2022-01"\nmagnitude = 0.5\n'
    'unit_cost_vnd = 1500000\ncost_source = "assumption"\n'
)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "base.toml").write_text('name = "base"\n' + HEAD, encoding="utf-8")
    (tmp_path / "push.toml").write_text('name = "push"\n' + HEAD + MENU, encoding="utf-8")
    return tmp_path


def _problem(folder, budget=4e8):
    return optimise.Problem(
        base=load_scenario(folder / "base.toml"),
        levers=tuple(menu.menu([folder / "push.toml"])),
        budget=budget,
        first="2021-01",
        by="2023-12",
        where=("Chợ Đồn", "Bằng Lãng"),
    )


def test_a_mix_is_levers_the_model_accepts(folder):
    problem = _problem(folder)
    space = problem.distributions()
    assert set(space) == {"0.magnitude", "0.where", "0.start", "1.use", "1.where", "1.start"}
    mix = problem.mix({"0.magnitude": 0.4, "0.where": "Bằng Lãng", "0.start": 3,
                       "1.use": False, "1.where": "all", "1.start": 0})  # fmt: skip
    assert len(mix) == 1  # team training not used
    (lever,) = mix
    assert (lever.type, lever.where, lever.start, lever.magnitude) == (
        "extend_coverage", ("Bằng Lãng",), "2021-04", 0.4)  # fmt: skip
    off = problem.mix({"0.magnitude": 0.0, "0.where": "all", "0.start": 0,
                       "1.use": True, "1.where": "all", "1.start": 35})  # fmt: skip
    assert [lv.type for lv in off] == ["train_teams"] and off[0].magnitude == 0.5  # the dose kept


def test_the_search_resumes_identically_whatever_the_workers(folder, tmp_path):
    problem = _problem(folder)
    kw = {"runs": 2, "scale": 0.05, "seed": 1, "progress": False}
    whole = optimise.search(problem, tmp_path / "a", trials=16, workers=1, **kw)
    optimise.search(problem, tmp_path / "b", trials=8, workers=2, **kw)  # interrupted here
    resumed = optimise.search(problem, tmp_path / "b", trials=16, workers=2, **kw)
    pd.testing.assert_frame_equal(whole, resumed)
    assert len(whole) == 16 and whole["trial"].tolist() == list(range(16))
    feasible = whole[whole["feasible"]]
    assert (feasible["cost_vnd"] <= problem.budget).all()
    best = optimise.best(whole)
    assert best["objective"] == feasible["objective"].max()
    front = optimise.front(whole)
    assert front["cost_vnd"].is_monotonic_increasing and front["objective"].is_monotonic_increasing


def test_optimise_writes_a_scenario_that_validates_and_is_checked(folder, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["optimise", "--budget", "4e8", "--by", "2023-12", "--from", "2021-01", "--out",
            str(out), "--scenario", str(folder / "base.toml"), "--trials", "8", "--runs", "2",
            "--verify-runs", "3", "--workers", "1", "--no-progress"]  # fmt: skip
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "best of 8 trials" in said and "vs push" in said
    best = load_scenario(out / "best.toml")  # a planner can run and edit it
    assert best.end == "2023-12" and best.districts == ["Chợ Đồn"] and best.interventions
    versus = pd.read_csv(out / "versus.csv", encoding="utf-8-sig")
    assert versus["scenario"].tolist() == ["optimised", "push"]
    assert versus.loc[0, "optimised_minus_this"] == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Scale bias" in report and "Checked at full scale (3 fresh paired runs" in report
    assert (out / "front.png").read_bytes()[:4] == b"\x89PNG"
    assert main(args) == 0  # the same folder again: its output set is replaced, the trace reused
    assert "best of 8 trials" in capsys.readouterr().out
    trials = pd.read_csv(out / "trials.csv", encoding="utf-8-sig")
    assert len(trials) == 8 and set(pd.read_csv(out / "front.csv")["trial"]) <= set(trials["trial"])


def test_optimise_fails_when_no_mix_fits_the_budget(folder, tmp_path, capsys):
    """A search that found nothing affordable is not a success (exit 1), and says so."""
    args = ["optimise", "--budget", "1", "--by", "2023-12", "--from", "2021-01", "--out",
            str(tmp_path / "out"), "--scenario", str(folder / "base.toml"), "--trials", "3",
            "--runs", "2", "--verify-runs", "0", "--workers", "1", "--no-progress"]  # fmt: skip
    assert main(args) == 1
    assert "no mix of 3 trials fits 1 VND: raise --budget" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--budget", "lots"], "--budget: budget: expected a positive amount of VND, got 'lots'"),
        (["--budget", "-5"], "--budget: budget"),
        (["--by", "2031-12"], "--by: by: must be within the scenario's period"),
        (["--from", "2023-06"], "--from: from: levers from 2023-06 must start"),
        (["--levers", "train_team"], "--levers: levers: no lever of type train_team"),
        (["--where", "Bang Lan"], "--where: where:"),
        (["--outcome", "households"], "--outcome: outcome: 'households' unknown; allowed:"),
        (["--runs", "1"], "--runs: runs: must be at least 2"),
    ],
)
def test_bad_options_are_one_line(folder, tmp_path, capsys, extra, says):
    out = tmp_path / "out"
    args = {"--budget": "4e8", "--by": "2023-12", "--from": "2021-01", "--out": str(out),
            "--scenario": str(folder / "base.toml"), "--trials": "2", "--runs": "2"}  # fmt: skip
    args.update(dict(zip(extra[::2], extra[1::2], strict=True)))
    assert main(["optimise", *[x for kv in args.items() for x in kv], "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and not out.exists()


def test_a_problem_checks_its_budget_and_dates(folder):
    with pytest.raises(UserError, match="budget"):
        _problem(folder, budget=0)


def test_the_search_starts_from_the_shipped_mixes(folder, tmp_path):
    problem = _problem(folder)
    push = load_scenario(folder / "push.toml").interventions
    start = menu.encode(problem, push)
    assert start == {"0.magnitude": 1.0, "0.where": "all", "0.start": 12,
                     "1.use": True, "1.where": "all", "1.start": 12}  # fmt: skip
    assert [(lv.type, lv.start, lv.magnitude) for lv in problem.mix(start)] == [
        (lv.type, lv.start, lv.magnitude) for lv in push
    ]
    kw = {"runs": 2, "scale": 0.05, "seed": 1, "progress": False, "workers": 1}
    trace = optimise.search(problem, tmp_path / "c", trials=8, start_with=[start], **kw)
    first = trace.iloc[0]
    assert first["0.magnitude"] == 1.0 and first["1.start"] == 12 and str(first["1.use"]) == "True"
