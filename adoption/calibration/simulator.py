"""One simulation for the calibration: ``parameters -> statistics`` of the targets.

:class:`Simulator` owns which part of the province is simulated for a set of
targets (their districts, to the last target month, at what scale) and is picklable,
so that worker processes and pyabc can call it. It does not compare the statistics
with the reports (:mod:`adoption.calibration.noise`) or choose the parameters.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from adoption.calendar import format_month, parse_month
from adoption.calibration.settings import Settings
from adoption.calibration.stats import _places, indicators_for, statistics, statistics_of
from adoption.model.batch import BatchModel
from adoption.model.model import AdoptionModel
from adoption.model.params import Params
from adoption.model.population import simulated_households
from adoption.model.runspec import RunSpec
from adoption.model.sizes import batch_runs
from adoption.places.known import known_by
from adoption.places.profiles import load_profiles

#: Log-uniform parameters are sampled as ``log10_<name>`` with a flat prior: pyabc's Gaussian
#: proposals in linear space against a 1/x prior density give degenerate importance weights.
LOG10 = "log10_"


def to_natural(parameters: dict) -> dict:
    """Parameters as pyabc samples them -> natural units (``log10_x`` -> ``x``)."""
    return {
        (k[len(LOG10) :] if k.startswith(LOG10) else k): (10**v if k.startswith(LOG10) else v)
        for k, v in parameters.items()
    }


class Simulator:
    """``parameters -> statistics`` for the targets: a picklable function for pyabc or a pool.

    Simulates only the districts the targets are in, to the last target month,
    at ``settings.scale`` (target communes at full scale if so set), and
    releases each model after use.
    """

    def __init__(
        self,
        targets: pd.DataFrame,
        settings: Settings,
        base: Params | None = None,
        series: bool = False,
    ):
        self.targets = targets.reset_index(drop=True)
        self.series = series  # also each figure's monthly value (``id + "/series"``)
        self.settings = settings
        self.base = base or Params()
        profiles = load_profiles()
        if settings.known_by is not None:  # a hindcast: nothing dated after its cut-off
            profiles = known_by(profiles, settings.known_by)
        pairs = [pair for target in self.targets.itertuples() for pair in _places(target)]
        district_of = {c.name: p.name for p in profiles for c in p.communes}
        wanted = set()
        for place, level in pairs:
            if level == "total":
                wanted |= {p.name for p in profiles}
            else:
                wanted.add(place if level == "district" else district_of[place])
        self.profiles = [p for p in profiles if p.name in wanted]  # read once, not per run
        self.districts = [p.name for p in self.profiles]
        self.end = format_month(max(parse_month(d) for d in self.targets["date_end"]))
        self.commune_scale = self._commune_scale(settings, pairs)

    def _commune_scale(self, settings: Settings, pairs: list) -> dict[str, float]:
        """Communes simulated at another scale than ``settings.scale``: name -> scale.

        Every commune of a district a figure is about (a district, several, or the total)
        runs at ``district_target_scale``; communes a figure is about at full scale.
        """
        whole = {place for place, level in pairs if level == "district"}
        if any(level == "total" for _, level in pairs):
            whole = set(self.districts)
        scale = {
            commune.name: settings.district_target_scale
            for profile in self.profiles
            if profile.name in whole
            for commune in profile.communes
        }
        if settings.target_communes_full_scale:
            scale.update({place: 1.0 for place, level in pairs if level == "commune"})
        return scale

    def run(self, parameters: dict, seed: int) -> dict[str, np.ndarray]:
        """Statistics of one run with ``parameters`` (a subset of Params) and ``seed``."""
        model = AdoptionModel(spec=self.spec(parameters, seed))
        try:
            model.run_model()
            return statistics(model, self.targets, series=self.series)
        finally:
            model.release()

    def spec(self, parameters: dict, seed: int) -> RunSpec:
        """The run of ``parameters`` (a subset of Params) and ``seed``."""
        params = self.base.replace(**{k: float(v) for k, v in parameters.items()})
        return RunSpec(
            params=params,
            profiles=self.profiles,
            end=self.end,
            scale=self.settings.scale,
            commune_scale=self.commune_scale,
            rng=seed,
            record="targets",
            indicators=indicators_for(self.targets),
        )

    def run_many(self, jobs: list[tuple[dict, int]]) -> list[dict[str, np.ndarray]]:
        """:meth:`run` of each ``(parameters, seed)``, in batches (each run as it runs alone).

        Batches of :func:`~adoption.model.sizes.batch_runs` runs, stepped in this process.
        """
        size = batch_runs(self.households, len(jobs))
        out = []
        for i in range(0, len(jobs), size):
            specs = [self.spec(parameters, seed) for parameters, seed in jobs[i : i + size]]
            if len(specs) == 1:
                out.append(self.run(*jobs[i]))
                continue
            model = BatchModel(specs)
            model.run_model()
            for r, trace in enumerate(model.traces()):
                data = {name: trace[:, :, k] for k, name in enumerate(model.kept)}
                places = model.places_of(r)
                out.append(statistics_of(data, places, model.months, self.targets, self.series))
            model.release()
        return out

    @functools.cached_property
    def households(self) -> int:
        """Simulated households of one run."""
        return simulated_households(self.profiles, self.settings.scale, self.commune_scale)

    def __call__(self, parameters: dict) -> dict[str, np.ndarray]:
        """The pyabc model interface: the seed comes from the worker's seeded NumPy state."""
        natural = to_natural(dict(parameters))
        return self.run(natural, int(np.random.randint(2**31 - 1)))
