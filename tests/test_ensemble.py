"""Forecast ensembles: common random numbers, worker invariance, resuming, summaries."""

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from adoption.ensemble import (
    FORECAST,
    QUANTILES,
    costs,
    differences,
    plan,
    quantiles,
    run_ensemble,
    summarise,
)
from adoption.ensemble import run as ensemble
from adoption.model.interventions import Intervention
from adoption.scenarios.scenario import Scenario


def _scenario(tmp_path, runs=4, interventions=(), seed=11, name="s", end="2023-12"):
    return Scenario(
        path=tmp_path / f"{name}.toml",
        name=name,
        districts=["Chợ Đồn"],
        start="2019-01",
        end=end,
        seed=seed,
        scale=0.1,
        runs=runs,
        interventions=tuple(interventions),
    )


MEMBERS = Intervention(
    type="add_team_members", start="2022-06", magnitude=2, unit_cost_vnd=6e4, ramp_months=1
)


def test_quantiles_match_numpy_and_ignore_nan():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(37, 5, 4))
    values[rng.random(values.shape) < 0.2] = np.nan
    values[:, 0, 0] = np.nan  # a cell with no value at all
    got = quantiles(values)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        for name, q in QUANTILES.items():
            np.testing.assert_allclose(got[name], np.nanquantile(values, q, axis=0))
        np.testing.assert_allclose(got["mean"], np.nanmean(values, axis=0))


def test_scenarios_with_the_same_seed_share_draws_and_seeds(tmp_path):
    a = plan(_scenario(tmp_path, runs=6))
    b = plan(_scenario(tmp_path, runs=6, interventions=[MEMBERS]))
    assert [t.seed for t in a] == [t.seed for t in b]
    assert [t.draw for t in a] == [t.draw for t in b]
    assert len({t.seed for t in a}) == 6  # every run its own seed
    c = plan(_scenario(tmp_path, runs=6, seed=12))
    assert [t.seed for t in a] != [t.seed for t in c]


def test_results_do_not_depend_on_the_number_of_workers(tmp_path):
    scenario = _scenario(tmp_path)
    one = run_ensemble(scenario, tmp_path / "one", workers=1, progress=False)
    two = run_ensemble(scenario, tmp_path / "two", workers=2, progress=False)
    np.testing.assert_array_equal(one.values, two.values)
    assert one.values.shape[0] == 4 and np.isfinite(one.values[:, -1, -1]).all()


