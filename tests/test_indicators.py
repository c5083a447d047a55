"""The tidy indicator table and how places aggregate."""

import numpy as np

from adoption.indicators import COUNTS, RATES, TOTAL


def test_tidy_columns_and_indicators(small_run):
    table = small_run.tidy()
    assert list(table.columns) == ["date", "place", "level", "district", "indicator", "value"]
    assert set(RATES) | set(COUNTS) | {"procedures_online_share"} == set(table["indicator"])
    assert table["date"].min().strftime("%Y-%m") == "2019-01"
    assert table["date"].nunique() == 144
    assert set(table["level"]) == {"commune", "district", "total"}


def test_places_add_up(small_run):
    t = small_run.tidy()
    last = t[t["date"] == t["date"].max()]
    for indicator in ("households", "households_app", "files_total", "cost_vnd"):
        rows = last[last["indicator"] == indicator]
        districts = rows[rows["level"] == "district"].set_index("place")["value"]
        assert rows.loc[rows["place"] == TOTAL, "value"].item() == districts.sum()
        communes = rows[rows["level"] == "commune"].groupby("district")["value"].sum()
        if indicator == "files_total":  # districts add their own desk's files
            assert (districts >= communes.reindex(districts.index)).all()
        else:
            assert np.allclose(districts, communes.reindex(districts.index))


def test_rates_are_ratios_of_reported_counts(small_run):
    t = small_run.tidy().pivot_table(index=["date", "place"], columns="indicator", values="value")
    for rate, (num, den) in RATES.items():
        ok = t[den] > 0
        assert np.allclose(t.loc[ok, rate], t.loc[ok, num] / t.loc[ok, den]), rate


def test_households_match_the_profiles(small_run):
    real = sum(p.households for p in small_run.profiles)
    simulated = small_run.counts["households"][-1]
    assert abs(simulated - 0.05 * real) < 0.01 * real  # rounding per village
