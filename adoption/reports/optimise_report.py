"""The optimiser's outputs: the best mix checked at full scale, as a scenario file, and a figure.

:func:`verify` scores the best mix and every shipped scenario's levers on a fresh set of
runs (another seed than the search's, so the best mix is not favoured by the noise it
was picked on), at full scale, each run paired with the same run without levers. It
also scores the best mix at the search's reduced scale on the same runs, to measure the
bias of the reduced scale. :func:`write` writes ``best.toml`` (a scenario a planner can
run, edit and validate), ``trials.csv``, ``front.csv``, ``versus.csv``, ``front.png``
and ``report.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adoption.decisions.menu import clipped
from adoption.decisions.optimise import (
    Problem,
    Scorer,
    best,
    front,
    per_run,
    references,
    trial_mix,
)
from adoption.ensemble.outputs import write_manifest
from adoption.ensemble.tables import write_csv
from adoption.files import write_atomic
from adoption.model.interventions import Intervention
from adoption.pool import Pool
from adoption.reports.figures.optimiser import front_chart
from adoption.reports.forecast import _save_figure
from adoption.scenarios.scenario import load_scenario
from adoption.scenarios.writer import dumps, lever_data, scenario_data

#: Two-sided 90 % normal quantile (intervals of means over runs).
Z90 = 1.6449


def verify(
    problem: Problem,
    mix: tuple,
    shipped: list,
    *,
    runs: int,
    scale: float,
    seed: int,
    workers=None,
    scheduler=None,
) -> tuple[pd.DataFrame, dict]:
    """``(versus, scale_check)``: the best mix against each shipped scenario (module doc)."""
    names = ["optimised", *[s.name for s in shipped]]
    mixes = [mix, *[clipped(problem, s.interventions) for s in shipped]]
    full = _scores(problem, mixes, runs, 1.0, seed, workers, scheduler)
    reduced = _scores(problem, [mix], runs, scale, seed, workers, scheduler)
    objective, cost = full
    rows = []
    for k, name in enumerate(names):
        gain = objective[0] - objective[k]
        rows.append(
            {
                "scenario": name,
                "objective": objective[k].mean(),
                "objective_q05": np.quantile(objective[k], 0.05),
                "objective_q95": np.quantile(objective[k], 0.95),
                "cost_vnd": cost[k].mean(),
                "objective_per_billion_vnd": objective[k].mean() / cost[k].mean() * 1e9
                if cost[k].mean() > 0
                else np.nan,
                "within_budget": cost[k].mean() <= problem.budget,
                "optimised_minus_this": gain.mean(),
                "difference_low90": gain.mean() - Z90 * _se(gain),
                "difference_high90": gain.mean() + Z90 * _se(gain),
                "share_of_runs_optimised_better": (gain > 0).mean() if k else np.nan,
                "runs": runs,
            }
        )
    bias = reduced[0][0] - objective[0]
    check = {
        "scale": scale,
        "runs": runs,
        "full_scale_mean": float(objective[0].mean()),
        "reduced_scale_mean": float(reduced[0][0].mean()),
        "difference": float(bias.mean()),
        "difference_se": float(_se(bias)),
    }
    return pd.DataFrame(rows), check


def _scores(problem, mixes, runs, scale, seed, workers, scheduler):
    scorer = Scorer(problem, runs, scale, seed, snapshots=scale < 0.2)  # memory at full scale
    lost = "the optimiser's trace is kept; run the same command again to continue"
    with Pool(scorer, workers, scheduler, lost) as pool:
        reference_values = references(scorer, pool)
    with Pool(scorer.scored(reference_values), workers, scheduler, lost) as pool:
        return per_run(scorer, mixes, pool)


def _se(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")


# -- files -----------------------------------------------------------------------------------


def scenario_toml(problem: Problem, mix: tuple[Intervention, ...], summary: str) -> str:
    """``best.toml``: the reference scenario with the mix's levers, ending at ``by``."""
    data = scenario_data(problem.base)
    data.update(
        name=f"optimised for {problem.budget:,.0f} VND by {problem.by}",
        description=f"Lever mix found by adoption optimise ({summary.splitlines()[0]})",
        end=problem.by,
        interventions=[
            {**lever_data(lever), "magnitude": round(lever.magnitude, 4)} for lever in mix
        ],
    )
    return dumps(data, summary)


def write(
    folder: Path,
    problem: Problem,
    trace: pd.DataFrame,
    versus: pd.DataFrame | None,
    check: dict | None,
    settings: dict,
) -> list[Path]:
    """Write the outputs into ``folder``; the paths written."""
    written = _csvs(folder, {"trials": trace, "front": front(trace)})
    row = best(trace)
    if row is not None:
        mix = trial_mix(problem, row)
        summary = _summary(problem, row, versus, settings)
        path = folder / "best.toml"
        write_atomic(
            path,
            lambda tmp: Path(tmp).write_text(
                scenario_toml(problem, mix, summary), encoding="utf-8"
            ),
        )
        load_scenario(path)  # what a planner runs must validate
        written.append(path)
    if versus is not None:
        written += _csvs(folder, {"versus": versus})
    written.append(_save_figure(folder / "front.png", front_chart(trace, versus, problem)))
    path = folder / "report.md"
    text = _report(problem, trace, versus, check, settings)
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    written.append(path)
    details = {
        "reference": str(problem.base.path),
        "budget_vnd": problem.budget,
        "by": problem.by,
        "from": problem.first,
        "outcome": problem.outcome,
        "search": settings,
    }
    return [*written, write_manifest(folder, written, details, "optimise")]


