"""Each intervention type does what docs/model.md says, and nothing before it starts.

Runs are paired: the same seed with and without the lever (common random
numbers), so differences are the lever's effect and not noise.
"""

import numpy as np
import pytest

from adoption import AdoptionModel
from adoption.calendar import parse_month
from adoption.model.interventions import Intervention
from adoption.model.levers import TYPES
from adoption.model.params import Params

DISTRICTS = ["Lục Yên"]
START = "2024-01"


def _run(interventions=(), seed=1, scale=0.25, end="2027-12", params=None):
    model = AdoptionModel(
        params or Params(),
        districts=DISTRICTS,
        end=end,
        scale=scale,
        interventions=list(interventions),
        rng=seed,
    )
    model.run_model()
    return model


def _series(model, indicator, place="Lục Yên"):
    """Monthly values of an indicator at a place."""
    k = list(model.places["place"]).index(place)
    return np.array([row[k] for row in model.datacollector.model_vars[indicator]], dtype=float)


def _lever(kind, magnitude, **kw):
    return Intervention(type=kind, start=kw.pop("start", START), magnitude=magnitude, **kw)


def _before(model):
    return model.months < parse_month(START)


ALL = [
    _lever("train_teams", 1.0, unit_cost_vnd=1e6),
    _lever("add_team_members", 3, unit_cost_vnd=6e4, ramp_months=6),
    _lever("subsidise_smartphones", 1.0, unit_cost_vnd=5e5, ramp_months=12),
    _lever("extend_coverage", 1.0, unit_cost_vnd=1e9),
    _lever("equip_offices", 1.0, unit_cost_vnd=1e8),
    _lever("train_office_staff", 1.0, unit_cost_vnd=2e7),
    _lever("raise_online_procedures", 0.95, unit_cost_vnd=3e7, ramp_months=12),
    _lever("cut_online_fees", 1.0, unit_cost_vnd=2e4),
    _lever("information_campaign", 0.5, unit_cost_vnd=5e3, end="2024-03"),
    _lever("digital_skills_course", 0.4, unit_cost_vnd=3e5, ramp_months=6, where=("Lâm Thượng",)),
]


def test_every_type_is_tested():
    assert {lever.type for lever in ALL} == set(TYPES)


@pytest.fixture(scope="module")
def baseline():
    return _run()


@pytest.mark.parametrize("lever", ALL, ids=lambda lever: lever.type)
def test_nothing_changes_before_the_start(baseline, lever):
    """CRN and timing: every indicator is identical, draw for draw, before the lever starts."""
    model = _run([lever])
    before = _before(model)
    for name, values in model.datacollector.model_vars.items():
        a = np.asarray(values, dtype=float)[before]
        b = np.asarray(baseline.datacollector.model_vars[name], dtype=float)[before]
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_team_levers_raise_visits_and_adoption(baseline):
    after = ~_before(baseline)
    trained = _run([ALL[0]])
    members = _run([ALL[1]])
    # more members: more visits every month once ramped up
    assert (
        _series(members, "team_visits")[after][6:] > _series(baseline, "team_visits")[after][6:]
    ).all()
    for model in (trained, members):
        for indicator in ("households_online", "households_app"):
            gain = _series(model, indicator)[-1] - _series(baseline, indicator)[-1]
            assert gain > 0, indicator


def test_team_training_and_member_costs(baseline):
    trained = _run([ALL[0]])
    members = trained.teams.members.sum()
    extra = _series(trained, "cost_vnd")[-1] - _series(baseline, "cost_vnd")[-1]
    assert extra == pytest.approx(members * 1e6)  # once, per member trained
    added = _run([ALL[1]])
    n_villages = added.structure.n_villages
    ramp = np.clip((np.arange(48) + 1) / 6, 0, 1)  # 2024-01..2027-12, ramp over 6 months
    expected = (ramp * 3 * n_villages * 6e4).sum()
    extra = _series(added, "cost_vnd")[-1] - _series(baseline, "cost_vnd")[-1]
    assert extra == pytest.approx(expected)


def test_smartphone_subsidy_reaches_only_poor_households(baseline):
    model = _run([ALL[2]])
    hh, base = model.households, baseline.households
    np.testing.assert_array_equal(hh.smartphone_due[~hh.poor], base.smartphone_due[~base.poor])
    end = parse_month("2025-01")  # 12-month ramp from 2024-01: everyone chosen has a phone
    assert (hh.smartphone_due[hh.poor] <= end).all()
    given = hh.poor & (base.smartphone_due > hh.smartphone_due)
    per_real = 1 / model.structure.village_scale[hh.village[given]]
    extra = _series(model, "cost_vnd")[-1] - _series(baseline, "cost_vnd")[-1]
    assert extra == pytest.approx(per_real.sum() * 5e5)
    assert (
        _series(model, "households_smartphone")[-1] > _series(baseline, "households_smartphone")[-1]
    )


