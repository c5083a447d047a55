"""The tidy indicator table and how places aggregate."""

import numpy as np

from adoption.model.indicators import INDICATORS, RATES, TOTAL


def test_tidy_columns_and_indicators(small_run):
    table = small_run.tidy()
    assert list(table.columns) == ["date", "place", "level", "district", "indicator", "value"]
    assert set(INDICATORS) == set(table["indicator"])
    assert table["date"].min().strftime("%Y-%m") == "2019-01"
    assert table["date"].nunique() == 144
    levels = {"commune", "district", "total", "commune_2025", "province_2025"}
    assert set(table["level"]) == levels
    new = table[table["level"].str.endswith("_2025")]
    assert new["date"].min().strftime("%Y-%m") == "2025-07"  # the 2025 units once they exist


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
    t = small_run.tidy().pivot_table(
        index=["date", "place", "level", "district"], columns="indicator", values="value"
    )
    for rate, (num, den) in RATES.items():
        ok = t[den] > 0
        assert np.allclose(t.loc[ok, rate], t.loc[ok, num] / t.loc[ok, den]), rate


def test_households_match_the_profiles_in_real_units(small_run):
    real = sum(p.households for p in small_run.profiles)
    reported = small_run.counts["households"][-1]  # a 5 % run reports real households
    assert abs(reported - real) < 0.2 * real  # rounding per village at 5 %
    simulated = small_run.structure.commune_size.sum()
    assert reported == simulated / 0.05


def test_a_single_run_and_a_forecast_report_the_same_units(small_run, tmp_path):
    from adoption.ensemble import FORECAST, extract

    values = extract(small_run)  # what a forecast ensemble keeps of a run
    table = small_run.tidy()
    last = table[(table["date"] == table["date"].max()) & (table["place"] == TOTAL)]
    for k, name in enumerate(FORECAST):
        expected = last.loc[last["indicator"] == name, "value"].item()
        assert np.isclose(values[-1, -1, k], expected, rtol=1e-6, equal_nan=True), name


def test_every_indicator_is_defined_once_with_one_source():
    for name, indicator in INDICATORS.items():
        assert indicator.name == name and indicator.label and indicator.meaning
        if indicator.is_share:
            assert indicator.share_of, name


def test_digital_skills_count_households_at_the_skill_to_file_online(small_run):
    """digital_skill_rate: households with skill >= skill_min (the online-filing gate's skill)."""
    hh, s = small_run.households, small_run.structure
    skilled = hh.skill >= np.float32(small_run.params.skill_min)
    k = list(small_run.places["place"]).index(TOTAL)
    assert np.isclose(small_run.counts["digital_skill_rate"][k], skilled.mean(), rtol=1e-12)
    per_commune = np.add.reduceat(skilled, s.commune_start) / s.commune_size
    np.testing.assert_allclose(small_run.counts["digital_skill_rate"][: s.n_communes], per_commune)
    rate = np.array(small_run.datacollector.model_vars["digital_skill_rate"])[:, k]
    assert rate[0] < 0.9 < rate[-1]  # team visits raise the skill to file online
