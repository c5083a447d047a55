"""Shared fixtures: small runs reused by several tests."""

import pytest

from adoption import AdoptionModel


@pytest.fixture(scope="session")
def small_run():
    """A finished 5 % scale run of the five districts, 2019-2030."""
    model = AdoptionModel(scale=0.05, rng=7)
    model.run_model()
    return model
