"""Sensitivity analysis with SALib: which inputs drive the decision outcomes.

Two methods over the same factors (:meth:`adoption.decisions.experiment.Evaluator.factors`: the
calibrated parameters over their prior or posterior ranges — the supply shift among them;
the observation discrepancy changes no run and is left out — and the scenario's lever
magnitudes):

- **Morris** elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007):
  ``mu_star`` (mean absolute effect) and ``sigma`` per factor, a cheap screening;
- **Sobol** indices (Saltelli et al. 2010 estimators, Sobol' sequences): first-order
  ``S1`` and total ``ST`` with bootstrap 95 % confidence intervals, from ``N (k + 2)``
  evaluations. The Sobol' design is nested, so the indices are also computed from its
  first half (``N/2``): their difference shows convergence.

Outcomes are those of :func:`adoption.model.outcomes.run_outcomes`: levels at 2030 and the
paired differences to the scenario without its levers (household-years gained,
additional households). **Noise** is handled explicitly: every point uses the same seeds
(common random numbers), and a subset of points is run again with other seeds; the
variance between seeds over the variance between points is the *noise share*, and an
index below it is marked as below the noise floor. Evaluations run in chunks on
:class:`adoption.pool.Pool`, each chunk's points in batches (:meth:`Evaluator.many`), and
each finished chunk is kept (:mod:`adoption.ensemble.cache`), so an interrupted analysis
resumes. Reports and figures:
:mod:`adoption.decisions.sensitivity_report`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption.decisions.experiment import Evaluator
from adoption.ensemble import cache as runcache
from adoption.model.outcomes import outcome_names
from adoption.model.sizes import batch_runs
from adoption.pool import Pool, bar_disabled

#: Outcomes analysed by default (finite for every run).
OUTCOMES = (
    "household_years_any",
    "household_years_online",
    "additional_households_any@2030-12",
    "households_any@2030-12",
    "self_service_rate@2030-12",
    "online_service_rate@2030-12",
)


def outcomes(evaluator: Evaluator) -> tuple[str, ...]:
    """:data:`OUTCOMES` the evaluator's period has (a date after its end is left out)."""
    known = set(outcome_names(evaluator.months))
    return tuple(o for o in OUTCOMES if o in known)


#: Points evaluated per saved chunk.
CHUNK = 128


@dataclass
class Result:
    """One method's indices (tidy), its design and outputs, and the noise share per outcome."""

    method: str
    indices: pd.DataFrame
    design: pd.DataFrame
    outputs: pd.DataFrame
    noise: dict[str, float]


def problem(factors: dict) -> dict:
    """The SALib problem of ``{factor: (low, high)}``."""
    return {"num_vars": len(factors), "names": list(factors), "bounds": list(factors.values())}


