"""Behaviour of AdoptionModel that users rely on."""

import csv
import gc
import weakref

import numpy as np
import pandas as pd
import pytest

from adoption import AdoptionModel, Params
from adoption.model.agents import CommunityTeam, OneStopOffice
from adoption.places.profiles import default_profile_path, load_profiles, single_village


def _bass_mean(p, q, n, months, runs):
    """Mean simulated adopted share per month over ``runs`` seeds, and its standard error."""
    shares = np.empty((runs, months))
    params = Params(p_cashless=p, q_cashless=q)
    for seed in range(runs):
        model = AdoptionModel(
            params,
            single_village(n),
            end=f"{2019 + (months - 1) // 12}-{(months - 1) % 12 + 1:02d}",
            heterogeneity=False,
            teams=False,
            offices=False,
            rng=seed,
        )
        model.run_model()
        counts = np.array(model.datacollector.model_vars["households_cashless"])[:, 0]
        shares[seed] = counts / n
        model.release()
    return shares.mean(axis=0), shares.std(axis=0, ddof=1) / np.sqrt(runs)


def _bass_recurrence(p, q, months):
    f, out = 0.0, []
    for _ in range(months):
        f = f + (p + q * f) * (1 - f)
        out.append(f)
    return np.array(out)


@pytest.mark.slow
@pytest.mark.parametrize(
    "p, q, n",
    [(0.01, 0.3, 2000), (0.03, 0.38, 500), (0.002, 0.6, 5000), (0.1, 0.0, 300)],
)
def test_reduces_to_discrete_bass_recurrence(p, q, n):
    months, runs = 48, 60
    mean, se = _bass_mean(p, q, n, months, runs)
    expected = _bass_recurrence(p, q, months)
    tolerance = 2 / n + 4 * se
    worst = np.max(np.abs(mean - expected) - tolerance)
    assert worst <= 0, f"off the Bass recurrence by {worst:.4f} beyond 2/N + 4 s.e."


def test_bass_check_detects_a_wrong_q():
    """The tolerance of the Bass test is tight enough to reject a 10 % error in q."""
    p, q, n, months = 0.01, 0.3, 2000, 48
    mean, se = _bass_mean(p, q, n, months, runs=30)
    wrong = _bass_recurrence(p, q * 1.1, months)
    assert np.max(np.abs(mean - wrong) - (2 / n + 4 * se)) > 0


def test_same_seed_gives_identical_output():
    a = AdoptionModel(scale=0.04, end="2024-12", rng=3)
    b = AdoptionModel(scale=0.04, end="2024-12", rng=3)
    a.run_model()
    b.run_model()
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())


def test_different_seeds_give_different_output():
    a = AdoptionModel(scale=0.04, end="2024-12", rng=3)
    b = AdoptionModel(scale=0.04, end="2024-12", rng=4)
    a.run_model()
    b.run_model()
    assert not a.tidy()["value"].equals(b.tidy()["value"])


def test_runs_whole_calendar(small_run):
    assert small_run.steps == 144
    assert small_run.date == "2030-12"
    assert not small_run.running


def test_rates_within_unit_interval(small_run):
    table = small_run.tidy()
    rates = table[table["indicator"].str.endswith(("_rate", "_share"))]
    values = rates["value"].dropna()
    assert len(values) > 0.9 * len(rates)
    assert values.between(0, 1).all()


def test_nan_rates_only_where_denominator_is_zero(small_run):
    table = (
        small_run.tidy()
        .pivot_table(index=["date", "place"], columns="indicator", values="value", dropna=False)
        .dropna(how="all")
    )  # no rows for the 2025 units before 2025-07
    missing = table["online_service_rate"].isna()
    assert (table.loc[missing, "files_total"] == 0).all()
    assert (table.loc[~missing, "files_total"] > 0).all()


def test_counts_within_their_populations(small_run):
    t = small_run.tidy().pivot_table(index=["date", "place"], columns="indicator", values="value")
    assert (t["files_online"] <= t["files_total"]).all()
    assert (t["files_assisted"] <= t["files_online"]).all()
    assert (t["files_digitised"] <= t["files_total"]).all()
    assert (t["fees_paid_online"] <= t["fee_files"]).all()
    assert (t["fee_files"] <= t["files_total"]).all()
    assert (t["citizens_app"] <= t["citizens"]).all()
    for stock in ["online", "app", "cashless", "verified", "smartphone", "account", "aware"]:
        assert (t[f"households_{stock}"] <= t["households"]).all(), stock
    assert (t.min() >= 0).all()


