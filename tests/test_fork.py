"""A run continued with levers from the run without them is the run with them (fork)."""

import numpy as np
import pytest

from adoption.decisions.fork import fork, step_to
from adoption.errors import UserError
from adoption.model.interventions import Intervention
from adoption.model.levers import TYPES
from adoption.model.model import AdoptionModel

KW = {"districts": ["Trùng Khánh", "Chợ Đồn"], "end": "2024-06", "scale": 0.1, "rng": 11}


def _lever(kind, **extra):
    low, high = TYPES[kind].bounds
    magnitude = min(high, max(low, 0.6 if high <= 1 else 1.5))
    return Intervention(type=kind, start="2023-01", magnitude=magnitude, unit_cost_vnd=1000,
                        ramp_months=4, **extra)  # fmt: skip


def _same(levers, record="outcomes"):
    full = AdoptionModel(**KW, interventions=levers, record=record)
    full.run_model()
    base = step_to(AdoptionModel(**KW, record=record), "2023-01")
    forked = fork(base, levers)
    forked.run_model()
    assert np.array_equal(full.trace, forked.trace, equal_nan=True)
    assert np.array_equal(full.cost, forked.cost)
    return full


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_a_forked_run_is_the_run_with_the_lever(kind):
    extra = {"end": "2023-09"} if kind in ("information_campaign", "cut_online_fees") else {}
    full = _same([_lever(kind, **extra)])
    assert full.steps == len(full.months)


def test_several_levers_in_places_and_the_forecast_record():
    levers = [_lever("subsidise_smartphones", where=("Chợ Đồn",)),
              _lever("extend_coverage"), _lever("information_campaign", end="2023-04"),
              _lever("train_office_staff", where=("Trùng Khánh",))]  # fmt: skip
    _same(levers, record="forecast")


def test_a_fork_after_a_lever_started_is_refused():
    base = step_to(AdoptionModel(**KW, record="outcomes"), "2023-06")
    with pytest.raises(UserError, match="must start after"):
        fork(base, [_lever("train_teams")])
    with pytest.raises(UserError, match="record"):
        fork(AdoptionModel(**KW), [])


def test_the_outcomes_record_holds_the_forecast_values_it_measures():
    kw = {**KW, "interventions": [_lever("extend_coverage")]}
    forecast, outcomes = (AdoptionModel(**kw, record=r) for r in ("forecast", "outcomes"))
    forecast.run_model()
    outcomes.run_model()
    measured = ~np.isnan(outcomes.trace)
    same = forecast.places.reset_index().merge(outcomes.places)["index"]  # no 2025 units
    assert np.array_equal(forecast.trace[:, same][measured], outcomes.trace[measured])
    from adoption.model.indicators import FORECAST
    from adoption.model.outcomes import MONTHLY

    for name in MONTHLY:  # what the outcomes read every month is there every month
        assert measured[:, :, FORECAST.index(name)].all()


def test_points_evaluated_in_batches_are_the_points_evaluated_one_by_one():
    """Evaluator.many (paired runs of many points as one batch, forked once) == Evaluator()."""
    from adoption.decisions.experiment import Evaluator

    evaluator = Evaluator("scenarios/combined.toml", seeds=(3, 4), scale=0.04)
    rng = np.random.default_rng(8)
    factors = evaluator.factors()
    points = [{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in factors.items()} for _ in range(3)]
    assert evaluator.many(points) == [evaluator(point) for point in points]


def test_points_that_differ_only_in_levers_share_their_run_without_levers(monkeypatch):
    """Sobol/Morris rows that move one lever magnitude reuse the run without levers."""
    from adoption.decisions import experiment
    from adoption.decisions.experiment import Evaluator

    evaluator = Evaluator("scenarios/combined.toml", seeds=(3, 4), scale=0.04)
    factors = evaluator.factors()
    point = {k: (lo + hi) / 2 for k, (lo, hi) in factors.items()}
    moved = [{**point, name: factors[name][0]} for name in ("lever0.magnitude", "lever5.magnitude")]
    other = {**point, "assist_prob": factors["assist_prob"][0]}  # a parameter: its own base run
    points = [point, *moved, other]
    simulated = []
    real = experiment.paired_many

    def counting(specs, levers, source):
        simulated.append((len(specs), len(levers)))
        return real(specs, levers, source)

    monkeypatch.setattr(experiment, "paired_many", counting)
    got = evaluator.many(points)
    assert simulated == [(2 * 2, 2 * 4)]  # 2 seeds x (point, other) without levers; 8 pairs
    monkeypatch.setattr(experiment, "paired_many", real)
    assert got == [evaluator(p) for p in points]
    assert got[1] != got[0] and got[2] != got[0]  # the moved levers change the outcomes


@pytest.mark.parametrize("batch", [False, True])
def test_a_fork_draws_no_population(monkeypatch, batch):
    """The fork starts from the stepped households: no throw-away population is drawn."""
    from adoption.model import model as model_module
    from adoption.model.batch import BatchModel
    from adoption.model.runspec import RunSpec

    spec = RunSpec(**{**KW, "record": "outcomes"})
    base = BatchModel([spec, spec.replace(rng=12)]) if batch else AdoptionModel(spec=spec)
    step_to(base, "2023-01")

    def drawn(*args, **kwargs):
        raise AssertionError("a population was drawn for the fork")

    monkeypatch.setattr(model_module, "build_households", drawn)
    levers = [_lever("subsidise_smartphones")]
    fork(base, [levers, levers] if batch else levers)
