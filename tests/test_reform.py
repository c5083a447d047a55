"""The places of 2025: the crosswalk, the new units, and scenarios that name them (issue 21)."""

import pytest

from adoption.cli import main
from adoption.errors import UserError
from adoption.places.profiles import load_profiles
from adoption.places.reform import STATUSES, load_crosswalk, units
from adoption.scenarios.scenario import parse_scenario

PROFILES = load_profiles()
PAIRS = [(c.name, p.name) for p in PROFILES for c in p.communes]
LEVER = """name = "s"
districts = ["Lục Yên", "Chợ Đồn", "Trùng Khánh"]

[[interventions]]
type = "train_teams"
start = "2027-01"
magnitude = 0.5
unit_cost_vnd = 1000
cost_source = "assumption"
where = [{where}]
"""


def test_every_commune_of_the_model_is_in_the_crosswalk_with_a_status_and_source():
    rows = load_crosswalk()
    status = {(r["old_commune"], r["old_district"]): r for r in rows}
    assert set(PAIRS) <= set(status)
    assert {r["status"] for r in rows} <= set(STATUSES)
    confirmed = [p for p in PAIRS if status[p]["status"] == "confirmed"]
    assert len(confirmed) >= 100  # a public compilation of the resolutions lists them
    assert all(status[p]["source"].startswith("tanthuan031/vnadministrative") for p in confirmed)


def test_the_new_communes_partition_the_model_and_provinces_hold_whole_districts():
    known = units(PAIRS)
    communes = [u for u in known.values() if u.level == "commune"]
    held = [pair for u in communes for pair in u.places]
    assert len(held) == len(set(held))  # no old commune in two new ones
    unmapped = set(PAIRS) - set(held)
    assert unmapped == {("Hồng Phương", "Yên Lạc")}  # the one the compilation does not list
    provinces = {u.name: {d for _, d in u.places} for u in known.values() if u.level == "province"}
    assert provinces == {"Lào Cai": {"Lục Yên", "Văn Yên"}, "Phú Thọ": {"Yên Lạc"},
                         "Thái Nguyên": {"Chợ Đồn"}, "Cao Bằng": {"Trùng Khánh"}}  # fmt: skip
    households = {(c.name, p.name): c.households for p in PROFILES for c in p.communes}
    for name, districts in provinces.items():  # a province's sum is its districts' sum
        inside = sum(households[pair] for pair in known[name].places)
        assert inside == sum(p.households for p in PROFILES if p.name in districts)
    assert known["Mỏ Vàng (2025)"].partial and not known["Lâm Thượng (2025)"].partial


def test_a_scenario_may_name_a_new_commune_or_province(tmp_path):
    scenario = parse_scenario(LEVER.format(where='"lam thuong (2025)", "Thái Nguyên"'),
                              tmp_path / "s.toml")  # fmt: skip
    where = scenario.interventions[0].where
    assert where == ("Lâm Thượng", "Mai Sơn", "Tân Phượng", "Khánh Thiện", "Chợ Đồn")
    assert any("'lam thuong (2025)' read as the old places it holds" in n for n in scenario.notes)
    old = parse_scenario(LEVER.format(where='"Lâm Thượng"'), tmp_path / "s.toml")
    assert old.interventions[0].where == ("Lâm Thượng",)  # an old name is the old commune
    partial = parse_scenario(LEVER.format(where='"Đồng Phúc (2025)"'), tmp_path / "s.toml")
    assert "Ba Bể" in " ".join(partial.notes) and "not modelled" in " ".join(partial.notes)
    with pytest.raises(UserError, match="not a known district or commune"):
        parse_scenario(LEVER.format(where='"Lâm Thượng (2026)"'), tmp_path / "s.toml")


def test_places_lists_the_2025_units_with_the_crosswalk(capsys):
    assert main(["places", "--2025"]) == 0
    out = capsys.readouterr().out
    assert "106 of the model's 107 communes confirmed" in out
    assert "Lào Cai (province): former districts Lục Yên, Văn Yên" in out
    assert "    Lâm Thượng (2025): Lâm Thượng, Mai Sơn, Tân Phượng, Khánh Thiện" in out


