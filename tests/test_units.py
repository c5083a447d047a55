"""Reporting in the 2025 units: new communes and provinces summed from the old places (issue 21)."""

import numpy as np
import pandas as pd
import pytest

from adoption import AdoptionModel
from adoption.model.batch import BatchModel
from adoption.model.indicators import FORECAST, TOTAL
from adoption.model.runspec import RunSpec

COUNTS = ("households", "households_any", "households_online", "files_online")


@pytest.fixture(scope="module")
def run():
    model = AdoptionModel(scale=0.05, rng=11, end="2026-12", record="all")
    model.run_model()
    return model


def _last(run) -> pd.DataFrame:
    t = run.tidy()
    return t[t["date"] == t["date"].max()].pivot_table(
        index=["place", "level", "district"], columns="indicator", values="value"
    )


def test_provinces_sum_to_the_total_and_hold_whole_former_districts(run):
    last = _last(run).reset_index()
    provinces = last[last["level"] == "province_2025"].set_index("place")
    districts = last[last["level"] == "district"]
    total = last[last["level"] == "total"].iloc[0]
    assert set(provinces.index) == {"Lào Cai", "Cao Bằng", "Thái Nguyên", "Phú Thọ"}
    for name in (*COUNTS, "cost_vnd", "files_total"):
        assert provinces[name].sum() == pytest.approx(total[name], rel=1e-12)
    # Lào Cai holds Lục Yên and Văn Yên, whole
    both = districts[districts["place"].isin(["Lục Yên", "Văn Yên"])]
    for name in COUNTS:
        assert provinces.loc["Lào Cai", name] == pytest.approx(both[name].sum(), rel=1e-12)


def test_new_communes_sum_to_their_province_where_every_old_commune_is_mapped(run):
    last = _last(run).reset_index()
    new = last[last["level"] == "commune_2025"]
    provinces = last[last["level"] == "province_2025"].set_index("place")
    structure = run.structure
    mapped = run.units.commune_unit >= 0
    for province, rows in new.groupby("district"):
        sums = rows[list(COUNTS)].sum()
        unit = next(u for u in run.units.units if u.name == province)
        districts = {d for _, d in unit.places}
        left = [  # old communes of the province that the crosswalk leaves unmapped
            c
            for c, d in enumerate(structure.commune_district)
            if structure.district_names[d] in districts and not mapped[c]
        ]
        if not left:
            for name in COUNTS:
                assert sums[name] == pytest.approx(provinces.loc[province, name], rel=1e-9)
        else:  # in the province, in no new commune
            assert (sums <= provinces.loc[province, list(COUNTS)] + 1e-6).all()
            missing = provinces.loc[province, "households"] - sums["households"]
            there = sum(structure.commune_size[c] / run.commune_scale[c] for c in left)
            assert missing == pytest.approx(there, rel=1e-9)
    assert new["cost_vnd"].isna().all()  # a former district's desk is not split


def test_a_new_communes_rate_is_its_summed_numerator_over_its_denominator(run):
    last = _last(run)
    new = last.xs("commune_2025", level="level")
    with np.errstate(invalid="ignore"):
        expected = new["files_online"] / new["files_total"]
    assert np.allclose(new["online_service_rate"], expected, equal_nan=True)
    assert np.allclose(new["any_service_rate"], new["households_any"] / new["households"])
    assert new["procedures_online_share"].between(0, 1).all()


def test_units_only_from_the_reform_and_a_batch_run_is_its_single_run():
    spec = RunSpec(scale=0.04, rng=5, end="2026-06", record="forecast")
    alone = AdoptionModel(spec=spec)
    alone.run_model()
    batch = BatchModel([spec.replace(rng=9), spec])
    batch.run_model()
    np.testing.assert_array_equal(batch.traces()[1], alone.trace)
    levels = alone.places["level"].tolist()
    assert levels[-1] == "total" and alone.places["place"].iloc[-1] == TOTAL
    assert "commune_2025" in levels and "province_2025" in levels
    assert not np.isnan(
        alone.trace[:, levels.index("province_2025"), FORECAST.index("households")]
    ).any()


def test_the_forecast_table_has_the_2025_units_from_2025_07(tmp_path):
    from adoption.cli import main

    out = tmp_path / "out"
    args = ["run", "baseline", "--runs", "2", "--scale", "0.04", "--out", str(out)]
    assert main([*args, "--no-figures", "--no-progress"]) == 0
    table = pd.read_csv(out / "forecast.csv", encoding="utf-8-sig")
    units = table[table["level"].isin(["commune_2025", "province_2025"])]
    assert units["date"].min() == "2025-07"
    assert {"Lâm Thượng (2025)", "Lào Cai"} <= set(units["place"])
    last = table[(table["date"] == "2030-12") & (table["indicator"] == "households")]
    provinces = last[last["level"] == "province_2025"]["mean"].sum()
    assert provinces == pytest.approx(last[last["level"] == "total"]["mean"].item(), rel=1e-6)