def test_an_interrupted_ensemble_keeps_its_runs_and_resumes(tmp_path, monkeypatch):
    """Runs go in batches; an interrupt keeps every finished batch's runs, nothing half-written."""
    scenario = _scenario(tmp_path, runs=6)
    fresh = run_ensemble(scenario, tmp_path / "fresh", workers=1, progress=False)
    real_batch = ensemble.run_batch
    calls = []

    def interrupted(tasks):
        calls.append([t.index for t in tasks])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_batch(tasks)

    monkeypatch.setattr(ensemble, "batch_runs", lambda households, runs, workers: 2)
    monkeypatch.setattr(ensemble, "run_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(scenario, tmp_path / "cache", workers=1, progress=False)
    assert calls == [[0, 1], [2, 3], [4, 5]]
    folder = next((tmp_path / "cache").iterdir())
    kept = sorted(p.name for p in folder.glob("run_*.npy"))
    assert kept == [f"run_{i:05d}.npy" for i in range(4)]
    assert not list(folder.glob(".*part"))  # nothing half-written
    monkeypatch.setattr(ensemble, "run_batch", real_batch)
    resumed = run_ensemble(scenario, tmp_path / "cache", workers=1, progress=False)
    np.testing.assert_array_equal(resumed.values, fresh.values)


def test_a_batched_ensemble_is_the_ensemble_of_single_runs(tmp_path, monkeypatch):
    scenario = _scenario(tmp_path, runs=5)
    batched = run_ensemble(scenario, tmp_path / "batched", workers=1, progress=False)
    monkeypatch.setattr(ensemble, "batch_runs", lambda households, runs, workers: 1)
    single = run_ensemble(scenario, tmp_path / "single", workers=1, progress=False)
    assert np.array_equal(batched.values, single.values, equal_nan=True)


@pytest.mark.slow
def test_paired_difference_of_added_team_capacity(tmp_path):
    """Adding team members never lowers adoption in expectation, and pairing removes the noise.

    30 runs, each its own posterior draw and seed. Expectation: the mean paired
    difference in online filers plus 3 standard errors is >= 0 every month.
    Spread: the paired differences' s.d. is under half that of unpaired ones
    (run r of one scenario against run r+1 of the other); with 30 runs an s.d.
    is known to about +-13 %, so the bound fails only if pairing does not work.
    """
    runs = 30
    base = run_ensemble(_scenario(tmp_path, runs=runs), tmp_path, workers=2, progress=False)
    more = run_ensemble(
        _scenario(tmp_path, runs=runs, interventions=[MEMBERS], name="more"),
        tmp_path,
        workers=2,
        progress=False,
    )
    k, total = FORECAST.index("households_online"), -1
    a, b = more.values[:, :, total, k], base.values[:, :, total, k]
    paired = a - b
    mean, se = paired.mean(axis=0), paired.std(axis=0, ddof=1) / np.sqrt(runs)
    assert (mean + 3 * se >= 0).all()
    assert mean[-1] > 3 * se[-1]  # and it helps by the end
    unpaired = a - np.roll(b, 1, axis=0)
    assert paired[:, -1].std(ddof=1) < 0.5 * unpaired[:, -1].std(ddof=1)
    before = more.months < 2022 * 12 + 5  # month index of 2022-06
    assert (paired[:, before] == 0).all()  # identical runs before the lever starts
    table = differences(more, base)
    last = table[(table["indicator"] == "households_online") & (table["level"] == "total")]
    assert last["median"].iloc[-1] == pytest.approx(np.median(paired[:, -1]))  # real households


def test_costs_per_additional_household_are_unbounded_without_gain(tmp_path):
    base = run_ensemble(_scenario(tmp_path, runs=3), tmp_path, workers=1, progress=False)
    costly = Intervention(
        type="train_office_staff", start="2023-01", magnitude=0.5, unit_cost_vnd=1e6
    )
    office = run_ensemble(
        _scenario(tmp_path, runs=3, interventions=[costly], name="office"),
        tmp_path,
        workers=1,
        progress=False,
    )
    table = costs(office, base, dates=["2023-12"])
    total = table[table["level"] == "total"].set_index("measure")
    n_desks = base.places["level"].isin(["commune", "district"]).sum()  # every desk
    # runs are stored as float32: the difference of two cumulative costs is exact to
    # one float32 spacing of each
    ulp = np.spacing(np.float32(total.loc["cost_vnd", "median"]))
    assert total.loc["additional_cost_vnd", "median"] == pytest.approx(
        n_desks * 1e6, abs=2 * float(ulp)
    )
    assert total.loc["additional_households_any", "median"] == 0
    assert np.isnan(total.loc["cost_per_additional_household_vnd", "median"])


def test_unpaired_ensembles_are_refused(tmp_path):
    a = run_ensemble(_scenario(tmp_path, runs=2), tmp_path, workers=1, progress=False)
    other = dataclasses.replace(_scenario(tmp_path, runs=2, seed=99), name="other")
    b = run_ensemble(other, tmp_path, workers=1, progress=False)
    with pytest.raises(ValueError, match="not paired"):
        differences(a, b)


@pytest.mark.slow
def test_dask_cluster_gives_the_same_runs(tmp_path):
    distributed = pytest.importorskip("distributed")
    scenario = _scenario(tmp_path, runs=3)
    local = run_ensemble(scenario, tmp_path / "local", workers=1, progress=False)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run_ensemble(
            scenario, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False
        )
    np.testing.assert_array_equal(local.values, remote.values)


def test_scenario_params_override_the_posterior_draws(tmp_path):
    posterior = pd.DataFrame({"q_online": [0.01, 0.04], "weight": [0.5, 0.5]})
    scenario = dataclasses.replace(
        _scenario(tmp_path, runs=6), parameters="posterior", overrides={"q_online": 0.05}
    )
    tasks = plan(scenario, posterior)
    assert {t.params["q_online"] for t in tasks} == {0.05}
    drawn = {
        t.params["q_online"] for t in plan(dataclasses.replace(scenario, overrides={}), posterior)
    }
    assert drawn <= {0.01, 0.04} and len(drawn) == 2  # 6 draws of two equal-weight particles


def test_the_observation_band_adds_reporting_error_and_discrepancy(tmp_path):
    """Reports scatter around the model by the reporting error (2 points) and the discrepancy."""
    bands = {}
    for discrepancy in (0.0, 1.0):
        scenario = dataclasses.replace(
            _scenario(tmp_path, runs=6, name=f"d{discrepancy}"),
            parameters="defaults",
            overrides={"obs_sd_local": discrepancy},
        )
        table = summarise(run_ensemble(scenario, tmp_path, workers=1, progress=False))
        rows = table[(table["indicator"] == "cashless_bill_rate") & (table["level"] == "district")]
        late = rows[rows["date"] >= "2023-01-01"]
        assert (late["obs_q05"] <= late["median"]).all() and (
            late["obs_q95"] >= late["median"]
        ).all()
        bands[discrepancy] = float((late["obs_q95"] - late["obs_q05"]).mean())
        communes = table[table["level"] == "commune"]
        assert communes["obs_q05"].isna().all()
        assert table.loc[table["indicator"] == "households", "obs_q05"].isna().all()
    assert bands[0.0] > 0.8 * 2 * 1.645 * 0.02  # at least the reporting error of 2 points
    assert bands[1.0] > 2 * bands[0.0]


def test_light_recording_keeps_exactly_the_forecast_values():
    """Many-run tools record only the forecast indicators; the numbers are the same."""
    from adoption import AdoptionModel
    from adoption.ensemble import extract

    full = AdoptionModel(districts=["Chợ Đồn"], scale=0.1, end="2022-12", rng=4)
    full.run_model()
    light = AdoptionModel(districts=["Chợ Đồn"], scale=0.1, end="2022-12", rng=4, record="forecast")
    light.run_model()
    np.testing.assert_array_equal(extract(full), extract(light))
    assert not light.datacollector.model_vars  # nothing else was collected


def test_the_observation_band_is_numpys_nanquantile_of_the_same_draws(tmp_path, monkeypatch):
    """The band's quantiles (sorted once, NaN last) equal np.nanquantile of the same reports."""
    from adoption.ensemble import observed

    ensemble = run_ensemble(_scenario(tmp_path, runs=4), tmp_path, workers=1, progress=False)
    ensemble.values[1, :3] = np.nan  # a run that lacks some months
    got = observed.observation_quantiles(ensemble)
    calls = []
    real = np.sort

    def keep(a, axis=-1, **kw):  # record the reports as the function sorts them
        calls.append(a.copy())
        return real(a, axis=axis, **kw)

    monkeypatch.setattr(observed.np, "sort", keep)
    observed.observation_quantiles(ensemble)
    k = 0
    for i, name in enumerate(observed.FORECAST):
        if not observed.INDICATORS[name].is_share:
            continue
        places = observed.band_places(ensemble.places)
        for column, q in observed.BAND.items():
            with np.errstate(all="ignore"):
                expected = np.nanquantile(calls[k], q, axis=0)
            np.testing.assert_allclose(got[column][:, places, i], expected, rtol=1e-12)
        k += 1


def _posterior(tmp_path, values):
    path = tmp_path / "fit" / "posterior.csv"
    path.parent.mkdir()
    pd.DataFrame({"p_online": values, "weight": [1.0] * len(values)}).to_csv(path, index=False)
    return path


def test_a_scenario_draws_from_the_posterior_it_names(tmp_path):
    """``parameters = "<path>.csv"``: every run's parameters are particles of that file."""
    from adoption.ensemble import plan
    from adoption.scenarios.scenario import load_scenario

    path = _posterior(tmp_path, [0.001, 0.002, 0.004])
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(
        'name = "s"\ndistricts = ["Chợ Đồn"]\nruns = 6\nscale = 0.05\n'
        'parameters = "fit/posterior.csv"\n',
        encoding="utf-8",
    )
    scenario = load_scenario(scenario_file)  # read beside the scenario file
    assert scenario.posterior_file == path.resolve()
    assert {t.params["p_online"] for t in plan(scenario)} <= {0.001, 0.002, 0.004}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("p_online,weight\n0.001,1\n", None),
        ("p_onlin,weight\n0.001,1\n", "unknown columns ['p_onlin']"),
        ("p_online\n0.001\n", "needs particles and a weight"),
        ("p_online,weight\n0.001,0\n", "weights must be finite"),
    ],
)
def test_a_named_posterior_file_is_checked(tmp_path, text, problem):
    from adoption.errors import UserError
    from adoption.scenarios.scenario import posterior_file

    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    if problem is None:
        assert posterior_file(str(path), "s.toml") == path.resolve()
        return
    with pytest.raises(UserError, match=f"s.toml: parameters: .*{re.escape(problem)}"):
        posterior_file(str(path), "s.toml")
    with pytest.raises(UserError, match="no such posterior file"):
        posterior_file(str(tmp_path / "none.csv"), "s.toml")
    with pytest.raises(UserError, match='expected "posterior", "defaults" or the path'):
        posterior_file("posterio", "s.toml")


