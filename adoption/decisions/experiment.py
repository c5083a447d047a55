"""One experiment point: a flat dict of inputs in, a flat dict of decision outcomes out.

:class:`Evaluator` is the picklable ``inputs -> outcomes`` function that SALib, EMA
Workbench, optimisers or a process pool call. Inputs are named like this:

- a parameter of :class:`~adoption.model.params.Params` by its name (``assist_prob``);
- a lever of the scenario by ``lever<i>.magnitude`` (``i``: its position in the scenario
  file, from 0).

Each call runs the scenario with those inputs and the same scenario without its levers,
for every seed of the evaluator (common random numbers: the same seeds at every point),
and returns the mean over seeds of :func:`adoption.model.outcomes.run_outcomes` (household-years
gained, additional households, cost, ...). Runs record only what the outcomes read
(``record="outcomes"``) and simulate the months before the first lever once
(:func:`adoption.decisions.fork.paired`): a call builds no table it does not need.
:meth:`Evaluator.factors`
gives each input's range: prior bounds (or posterior 5-95 %) for calibrated parameters,
:class:`Params` bounds otherwise, the lever type's bounds for magnitudes.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import numpy as np

from adoption.calendar import month_range
from adoption.calibration.posterior import load_posterior
from adoption.calibration.targets import load_priors
from adoption.decisions.fork import paired, paired_many
from adoption.model.model import AdoptionModel
from adoption.model.outcomes import lever_window, run_outcomes
from adoption.model.params import Params
from adoption.model.population import simulated_households
from adoption.model.runspec import RunSpec
from adoption.model.sizes import batch_runs
from adoption.places.profiles import load_profiles
from adoption.scenarios.scenario import Scenario, load_scenario


class Evaluator:
    """``inputs -> outcomes`` for one scenario (module docstring). Picklable.

    Args:
        scenario: a scenario or its file.
        seeds: the runs' seeds (the same at every point: common random numbers).
        scale: households simulated per real household (default: the scenario's).
        keep: outcome names to return (all if None).
    """

    def __init__(
        self,
        scenario: Scenario | str,
        seeds: Sequence[int] = (1,),
        scale: float | None = None,
        keep: Sequence[str] | None = None,
    ):
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.seeds = tuple(int(s) for s in seeds)
        self.scale = scale if scale is not None else self.scenario.scale
        self.keep = tuple(keep) if keep else None
        profile = str(self.scenario.profile) if self.scenario.profile else None
        self.profiles = load_profiles(profile, self.scenario.districts)
        self.window = lever_window(self.scenario, self.scenario.discount_rate)
        self.months = month_range(self.scenario.start, self.scenario.end)

    def lever_names(self) -> list[str]:
        """Input names of the scenario's lever magnitudes."""
        return [f"lever{i}.magnitude" for i in range(len(self.scenario.interventions))]

    def factors(self, parameters: Sequence[str] | None = None, source: str = "prior") -> dict:
        """``{input: (low, high)}``: calibrated parameters and the scenario's lever magnitudes.

        Parameters of the observation model only (``obs_sd_local`` ...) are left out: they
        change no run.

        Args:
            parameters: which parameters (the calibrated ones, from the priors, if None).
            source: ``"prior"`` (the prior's bounds) or ``"posterior"`` (5-95 % of the
                shipped posterior, where a parameter is in it).
        """
        priors = load_priors()
        names = list(parameters) if parameters is not None else list(priors)
        names = [n for n in names if n not in Params.observation_only()]  # they change no run
        bounds = Params.bounds()
        posterior = load_posterior() if source == "posterior" else None
        out = {}
        for name in names:
            low, high = priors[name].bounds if name in priors else bounds[name]
            if posterior is not None and name in posterior:
                low, high = (float(np.quantile(posterior[name], q)) for q in (0.05, 0.95))
            out[name] = (float(low), float(high))
        for name, lever in zip(self.lever_names(), self.scenario.interventions, strict=True):
            out[name] = tuple(float(b) for b in lever.kind.bounds)
        return out

    def __call__(self, inputs: dict) -> dict[str, float]:
        """Outcomes at one point: the mean over the seeds."""
        params, levers = self._apply(inputs)
        runs = [self._outcomes(params, levers, seed) for seed in self.seeds]
        return self._mean(runs)

    def many(self, points: list[dict]) -> list[dict[str, float]]:
        """Outcomes at each point, every run of every point stepped in batches.

        The same numbers as ``[self(p) for p in points]`` (each run as it runs alone), with
        a month's fixed cost paid once per batch (:func:`adoption.decisions.fork.paired_many`),
        and the run without levers simulated once for points of a batch that differ only in
        lever magnitudes (Sobol's and Morris's rows that move one lever).
        """
        applied = [self._apply(point) for point in points]
        jobs = [(params, levers, seed) for params, levers in applied for seed in self.seeds]
        size = batch_runs(self.households, len(jobs))
        runs = []
        for i in range(0, len(jobs), size):
            part = jobs[i : i + size]
            # points that differ only in lever magnitudes share their run without levers
            order: dict = {}  # (parameters, seed) -> its run without levers
            source = [order.setdefault((params, seed), len(order)) for params, _, seed in part]
            specs = [self._spec(params, seed) for params, seed in order]
            pairs = paired_many(specs, [levers for _, levers, _ in part], source)
            runs += [run_outcomes(w, self.months, wo, window=self.window) for w, wo in pairs]
        n = len(self.seeds)
        return [self._mean(runs[k * n : (k + 1) * n]) for k in range(len(points))]

    def _mean(self, runs: list[dict]) -> dict[str, float]:
        names = self.keep or list(runs[0])
        return {name: float(np.mean([r[name] for r in runs])) for name in names}

    @functools.cached_property
    def households(self) -> int:
        """Simulated households of one run."""
        return simulated_households(self.profiles, self.scale)

    def _apply(self, inputs: dict):
        overrides, levers = {}, list(self.scenario.interventions)
        for name, value in inputs.items():
            if name.startswith("lever") and name.endswith(".magnitude"):
                i = int(name[len("lever") : -len(".magnitude")])
                levers[i] = dataclasses.replace(levers[i], magnitude=float(value))
            else:
                overrides[name] = float(value)
        return self.scenario.params.replace(**overrides), levers

    def _spec(self, params: Params, seed: int) -> RunSpec:
        """The run without levers at ``params`` and ``seed``."""
        return RunSpec(
            params=params,
            profiles=self.profiles,
            start=self.scenario.start,
            end=self.scenario.end,
            scale=self.scale,
            rng=seed,
            record="outcomes",
        )

    def _outcomes(self, params: Params, levers: list, seed: int) -> dict[str, float]:
        """The run with and without the levers; the months before the first lever once."""
        build = functools.partial(AdoptionModel, spec=self._spec(params, seed))
        with_levers, without = paired(build, levers)
        return run_outcomes(with_levers, self.months, without, window=self.window)