def _summary(problem: Problem, row, versus, settings) -> str:
    found = (
        f"best of {settings['trials']} trials: {row['objective']:,.0f} {problem.outcome} "
        f"for {row['cost_vnd']:,.0f} VND (mean of {settings['runs']} runs at scale "
        f"{settings['scale']})"
    )
    if versus is None:
        return found
    mine = versus.iloc[0]
    return found + (
        f"\nAt full scale on {int(mine['runs'])} fresh runs: {mine['objective']:,.0f} "
        f"for {mine['cost_vnd']:,.0f} VND; see versus.csv"
    )


def _csvs(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:

    paths = []
    for name, table in tables.items():
        paths.append(folder / f"{name}.csv")
        write_atomic(paths[-1], lambda tmp, t=table: write_csv(t, tmp))
    return paths


def _efficiency(versus: pd.DataFrame) -> list[str]:
    """Which checked mix buys most per VND: the budget's best is not always the most efficient."""
    spent = versus[versus["cost_vnd"] > 0]
    if spent.empty:
        return []
    top = spent.loc[spent["objective_per_billion_vnd"].idxmax()]
    mine = versus.iloc[0]
    text = (
        f"Most per VND among these: {top['scenario']} "
        f"({top['objective_per_billion_vnd']:,.0f} per billion VND)."
    )
    if top["scenario"] != "optimised" and mine["cost_vnd"] > top["cost_vnd"]:
        extra = mine["cost_vnd"] - top["cost_vnd"]
        gain = mine["objective"] - top["objective"]
        text += (
            f" The optimised mix spends {extra:,.0f} VND more than it for {gain:+,.0f} "
            f"({gain / extra * 1e9:,.0f} per extra billion): the budget's best is not the "
            "best buy; `front.png` shows where more money stops paying."
        )
    return ["", text]


def _report(problem: Problem, trace, versus, check, settings) -> str:
    """``report.md``: what was searched, what was found, how it compares, the scale bias."""
    row = best(trace)
    lines = [
        f"# Budget optimiser: {problem.budget:,.0f} VND by {problem.by}",
        "",
        f"Objective: mean `{problem.outcome}` from {problem.first} to {problem.by} against "
        f"the same runs without levers; cost: mean additional cost to {problem.by}.",
        f"Menu: {', '.join(lever.type for lever in problem.levers)}; places: all together "
        f"or {', '.join(problem.where)}.",
        f"Search: {len(trace)} trials of Optuna's multi-objective TPE (batches of "
        f"{settings['batch']}), each {settings['runs']} paired runs at scale "
        f"{settings['scale']}; {settings['minutes']:.1f} min on {settings['workers']} "
        "workers.",
        "",
    ]
    if row is None:
        lines.append("**No trial fitted the budget.** Raise `--budget` or narrow `--levers`.")
        return "\n".join(lines) + "\n"
    mix = trial_mix(problem, row)
    lines += [
        "## Best mix (`best.toml`)",
        "",
        "| lever | where | start | end | magnitude |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {lv.type} | {', '.join(lv.where) or 'all'} | {lv.start} | {lv.end or '-'} | "
        f"{lv.magnitude:.3g} |"
        for lv in mix
    ]
    lines += [
        "",
        f"Search estimate: {row['objective']:,.0f} for {row['cost_vnd']:,.0f} VND "
        "(optimistic: the best of many noisy estimates).",
    ]
    if versus is not None:
        lines += _versus_lines(problem, versus, check)
    return "\n".join(lines) + "\n"


def _versus_lines(problem: Problem, versus: pd.DataFrame, check: dict) -> list[str]:
    runs = int(versus["runs"].iloc[0])
    lines = [
        "",
        f"## Checked at full scale ({runs} fresh paired runs, `versus.csv`)",
        "",
        "| scenario | objective (90 % of runs) | cost, VND | per billion VND | within budget "
        "| optimised − scenario (90 % interval of the mean) | runs where optimised is better |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, r in enumerate(versus.itertuples()):
        paired = "—", "—"
        if k:
            paired = (
                f"{r.optimised_minus_this:+,.0f} ({r.difference_low90:+,.0f} to "
                f"{r.difference_high90:+,.0f})",
                f"{r.share_of_runs_optimised_better:.0%}",
            )
        lines.append(
            f"| {r.scenario} | {r.objective:,.0f} ({r.objective_q05:,.0f}–"
            f"{r.objective_q95:,.0f}) | {r.cost_vnd:,.0f} | {r.objective_per_billion_vnd:,.0f} | "
            f"{'yes' if r.within_budget else 'no'} | {paired[0]} | {paired[1]} |"
        )
    rivals = versus.iloc[1:]
    rivals = rivals[rivals["within_budget"].astype(bool)]
    beaten = rivals[rivals["difference_low90"] > 0]
    lines += [
        "",
        f"Shipped scenarios within the budget: {len(rivals)}; beaten by the optimised "
        f"mix with the 90 % interval of the paired difference above zero: {len(beaten)}.",
    ]
    if len(beaten) < len(rivals):
        lines.append(
            "Not beaten: "
            + ", ".join(sorted(set(rivals.scenario) - set(beaten.scenario)))
            + " — the search did not find a better mix than these within its trials."
        )
    lines += _efficiency(versus)
    lines += [
        "",
        f"**Scale bias.** The best mix at scale {check['scale']} on the same runs: "
        f"{check['reduced_scale_mean']:,.0f} against {check['full_scale_mean']:,.0f} at full "
        f"scale (difference {check['difference']:+,.0f}, s.e. {check['difference_se']:,.0f}).",
    ]
    return lines
