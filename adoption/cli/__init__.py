"""The ``adoption`` command line.

Commands::

    adoption run SCENARIO.toml --out DIR   # forecast ensemble: tables, costs, figures, manifest
    adoption compare A.toml B.toml --out DIR  # several scenarios, paired against the first
    adoption validate SCENARIO.toml        # check a scenario file, run nothing
    adoption params                        # every parameter: default, unit, meaning, source
    adoption figures                       # the documentation's figures, into out/figures/
    adoption calibrate                     # tempered SMC to the figures -> out/calibration/
    adoption calibration-report            # render calibration/report/

Shipped results (``calibration/``, ``figures/``) are written over only with ``--replace``
(``adoption calibrate --out calibration --replace``); a degenerate posterior never is.

A mistake in user input prints one line (``adoption: error: FILE: KEY: problem``)
and exits with status 2; outputs are written to temporary files and moved
into place only when complete.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from pathlib import Path

from adoption.cli import dashboard as cli_dashboard
from adoption.cli import decision
from adoption.cli import places as cli_places
from adoption.errors import RunError, UserError
from adoption.files import __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``adoption`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler = _notes()
    try:
        _check_counts(args)
        return args.handler(args)
    except UserError as error:
        print(f"adoption: error: {error}", file=sys.stderr)
        return 2
    except RunError as error:
        print(f"adoption: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "adoption: interrupted; no output was half-written and finished runs are kept: "
            "run the same command again to continue",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:  # the reader went away (``adoption params | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:  # a full disk, a folder removed under us: one line, no traceback
        where = f": {error.filename}" if error.filename else ""
        print(f"adoption: error{where}: {error.strerror or error}", file=sys.stderr)
        return 1
    finally:
        logging.getLogger("adoption").removeHandler(handler)


#: Most local worker processes per core an option may ask for (more only adds memory).
WORKERS_PER_CORE = 4
#: Options that count things, and their allowed range (the upper bound None: no bound here).
COUNTS = {
    "draws": (2, 100_000),
    "baseline_runs": (0, 10_000),
    "n": (2, 2**16),  # Sobol base points: 2^16 x (factors + 2) paired runs is days of work
    "trajectories": (2, 10_000),
    "seeds": (1, 100),
    "trials": (1, 100_000),
}
#: A Dask scheduler address: ``tcp://host:port`` (or another Dask protocol).
SCHEDULER = re.compile(r"^(tcp|tls|ws|wss|ucx|inproc)://[^\s/]+$")


def _check_counts(args: argparse.Namespace) -> None:
    """Refuse a count option outside its range before any work: one line naming it.

    ``--workers`` between 1 and :data:`WORKERS_PER_CORE` times this machine's cores
    (a Dask ``--scheduler`` takes the place of local workers).
    """
    workers = getattr(args, "workers", None)
    most = WORKERS_PER_CORE * (os.cpu_count() or 1)
    if workers is not None and not 1 <= workers <= most:
        raise UserError("--workers", "workers", f"must be in [1, {most}] on this machine "
                        f"({os.cpu_count()} cores), got {workers}")  # fmt: skip
    for name, (low, high) in COUNTS.items():
        value = getattr(args, name, None)
        if value is not None and not low <= value <= high:
            option = "--" + name.replace("_", "-")
            raise UserError(option, name, f"must be in [{low}, {high}], got {value}")
    scheduler = getattr(args, "scheduler", None)
    if scheduler and not SCHEDULER.match(scheduler):
        problem = f"expected a Dask scheduler address such as tcp://host:8786, got {scheduler!r}"
        raise UserError("--scheduler", "scheduler", problem)


def _notes() -> logging.Handler:
    """Print the package's warnings (a damaged cached run, a name read with diacritics)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("adoption: note: %(message)s"))
    logger = logging.getLogger("adoption")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adoption", description="Forecast digital public-service uptake in rural districts."
    )
    parser.add_argument("--version", action="version", version=f"adoption {__version__}")
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
    compare.add_argument(
        "--outcome",
        default="household_years_any",
        help="outcome the scenarios are ranked on (default household_years_any)",
    )
    compare.set_defaults(handler=_run)
    validate = commands.add_parser("validate", help="check a scenario file; run nothing")
    validate.add_argument("scenario", type=Path)
    validate.set_defaults(handler=_validate)
    figures = commands.add_parser("figures", help="regenerate the figures the README shows")
    figures.add_argument(
        "--scenarios", type=Path, default=Path("scenarios"), help="scenario folder"
    )
    figures.add_argument("--out", default="out/figures", help="figure folder (default out/figures)")
    _replace_option(figures)
    figures.add_argument(
        "--cache", type=Path, default=Path(".adoption-cache"), help="where ensemble runs are kept"
    )
    figures.add_argument("--runs", type=int, help="override the scenarios' number of runs")
    figures.add_argument("--workers", type=int, help="local worker processes (default: all)")
    figures.add_argument("--no-progress", action="store_true", help="no progress bar")
    _lang_option(figures, "; in another, the files are named NAME_LANG.png")
    figures.set_defaults(handler=_figures)
    cal = commands.add_parser(
        "calibrate", help="fit the model to the reported rates (tempered SMC)"
    )
    cal.add_argument("--targets", type=Path, help="targets CSV (calibration/targets.csv)")
    cal.add_argument(
        "--observations", type=Path, help="observations CSV (calibration/observations.csv)"
    )
    cal.add_argument("--priors", type=Path, help="priors TOML (calibration/priors.toml)")
    cal.add_argument(
        "--out", default="out/calibration", help="output folder (default out/calibration)"
    )
    _replace_option(cal)
    cal.add_argument(
        "--db", type=Path, help="SQLite database of finished generations (default OUT/abc.db)"
    )
    cal.add_argument("--resume", action="store_true", help="continue the run kept in --db")
    cal.add_argument("--no-progress", action="store_true", help="no progress bar")
    cal.add_argument(
        "--scale", type=float, help="scale of non-target communes (default: Settings.scale)"
    )
    decision.smc_options(cal)
    cal.set_defaults(handler=_calibrate)
    decision.add_commands(commands)
    rep = commands.add_parser("calibration-report", help="render calibration/report/")
    rep.add_argument("--folder", type=Path, default=Path("calibration"), help="calibration folder")
    rep.add_argument("--draws", type=int, default=60, help="posterior-predictive simulations")
    rep.set_defaults(handler=_report)
    params = commands.add_parser(
        "params", help="list every parameter: default, unit, allowed range, meaning and source"
    )
    params.add_argument("--csv", action="store_true", help="print as CSV")
    params.set_defaults(handler=_params)
    cli_places.add_command(commands)
    cli_dashboard.add_command(commands)
    return parser


