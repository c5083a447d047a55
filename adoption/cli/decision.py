"""The ``adoption`` commands of the many-run tools: hindcast, sensitivity and optimise.

Commands::

    adoption hindcast --until YYYY-MM          # calibrate on the past, score what came later
    adoption sensitivity SCENARIO.toml --out DIR  # Morris and Sobol indices of the outcomes
    adoption optimise --budget VND --by YYYY-MM --out DIR  # the best lever mix for a budget

:mod:`adoption.cli` holds the entry point and the other commands.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from adoption.errors import UserError
from adoption.model.outcomes import SERVICES


def add_commands(commands) -> None:
    """Add the many-run commands to the ``adoption`` parser's subcommands."""
    hind = commands.add_parser(
        "hindcast", help="calibrate on the figures known by a month and score the later ones"
    )
    hind.add_argument("--until", required=True, help="cut-off month YYYY-MM")
    hind.add_argument("--out", help="report folder (default out/hindcast-YYYY-MM)")
    hind.add_argument(
        "--replace", action="store_true", help="allow --out to be a shipped hindcast folder"
    )
    hind.add_argument("--draws", type=int, default=60, help="posterior draws for the forecast")
    hind.add_argument(
        "--baseline-runs",
        type=int,
        default=100,
        help="runs of the baseline forecast from the hindcast's posterior, kept in "
        "OUT/baseline/ (0: none)",
    )
    hind.add_argument("--no-progress", action="store_true", help="no progress bar")
    smc_options(hind)
    hind.set_defaults(handler=_hindcast)
    sens = commands.add_parser(
        "sensitivity", help="Morris and Sobol sensitivity of a scenario's decision outcomes"
    )
    sens.add_argument("scenario", type=Path, help="scenario TOML file")
    sens.add_argument("--out", required=True, help="report folder (created)")
    sens.add_argument("--method", choices=["morris", "sobol", "both"], default="both")
    sens.add_argument("--n", type=int, default=512, help="Sobol base points N")
    sens.add_argument("--trajectories", type=int, default=20, help="Morris trajectories")
    sens.add_argument(
        "--source",
        choices=["prior", "posterior"],
        default="prior",
        help="ranges of the calibrated parameters",
    )
    sens.add_argument("--scale", type=float, default=0.05, help="households per real household")
    sens.add_argument("--seeds", type=int, default=1, help="seeds per point (averaged)")
    sens.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    sens.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    sens.add_argument("--no-progress", action="store_true", help="no progress bar")
    sens.set_defaults(handler=_sensitivity)
    opt = commands.add_parser(
        "optimise", help="search lever mixes, places and dates for the best outcome within a budget"
    )
    opt.add_argument("--budget", required=True, help="budget in VND (e.g. 5000000000 or 5e9)")
    opt.add_argument("--by", required=True, help="outcomes counted to this month, YYYY-MM")
    opt.add_argument("--out", required=True, help="output folder (created; replaced whole)")
    opt.add_argument(
        "--from",
        dest="first",
        default="2027-01",
        help="earliest start of a lever, YYYY-MM (default 2027-01)",
    )
    opt.add_argument("--levers", nargs="+", help="lever types to consider (default: the menu's)")
    opt.add_argument(
        "--where",
        nargs="+",
        help="places a lever may target, besides all districts "
        "together (default: each district of the scenario)",
    )
    opt.add_argument(
        "--scenario",
        type=Path,
        default=Path("baseline"),
        help="the reference scenario: a file, or a shipped scenario's name (default baseline, "
        "found by the package from any folder)",
    )
    opt.add_argument(
        "--menu",
        type=Path,
        nargs="+",
        help="scenario files whose levers (one per "
        "type, with unit costs) form the menu (default: the reference's folder)",
    )
    opt.add_argument(
        "--outcome",
        default="household_years_any",
        help="outcome to maximise: "
        + ", ".join(f"household_years_{s}" for s in SERVICES)
        + " (discounted household-years gained from --from to --by), or "
        "additional_households_<service>@YYYY-MM (a month after --from)",
    )
    opt.add_argument("--trials", type=int, default=200, help="candidate mixes to score")
    opt.add_argument("--runs", type=int, default=20, help="paired runs per candidate")
    opt.add_argument("--scale", type=float, default=0.05, help="scale of the search's runs")
    opt.add_argument(
        "--verify-runs",
        type=int,
        default=40,
        help="fresh full-scale runs to check the best mix (0: no check)",
    )
    opt.add_argument("--seed", type=int, help="seed of the search (default: the scenario's)")
    opt.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    opt.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    opt.add_argument("--no-progress", action="store_true", help="no progress bar")
    opt.set_defaults(handler=_optimise)


