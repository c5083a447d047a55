"""The ``adoption`` command line.

Commands::

    adoption run SCENARIO.toml --out DIR   # forecast: tidy CSV + figure
    adoption validate SCENARIO.toml        # check a scenario file, run nothing
    adoption params                        # every parameter: default, unit, meaning, source
    adoption figures                       # regenerate the README's figures in figures/
    adoption calibrate                     # ABC-SMC to calibration/targets.csv -> calibration/
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
from .files import write_atomic


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
        print("adoption: interrupted; nothing was written", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adoption", description="Forecast digital public-service uptake in rural districts."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a scenario: tidy CSV and figure into --out")
    run.add_argument("scenario", type=Path, help="scenario TOML file (see scenarios/)")
    run.add_argument("--out", type=Path, required=True, help="output folder (created if needed)")
    run.add_argument("--seed", type=int, help="override the scenario's seed")
    run.add_argument("--scale", type=float, help="override the scenario's scale, in (0, 1]")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)
    validate = commands.add_parser("validate", help="check a scenario file; run nothing")
    validate.add_argument("scenario", type=Path)
    validate.set_defaults(handler=_validate)
    figures = commands.add_parser("figures", help="regenerate the figures the README shows")
    figures.add_argument(
        "--scenarios", type=Path, default=Path("scenarios"), help="scenario folder"
    )
    figures.add_argument("--out", type=Path, default=Path("figures"), help="figure folder")
    figures.set_defaults(handler=_figures)
    cal = commands.add_parser("calibrate", help="fit the model to the reported rates (ABC-SMC)")
    cal.add_argument("--targets", type=Path, help="targets CSV (calibration/targets.csv)")
    cal.add_argument("--priors", type=Path, help="priors TOML (calibration/priors.toml)")
    cal.add_argument("--out", type=Path, default=Path("calibration"), help="output folder")
    cal.add_argument("--db", type=Path, help="pyabc database (default OUT/abc.db)")
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


def _run(args: argparse.Namespace) -> int:
    table, figure = _forecast(args.scenario, args.seed, args.scale, not args.no_progress, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path, png_path = args.out / "indicators.csv", args.out / "indicators.png"
    write_atomic(csv_path, lambda tmp: table.to_csv(tmp, index=False))
    write_atomic(png_path, lambda tmp: figure.savefig(tmp, dpi=110, format="png"))
    print(f"wrote {csv_path} ({len(table):,} rows) and {png_path}")
    return 0


def _figures(args: argparse.Namespace) -> int:
    baseline = args.scenarios / "baseline.toml"
    _, figure = _forecast(baseline, None, None, True, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "baseline_indicators.png"
    write_atomic(path, lambda tmp: figure.savefig(tmp, dpi=110, format="png"))
    print(f"wrote {path}")
    return 0


def _forecast(path: Path, seed: int | None, scale: float | None, progress: bool, out: Path):
    """Check the scenario and the output folder, run it, and return (table, figure)."""
    from .figures import indicators_by_district
    from .scenario import load_scenario
    from .simulate import simulate

    scenario = load_scenario(path)
    scale = scenario.scale if scale is None else scale
    if not 0 < scale <= 1:
        raise UserError("--scale", "scale", f"must be in (0, 1], got {scale}")
    seed = scenario.seed if seed is None else seed
    if out.exists() and not out.is_dir():
        raise UserError(out, "--out", "exists and is not a folder")
    table = simulate(
        scenario.params,
        seed,
        profile_path=scenario.profile,
        districts=scenario.districts,
        start=scenario.start,
        end=scenario.end,
        scale=scale,
        progress=progress,
    )
    table.insert(4, "scenario", scenario.name)
    figure = indicators_by_district(
        table,
        title=f"{scenario.name}: indicators by district "
        f"(one run, {scenario.parameters} parameters, seed {seed}, scale {scale:g})",
    )
    return table, figure


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
    print(f"{args.scenario}: ok ({scenario.name}, {scenario.start} to {scenario.end})")
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
