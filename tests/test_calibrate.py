"""Calibration: statistics, the noise model, the posterior summary and a recovery check."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

pytest.importorskip("pyabc")

from adoption import AdoptionModel  # noqa: E402
from adoption.calibration import (
    ParameterSpace,
    Posterior,
    Settings,
    Simulator,
    calibrate,
    log_likelihood,
    max_log_likelihood,
    observation_sd,
    report_months,
    statistics,
    synthetic_targets,
)
from adoption.calibration.report import IDENTIFIED  # noqa: E402
from adoption.calibration.smc import _ess_log, _next_beta  # noqa: E402
from adoption.calibration.targets import Prior, load_priors, load_targets  # noqa: E402
from adoption.errors import UserError  # noqa: E402

TARGETS = load_targets(role="target")


@pytest.fixture(scope="module")
def run():
    model = AdoptionModel(
        districts=["Lục Yên", "Yên Lạc", "Trùng Khánh"],
        scale=0.05,
        commune_scale={"Lâm Thượng": 1.0, "Liên Châu": 1.0},
        end="2025-06",
        rng=4,
    )
    model.run_model()
    return model


def test_file_rates_are_twelve_month_ratios(run):
    stats = statistics(run, TARGETS)
    target = TARGETS.set_index("id").loc["lam_thuong_online_service"]
    table = run.tidy()
    rows = table[(table["place"] == "Lâm Thượng")].pivot(
        index="date", columns="indicator", values="value"
    )
    last = pd.Timestamp(f"{target['date_end']}-01")
    year = rows.loc[last - pd.DateOffset(months=11) : last]
    assert len(year) == 12
    expected = year["files_online"].sum() / year["files_total"].sum()
    assert stats["lam_thuong_online_service"][-1] == pytest.approx(expected)
    assert stats["lam_thuong_online_service/n"][-1] == year["files_total"].sum()  # full scale


def test_may_target_uses_mays_only():
    row = TARGETS.set_index("id").loc["lam_thuong_app_install_may"].to_dict()
    assert all(m % 12 == 4 for m in report_months(row))  # month index 4 = May


def test_counts_are_the_models_real_counts(run):
    stats = statistics(run, TARGETS)
    target = TARGETS.set_index("id").loc["trung_khanh_cashless_bills"]
    table = run.tidy()
    collected = table[
        (table["place"] == "Trùng Khánh")
        & (table["level"] == "district")  # the district, not its town of the same name
        & (table["indicator"] == "households")
        & (table["date"] == pd.Timestamp(f"{target['date_start']}-01"))
    ]["value"].item()
    assert stats["trung_khanh_cashless_bills/n"][0] == collected  # already in real units
    households = next(p for p in run.profiles if p.name == "Trùng Khánh").households
    assert stats["trung_khanh_cashless_bills/n"][0] == pytest.approx(households, rel=0.05)


def test_observation_sd_is_the_noise_models_sd():
    s, n = np.array([0.2, 0.5, 0.0, np.nan]), np.array([100.0, 0.5, 100.0, 10.0])
    sd = observation_sd(s, n, 0.3, 0.02, 0.5)
    report = 0.02 / (0.3 * 0.7)  # the reporting error, on the logit scale at the figure
    assert sd[0] == pytest.approx(np.sqrt(report**2 + 1 / (100 * 0.2 * 0.8) + 0.25))
    assert sd[1] == pytest.approx(np.sqrt(report**2 + 1 / (1 * 0.25) + 0.25))  # n < 1: one
    assert np.isfinite(sd[2])  # a model rate of 0 is clipped, not infinite
    assert np.isnan(sd[3])
    assert observation_sd(0.2, 100.0, 0.3, 0.02, 0.5) == sd[0]  # scalars as callers pass them


def test_the_offset_and_discrepancy_of_a_figure_follow_its_level_and_family():
    from adoption.calibration.noise import observation_draws
    from adoption.calibration.observations import fit_figures

    figures = fit_figures()
    papi = figures[figures["id"] == "papi_ncsp_use_2022"]
    key, y = "papi_ncsp_use_2022", papi["value"].item()
    assert papi["definition_sd"].item() == 0.4  # "unit": any use of the portal, not filing

    def ll(s, **parameters):
        sim = {key: np.array([s]), f"{key}/n": np.array([1e5])}
        draws = observation_draws({"obs_sd_wide": 0.3, **parameters})
        return log_likelihood(sim, papi, Settings().reporting_sd, draws)[0]

    assert ll(y) > ll(4 * y)  # with no offset the reported value is the most likely
    # a national figure above the districts by the offset: the model at y / 2 fits best
    below = logit(y) - logit(y / 2)
    assert ll(y / 2, obs_offset_nation=below) > ll(y, obs_offset_nation=below)
    assert ll(4 * y, obs_sd_wide=1.0) > ll(4 * y)  # discrepancy tolerates more
    # the filing family's term widens a filing figure's discrepancy, another family's does not
    assert ll(4 * y, obs_family_filing=1.0) > ll(4 * y)
    assert ll(4 * y, obs_family_cashless=1.0) == ll(4 * y)
    assert ll(4 * y, obs_sd_local=1.0) == ll(4 * y)  # a national figure is not local


def test_a_national_share_of_files_has_its_own_offset():
    """Rule 4: national file statistics (every agency's files) and national shares of people
    are read through separate offsets; a province's figure through the province's."""
    from adoption.calibration.noise import observation_draws
    from adoption.calibration.observations import fit_figures

    figures = fit_figures().set_index("id")
    cases = {  # figure -> the offset that moves it
        "nat_online_records_2024": "obs_offset_nation_files",  # files, the nation
        "papi_ncsp_use_2022": "obs_offset_nation",  # adults, the nation
        "evnnpc_cashless_2024may": "obs_offset_nation",  # households, the region
        "vp_online_2024": "obs_offset_province",  # files, a province
    }
    names = set(cases.values())
    for key, moving in cases.items():
        figure = figures.loc[[key]].reset_index()
        y = figure["value"].item()

        def ll(name, figure=figure, key=key, y=y):
            sim = {key: np.array([y]), f"{key}/n": np.array([1e5])}
            draws = observation_draws({"obs_sd_wide": 0.3, name: 1.0})
            return log_likelihood(sim, figure, Settings().reporting_sd, draws)[0]

        base = ll("obs_sd_local")  # a parameter no wide figure reads: no offset
        assert ll(moving) < base, (key, moving)  # an offset away from the model's value
        for other in names - {moving}:
            assert ll(other) == base, (key, other)


def test_the_likelihood_integrates_the_observation_parameters_out():
    """The mean over draws: a draw that fits better is picked more often."""
    from adoption.calibration.noise import integrated

    loglik = np.log(np.array([0.1, 0.3, 0.6]))
    value, _ = integrated(loglik, np.random.default_rng(0))
    assert value == pytest.approx(np.log(1 / 3))
    picks = [integrated(loglik, np.random.default_rng(k))[1] for k in range(3000)]
    counts = np.bincount(picks, minlength=3) / 3000
    assert counts == pytest.approx([0.1, 0.3, 0.6], abs=4 * np.sqrt(0.25 / 3000))
    assert integrated(np.full(3, -np.inf), np.random.default_rng(0))[0] == -np.inf


def _exact() -> dict:
    """The observation model with no discrepancy: reporting and sampling error only."""
    from adoption.calibration.noise import observation_draws

    return observation_draws({"obs_sd_local": 0.0, "obs_sd_wide": 0.0})


def test_noise_model_prefers_the_reported_value():
    target = TARGETS.iloc[[0]]
    y = target["value"].item()
    sim = {target["id"].item(): np.array([y]), f"{target['id'].item()}/n": np.array([500.0])}
    near = log_likelihood(sim, target, Settings().reporting_sd, _exact())
    sim[target["id"].item()] = np.array([y + 0.2])
    far = log_likelihood(sim, target, Settings().reporting_sd, _exact())
    assert near > far + 10
    assert near <= max_log_likelihood(target, Settings().reporting_sd)


def test_lower_bound_is_one_sided():
    target = TARGETS[TARGETS["kind"] == "lower_bound"].iloc[[0]]
    key, bound = target["id"].item(), target["value"].item()
    sd = Settings().reporting_sd

    def ll(s):
        sim = {key: np.array([s]), f"{key}/n": np.array([1e4])}
        return log_likelihood(sim, target, sd, _exact())

    assert ll(bound + 0.2) == pytest.approx(0, abs=1e-6)
    assert ll(bound + 0.2) == pytest.approx(ll(bound + 0.4), abs=1e-6)
    assert ll(bound - 0.1) < -5


def test_likelihood_never_exceeds_its_bound(run):
    stats = statistics(run, TARGETS)
    sd = Settings().reporting_sd
    assert log_likelihood(stats, TARGETS, sd) <= max_log_likelihood(TARGETS, sd)


def test_contraction_is_zero_for_the_prior_and_near_one_for_a_point():
    prior = Prior("q_online", "uniform", (0.0, 0.1))
    rng = np.random.default_rng(0)
    draws = pd.DataFrame({"q_online": rng.uniform(0, 0.1, 4000)})
    flat = Posterior(draws, np.full(4000, 1 / 4000), pd.DataFrame(), Settings(), "")
    c = flat.summary({"q_online": prior})["contraction"].item()
    assert abs(c) < 0.1  # s.e. of a sample variance ratio at n = 4000 is ~0.02
    narrow = Posterior(
        pd.DataFrame({"q_online": rng.normal(0.05, 0.001, 4000)}),
        np.full(4000, 1 / 4000),
        pd.DataFrame(),
        Settings(),
        "",
    )
    assert narrow.summary({"q_online": prior})["contraction"].item() > 0.99


@pytest.mark.slow
def test_recovers_a_known_truth(tmp_path):
    """Synthetic targets from known parameters: the posterior covers them.

    ``digitise_max`` is pinned by the digitisation figure, so its posterior must contract;
    ``q_cashless`` is only weakly informed by one cashless figure of unknown month, so only
    coverage is required of it (the calibration report says which parameters are identified).
    """
    targets = TARGETS[TARGETS["place"] == "Trùng Khánh"].reset_index(drop=True)
    priors = {k: v for k, v in load_priors().items() if k in ("q_cashless", "digitise_max")}
    settings = Settings(
        population_size=60,
        max_generations=4,
        scale=0.1,
        district_target_scale=0.1,  # synthetic data and fit at the same scale: fast
        workers=1,
        seed=5,
    )
    truth = {"q_cashless": 0.03, "digitise_max": 0.6}
    synthetic = synthetic_targets(targets, truth, settings, seed=11)
    posterior = calibrate(synthetic, priors, settings, db=tmp_path / "r.db", progress=False)
    summary = posterior.summary(priors).set_index("parameter")
    for name, value in truth.items():
        assert summary.loc[name, "q05"] <= value <= summary.loc[name, "q95"], name
    assert summary.loc["digitise_max", "contraction"] >= IDENTIFIED


def test_simulator_is_picklable():
    import pickle

    simulator = Simulator(TARGETS, Settings(scale=0.05))
    clone = pickle.loads(pickle.dumps(simulator))
    assert clone.districts == ["Lục Yên", "Yên Lạc", "Trùng Khánh"]
    assert clone.end == "2025-06"


def test_parameter_space_maps_the_logistic_onto_each_prior():
    from scipy import stats

    priors = load_priors()
    space = ParameterSpace(priors)
    z = np.random.default_rng(1).logistic(size=(4000, len(priors)))
    natural = space.natural_frame(z)
    for name, prior in priors.items():
        low, high = prior.bounds
        assert natural[name].between(low, high).all(), name
        assert stats.kstest(natural[name], prior.frozen().cdf).pvalue > 0.001, name
    assert space.natural(z[0]) == pytest.approx(natural.iloc[0].to_dict())
    assert np.exp(space.log_prior(np.zeros((1, 2)))) == pytest.approx(1 / 16)  # 1/4 per axis


def test_tempering_step_keeps_the_target_ess():
    loglik = np.random.default_rng(2).normal(-20, 8, size=200)
    beta = _next_beta(loglik, 0.1, 100)
    assert 0.1 < beta < 1
    assert _ess_log((beta - 0.1) * loglik) == pytest.approx(100, rel=0.01)
    assert _next_beta(np.zeros(50), 0.3, 25) == 1.0  # a flat likelihood: straight to 1


@pytest.mark.slow
def test_smc_resume_continues_the_same_run(tmp_path):
    """A run resumed from an earlier generation ends with the uninterrupted run's particles."""
    import sqlite3

    targets = TARGETS[TARGETS["place"] == "Trùng Khánh"].reset_index(drop=True)
    priors = {k: v for k, v in load_priors().items() if k in ("q_cashless", "digitise_max")}
    settings = Settings(
        population_size=20,
        max_generations=4,
        moves=2,
        scale=0.1,
        district_target_scale=0.1,
        workers=1,
        seed=3,
    )
    db = tmp_path / "r.db"
    whole = calibrate(targets, priors, settings, db=db, progress=False)
    assert whole.generations["beta"].iloc[-1] == 1.0
    with sqlite3.connect(db) as connection:  # as if interrupted after generation 1
        connection.execute("DELETE FROM smc_stages WHERE t > 1")
    resumed = calibrate(targets, priors, settings, db=db, resume=True, progress=False)
    pd.testing.assert_frame_equal(resumed.particles, whole.particles)
    assert len(resumed.generations) == len(whole.generations)
    other = dataclasses.replace(settings, population_size=30)  # resumed with another size
    with pytest.raises(UserError, match="has 20 particles: resume it with that --population"):
        calibrate(targets, priors, other, db=db, resume=True, progress=False)


def test_a_degenerate_posterior_says_so_and_identifies_nothing(tmp_path, capsys, monkeypatch):
    from adoption import calibration
    from adoption.calibration import save_posterior
    from adoption.cli import main

    priors = load_priors()
    names = list(priors)
    one = {n: np.mean(priors[n].bounds) for n in names}
    particles = pd.DataFrame([one] * 150)  # every particle the same: ESS 1
    generations = pd.DataFrame({"t": [0, 1], "ess": [150.0, 1.0]})
    degenerate = Posterior(particles, np.full(150, 1 / 150), generations, Settings(), "db")
    assert "degenerate posterior" in degenerate.warning()
    summary = degenerate.summary(priors)
    assert (summary["contraction"] > 0.99).all()  # what a naive summary would call identified
    assert not summary["identified"].any() and summary["contraction_se"].isna().all()
    save_posterior(degenerate, priors, tmp_path)
    record = (tmp_path / "calibration.toml").read_text(encoding="utf-8")
    assert 'warning = "degenerate posterior' in record and "final_ess = 1.0" in record

    monkeypatch.setattr(calibration, "calibrate", lambda *a, **k: degenerate)
    assert main(["calibrate", "--out", str(tmp_path / "cli")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("adoption: warning: degenerate posterior")
    # replacing (shipped) results: a degenerate posterior is never written
    assert main(["calibrate", "--out", str(tmp_path / "again"), "--replace"]) == 1
    assert "not written over" in capsys.readouterr().err
    assert not (tmp_path / "again" / "posterior.csv").exists()

    from adoption.calibration.report import _page

    page = _page(
        pd.DataFrame({"id": [], "z": [], "inside_50": [], "inside_90": []}),
        summary,
        generations.assign(samples=1, wall_time=1.0, epsilon=1.0),
        Settings(),
        TARGETS,
        10,
        degenerate.warning(),
    )
    assert "> **Warning: degenerate posterior" in page
    assert "Identified (contraction ≥ 0.3): none" in page


def test_a_healthy_posterior_has_no_warning():
    prior = Prior("q_online", "uniform", (0.0, 0.1))
    draws = pd.DataFrame({"q_online": np.random.default_rng(0).normal(0.05, 0.001, 150)})
    generations = pd.DataFrame({"t": [0, 1], "ess": [150.0, 128.0]})
    healthy = Posterior(draws, np.full(150, 1 / 150), generations, Settings(), "")
    assert healthy.warning() is None
    assert healthy.summary({"q_online": prior})["identified"].item()


@pytest.mark.parametrize("known_by", [None, "2022-12"])
def test_the_report_reads_back_the_settings_a_calibration_wrote(tmp_path, known_by):
    """A full calibration (known_by None) and a hindcast's: calibration.toml round-trips."""
    from adoption.calibration.report import _settings
    from adoption.calibration.result import save_posterior

    settings = Settings(workers=1, known_by=known_by)
    particles = pd.DataFrame({"q_online": [0.02, 0.03]})
    generations = pd.DataFrame({"t": [0], "ess": [2.0]})
    posterior = Posterior(particles, np.full(2, 0.5), generations, settings, "db")
    save_posterior(posterior, {"q_online": Prior("q_online", "uniform", (0.0, 0.1))}, tmp_path)
    assert _settings(tmp_path / "calibration.toml") == settings