def smc_options(command: argparse.ArgumentParser) -> None:
    """The sampler's options, shared by ``calibrate`` and ``hindcast``."""
    command.add_argument("--population", type=int, default=150, help="particles per generation")
    command.add_argument("--generations", type=int, default=8, help="at most this many generations")
    command.add_argument("--seed", type=int, default=20250601)
    command.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    command.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")


def settings(args: argparse.Namespace):
    """Calibration settings from the options (Settings holds the rules; errors name the option)."""
    from adoption.calibration import Settings

    options = {
        "population_size": ("--population", args.population),
        "max_generations": ("--generations", args.generations),
        "seed": ("--seed", args.seed),
        "workers": ("--workers", args.workers or os.cpu_count() or 1),
    }
    if getattr(args, "scale", None) is not None:
        options["scale"] = ("--scale", args.scale)
    try:
        return Settings(
            **{field: value for field, (_, value) in options.items()}, scheduler=args.scheduler
        )
    except UserError as error:
        option = options.get(error.key, (error.key,))[0]
        raise UserError(option, error.key, error.problem) from None


def _hindcast(args: argparse.Namespace) -> int:
    from adoption.calendar import parse_month
    from adoption.calibration.hindcast import hindcast
    from adoption.calibration.hindcast_report import write_report
    from adoption.ensemble.outputs import OutputSet, check_shipped, write_manifest

    try:
        parse_month(args.until)
    except ValueError:
        problem = f"expected a month YYYY-MM, got {args.until!r}"
        raise UserError("--until", "until", problem) from None
    settings_ = settings(args)
    check_shipped(args.out or "out", args.replace)
    out = args.out or f"out/hindcast-{args.until}"
    with OutputSet(out, "hindcast", staged=False, keep_others=args.replace) as output:
        out = output.out
        result = hindcast(args.until, out, settings_, draws=args.draws, seed=args.seed,
                          progress=not args.no_progress)  # fmt: skip
        result["files"] += write_report(out, result)
        if args.baseline_runs > 0:
            result["files"] += _hindcast_baseline(out, args.baseline_runs)
        ours = [Path(p) for p in result["files"] if Path(p).parent == out]
        write_manifest(out, ours, {"until": args.until}, output.writer)
    s = result["summary"]
    print(
        f"hindcast from {args.until}: {s['figures']} later figures, "
        f"{s['coverage_90']:.0%} inside the 90 % interval (s.e. {s['coverage_90_se']:.0%}), "
        f"{s['coverage_50']:.0%} inside the 50 % interval (s.e. {s['coverage_50_se']:.0%})"
    )
    for path in result["files"]:
        print(f"wrote {path}")
    return 0


def _hindcast_baseline(out: Path, runs: int) -> list[Path]:
    """The shipped baseline forecast from the hindcast's posterior, in ``out/baseline/``.

    Its model and observation bands per place, indicator and month are what the hindcast
    would have told a planner at the cut-off; figures published later can be scored on it.
    """
    from adoption.files import SHIPPED
    from adoption.reports.forecast import forecast, with_overrides
    from adoption.scenarios.scenario import load_scenario

    baseline = load_scenario(SHIPPED / "scenarios" / "baseline.toml")
    scenario = with_overrides(baseline, runs=runs, posterior=out / "posterior.csv")
    return forecast(scenario, out / "baseline", figures=False, progress=False)["files"]