def test_adoption_never_reverses(small_run):
    table = small_run.tidy()
    total = table[(table["level"] == "total")].pivot(
        index="date", columns="indicator", values="value"
    )
    for stock in [
        "households_online",
        "households_app",
        "households_cashless",
        "households_verified",
        "households_smartphone",
        "households_account",
    ]:
        assert (total[stock].diff().dropna() >= 0).all(), stock


def _adoption_by_month(visits_per_member, seed):
    params = Params(visits_per_member=visits_per_member)
    model = AdoptionModel(params, scale=0.05, end="2026-12", rng=seed)
    model.run_model()
    data = model.datacollector.model_vars
    out = np.stack(
        [
            np.array(data[k])[:, -1]
            for k in ("households_online", "households_app", "households_cashless")
        ]
    )
    model.release()
    return out  # (3 indicators, months) for the five-district total


@pytest.mark.slow
def test_more_team_capacity_never_lowers_expected_adoption():
    seeds = range(8)
    diffs = np.stack([_adoption_by_month(8, s) - _adoption_by_month(4, s) for s in seeds])
    mean = diffs.mean(axis=0)
    se = diffs.std(axis=0, ddof=1) / np.sqrt(len(seeds))
    assert (mean + 4 * se >= 0).all(), "doubling team capacity lowered expected adoption"
    # and the lever matters: by the end, more capacity means more adopters of every service
    assert (mean[:, -1] > 4 * se[:, -1]).all()


def test_teams_and_offices_are_mesa_agents(small_run):
    s = small_run.structure
    teams = small_run.agents_by_type[CommunityTeam]
    offices = small_run.agents_by_type[OneStopOffice]
    assert len(teams) == s.n_villages
    assert len(offices) == s.n_communes + s.n_districts
    team = list(teams)[0]
    assert team.members == pytest.approx(4.8)
    assert team.active
    assert sum(t.visits for t in teams) == small_run.teams.visits.sum()
    assert sum(o.files for o in offices) == small_run.offices.files.sum()


def test_team_agents_control_visits():
    """Setting every team's members to zero through the agents stops all visits."""
    model = AdoptionModel(scale=0.04, end="2023-12", rng=1)
    for team in model.agents_by_type[CommunityTeam]:
        team.members = 0
    model.run_model()
    visits = np.array(model.datacollector.model_vars["team_visits"])[:, -1]
    assert visits.sum() == 0
    assert not model.households.aware.any()


def test_teams_switch_off_visits_entirely():
    model = AdoptionModel(scale=0.04, end="2023-12", teams=False, rng=1)
    model.run_model()
    assert np.array(model.datacollector.model_vars["team_visits"]).sum() == 0


def test_release_lets_the_model_be_collected():
    model = AdoptionModel(scale=0.04, end="2019-06", rng=1)
    model.run_model()
    ref = weakref.ref(model)
    model.release()
    del model
    gc.collect()
    assert ref() is None


def _online_share_2025(scale, seed):
    model = AdoptionModel(scale=scale, end="2025-12", rng=seed)
    model.run_model()
    share = model.counts["households_online"][-1] / model.counts["households"][-1]
    model.release()
    return share


@pytest.mark.slow
def test_scale_keeps_rates_comparable():
    """Runs at 20 % scale have the full-scale total online-filer share, within their spread."""
    small = np.array([_online_share_2025(0.2, seed) for seed in range(6)])
    full = _online_share_2025(1.0, 100)
    # run-to-run variance shrinks like 1/households: a full run has ~0.2x the variance of a 20 % run
    sd = small.std(ddof=1)
    se = np.sqrt(sd**2 / len(small) + 0.2 * sd**2)
    assert abs(small.mean() - full) < 4 * se


def test_rejects_bad_scale():
    with pytest.raises(ValueError, match="scale"):
        AdoptionModel(scale=0)


def test_commune_scale_runs_named_communes_at_their_own_scale():
    model = AdoptionModel(
        scale=0.1, commune_scale={"Lâm Thượng": 1.0}, districts=["Lục Yên"], end="2019-02", rng=1
    )
    lam_thuong = model.profiles[0].communes[0]
    assert model.structure.commune_size[0] == lam_thuong.households
    assert model.structure.commune_size[1] < 0.2 * model.profiles[0].communes[1].households
    with pytest.raises(ValueError, match="unknown communes"):
        AdoptionModel(scale=0.1, commune_scale={"Atlantis": 1.0}, end="2019-02")


