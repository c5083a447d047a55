"""The district profile file: contents, sources and error messages."""

import csv

import pytest

from adoption import AdoptionModel
from adoption.errors import UserError
from adoption.places.profiles import COLUMNS, default_profile_path, load_profiles


def _rows():
    with default_profile_path().open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_five_districts_of_the_source_texts():
    profiles = load_profiles()
    assert [p.name for p in profiles] == ["Lục Yên", "Văn Yên", "Yên Lạc", "Trùng Khánh", "Chợ Đồn"]
    communes = {p.name: len(p.communes) for p in profiles}
    assert communes["Lục Yên"] == 24  # seed 000: 24/24 communes
    assert communes["Trùng Khánh"] == 21  # seed 002: 21/21 communes
    tk = profiles[3]
    assert sum(c.villages for c in tk.communes) == 203  # seed 002: 203 teams, one per village
    assert 130_000 < sum(p.households for p in profiles) < 140_000  # sources.md: ~135k


def test_named_communes_of_the_texts_exist():
    names = {c.name for p in load_profiles() for c in p.communes}
    assert {"Lâm Thượng", "Liên Châu", "Lương Bằng", "Yên Thịnh"} <= names


def test_every_value_has_a_source():
    rows = _rows()
    assert rows and all(r["source"].strip() for r in rows)
    assert set(rows[0]) == set(COLUMNS)


def test_schedule_interpolates_and_holds_flat():
    van_yen = load_profiles(districts=["Văn Yên"])[0]
    schedule = van_yen.online_share
    first, last = schedule.months[0], schedule.months[-1]
    assert schedule.at(first - 5) == pytest.approx(schedule.values[0])
    assert schedule.at(last + 50) == pytest.approx(schedule.values[-1])
    mid = (schedule.months[0] + schedule.months[1]) / 2
    assert schedule.at(mid) == pytest.approx((schedule.values[0] + schedule.values[1]) / 2)


def test_users_own_profile_file_is_used(tmp_path):
    rows = [r for r in _rows() if not (r["key"] == "households" and r["commune"])]  # even split
    for r in rows:
        if r["district"] == "Chợ Đồn" and r["key"] == "households":
            r["value"] = "6000"
    path = _write(tmp_path / "mine.csv", rows)
    model = AdoptionModel(profile_path=path, districts=["Chợ Đồn"], end="2019-03", rng=1)
    assert model.households.n == 6000


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(key="housholds"), "unknown district key"),
        (lambda r: r.update(value="1.7"), "within [0, 1]"),
        (lambda r: r.update(source=""), "source is empty"),
        (lambda r: r.update(value="many"), "expected a number"),
    ],
)
def test_bad_rows_name_file_row_and_problem(tmp_path, change, message):
    rows = _rows()
    target = next(i for i, r in enumerate(rows) if r["key"] == "poor_share")
    change(rows[target])
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as info:
        load_profiles(path)
    text = str(info.value)
    assert str(path) in text and f"row {target + 2}" in text and message in text
    assert "\n" not in text


def test_missing_column_is_reported(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "source"} for r in _rows()]
    path = _write(tmp_path / "nosource.csv", rows)
    with pytest.raises(UserError, match="missing column"):
        load_profiles(path)


def test_missing_required_key_is_reported(tmp_path):
    rows = [r for r in _rows() if not (r["district"] == "Yên Lạc" and r["key"] == "area_km2")]
    path = _write(tmp_path / "nokey.csv", rows)
    with pytest.raises(UserError, match="Yên Lạc: area_km2"):
        load_profiles(path)


def test_unknown_district_is_reported():
    with pytest.raises(UserError, match="'Hà Nội' is not a known district of the file; known"):
        load_profiles(districts=["Hà Nội"])
