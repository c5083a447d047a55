"""Naive forecasters and the scores of bounds (adoption.calibration.naive, .predictive)."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from adoption.calibration import naive
from adoption.calibration.predictive import score


def _figures(rows):
    columns = ["id", "indicator", "place", "level", "kind", "value", "date_start", "date_end"]
    return pd.DataFrame(rows, columns=columns)


KNOWN = _figures([
    ("a19", "online_service_rate", "A", "district", "point", 0.10, "2019-01", "2019-12"),
    ("a20", "online_service_rate", "A", "district", "point", 0.20, "2020-01", "2020-12"),
    ("a21", "online_service_rate", "A", "district", "point", 0.40, "2021-01", "2021-12"),
    ("b21", "online_service_rate", "B", "province", "point", 0.70, "2021-01", "2021-12"),
    ("c21", "account_rate", "C", "nation", "point", 0.50, "2021-06", "2021-06"),
])  # fmt: skip
LATER = _figures([
    ("a22", "online_service_rate", "A", "district", "point", 0.55, "2022-01", "2022-12"),
    ("z22", "cashless_bill_rate", "Z", "nation", "point", 0.30, "2022-01", "2022-12"),
    ("c23", "account_rate", "D", "commune", "lower_bound", 0.60, "2023-01", "2023-12"),
])  # fmt: skip


def test_persistence_starts_from_the_last_figure_of_the_place_and_spreads_past_changes():
    changes = naive.yearly_changes(KNOWN)
    assert sorted(changes["online_service_rate"]) == pytest.approx([0.1, 0.2])
    draws = naive.persistence(next(LATER.itertuples(index=False)), KNOWN, changes)
    # one year after A's 0.40, moved by a past yearly change (+0.1 to +0.2)
    assert draws.min() >= 0.50 - 1e-9 and draws.max() <= 0.60 + 1e-9


def test_persistence_falls_back_to_the_nearest_level_and_is_empty_without_a_figure():
    figures = list(LATER.itertuples(index=False))
    changes = naive.yearly_changes(KNOWN)
    assert naive.persistence(figures[1], KNOWN, changes).size == 0  # no cashless figure known
    draws = naive.persistence(figures[2], KNOWN, changes)  # account: only C (nation) known
    # 24.5 months after C's 0.50 (window middles); no account change known, so every
    # indicator's yearly changes (+0.1 to +0.2)
    years = 24.5 / 12
    assert draws.size == naive.DRAWS
    assert draws.min() >= 0.5 + 0.1 * years - 1e-9 and draws.max() <= 0.5 + 0.2 * years + 1e-9


def test_the_trend_extrapolates_a_logistic_line_and_needs_two_dates():
    t = np.arange(2015, 2022)
    values = expit(-3 + 0.5 * (t - 2015))
    known = _figures([(f"x{y}", "app_install_rate", "X", "district", "point", v, f"{y}-06",
                       f"{y}-06") for y, v in zip(t, values, strict=True)])  # fmt: skip
    later = _figures([("x24", "app_install_rate", "X", "district", "point", 0.5, "2024-06",
                       "2024-06")])  # fmt: skip
    figure = next(later.itertuples(index=False))
    draws = naive.trend(figure, known, naive.pooled_trend_sd(known))
    assert logit(np.median(draws)) == pytest.approx(-3 + 0.5 * 9, abs=1e-6)
    assert naive.trend(figure, known.iloc[:1], 1.0).size == 0


def test_climatology_is_the_known_figures_of_the_indicator():
    figure = next(LATER.itertuples(index=False))
    draws = naive.climatology(figure, KNOWN)
    assert draws.min() >= 0.10 and draws.max() <= 0.70
    assert naive.climatology(figure, KNOWN.iloc[:1]).size == 0


def test_a_bound_is_scored_one_sided_and_not_by_its_crps():
    bound = next(LATER.iloc[[2]].itertuples(index=False))  # "at least 60 %"
    above = score(bound, np.linspace(0.65, 0.95, 101))
    below = score(bound, np.linspace(0.10, 0.30, 101))
    assert above["interval_score_90"] == pytest.approx(above["width_90"])  # no penalty
    penalty = below["interval_score_90"] - below["width_90"]
    assert penalty == pytest.approx(2 / 0.1 * 100 * (0.60 - np.quantile(
        np.linspace(0.10, 0.30, 101), 0.95)))  # fmt: skip
    assert np.isnan(above["crps"]) and np.isnan(below["crps"])


def test_the_summary_scores_each_forecaster_on_the_figures_it_could_forecast():
    scores = pd.DataFrame([{**f._asdict(), **score(f, np.linspace(0.3, 0.7, 50))}
                           for f in LATER.itertuples(index=False)])  # fmt: skip
    scores["reported"] = LATER["value"]
    table = naive.summary(naive.with_naive(scores, LATER, KNOWN)).set_index("forecaster")
    assert table.loc["model", "points"] == 2 and table.loc["model", "bounds"] == 1
    assert table.loc["persistence", "points"] == 1  # no earlier cashless figure
    assert table.loc["trend", "points"] == 1 and table.loc["climatology", "points"] == 1
    assert table.loc["model", "skill_interval_score_90"] == 0