def test_release_works_without_mesas_private_agent_ids(monkeypatch):
    """Later Mesa versions have no ``Agent._ids``; release() must not rely on it."""
    import mesa

    model = AdoptionModel(scale=0.04, end="2019-03", rng=1)
    model.run_model()
    monkeypatch.delattr(mesa.Agent, "_ids", raising=False)
    model.release()
    assert len(model.agents) == 0


# -- issue 10: a structure that can meet the data ------------------------------------------------


def _profile_rows():
    with default_profile_path().open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_profile(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _total(model, name):
    """The indicator ``name`` of the five-district total, per month."""
    return np.array(model.datacollector.model_vars[name])[:, -1]


def test_self_filed_and_staff_filed_files_add_up_to_online_files(small_run):
    online, self_, assisted = (
        _total(small_run, n) for n in ("files_online", "files_self", "files_assisted")
    )
    np.testing.assert_allclose(online, self_ + assisted)
    self_rate, online_rate = (
        _total(small_run, "self_file_rate"),
        _total(small_run, "online_service_rate"),
    )
    assert (np.nan_to_num(self_rate) <= np.nan_to_num(online_rate) + 1e-12).all()


def test_self_service_counts_recent_filers_among_ever_filers(small_run):
    recent, ever = _total(small_run, "households_self_12m"), _total(small_run, "households_portal")
    assert (recent <= ever).all() and (np.diff(ever) >= 0).all()
    assert (
        _total(small_run, "self_service_rate") <= _total(small_run, "portal_account_rate")
    ).all()


def test_the_app_can_reach_every_adult_but_never_children():
    """With a fast spread in the household the app passes the old cap of 1.5 users per household."""
    params = Params(app_spread_hazard=0.5, p_app=0.02, q_app=0.3)
    model = AdoptionModel(params, districts=["Yên Lạc"], scale=0.05, end="2030-12", rng=2)
    model.run_model()
    rate = _total(model, "app_install_rate")
    adult_share = model.profiles[0].adult_share
    assert rate.max() > 1.5 / model.profiles[0].household_size  # the old ceiling, 0.39 at 3.86
    assert rate.max() <= adult_share + 1e-9
    np.testing.assert_allclose(
        _total(model, "app_adult_rate"), rate / adult_share, rtol=1e-9, equal_nan=True
    )


def test_shared_phones_let_households_without_one_file_online():
    """Paired runs: shared access never lowers online filers, and raises them."""

    def filers(access):
        model = AdoptionModel(Params(shared_phone_access=access), districts=["Chợ Đồn"],
                              scale=0.2, end="2025-12", rng=5)  # fmt: skip
        model.run_model()
        hh = model.households
        return hh.online.sum(), (hh.online & ~hh.smartphone).sum()

    (none, none_phoneless), (all_, all_phoneless) = filers(0.0), filers(1.0)
    assert none_phoneless == 0  # without shared access only households with a phone file
    assert all_phoneless > 0 and all_ > none


def test_the_supply_shift_moves_assumed_points_only():
    from adoption.calendar import parse_month

    profile = load_profiles(districts=["Trùng Khánh"])[0]
    schedule = profile.online_share
    reported = schedule.months.index(parse_month("2024-06"))  # text 002: > 93 %, not assumed
    assert not schedule.assumed[reported] and schedule.assumed[0]
    months = np.array(schedule.months)
    for shift in (-2.0, 2.0):
        moved = schedule.at(months, shift)
        assert moved[reported] == pytest.approx(schedule.values[reported])
        assert np.sign(moved[0] - schedule.values[0]) == np.sign(shift)


def test_a_dated_campaign_in_the_profile_reaches_its_commune_in_its_month(tmp_path):
    rows = _profile_rows()
    campaign = {"district": "Chợ Đồn", "commune": "Lương Bằng", "key": "campaign_reach"}
    rows.append({**campaign, "date": "2021-05", "value": "0.8", "unit": "", "source": "assumption"})
    path = _write_profile(tmp_path / "p.csv", rows)
    model = AdoptionModel(profile_path=path, districts=["Chợ Đồn"], scale=0.2, end="2021-06", rng=3)
    model.run_model()
    table = model.tidy()
    communes = table[table["level"] == "commune"]
    aware, households = (
        communes[communes["indicator"] == name].pivot(index="date", columns="place", values="value")
        for name in ("households_aware", "households")
    )
    jump = (aware.diff() / households).loc[
        "2021-05-01"
    ]  # share made aware that month (no teams yet)
    assert jump["Lương Bằng"] > 0.3 and jump.drop("Lương Bằng").max() < 0.2
    cost = table[(table["indicator"] == "cost_vnd") & (table["place"] == "Lương Bằng")]
    teams_only = AdoptionModel(districts=["Chợ Đồn"], scale=0.2, end="2021-06", rng=3)
    teams_only.run_model()
    assert (
        cost["value"].iloc[-1]
        == teams_only.counts["cost_vnd"][teams_only.structure.commune_names.index("Lương Bằng")]
    )  # the status quo's campaign costs nothing


@pytest.mark.parametrize("k", [1.0, 4.0])
def test_files_crowd_into_the_procedures_offered_online_first(k, monkeypatch):
    """With staff filing every offered file online, the online files are the offered ones:
    their number matches ``1 - (1 - share) ** k`` of each desk's files, summed over desks and
    months, within four binomial standard deviations."""
    from adoption.model import rules

    months = []  # per month: (files per desk, online files per desk, share per desk, started)

    def spy(hh, offices, step, month, *args, **kwargs):
        counts = real(hh, offices, step, month, *args, **kwargs)
        started = offices.start <= month  # staff file online once the e-desk runs
        share = offices.online_share[step]
        months.append((counts["files_total"], counts["files_online"], share, started))
        return counts

    real = rules.procedures
    monkeypatch.setattr(rules, "procedures", spy)
    model = AdoptionModel(Params(assist_prob=1.0, file_concentration=k), districts=["Yên Lạc"],
                          scale=0.3, end="2024-12", rng=11)  # fmt: skip
    model.run_model()
    online = expected = variance = 0.0
    for files, on, share, started in months:
        p = rules.files_offered(share, k) * started
        online += on.sum()
        expected += (files * p).sum()
        variance += (files * p * (1 - p)).sum()
    assert expected > 1000  # enough files to tell k = 1 from k = 4
    assert abs(online - expected) < 4 * np.sqrt(variance)
    share = months[-1][2]  # the share of files is above the share of procedures when k > 1
    assert (rules.files_offered(share, k) >= share).all()
    if k > 1:
        assert (rules.files_offered(share, k) > share)[(share > 0) & (share < 1)].all()


def test_adults_with_an_account_are_a_share_of_account_households_adults():
    """The measure changes no run: the same accounts, counted per adult. With every adult of
    an account household holding one it equals the household share (one district: the same
    adults per household); with half of them, half of that."""

    def rates(share):
        model = AdoptionModel(Params(account_adult_share=share), districts=["Chợ Đồn"],
                              scale=0.2, end="2022-12", rng=4)  # fmt: skip
        model.run_model()
        return _total(model, "adult_account_rate"), _total(model, "account_rate")

    (adults_all, households_all), (adults_half, households_half) = rates(1.0), rates(0.5)
    np.testing.assert_array_equal(households_all, households_half)
    np.testing.assert_allclose(adults_all, households_all, rtol=1e-12)
    np.testing.assert_allclose(adults_half, 0.5 * adults_all, rtol=1e-12)


@pytest.mark.parametrize("psi", [0.2, 0.7])
def test_a_share_of_online_files_are_fully_online_and_nothing_else_moves(psi):
    """Fully-online files are online files, about ``full_process_share`` of them (within four
    binomial standard deviations over the run), and the share changes no other count: it
    decides with the draw that says whether a file is offered online."""

    def run(share):
        model = AdoptionModel(Params(full_process_share=share), districts=["Yên Lạc"],
                              scale=0.3, end="2024-12", rng=5)  # fmt: skip
        model.run_model()
        return model.datacollector.get_model_vars_dataframe()

    table, other = run(psi), run(0.5)
    full = np.stack(table["files_full"]).sum(axis=0)
    online = np.stack(table["files_online"]).sum(axis=0)
    assert (full <= online).all()
    total = online[-1]  # the whole district, in real files: simulated files / scale
    simulated = total * 0.3
    assert simulated > 2000
    sd = np.sqrt(simulated * psi * (1 - psi)) / 0.3  # binomial, in real files
    assert abs(full[-1] - psi * total) < 4 * sd
    for name in ("files_online", "files_self", "fees_paid_online", "households_online"):
        np.testing.assert_array_equal(np.stack(table[name]), np.stack(other[name]))