def _ensemble_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--out", required=True, help="output folder (created; its outputs are replaced whole)"
    )
    command.add_argument("--runs", type=int, help="override the scenario's number of runs")
    command.add_argument("--seed", type=int, help="override the scenario's seed")
    command.add_argument("--scale", type=float, help="override the scenario's scale, in (0, 1]")
    command.add_argument(
        "--posterior",
        type=Path,
        help="draw the runs' parameters from this posterior CSV (e.g. a hindcast's "
        "calibration/hindcast-2023-12/posterior.csv) instead of the scenario's",
    )
    command.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    command.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    command.add_argument("--no-figures", action="store_true", help="tables and manifest only")
    command.add_argument("--no-progress", action="store_true", help="no progress bar")
    _lang_option(command)


def _lang_option(command: argparse.ArgumentParser, more: str = "") -> None:
    """``--lang``: the language of the figures' text (argparse refuses any other)."""
    from adoption.reports.i18n import LANGUAGES

    command.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default="en",
        help=f"language of the figures' text (default en{more})",
    )


def _scenario(path: Path, args: argparse.Namespace):
    from adoption.reports.forecast import with_overrides
    from adoption.scenarios.scenario import load_scenario

    return with_overrides(
        load_scenario(path),
        seed=args.seed,
        scale=args.scale,
        runs=args.runs,
        posterior=args.posterior,
    )


