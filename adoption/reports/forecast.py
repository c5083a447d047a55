"""Forecasts: what ``adoption run`` and ``adoption compare`` do, as Python functions.

:func:`forecast` runs a scenario's ensemble and the same scenario without its
interventions (same draws and seeds), and writes into a folder:

- ``forecast.parquet``: one row per month x place x indicator for every commune,
  former district, 2025 new commune and province (from 2025-07) and the total
  (``scenario, date, place, level, district, indicator, runs, mean, q05, q25, median,
  q75, q95``; see :func:`adoption.ensemble.summarise`); ``forecast.csv``: the same
  without the old communes (a size a spreadsheet opens: they make it a million rows);
- ``differences.parquet`` / ``.csv``: the paired differences to the scenario
  without interventions (only if it has interventions);
- ``costs.csv``: total cost, additional cost, additional adopting households and
  cost per additional adopting household at 2025-12 and 2030-12
  (:func:`adoption.ensemble.costs`);
- ``forecast.png`` (fan charts by former district), ``provinces.png`` (the same by 2025
  province, from 2025-07) and, with interventions, ``comparison.png``;
- ``manifest.json``: package version, scenario file and its SHA-256, seed, runs,
  posterior file and its SHA-256, the command that regenerates the result, and
  the SHA-256 of every output;
- ``runs/``: every finished run (the cache that lets an interrupted forecast
  resume).

:func:`compare` does the same for several scenarios, against the first.
Every file is written to a temporary name and moved into place when whole.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from adoption.calendar import month_range
from adoption.calibration.posterior import posterior_mean_params
from adoption.calibration.targets import load_targets
from adoption.decisions.ranking import COST_OUTCOME, rank
from adoption.ensemble import Ensemble, costs, differences, run_ensemble, summarise
from adoption.ensemble import cache as runcache
from adoption.ensemble.outputs import OutputSet, check_folder, write_manifest
from adoption.ensemble.tables import write_csv, write_tables
from adoption.errors import UserError
from adoption.files import write_atomic
from adoption.model.indicators import HEADLINE
from adoption.model.outcomes import check_outcome
from adoption.places.profiles import load_profiles
from adoption.reports.figures import (
    comparison_chart,
    cost_effectiveness_chart,
    fan_grid,
    load_references,
    small_multiples,
    targets_chart,
)
from adoption.reports.figures.ranking import ranking_chart
from adoption.reports.i18n import check_language, using
from adoption.reports.planner_table import planner_table
from adoption.scenarios.scenario import (
    MAX_SEED,
    Scenario,
    check_scale,
    check_size,
    load_scenario,
    posterior_file,
)


def with_overrides(
    scenario: Scenario,
    *,
    seed: int | None = None,
    scale: float | None = None,
    runs: int | None = None,
    posterior: str | Path | None = None,
) -> Scenario:
    """The scenario with command-line overrides applied (checked like the file's values).

    ``posterior``: a posterior CSV to draw the runs' parameters from instead of the one the
    scenario names (a hindcast's ``calibration/hindcast-2023-12/posterior.csv``).

    Raises:
        UserError: naming the option (``--seed``, ``--scale``, ``--runs``, ``--posterior``)
            and what is allowed.
    """
    if posterior is not None:
        path = posterior_file(str(posterior), "--posterior", "posterior")
        base = posterior_mean_params(path).replace(**scenario.overrides)
        scenario = dataclasses.replace(
            scenario, parameters=str(path), posterior_path=path, params=base
        )
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UserError("--seed", "seed", f"must be an integer in [0, {MAX_SEED}], got {seed}")
    if runs is not None and runs < 1:
        raise UserError("--runs", "runs", f"must be at least 1, got {runs}")
    changes = {
        k: v for k, v in {"seed": seed, "scale": scale, "runs": runs}.items() if v is not None
    }
    if not changes:
        return scenario
    changed = dataclasses.replace(scenario, **changes)
    profiles = load_profiles(scenario.profile, scenario.districts)
    if scale is not None:
        check_scale(scale, profiles, "--scale", "scale")
    check_size(changed, profiles, "--runs" if runs is not None else "--scale", "size")
    return changed


def forecast(
    scenario: Scenario | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    figures: bool = True,
) -> dict:
    """Run a scenario's forecast ensemble and write its outputs into ``out``.

    Returns:
        ``{"forecast": DataFrame, "differences": DataFrame | None, "costs": DataFrame,
        "files": [paths]}``.
    """
    scenario = _load(scenario)
    with OutputSet(out, "run") as output:
        kw = {"workers": workers, "scheduler": scheduler, "progress": progress}
        main = run_ensemble(scenario, output.cache, **kw)
        table = summarise(main)
        files = {"forecast": table}
        base, diff, cost = main, None, None
        if scenario.interventions:
            without = scenario.without_interventions()
            base = run_ensemble(without, output.cache, label="without interventions", **kw)
            diff, cost = differences(main, base), costs(main, base)
            files.update(differences=diff, costs=cost)
        written = write_tables(output.staging, files)
        planner = output.staging / "planner.csv"
        write_atomic(planner, lambda tmp: write_csv(planner_table(table), tmp))
        written.append(planner)
        if figures:
            base_table = summarise(base) if diff is not None else None
            written += _write_figures(output.staging, table, base_table, diff, scenario)
        ensembles = [main] + ([base] if base is not main else [])
        written.append(_write_manifest(output.staging, ensembles, written, output.writer))
        runcache.prune(output.cache, [e.folder for e in ensembles])
    paths = [output.out / p.name for p in written]
    return {"forecast": table, "differences": diff, "costs": cost, "files": paths}


def compare(
    scenarios: list[Scenario | str | Path],
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    figures: bool = True,
    outcome: str = "household_years_any",
) -> dict:
    """Run several scenarios with common random numbers and compare them with the first.

    The scenarios must share districts, period, seed, runs, scale and parameter
    source (so that run ``r`` of each uses the same posterior draw and seed).

    The ranking (:mod:`adoption.decisions.ranking`) says, on ``outcome``, how often each scenario is
    best over the paired runs, its expected regret, and which parameter ranges flip it.

    Returns:
        ``{"forecast", "differences", "costs", "ranking", "flips", "files"}`` with every
        scenario stacked.
    """
    loaded = [_load(s) for s in scenarios]
    if len(loaded) < 2:
        raise UserError("compare", "scenarios", "give at least two scenario files")
    names = [s.name for s in loaded]
    if len(set(names)) < len(names):
        raise UserError(loaded[0].path, "name", f"scenario names must differ, got {names}")
    first = loaded[0]
    for other in loaded[1:]:
        for key in ("districts", "start", "end", "seed", "runs", "scale", "parameters"):
            if getattr(other, key) != getattr(first, key):
                raise UserError(
                    other.path,
                    key,
                    f"must equal {first.path.name}'s ({getattr(first, key)!r}) for a paired "
                    f"comparison, got {getattr(other, key)!r}",
                )
    check_outcome(outcome, month_range(first.start, first.end))  # before any run
    with OutputSet(out, "compare") as output:
        kw = {"workers": workers, "scheduler": scheduler, "progress": progress}
        ensembles = [run_ensemble(scenario, output.cache, **kw) for scenario in loaded]
        reference = ensembles[0]
        table = pd.concat([summarise(e) for e in ensembles], ignore_index=True)
        diff = pd.concat([differences(e, reference) for e in ensembles[1:]], ignore_index=True)
        cost = pd.concat([costs(e, reference) for e in ensembles[1:]], ignore_index=True)
        ranking, flips = rank(ensembles, outcome)
        chart = ranking
        if outcome != COST_OUTCOME and any(s.interventions for s in loaded):
            ranking = pd.concat([ranking, rank(ensembles, COST_OUTCOME)[0]], ignore_index=True)
        tables = {"forecast": table, "differences": diff, "costs": cost, "ranking": ranking}
        written = write_tables(output.staging, tables | ({"flips": flips} if len(flips) else {}))
        if figures:
            written += _write_comparison_figures(output.staging, table, diff, cost, names)
            written.append(
                _save_figure(output.staging / "ranking.png", ranking_chart(chart, flips))
            )
        written.append(_write_manifest(output.staging, ensembles, written, output.writer))
        runcache.prune(output.cache, [e.folder for e in ensembles])
    paths = [output.out / p.name for p in written]
    return {"forecast": table, "differences": diff, "costs": cost, "ranking": ranking,
            "flips": flips, "files": paths}  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


def _load(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def _folder(out: str | Path) -> Path:
    out = check_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _save_figure(path: Path, figure) -> Path:
    import matplotlib.pyplot as plt

    write_atomic(path, lambda tmp: figure.savefig(tmp, dpi=110, format="png"))
    plt.close(figure)
    return path


def _write_figures(out: Path, table, base_table, diff, scenario: Scenario) -> list[Path]:

    reported, references = load_targets(), load_references()
    districts = list(dict.fromkeys(table.loc[table["level"] == "district", "place"]))
    figure = fan_grid(
        table,
        list(HEADLINE),
        districts,
        scenario=scenario.name,
        reported=reported,
        references=references,
        level="district",
    )
    written = [_save_figure(out / "forecast.png", figure)]
    provinces = list(dict.fromkeys(table.loc[table["level"] == "province_2025", "place"]))
    if provinces:  # the same by 2025 province (the former districts each holds), from 2025-07
        figure = fan_grid(table, list(HEADLINE), provinces, scenario=scenario.name,
                          reported=reported, references=references,
                          level="province_2025")  # fmt: skip
        written.append(_save_figure(out / "provinces.png", figure))
    figure = targets_chart(table, references, scenario=scenario.name, reported=reported)
    if figure is not None:  # every target in the period, at each place it applies to
        written.append(_save_figure(out / "targets.png", figure))
    if diff is not None:
        both = pd.concat([base_table, table], ignore_index=True)
        figure = comparison_chart(both, "any_service_rate", "All districts", differences=diff)
        written.append(_save_figure(out / "comparison.png", figure))
    return written


def _write_comparison_figures(out: Path, table, diff, cost, names) -> list[Path]:

    written = []
    for indicator in ("any_service_rate", "online_service_rate", "cashless_bill_rate"):
        figure = comparison_chart(
            table, indicator, "All districts", scenarios=names, differences=diff
        )
        written.append(_save_figure(out / f"compare_{indicator}.png", figure))
    total = cost[cost["level"] == "total"]
    if len(names) > 1:
        written.append(
            _save_figure(
                out / "cost_effectiveness.png",
                cost_effectiveness_chart(total, date=pd.Timestamp(total["date"].max())),
            )
        )
    return written


def _write_manifest(out: Path, ensembles: list[Ensemble], written: list[Path], writer: str) -> Path:
    """``manifest.json``: what produced the outputs and how to produce them again."""
    scenarios = []
    for e in ensembles:
        s = e.scenario
        scenarios.append(
            {
                "name": s.name,
                "file": str(s.path),
                "file_sha256": runcache.file_hash(s.path) if s.path.is_file() else None,
                "interventions": len(s.interventions),
                "seed": s.seed,
                "runs": s.runs,
                "scale": s.scale,
                "period": [s.start, s.end],
                "parameters": s.parameters,
                "posterior_file": str(s.posterior_file) if s.posterior_file else None,
                "posterior_sha256": (
                    runcache.file_hash(s.posterior_file)
                    if s.posterior_file and s.posterior_file.is_file()
                    else None
                ),
                "runs_folder": str(e.folder),
                "posterior_draws": [t.draw for t in e.tasks],
                "run_seeds": [t.seed for t in e.tasks],
            }
        )
    details = {  # the reference scenario's posterior (each scenario's is in its entry)
        "posterior_file": scenarios[0]["posterior_file"],
        "posterior_sha256": scenarios[0]["posterior_sha256"],
        "scenarios": scenarios,
    }
    return write_manifest(out, written, details, writer)


#: The shipped scenarios in the order figures show them (the first is the reference).
SHIPPED = ("baseline", "training_push", "infrastructure_push", "office_push", "combined")


def readme_figures(
    folder: str | Path = "scenarios",
    out: str | Path = "figures",
    *,
    cache: str | Path = ".adoption-cache",
    runs: int | None = None,
    workers: int | None = None,
    progress: bool = True,
    lang: str = "en",
) -> list[Path]:
    """Regenerate the documentation's figures in figures/ (``adoption figures``).

    Runs the scenarios of :data:`SHIPPED` found in ``folder`` with common random
    numbers (runs kept in ``cache``), then draws the baseline's fan charts, its
    districts as small multiples, the scenario comparison and the
    cost-effectiveness chart into ``out``. In a ``lang`` other than English the
    figures' text is in that language and the file names end in ``_{lang}``
    (``forecast_fans_vi.png``), beside the English ones.
    """
    check_language(lang)
    folder = Path(folder)
    paths = [folder / f"{name}.toml" for name in SHIPPED if (folder / f"{name}.toml").is_file()]
    if not paths or paths[0].stem != "baseline":
        raise UserError(folder, "baseline.toml", "missing: the figures start from the baseline")
    scenarios = [with_overrides(load_scenario(p), runs=runs) for p in paths]
    ensembles = [run_ensemble(s, cache, workers=workers, progress=progress) for s in scenarios]
    table = pd.concat([summarise(e) for e in ensembles], ignore_index=True)
    diff = pd.concat([differences(e, ensembles[0]) for e in ensembles[1:]], ignore_index=True)
    cost = pd.concat([costs(e, ensembles[0]) for e in ensembles[1:]], ignore_index=True)
    names = [s.name for s in scenarios]
    reported, references = load_targets(), load_references()
    districts = list(dict.fromkeys(table.loc[table["level"] == "district", "place"]))
    out = _folder(out)
    with using(lang):
        figures = _readme_set(table, diff, cost, names, districts, reported, references)
    suffix = "" if lang == "en" else f"_{lang}"
    return [
        _save_figure(out / f"{name}{suffix}.png", figure)
        for name, figure in figures.items()
        if figure is not None  # no target in the period: no targets figure
    ]


def _readme_set(table, diff, cost, names, districts, reported, references) -> dict:
    """The documentation's figures by file stem, drawn in the language in use."""
    baseline = names[0]
    return {
        "forecast_fans": fan_grid(
            table,
            list(HEADLINE),
            districts,
            scenario=baseline,
            reported=reported,
            references=references,
            level="district",
        ),
        "districts_online_service": small_multiples(
            table,
            "online_service_rate",
            scenario=baseline,
            reported=reported,
            references=references,
            level="district",
        ),
        "scenarios_any_service": comparison_chart(
            table, "any_service_rate", "All districts", scenarios=names, differences=diff
        ),
        "cost_effectiveness": cost_effectiveness_chart(cost[cost["level"] == "total"]),
        "forecast_targets": targets_chart(table, references, scenario=baseline, reported=reported),
    }