def _sensitivity(args: argparse.Namespace) -> int:
    from adoption.decisions import sensitivity
    from adoption.decisions.experiment import Evaluator
    from adoption.decisions.sensitivity_report import write
    from adoption.ensemble.outputs import check_folder
    from adoption.places.profiles import check_scale, load_profiles
    from adoption.scenarios.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    check_scale(args.scale, load_profiles(scenario.profile, scenario.districts), "--scale", "scale")
    if args.n & (args.n - 1):
        raise UserError("--n", "n", f"must be a power of 2 (Sobol' sequences), got {args.n}")
    if not scenario.interventions:
        problem = ("has no levers: the sensitivity of a lever's gain needs at least one "
                   "(the gains of no lever are all zero)")  # fmt: skip
        raise UserError(scenario.path, "interventions", problem)
    out = check_folder(args.out, "--out")
    out.mkdir(parents=True, exist_ok=True)
    evaluator = Evaluator(scenario, seeds=range(1, args.seeds + 1), scale=args.scale)
    factors = evaluator.factors(source=args.source)
    run = {"workers": args.workers, "scheduler": args.scheduler, "progress": not args.no_progress}
    started, results = time.perf_counter(), {}
    if args.method in ("morris", "both"):
        results["morris"] = sensitivity.morris(evaluator, factors, out, args.trajectories, **run)
    if args.method in ("sobol", "both"):
        results["sobol"] = sensitivity.sobol(evaluator, factors, out, args.n, **run)
    seconds = time.perf_counter() - started
    settings = {
        "scenario": scenario.name,
        "factors": len(factors),
        "source": args.source,
        "scale": args.scale,
        "seeds": args.seeds,
        "workers": args.workers or os.cpu_count() or 1,
    }
    levers = list(zip(evaluator.lever_names(), scenario.interventions, strict=True))
    settings["labels"] = {name: f"{name} ({lever.name})" for name, lever in levers}
    settings["meanings"] = {name: lever.kind.magnitude for name, lever in levers}
    for path in write(out, results, settings, seconds):
        print(f"wrote {path}")
    print(f"done in {seconds / 60:.1f} min")
    return 0


def _optimise(args: argparse.Namespace) -> int:
    from adoption.decisions import menu, optimise
    from adoption.ensemble.outputs import OutputSet
    from adoption.places.profiles import check_scale, load_profiles
    from adoption.reports import optimise_report
    from adoption.scenarios.scenario import load_scenario

    base = load_scenario(args.scenario)
    profiles = load_profiles(base.profile, base.districts)
    check_scale(args.scale, profiles, "--scale", "scale")
    _at_least(  # --trials is a count of adoption.cli.COUNTS
        ("--runs", args.runs, 2),
        ("--verify-runs", args.verify_runs, 0),
    )
    sources = args.menu or _shipped(args.scenario)
    problem = optimise.Problem(
        base=base,
        levers=tuple(menu.menu(sources, args.levers)),
        budget=_vnd(args.budget),
        first=_month("--from", args.first),
        by=_month("--by", args.by),
        where=_places(args.where, profiles),
        outcome=_outcome(args.outcome, args.first, args.by),
    )
    seed = base.seed if args.seed is None else args.seed
    run = {"workers": args.workers, "scheduler": args.scheduler}
    started = time.perf_counter()
    shipped = [s for s in map(load_scenario, sources) if s.interventions]
    start_with = [menu.encode(problem, s.interventions) for s in shipped]
    with OutputSet(args.out, "optimise") as output:
        trace = optimise.search(
            problem,
            output.cache,
            start_with=start_with,
            trials=args.trials,
            runs=args.runs,
            scale=args.scale,
            seed=seed,
            progress=not args.no_progress,
            **run,
        )
        searched = time.perf_counter() - started
        versus = check = None
        row = optimise.best(trace)
        if row is not None and args.verify_runs:
            mix = optimise.trial_mix(problem, row)
            versus, check = optimise_report.verify(
                problem, mix, shipped, runs=args.verify_runs, scale=args.scale, seed=seed + 1, **run
            )
        settings = {
            "trials": len(trace),
            "runs": args.runs,
            "scale": args.scale,
            "batch": optimise.BATCH,
            "minutes": searched / 60,
            "workers": args.workers or os.cpu_count() or 1,
        }
        written = optimise_report.write(output.staging, problem, trace, versus, check, settings)
    _say(problem, trace, versus)
    for path in written:
        print(f"wrote {output.out / path.name}")
    print(f"done in {(time.perf_counter() - started) / 60:.1f} min")
    return 0 if row is not None else 1  # no mix within the budget: not a success