def _run(args: argparse.Namespace) -> int:
    """``adoption run`` and ``adoption compare``: the same options, one or several scenarios."""
    from adoption.reports.figures.references import load_references
    from adoption.reports.forecast import compare, forecast
    from adoption.reports.headline import cost_lines, headline, ranking_lines, target_lines
    from adoption.reports.i18n import using

    started = time.perf_counter()
    if args.command == "run":
        task, what = forecast, _scenario(args.scenario, args)
        scenarios, extra = [what], {}
    else:
        task, what = compare, [_scenario(path, args) for path in args.scenarios]
        scenarios, extra = what, {"outcome": args.outcome}
    for scenario in scenarios:
        for note in scenario.notes:
            logging.getLogger("adoption").info(note)
    with using(args.lang):  # the figures are drawn in this process, in --lang
        result = task(
            what,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.no_progress,
            figures=not args.no_figures,
            **extra,
        )
    for scenario in scenarios:
        print(f"{scenario.name}: " + headline(result["forecast"], scenario.name))
        print(*target_lines(result["forecast"], load_references(), scenario.name), sep="\n")
    for line in cost_lines(result["costs"]):
        print(line)
    for line in ranking_lines(result.get("ranking"), result.get("flips")):
        print(line)
    if result["costs"] is None:
        print("no costs.csv: the scenario has no interventions, so no cost is measured against it")
    for path in result["files"]:
        print(f"wrote {path}")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


def _replace_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--replace",
        action="store_true",
        help="allow --out to be a folder of shipped results (calibration/, figures/)",
    )


def _figures(args: argparse.Namespace) -> int:
    from adoption.ensemble.outputs import check_shipped
    from adoption.reports.forecast import readme_figures

    check_shipped(args.out, args.replace)
    for path in readme_figures(
        args.scenarios,
        args.out,
        cache=args.cache,
        runs=args.runs,
        workers=args.workers,
        progress=not args.no_progress,
        lang=args.lang,
    ):
        print(f"wrote {path}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from adoption.calibration import calibrate, save_posterior
    from adoption.calibration.observations import fit_figures, load_observations
    from adoption.calibration.targets import load_priors, load_targets
    from adoption.ensemble.outputs import OutputSet, check_shipped, write_manifest

    check_shipped(args.out, args.replace)
    if args.db is not None and args.db.is_dir():
        raise UserError(args.db, "--db", "is a folder; name the SQLite database file")
    targets = fit_figures(load_targets(args.targets), load_observations(args.observations))
    priors = load_priors(args.priors)
    settings = decision.settings(args)
    with OutputSet(args.out, "calibrate", staged=False, keep_others=args.replace) as output:
        db = args.db or output.out / "abc.db"
        if args.resume and not db.is_file():
            raise UserError(db, "--resume", "no database to resume")
        if not args.resume and db.is_file():
            print(f"adoption: a new calibration replaces the run in {db} (--resume continues "
                  "it)", file=sys.stderr)  # fmt: skip
        posterior = calibrate(
            targets, priors, settings, db=db, resume=args.resume, progress=not args.no_progress
        )
        if args.replace and posterior.warning():  # never a degenerate posterior over a shipped
            raise RunError(f"not written over {output.out}: {posterior.warning()}")
        save_posterior(posterior, priors, output.out)
        names = ("posterior.csv", "posterior_summary.csv", "generations.csv", "calibration.toml")
        written = [output.out / name for name in names]
        write_manifest(output.out, written, {"database": str(db)}, output.writer)
    print(f"wrote {output.out}/{', '.join(names)}")
    if posterior.warning():
        print(f"adoption: warning: {posterior.warning()}", file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:
    from adoption.calibration.report import render_report

    if not (args.folder / "posterior.csv").is_file():
        raise UserError(args.folder, "posterior.csv", "missing: run `adoption calibrate` first")
    print(f"wrote {render_report(args.folder, draws=args.draws)}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from adoption.scenarios.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    print(
        f"{args.scenario}: ok ({scenario.name}, {scenario.start} to {scenario.end}, "
        f"{scenario.runs} runs, {len(scenario.interventions)} interventions)"
    )
    for note in scenario.notes:  # how names were read, as `run` says them
        logging.getLogger("adoption").info(note)
    return 0


def _params(args: argparse.Namespace) -> int:
    from adoption.model.params import Params

    table = Params.table()
    if args.csv:
        table.to_csv(sys.stdout, index=False)
        return 0
    for row in table.itertuples():
        print(f"{row.name} = {row.default:g} {row.unit}, allowed [{row.low:g}, {row.high:g}]")
        print(f"    {row.meaning}")
        print(f"    source: {row.source}")
    return 0