def test_coverage_extension_connects_uncovered_villages():
    early = _lever("extend_coverage", 1.0, unit_cost_vnd=1e9, start="2019-02")
    base = _run(end="2020-12")
    model = _run([early], end="2020-12")
    uncovered = base._coverage_month > parse_month("2019-02")
    assert uncovered.any(), "the profile should have villages without coverage in 2019"
    assert (model._coverage_month[uncovered] <= parse_month("2019-02")).all()
    extra = _series(model, "cost_vnd")[-1] - _series(base, "cost_vnd")[-1]
    assert extra == pytest.approx(uncovered.sum() * 1e9)


def test_office_levers_raise_digitisation_and_supply(baseline):
    after = ~_before(baseline)
    for lever in ALL[4:6]:
        model = _run([lever])
        assert (model.offices.digitise[after] >= baseline.offices.digitise[after]).all()
        assert (model.offices.digitise[after] > baseline.offices.digitise[after]).any()
    online = _run([ALL[6]])
    share = _series(online, "procedures_online_share")
    ramped = online.months >= parse_month("2024-12")
    assert share[ramped] == pytest.approx(0.95)


def test_fee_cut_raises_online_filing_and_costs_forgone_fees(baseline):
    model = _run([ALL[7]])
    after = ~_before(model)
    online = _series(model, "files_online")[after].sum()
    assert online > _series(baseline, "files_online")[after].sum()
    fee_online = _series(model, "fee_files_online")[after].sum()
    extra = _series(model, "cost_vnd")[-1] - _series(baseline, "cost_vnd")[-1]
    # forgone fees: every online fee file (in real files), whole fee waived (magnitude 1)
    assert extra == pytest.approx(fee_online * 2e4, rel=1e-9)


def test_campaign_reaches_the_named_commune_only(baseline):
    lever = _lever("information_campaign", 0.5, unit_cost_vnd=5e3, end="2024-03",
                   where=("Lâm Thượng",))  # fmt: skip
    model = _run([lever])
    month = list(model.months).index(parse_month("2024-01"))
    for place, changed in (("Lâm Thượng", True), ("Lục Yên", True)):
        aware = _series(model, "households_aware", place)[month]
        assert (aware > _series(baseline, "households_aware", place)[month]) == changed
    others = [c for c in model.structure.commune_names if c != "Lâm Thượng"]
    for commune in others[:5]:
        np.testing.assert_array_equal(
            _series(model, "households_aware", commune)[: month + 1],
            _series(baseline, "households_aware", commune)[: month + 1],
        )
    apps = _series(model, "households_app", "Lâm Thượng")[month]
    assert apps > _series(baseline, "households_app", "Lâm Thượng")[month]


def test_larger_subsidy_reaches_a_superset():
    """Selection uses its own stream: a bigger lever reaches everyone a smaller one does."""
    small = _run([_lever("subsidise_smartphones", 0.3, unit_cost_vnd=0)], end="2024-06")
    large = _run([_lever("subsidise_smartphones", 0.6, unit_cost_vnd=0)], end="2024-06")
    base = _run(end="2024-06")
    got_small = small.households.smartphone_due < base.households.smartphone_due
    got_large = large.households.smartphone_due < base.households.smartphone_due
    assert got_small.sum() > 0 and (got_large[got_small]).all()


def test_a_skills_course_gives_its_households_the_skill_to_file_online(baseline):
    """The reached share, their skill and awareness, the cost per adult, nobody elsewhere."""
    model = _run([ALL[9]])
    hh, base, p = model.households, baseline.households, model.params
    commune = model.structure.commune_names.index("Lâm Thượng")
    here = hh.commune == commune
    done = model.levers.course_month <= model.months[-1]
    assert not done[~here].any()  # only the named commune
    n, m = here.sum(), 0.4
    assert abs(done[here].sum() - m * n) <= 4 * np.sqrt(n * m * (1 - m))  # binomial
    assert (model.levers.course_month[done] <= parse_month("2024-06")).all()  # 6-month ramp
    assert (hh.skill[done] >= np.float32(p.skill_min)).all() and hh.aware[done].all()
    np.testing.assert_array_equal(hh.skill[~here], base.skill[~here])
    per_real = 1 / model.structure.village_scale[hh.village[done]]
    extra = _series(model, "cost_vnd")[-1] - _series(baseline, "cost_vnd")[-1]
    assert extra == pytest.approx(per_real.sum() * 3e5)


def test_a_skills_course_before_the_teams_lets_households_file_online():
    """In 2021 (no team yet) many reached households lacked the skill; the course gives it."""
    course = _lever("digital_skills_course", 0.5, unit_cost_vnd=0, start="2021-01")
    base, model = _run(end="2021-12"), _run([course], end="2021-12")
    floor = np.float32(model.params.skill_min)
    done = model.levers.course_month <= model.months[-1]
    lacked = done & (base.households.skill < floor)
    assert lacked.sum() > 0.2 * done.sum()  # about half start below the threshold
    assert (model.households.skill[lacked] >= floor).all()
    assert _series(model, "households_online")[-1] > _series(base, "households_online")[-1]
