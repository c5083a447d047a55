"""Decision outcomes: named numbers of a run, household-years gained, their costs."""

import dataclasses

import numpy as np
import pytest

from adoption.calendar import month_range, parse_month
from adoption.ensemble import FORECAST, costs, run_ensemble
from adoption.model.interventions import Intervention
from adoption.model.outcomes import Window, household_years, run_outcomes
from adoption.scenarios.scenario import Scenario

MONTHS = month_range("2025-01", "2030-12")


def _values(any_households, cost=0.0):
    values = np.zeros((len(MONTHS), 1, len(FORECAST)))
    values[:, 0, FORECAST.index("households_any")] = any_households
    values[:, 0, FORECAST.index("cost_vnd")] = cost
    return values


def test_a_constant_gain_over_a_year_is_that_many_household_years():
    window = Window(parse_month("2027-01"), parse_month("2027-12"))
    gained = np.full(len(MONTHS), 120.0)
    assert household_years(gained, MONTHS, window) == pytest.approx(120.0)
    discounted = household_years(gained, MONTHS, dataclasses.replace(window, discount=0.1))
    assert 120 / 1.1 < discounted < 120  # later months count less


def test_a_lever_that_brings_adoption_forward_gains_household_years_without_end_gain():
    """Both reach 1,000 households by 2030, but one two years earlier: the gain is in years."""
    early, late = np.zeros(len(MONTHS)), np.zeros(len(MONTHS))
    early[MONTHS >= parse_month("2026-01")] = 1000
    late[MONTHS >= parse_month("2028-01")] = 1000
    out = run_outcomes(_values(early, cost=2e9), MONTHS, _values(late), place=0)
    assert out["additional_households_any@2030-12"] == 0
    assert out["household_years_any"] == pytest.approx(2000.0)
    assert out["cost_per_household_year_vnd"] == pytest.approx(1e6)
    assert out["households_any@2025-12"] == 0 and "households_any@2030-12" in out


def test_no_gain_is_an_unbounded_cost_per_household_year():
    same = _values(np.full(len(MONTHS), 500.0), cost=1e9)
    out = run_outcomes(same, MONTHS, _values(np.full(len(MONTHS), 500.0)), place=0)
    assert out["household_years_any"] == 0 and np.isinf(out["cost_per_household_year_vnd"])


def test_costs_table_reports_household_years_and_their_cost(tmp_path):
    lever = Intervention(type="subsidise_smartphones", start="2022-01", magnitude=1.0,
                         unit_cost_vnd=5e5)  # fmt: skip
    base = Scenario(path=tmp_path / "b.toml", name="b", districts=["Chợ Đồn"], end="2024-12",
                    seed=2, scale=0.2, runs=4, parameters="defaults")  # fmt: skip
    push = dataclasses.replace(base, name="p", interventions=(lever,))
    a = run_ensemble(push, tmp_path, workers=1, progress=False)
    b = run_ensemble(base, tmp_path, workers=1, progress=False)
    table = costs(a, b, dates=["2024-12"])
    total = table[table["level"] == "total"].set_index("measure")
    years = total.loc["household_years_any"]
    assert years["median"] > 0
    k = FORECAST.index("households_any")
    gained = (a.values[:, :, -1, k] - b.values[:, :, -1, k]).astype(float)
    expected = gained[:, a.months >= parse_month("2022-01")].sum(axis=1) / 12
    assert years["mean"] == pytest.approx(expected.mean(), rel=1e-6)
    c = FORECAST.index("cost_vnd")
    extra_cost = a.values[:, -1, -1, c].astype(float) - b.values[:, -1, -1, c]
    per = total.loc["cost_per_household_year_vnd"]
    assert per["median"] == pytest.approx(np.median(extra_cost / expected), rel=1e-5)


def test_a_discounted_cost_per_household_year_divides_like_by_like():
    months = np.arange(parse_month("2027-01"), parse_month("2030-12") + 1)
    base = np.zeros((len(months), 1, len(FORECAST)))
    more = base.copy()
    more[:, 0, FORECAST.index("households_any")] = 100.0  # 100 more households every month
    more[:, 0, FORECAST.index("cost_vnd")] = 1000.0 * np.arange(1, len(months) + 1)  # 1,000 a month
    plain = run_outcomes(more, months, base, window=Window(months[0], months[-1]))
    assert plain["additional_cost_vnd"] == 48_000
    assert plain["household_years_any"] == pytest.approx(400)
    assert plain["cost_per_household_year_vnd"] == pytest.approx(120)
    discounted = run_outcomes(more, months, base, window=Window(months[0], months[-1], 0.05))
    assert discounted["household_years_any"] < 400
    assert discounted["additional_cost_vnd"] == 48_000  # what is paid
    assert discounted["cost_per_household_year_vnd"] == pytest.approx(120)