def evaluate(
    evaluator: Evaluator,
    design: np.ndarray,
    names: list[str],
    folder: Path,
    *,
    workers=None,
    scheduler=None,
    progress=True,
) -> pd.DataFrame:
    """The outcomes of every row of ``design``, in chunks kept in ``folder`` (resumable)."""
    from tqdm.auto import tqdm

    key = _key(evaluator, design)
    folder = Path(folder) / f"evaluations-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    chunks = [design[i : i + CHUNK] for i in range(0, len(design), CHUNK)]
    names_out = outcomes(evaluator)
    shape = lambda c: (len(c), len(names_out))  # noqa: E731
    done = {i: runcache.load(folder, i, shape(c)) for i, c in enumerate(chunks)}
    jobs = [[dict(zip(names, row, strict=True)) for row in c] for c in chunks]
    bar = tqdm(
        total=len(design),
        initial=sum(len(chunks[i]) for i in done if done[i] is not None),
        unit="point",
        disable=bar_disabled(progress),
    )
    lost = f"finished chunks are kept in {folder}"
    with Pool(evaluator.many, workers, scheduler, lost) as pool:
        runs = batch_runs(evaluator.households, CHUNK * len(evaluator.seeds), pool.workers)
        size = max(1, runs // len(evaluator.seeds))  # points per batch
        for i, chunk in enumerate(jobs):
            if done[i] is not None:
                continue
            batches = [chunk[k : k + size] for k in range(0, len(chunk), size)]
            rows = [row for batch in pool.map(batches) for row in batch]
            values = np.array([[row[o] for o in names_out] for row in rows], dtype=np.float64)
            runcache.save(folder, i, values)
            done[i] = values
            bar.update(len(chunk))
    bar.close()
    return pd.DataFrame(
        np.concatenate([done[i] for i in range(len(chunks))]), columns=list(names_out)
    )


def _key(evaluator: Evaluator, design: np.ndarray) -> str:
    """The cache key: code, the scenario as read (not its path), profile, seeds, scale."""
    scenario = evaluator.scenario
    profile = runcache.file_hash(scenario.profile) if scenario.profile else None
    text = json.dumps(
        {
            "code": runcache.fingerprint(),
            "scenario": repr(dataclasses.replace(scenario, notes=())),
            "profile": profile,
            "seeds": evaluator.seeds,
            "scale": evaluator.scale,
            "outcomes": outcomes(evaluator),
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(text.encode() + np.ascontiguousarray(design).tobytes())
    return digest.hexdigest()[:16]


def noise_share(
    evaluator: Evaluator,
    design: np.ndarray,
    outputs: pd.DataFrame,
    names: list[str],
    folder: Path,
    points: int = 16,
    **run,
) -> dict[str, float]:
    """Share of each outcome's variance between points that is seed noise.

    ``points`` rows of the design are run again with other seeds (same number of seeds);
    half the mean squared difference between the two runs of a point estimates the noise
    variance, which is divided by the outcomes' variance over the whole design.
    """
    rows = np.random.default_rng(0).choice(
        len(design), size=min(points, len(design)), replace=False
    )
    other = Evaluator(
        evaluator.scenario, tuple(s + 10_000 for s in evaluator.seeds), evaluator.scale
    )
    again = evaluate(other, design[rows], names, folder, **run)
    first = outputs.iloc[rows].reset_index(drop=True)
    out = {}
    for name in outcomes(evaluator):
        noise = 0.5 * np.mean((again[name] - first[name]) ** 2)
        total = float(outputs[name].var(ddof=1))
        out[name] = float(noise / total) if total > 0 else float("nan")
    return out


def morris(
    evaluator: Evaluator,
    factors: dict,
    folder: Path,
    trajectories: int = 20,
    levels: int = 4,
    seed: int = 1,
    **run,
) -> Result:
    """Morris screening: ``trajectories × (k + 1)`` evaluations."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    spec = problem(factors)
    design = sample.sample(spec, trajectories, num_levels=levels, seed=seed)
    outputs = evaluate(evaluator, design, spec["names"], folder, **run)
    noise = noise_share(evaluator, design, outputs, spec["names"], folder, **run)
    rows = []
    for name in outcomes(evaluator):
        res = analyze.analyze(
            spec,
            design,
            outputs[name].to_numpy(),
            num_levels=levels,
            seed=seed,
            print_to_console=False,
        )
        scale = float(np.nanmax(res["mu_star"])) or 1.0
        for k, factor in enumerate(spec["names"]):
            rows.append(
                {
                    "outcome": name,
                    "factor": factor,
                    "mu_star": res["mu_star"][k],
                    "mu_star_conf": res["mu_star_conf"][k],
                    "sigma": res["sigma"][k],
                    "mu_star_relative": res["mu_star"][k] / scale,
                    "evaluations": len(design),
                }
            )
    indices = pd.DataFrame(rows)
    return Result("morris", indices, pd.DataFrame(design, columns=spec["names"]), outputs, noise)


def sobol(
    evaluator: Evaluator, factors: dict, folder: Path, n: int = 512, seed: int = 1, **run
) -> Result:
    """Sobol indices from ``n (k + 2)`` evaluations; also from the first ``n/2`` base points."""
    from SALib.sample import sobol as sample

    spec = problem(factors)
    design = sample.sample(spec, n, calc_second_order=False, seed=seed)
    outputs = evaluate(evaluator, design, spec["names"], folder, **run)
    noise = noise_share(evaluator, design, outputs, spec["names"], folder, **run)
    per_base = len(spec["names"]) + 2
    rows = []
    for name in outcomes(evaluator):
        y = outputs[name].to_numpy()
        full = _sobol_indices(spec, y, seed)
        half = _sobol_indices(spec, y[: (n // 2) * per_base], seed)
        for k, factor in enumerate(spec["names"]):
            rows.append(
                {
                    "outcome": name,
                    "factor": factor,
                    **{m: full[m][k] for m in full},
                    "ST_half": half["ST"][k],
                    "S1_half": half["S1"][k],
                    "N": n,
                    "evaluations": len(design),
                    "below_noise": full["ST"][k] < noise[name],
                }
            )
    indices = pd.DataFrame(rows)
    return Result("sobol", indices, pd.DataFrame(design, columns=spec["names"]), outputs, noise)


def _sobol_indices(spec: dict, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    from SALib.analyze import sobol as analyze

    if np.nanvar(y) == 0:
        zeros = np.zeros(spec["num_vars"])
        return {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
    res = analyze.analyze(spec, y, calc_second_order=False, seed=seed, print_to_console=False)
    return {m: np.asarray(res[m]) for m in ("S1", "S1_conf", "ST", "ST_conf")}
