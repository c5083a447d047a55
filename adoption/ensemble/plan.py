"""The runs of a forecast ensemble: a posterior draw and a seed for each, planned up front.

Run ``r`` of a scenario's ensemble uses posterior particle ``draw[r]`` (drawn with the
particles' weights) and seed ``seed[r]``, both derived from the scenario's ``seed``
alone (:func:`plan`). Two scenarios with the same seed and number of runs therefore
use the same draws and seeds, and every stochastic process of the model draws from
its own stream: their run-by-run difference shows the levers, not noise (common
random numbers). :func:`cache_key` names everything that determines the runs.

This module plans; it does not run (:mod:`adoption.ensemble.run`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from adoption.calibration.posterior import load_posterior
from adoption.ensemble import cache as runcache
from adoption.errors import UserError
from adoption.files import __version__
from adoption.model.indicators import FORECAST
from adoption.model.interventions import Intervention
from adoption.model.model import place_table
from adoption.model.params import Params
from adoption.model.population import build_structure, simulated_households
from adoption.model.runspec import RunSpec
from adoption.model.units import build_units
from adoption.places.profiles import load_profiles
from adoption.scenarios.scenario import Scenario


@dataclass(frozen=True)
class RunTask:
    """Everything one run needs; a run's result depends on nothing else."""

    index: int
    draw: int  # posterior particle (-1: no posterior)
    seed: int
    params: dict
    districts: tuple[str, ...] | None
    start: str
    end: str
    scale: float
    profile: str | None
    interventions: tuple[Intervention, ...]

    def spec(self, record: str = "forecast", **changes) -> RunSpec:
        """The run of this task (``changes``: other :class:`RunSpec` attributes, e.g. scale)."""
        return RunSpec(
            params=Params(**self.params),
            profiles=_profiles(self.profile, self.districts),
            start=self.start,
            end=self.end,
            scale=self.scale,
            interventions=self.interventions,
            rng=self.seed,
            record=record,
        ).replace(**changes)


def plan(scenario: Scenario, posterior: pd.DataFrame | None = None) -> list[RunTask]:
    """The runs of a scenario's ensemble: a posterior draw and a seed for each.

    Draws and seeds come from ``scenario.seed`` only (not from the levers), so
    scenarios that share seed and runs share them too.

    Args:
        scenario: a checked scenario.
        posterior: particles and ``weight`` (the shipped posterior if None and the
            scenario asks for it).
    """
    root = np.random.SeedSequence(scenario.seed)
    draw_seq, seed_seq = root.spawn(2)
    seeds = [int(s.generate_state(1, np.uint64)[0]) for s in seed_seq.spawn(scenario.runs)]
    table = posterior
    if table is None and scenario.posterior_file is not None:
        table = load_posterior(scenario.posterior_file)
        if table is None:  # never a silent fallback to default parameters
            problem = f"{scenario.posterior_file}: the posterior to draw from is missing"
            raise UserError(scenario.path, "parameters", problem)
    if table is None:
        draws = np.full(scenario.runs, -1)
        base = Params() if scenario.parameters == "defaults" else scenario.params
        values = [asdict(base.replace(**scenario.overrides))] * scenario.runs
    else:
        weights = table["weight"].to_numpy(dtype=float)
        rng = np.random.Generator(np.random.SFC64(draw_seq))
        draws = rng.choice(len(table), size=scenario.runs, p=weights / weights.sum())
        particles = table.drop(columns="weight")
        values = [  # the scenario's [params] override the particle's values
            asdict(Params().replace(**{**particles.iloc[d].to_dict(), **scenario.overrides}))
            for d in draws
        ]
    return [
        RunTask(
            index=r,
            draw=int(draws[r]),
            seed=seeds[r],
            params=values[r],
            districts=tuple(scenario.districts) if scenario.districts else None,
            start=scenario.start,
            end=scenario.end,
            scale=scenario.scale,
            profile=str(scenario.profile) if scenario.profile else None,
            interventions=tuple(scenario.interventions),
        )
        for r in range(scenario.runs)
    ]


_PROFILES: dict = {}


def _profiles(profile: str | None, districts: tuple[str, ...] | None):
    """District profiles, read once per process."""
    key = (profile, districts)
    if key not in _PROFILES:
        _PROFILES[key] = load_profiles(profile, list(districts) if districts else None)
    return _PROFILES[key]


def places(scenario: Scenario) -> pd.DataFrame:
    """The place table (place, level, district) of a scenario's runs, in run order."""
    profiles = _profiles(
        str(scenario.profile) if scenario.profile else None,
        tuple(scenario.districts) if scenario.districts else None,
    )
    structure = build_structure(profiles, 0.001)
    return place_table(structure, build_units(structure))


def households(scenario: Scenario) -> int:
    """Simulated households of one of the scenario's runs."""
    profiles = _profiles(
        str(scenario.profile) if scenario.profile else None,
        tuple(scenario.districts) if scenario.districts else None,
    )
    return simulated_households(profiles, scenario.scale)


def cache_key(scenario: Scenario, tasks: list[RunTask] | None = None) -> str:
    """Hash of everything that determines a scenario's runs.

    The runs' tasks (parameters, levers, draws, seeds, period, scale), the indicators
    kept, the code and data of the package (:func:`adoption.ensemble.cache.fingerprint`), the
    user's profile file and the posterior file. ``tasks``: the scenario's :func:`plan`,
    if already made.
    """
    posterior = scenario.posterior_file
    data = {
        "version": __version__,
        "code": runcache.fingerprint(),
        "indicators": FORECAST,
        "runs": [asdict(t) for t in (tasks if tasks is not None else plan(scenario))],
        "profile": runcache.file_hash(scenario.profile) if scenario.profile else "shipped",
        "posterior": runcache.file_hash(posterior) if posterior and posterior.is_file() else None,
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
