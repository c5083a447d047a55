"""How sure is the ranking: probability best, regret, and what flips it (issue 11)."""

import numpy as np
import pandas as pd
import pytest

from adoption.cli import main
from adoption.decisions.ranking import rank_values, thresholds


def test_probability_best_and_regret_from_paired_runs():
    # run r: a gains 10, b gains 12 in runs 0-2 and 8 in run 3
    values = np.array([[0, 0, 0, 0], [10, 10, 10, 10], [12, 12, 12, 8.0]])
    ranking, flips = rank_values(values, ["base", "a", "b"], "household_years_any")
    p = dict(zip(ranking["scenario"], ranking["probability_best"], strict=True))
    assert p == {"base": 0.0, "a": 0.25, "b": 0.75}
    regret = dict(zip(ranking["scenario"], ranking["expected_regret"], strict=True))
    assert regret["b"] == pytest.approx(2 / 4)  # loses 2 in run 3 only
    assert regret["a"] == pytest.approx(2 * 3 / 4)
    assert ranking.loc[ranking["chosen"], "scenario"].item() == "b"  # best mean (11 vs 10)
    assert flips.tolist() == [False, False, False, True]


def test_a_tie_is_a_tie():
    """Two lever-free scenarios gain nothing over each other: neither is best in every run."""
    values = np.zeros((2, 6))
    ranking, flips = rank_values(values, ["baseline", "also baseline"], "household_years_any")
    assert ranking["probability_best"].tolist() == [0.5, 0.5]
    assert not flips.any()  # the choice is among the best in every run
    partly = np.array([[0, 0, 0, 0], [0, 0, 1, -1.0]])
    ranking, _ = rank_values(partly, ["a", "b"], "household_years_any")
    assert ranking["probability_best"].tolist() == [0.5 * 2 / 4 + 1 / 4, 0.5 * 2 / 4 + 1 / 4]


def test_costs_rank_lowest_first():
    values = np.array([[5.0, 5.0], [3.0, 7.0]])
    ranking, _ = rank_values(values, ["x", "y"], "cost_per_household_year_vnd")
    assert ranking["probability_best"].tolist() == [0.5, 0.5]
    assert ranking.loc[ranking["chosen"], "scenario"].item() == "x"  # mean 5 vs 5: first


def test_the_threshold_that_flips_the_ranking_is_found():
    rng = np.random.default_rng(1)
    x, noise = rng.uniform(0, 1, 200), rng.uniform(0, 1, 200)
    flips = x > 0.7
    table = thresholds(pd.DataFrame({"assist_prob": x, "other": noise}), flips, "b")
    top = table.iloc[0]
    assert top["parameter"] == "assist_prob" and top["rule"].startswith("assist_prob > 0.69")
    assert top["youden_j"] == pytest.approx(1.0) and top["coverage"] == 1.0
    assert table.set_index("parameter").loc["other", "youden_j"] < 0.3


def test_compare_ranks_the_scenarios_and_names_a_bad_outcome(tmp_path, capsys):
    head = 'districts = ["Chợ Đồn"]\nend = "2022-12"\nscale = 0.1\nseed = 3\nruns = 4\n'
    lever = ('[[interventions]]\ntype = "extend_coverage"\nstart = "2021-01"\nmagnitude = 1.0\n'
             'unit_cost_vnd = 1000\ncost_source = "assumption"\n')  # fmt: skip
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('name = "a"\n' + head, encoding="utf-8")
    b.write_text('name = "b"\n' + head + lever, encoding="utf-8")
    out = tmp_path / "out"
    args = ["compare", str(a), str(b), "--out", str(out), "--no-progress", "--workers", "1"]
    assert main([*args, "--outcome", "household_years_al"]) == 2
    err = capsys.readouterr().err
    assert "outcome" in err and "household_years_any" in err and err.count("\n") == 1
    assert not out.exists()  # refused before any run
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "ranking on household_years_any over 4 paired runs" in said
    # a lever always adds household-years: the comparison also ranks on what each costs
    assert "ranking on cost_per_household_year_vnd (lower is better)" in said
    assert "a: no household-year gained, nothing to rank" in said
    ranking = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig")
    for _, rows in ranking.groupby("outcome"):
        assert rows["probability_best"].sum() == pytest.approx(1.0)
    assert set(ranking["outcome"]) == {"household_years_any", "cost_per_household_year_vnd"}
    assert (ranking["expected_regret"].dropna() >= 0).all()
    assert (out / "ranking.png").read_bytes()[:4] == b"\x89PNG"