def test_a_missing_shipped_posterior_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    """A scenario that asks for the posterior never runs on default parameters instead."""
    from adoption.errors import UserError
    from adoption.scenarios import scenario as scenario_module
    from adoption.scenarios.scenario import load_scenario

    path = tmp_path / "s.toml"
    path.write_text('name = "s"\ndistricts = ["Chợ Đồn"]\nruns = 2\n', encoding="utf-8")
    assert load_scenario(path).posterior_file.is_file()  # the shipped one, found
    monkeypatch.setattr(scenario_module, "shipped", lambda: tmp_path / "none.csv")
    with pytest.raises(UserError, match="s.toml: parameters: .*none.csv is missing"):
        load_scenario(path)
    path.write_text(path.read_text() + 'parameters = "defaults"\n', encoding="utf-8")
    assert load_scenario(path).posterior_file is None


def test_an_indicators_band_does_not_depend_on_the_indicators_before_it(tmp_path, monkeypatch):
    """Each indicator's observation draws come from the seed and its name: adding or dropping
    an indicator leaves every other band as it was (the registry grows between versions)."""
    import dataclasses

    from adoption.ensemble import observed

    ensemble = run_ensemble(_scenario(tmp_path, runs=3), tmp_path, workers=1, progress=False)
    before = observed.observation_quantiles(ensemble)
    first = next(n for n in observed.FORECAST if observed.INDICATORS[n].is_share)
    changed = dict(observed.INDICATORS)
    changed[first] = dataclasses.replace(changed[first], unit="files")  # no band any more
    monkeypatch.setattr(observed, "INDICATORS", changed)
    after = observed.observation_quantiles(ensemble)
    k = observed.FORECAST.index(first)
    others = [i for i in range(len(observed.FORECAST)) if i != k]
    assert np.isnan(after["obs_q05"][..., k]).all()
    for column in observed.BAND:
        np.testing.assert_array_equal(before[column][..., others], after[column][..., others])
