"""Each stochastic process has its own random stream (common random numbers)."""

import numpy as np

from adoption import AdoptionModel, Params
from adoption.model.streams import PROCESSES, Streams


def test_streams_are_distinct_and_reproducible():
    a, b = Streams(5), Streams(5)
    draws = {name: a[name].random(4) for name in PROCESSES}
    assert all(np.array_equal(draws[name], b[name].random(4)) for name in PROCESSES)
    assert len({tuple(d) for d in draws.values()}) == len(PROCESSES)


def test_a_lever_does_not_change_other_processes_draws():
    """Changing team capacity leaves procedure demand untouched, household for household."""
    totals = []
    for visits in (2.0, 8.0):
        model = AdoptionModel(Params(visits_per_member=visits), scale=0.04, end="2024-12", rng=9)
        model.run_model()
        totals.append(np.array(model.datacollector.model_vars["files_total"]))
    assert np.array_equal(totals[0], totals[1])
