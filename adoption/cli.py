"""The ``adoption`` command line.

Commands::

    adoption run SCENARIO.toml --out DIR   # forecast ensemble: tables, costs, figures, manifest
    adoption compare A.toml B.toml --out DIR  # several scenarios, paired against the first
    adoption validate SCENARIO.toml        # check a scenario file, run nothing
    adoption params                        # every parameter: default, unit, meaning, source
    adoption figures                       # regenerate the README's figures in figures/
    adoption calibrate                     # tempered SMC to calibration/targets.csv -> calibration/
    adoption calibration-report            # render calibration/report/

A mistake in user input prints one line (``adoption: error: FILE: KEY: problem``)
and exits with status 2; outputs are written to temporary files and moved
into place only when complete.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import UserError


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``adoption`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UserError as error:
        print(f"adoption: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "adoption: interrupted; no output was half-written and finished runs are kept: "
            "run the same command again to continue",
            file=sys.stderr,
        )
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adoption", description="Forecast digital public-service uptake in rural districts."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="forecast a scenario: tables, costs, figures and manifest into --out"
    )
    run.add_argument("scenario", type=Path, help="scenario TOML file (see scenarios/)")
    _ensemble_options(run)
    run.set_defaults(handler=_run)
    compare = commands.add_parser(
        "compare", help="run scenarios with common random numbers and compare with the first"
    )
    compare.add_argument(
        "scenarios", type=Path, nargs="+", help="scenario files; first = reference"
    )
    _ensemble_options(compare)
    compare.set_defaults(handler=_run)
    validate = commands.add_parser("validate", help="check a scenario file; run nothing")
    validate.add_argument("scenario", type=Path)
    validate.set_defaults(handler=_validate)
    figures = commands.add_parser("figures", help="regenerate the figures the README shows")
    figures.add_argument(
        "--scenarios", type=Path, default=Path("scenarios"), help="scenario folder"
    )
    figures.add_argument("--out", type=Path, default=Path("figures"), help="figure folder")
    figures.add_argument(
        "--cache", type=Path, default=Path(".adoption-cache"), help="where ensemble runs are kept"
    )
    figures.add_argument("--runs", type=int, help="override the scenarios' number of runs")
    figures.add_argument("--workers", type=int, help="local worker processes (default: all)")
    figures.add_argument("--no-progress", action="store_true", help="no progress bar")
    figures.set_defaults(handler=_figures)
    cal = commands.add_parser(
        "calibrate", help="fit the model to the reported rates (tempered SMC)"
    )
    cal.add_argument("--targets", type=Path, help="targets CSV (calibration/targets.csv)")
    cal.add_argument("--priors", type=Path, help="priors TOML (calibration/priors.toml)")
    cal.add_argument("--out", type=Path, default=Path("calibration"), help="output folder")
    cal.add_argument(
        "--db", type=Path, help="SQLite database of finished generations (default OUT/abc.db)"
    )
    cal.add_argument("--resume", action="store_true", help="continue the run kept in --db")
    cal.add_argument("--population", type=int, default=150, help="particles per generation")
    cal.add_argument("--generations", type=int, default=8, help="at most this many generations")
    cal.add_argument("--scale", type=float, default=0.02, help="scale of non-target communes")
    cal.add_argument("--seed", type=int, default=20250601)
    cal.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    cal.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    cal.set_defaults(handler=_calibrate)
    rep = commands.add_parser("calibration-report", help="render calibration/report/")
    rep.add_argument("--folder", type=Path, default=Path("calibration"), help="calibration folder")
    rep.add_argument("--draws", type=int, default=60, help="posterior-predictive simulations")
    rep.set_defaults(handler=_report)
    params = commands.add_parser("params", help="list every parameter with unit and source")
    params.add_argument("--csv", action="store_true", help="print as CSV")
    params.set_defaults(handler=_params)
    return parser


def _ensemble_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--out", type=Path, required=True, help="output folder (created)")
    command.add_argument("--runs", type=int, help="override the scenario's number of runs")
    command.add_argument("--seed", type=int, help="override the scenario's seed")
    command.add_argument("--scale", type=float, help="override the scenario's scale, in (0, 1]")
    command.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    command.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    command.add_argument("--no-figures", action="store_true", help="tables and manifest only")
    command.add_argument("--no-progress", action="store_true", help="no progress bar")


def _scenario(path: Path, args: argparse.Namespace):
    from .forecast import with_overrides
    from .scenario import load_scenario

    return with_overrides(load_scenario(path), seed=args.seed, scale=args.scale, runs=args.runs)


def _run(args: argparse.Namespace) -> int:
    """``adoption run`` and ``adoption compare``: the same options, one or several scenarios."""
    from .forecast import compare, forecast

    if args.command == "run":
        task, what = forecast, _scenario(args.scenario, args)
    else:
        task, what = compare, [_scenario(path, args) for path in args.scenarios]
    result = task(
        what,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.no_progress,
        figures=not args.no_figures,
    )
    _report_written(result)
    return 0


def _report_written(result: dict) -> None:
    total = result["costs"]
    total = total[
        (total["level"] == "total") & (total["measure"] == "cost_per_additional_household_vnd")
    ]
    for row in total.itertuples():
        if row.scenario == row.versus or not pd_notna(row.median):
            continue
        interval = (
            f"{row.q05:,.0f} to {row.q95:,.0f}"
            if pd_notna(row.q05) and pd_notna(row.q95)
            else "unbounded"
        )
        print(
            f"{row.scenario} vs {row.versus}, {row.date:%Y-%m}: cost per additional adopting "
            f"household {row.median:,.0f} VND (90 % interval {interval})"
        )
    for path in result["files"]:
        print(f"wrote {path}")


def pd_notna(value) -> bool:
    """True if ``value`` is a finite number."""
    import math

    return value is not None and not math.isnan(value)


def _figures(args: argparse.Namespace) -> int:
    from .forecast import readme_figures

    for path in readme_figures(
        args.scenarios,
        args.out,
        cache=args.cache,
        runs=args.runs,
        workers=args.workers,
        progress=not args.no_progress,
    ):
        print(f"wrote {path}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    import os

    from .calibrate import Settings, calibrate, save_posterior
    from .targets import load_priors, load_targets

    targets = load_targets(args.targets)
    priors = load_priors(args.priors)
    for name, value, low in (
        ("--population", args.population, 2),
        ("--generations", args.generations, 1),
    ):
        if value < low:
            raise UserError(name, name.lstrip("-"), f"must be at least {low}, got {value}")
    if not 0 < args.scale <= 1:
        raise UserError("--scale", "scale", f"must be in (0, 1], got {args.scale}")
    settings = Settings(
        population_size=args.population,
        max_generations=args.generations,
        scale=args.scale,
        seed=args.seed,
        workers=args.workers or os.cpu_count() or 1,
        scheduler=args.scheduler,
    )
    db = args.db or args.out / "abc.db"
    if args.resume and not db.is_file():
        raise UserError(db, "--resume", "no database to resume")
    posterior = calibrate(targets, priors, settings, db=db, resume=args.resume)
    save_posterior(posterior, priors, args.out)
    print(
        f"wrote {args.out}/posterior.csv, posterior_summary.csv, generations.csv, calibration.toml"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from .calibration_report import render_report

    if not (args.folder / "posterior.csv").is_file():
        raise UserError(args.folder, "posterior.csv", "missing: run `adoption calibrate` first")
    print(f"wrote {render_report(args.folder, draws=args.draws)}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario)
    print(
        f"{args.scenario}: ok ({scenario.name}, {scenario.start} to {scenario.end}, "
        f"{scenario.runs} runs, {len(scenario.interventions)} interventions)"
    )
    return 0


def _params(args: argparse.Namespace) -> int:
    import pandas as pd

    from .params import Params

    table = Params.table()
    if args.csv:
        table.to_csv(sys.stdout, index=False)
    else:
        with pd.option_context("display.max_colwidth", 70, "display.width", 200):
            print(table[["name", "default", "unit", "meaning"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