def test_naming_a_district_and_one_of_its_communes_is_said(tmp_path):
    scenario = parse_scenario(LEVER.format(where='"Chợ Đồn", "Bằng Lãng"'), tmp_path / "s.toml")
    assert scenario.interventions[0].where == ("Chợ Đồn", "Bằng Lãng")
    assert any("'Bằng Lãng' is in 'Chợ Đồn', which is named too" in n for n in scenario.notes)


# -- the institutions after the reform: commune service centres, no district desk ----------------


def _tidy(profiles):
    from adoption import AdoptionModel
    from adoption.model.runspec import RunSpec

    spec = RunSpec(profiles=tuple(profiles), scale=0.05, rng=3, record="all", end="2026-06")
    model = AdoptionModel(spec=spec)
    model.run_model()
    return model, model.tidy()


def test_from_july_2025_the_commune_centres_take_every_file_and_nothing_before_changes():
    import dataclasses

    import numpy as np

    chosen = load_profiles(districts=["Chợ Đồn", "Lục Yên"])
    model, reform = _tidy(chosen)
    _, before = _tidy([dataclasses.replace(p, reform=None) for p in chosen])
    earlier = reform["date"] < "2025-07"
    assert np.array_equal(reform[earlier]["value"], before[earlier]["value"], equal_nan=True)

    def files(table, level):
        rows = table[(table["indicator"] == "files_total") & (table["level"] == level)]
        return rows.groupby(rows["date"] >= "2025-07")["value"].sum()

    # a district's files are its communes' plus its own desk's: the desk's share goes to zero
    assert files(before, "district")[True] > files(before, "commune")[True]
    assert files(reform, "district")[True] == files(reform, "commune")[True]
    assert files(reform, "district")[False] > files(reform, "commune")[False]
    offices, nc = model.offices, model.structure.n_communes
    after = model.months >= model.profiles[0].reform
    district_desk = nc + model.structure.commune_district
    for table in (offices.online_share, offices.assist, offices.digitise):
        assert (table[after][:, :nc] >= table[after][:, district_desk]).all()


def test_a_hindcast_cut_off_before_june_2025_knows_no_reform():
    from adoption.places.known import known_by

    assert all(p.reform is None for p in known_by(PROFILES, "2025-05"))
    assert all(p.reform is not None for p in known_by(PROFILES, "2025-06"))


def test_an_office_lever_after_the_reform_pays_for_no_district_desk():
    """From July 2025 a district has no desk and each new commune one centre: equipping "its
    desks" in 2027 pays once per service centre; in 2024 for every desk, the district's too."""
    from adoption import AdoptionModel
    from adoption.model.interventions import Intervention
    from adoption.model.runspec import RunSpec
    from adoption.model.units import build_units

    def paid(start, where=("Chợ Đồn",)):
        lever = Intervention(type="equip_offices", start=start, magnitude=1.0,
                             where=where, unit_cost_vnd=1e6)  # fmt: skip
        spec = RunSpec(districts=("Chợ Đồn",), scale=0.05, rng=1, end="2027-12",
                       interventions=(lever,), record="forecast")  # fmt: skip
        model = AdoptionModel(spec=spec)
        return model.levers.planned_cost.sum(), model.structure

    before, s = paid("2024-01")
    after, _ = paid("2027-01")
    unit = build_units(s).commune_unit
    centres = len(set(unit[unit >= 0])) + (unit < 0).sum()
    assert before == (s.n_communes + 1) * 1e6  # every commune desk and the district desk
    assert centres < s.n_communes  # communes were merged
    assert after == pytest.approx(centres * 1e6)  # one per service centre
    one, _ = paid("2027-01", where=("Nam Cường", "Đồng Lạc", "Xuân Lạc"))  # new Nam Cường
    assert one == pytest.approx(1e6)  # the old communes of one new commune: one centre
    two_of_three, _ = paid("2027-01", where=("Nam Cường", "Đồng Lạc"))
    assert two_of_three == pytest.approx(2e6 / 3)  # desks named in part pay their share
