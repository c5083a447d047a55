"""A batch of runs stepped as one model gives each run bit for bit as it runs alone."""

import numpy as np
import pytest

from adoption.model.batch import BatchModel
from adoption.model.model import AdoptionModel
from adoption.model.params import Params
from adoption.model.runspec import RunSpec
from adoption.scenarios.scenario import load_scenario

LEVERS = load_scenario("scenarios/combined.toml").interventions
#: Parameters read at each level the rules act on: households, villages, desks, files.
CHANGED = (
    "p_online", "q_app", "skill_min", "procedure_rate", "district_desk_share",
    "visits_per_member", "online_choice", "fee_cut_response", "app_spread_hazard",
)  # fmt: skip


def _specs(record: str) -> list[RunSpec]:
    """Runs that differ in every way a batch allows: parameters, seeds, places, scales, levers."""
    rng = np.random.default_rng(5)
    bounds = Params.bounds()
    specs = []
    for r, districts in enumerate(
        [("Lục Yên", "Chợ Đồn"), ("Trùng Khánh",), ("Lục Yên", "Chợ Đồn"), ("Yên Lạc",)]
    ):
        names = CHANGED
        changed = {n: float(rng.uniform(*bounds[n])) for n in names}
        specs.append(
            RunSpec(
                params=Params().replace(**changed) if r != 2 else Params(),
                districts=districts,
                scale=(0.04, 0.05, 0.04, 0.06)[r],
                rng=1000 + r,
                interventions=LEVERS if r % 2 == 0 else (),
                end="2030-12",
                record=record,
            )
        )
    return specs


@pytest.mark.parametrize("record", ["forecast", "outcomes"])
def test_every_run_of_a_batch_is_its_single_run_bit_for_bit(record):
    specs = _specs(record)
    batch = BatchModel(specs)
    batch.run_model()
    for r, (spec, trace) in enumerate(zip(specs, batch.traces(), strict=True)):
        alone = AdoptionModel(spec=spec)
        alone.run_model()
        assert trace.shape == alone.trace.shape
        assert np.array_equal(trace, alone.trace, equal_nan=True), f"run {r}"
        assert batch.places_of(r).equals(alone.places)
        alone.release()
    batch.release()


def test_a_run_does_not_depend_on_the_runs_beside_it():
    specs = _specs("forecast")
    one = BatchModel(specs[:2])
    other = BatchModel([specs[3], specs[1], specs[0]])
    for model in (one, other):
        model.run_model()
    assert np.array_equal(one.traces()[1], other.traces()[1], equal_nan=True)
    assert np.array_equal(one.traces()[0], other.traces()[2], equal_nan=True)


def test_runs_with_another_calendar_or_full_recording_are_refused():
    specs = _specs("forecast")
    with pytest.raises(ValueError, match="share start, end"):
        BatchModel([specs[0], specs[1].replace(end="2027-12")])
    with pytest.raises(ValueError, match="records one of"):
        BatchModel([spec.replace(record="all") for spec in specs[:2]])