def _say(problem, trace, versus) -> None:
    from adoption.decisions.optimise import best

    row = best(trace)
    if row is None:
        print(f"no mix of {len(trace)} trials fits {problem.budget:,.0f} VND: raise --budget")
        return
    print(
        f"best of {len(trace)} trials: {problem.outcome} {row['objective']:,.0f} for "
        f"{row['cost_vnd']:,.0f} VND (search scale)"
    )
    if versus is not None:
        for r in versus.iloc[1:].itertuples():
            fits = "within budget" if r.within_budget else "over budget"
            print(
                f"  vs {r.scenario} ({fits}): {r.optimised_minus_this:+,.0f} "
                f"(90 % interval {r.difference_low90:+,.0f} to {r.difference_high90:+,.0f})"
            )


def _at_least(*checks: tuple[str, int, int]) -> None:
    """One line for the first ``(option, value, lowest)`` whose value is too small."""
    for option, value, low in checks:
        if value < low:
            raise UserError(option, option.lstrip("-"), f"must be at least {low}, got {value}")


def _shipped(scenario: Path) -> list[Path]:
    """The scenario files beside the reference (the shipped ones by default)."""
    from adoption.scenarios.scenario import find_scenario

    path = find_scenario(scenario)
    return sorted(p for p in path.parent.glob("*.toml") if p != path)


def _vnd(text: str) -> float:
    try:
        value = float(str(text).replace(",", "").replace("_", ""))
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise UserError("--budget", "budget", f"expected a positive amount of VND, got {text!r}")
    return value


def _month(option: str, text: str) -> str:
    from adoption.calendar import format_month, parse_month

    try:
        return format_month(parse_month(text))
    except ValueError:
        raise UserError(
            option, option.lstrip("-"), f"expected a month YYYY-MM, got {text!r}"
        ) from None


def _places(typed, profiles) -> tuple[str, ...]:
    from adoption.places.names import place_names, resolve, resolve_place

    districts = [p.name for p in profiles]
    if not typed:
        return tuple(districts)
    names = place_names([(c.name, p.name) for p in profiles for c in p.communes], districts)
    for name in typed:
        resolve_place(name, names, "--where", "where")  # one line for a miss or an ambiguity
    return tuple(resolve(name, list(names), "--where", "where") for name in typed)


def _outcome(name: str, first: str, by: str) -> str:
    """A gain the optimiser can maximise: household-years, or households added after ``first``."""
    from adoption.calendar import month_range
    from adoption.model.outcomes import outcome_names

    if by < first:
        raise UserError("--by", "by", f"{by} is before --from {first}")

    allowed = [
        n
        for n in outcome_names(month_range(first, by))
        if n.startswith("household_years_")
        or (n.startswith("additional_households_") and n.split("@")[1] > first)
    ]
    if name not in allowed:
        raise UserError("--outcome", "outcome", f"{name!r} unknown; allowed: {', '.join(allowed)}")
    return name
