"""The sensitivity report: tidy tables, a figure of the indices, a short Markdown page.

:func:`write` takes the :class:`~adoption.decisions.sensitivity.Result` of Morris and/or Sobol and
writes ``morris.csv`` / ``sobol.csv`` (one row per outcome and factor),
``morris_design.parquet`` / ``sobol_design.parquet`` (inputs and outputs of every
evaluation), ``sensitivity.png`` and ``README.md``. This module formats; it computes
nothing the results do not hold.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from adoption.ensemble.tables import write_csv
from adoption.files import (
    markdown_frame,
    write_atomic,  # noqa: E402
)

#: Outcomes drawn in the figure.
SHOWN = ("household_years_any", "households_any@2030-12", "self_service_rate@2030-12")
TOP = 12


def figure(results: dict, labels: dict | None = None) -> plt.Figure:
    """One panel per shown outcome: Sobol ST and S1 (or Morris mu*) of the top factors."""
    result = results.get("sobol") or results["morris"]
    shown = [o for o in SHOWN if o in set(result.indices["outcome"])]  # within the period
    fig, axes = plt.subplots(1, len(shown), figsize=(6.2 * len(shown), 6.4), layout="constrained",
                             squeeze=False)  # fmt: skip
    for ax, outcome in zip(axes[0], shown, strict=True):
        rows = result.indices[result.indices["outcome"] == outcome]
        key = "ST" if result.method == "sobol" else "mu_star_relative"
        rows = rows.sort_values(key, ascending=False).head(TOP)[::-1]
        y = np.arange(len(rows))
        if result.method == "sobol":
            ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total (ST)",
                    color="tab:blue", error_kw={"elinewidth": 1})  # fmt: skip
            ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order (S1)",
                    color="tab:orange", error_kw={"elinewidth": 1})  # fmt: skip
            ax.axvline(result.noise[outcome], color="black", linestyle="--", linewidth=1,
                       label="noise floor (seed noise share)")  # fmt: skip
            ax.set_xlabel("Sobol index (95 % bootstrap interval)")
        else:
            ax.barh(y, rows["mu_star_relative"], color="tab:blue", label="mu* / largest mu*")
            ax.set_xlabel("Morris mu*, relative to the largest")
        ax.set_yticks(y, [(labels or {}).get(f, f) for f in rows["factor"]], fontsize=9)
        ax.set_title(outcome, fontsize=11)
        ax.grid(alpha=0.3, axis="x")
    axes[0][0].legend(loc="lower right", fontsize=8)
    what = "Sobol indices" if result.method == "sobol" else "Morris screening"
    fig.suptitle(f"{what}: what drives the outcomes (top {TOP} factors)", fontsize=12)
    return fig


def page(results: dict, settings: dict, seconds: float) -> str:
    """The Markdown report."""
    lines = [
        f"# Sensitivity analysis: {settings['scenario']}",
        "",
        f"Factors: {settings['factors']} ({settings['source']} ranges of the calibrated "
        f"parameters, and the scenario's lever magnitudes). Scale {settings['scale']}, seeds "
        f"{settings['seeds']} (common random numbers at every point). Run time "
        f"{seconds / 60:.1f} min on {settings['workers']} worker(s).",
        "",
        *[
            f"- `{name}`: {label}, magnitude = {settings['meanings'][name]}"
            for name, label in settings.get("labels", {}).items()
        ],  # fmt: skip
        "",
    ]
    for method, result in results.items():
        lines += [f"## {method.capitalize()}", "", _sizes(result), "", _noise(result), ""]
        lines += [_top(result), ""]
        if method == "sobol":
            lines += [_convergence(result), ""]
    lines += ["![indices](sensitivity.png)", "", _methods()]
    return "\n".join(lines)


def _sizes(result) -> str:
    k = result.design.shape[1]
    if result.method == "sobol":
        n = int(result.indices["N"].iloc[0])
        return f"N = {n} base points, {k} factors: {len(result.design):,} evaluations (N (k + 2))."
    runs = len(result.design)
    return f"{runs // (k + 1)} trajectories, {k} factors: {runs:,} evaluations."


def _noise(result) -> str:
    shares = ", ".join(f"`{o}` {v:.1%}" for o, v in result.noise.items())
    return (
        "Noise share (seed variance over the variance between points, from points run again "
        f"with other seeds): {shares}. An index below it is marked as below the noise floor."
    )


def _top(result) -> str:
    key = "ST" if result.method == "sobol" else "mu_star_relative"
    cols = (["factor", "S1", "S1_conf", "ST", "ST_conf", "below_noise"] if result.method == "sobol"
            else ["factor", "mu_star", "mu_star_conf", "sigma", "mu_star_relative"])  # fmt: skip
    parts = []
    for outcome, rows in result.indices.groupby("outcome", sort=False):
        rows = rows.sort_values(key, ascending=False).head(6)[cols]
        parts += [f"**{outcome}**", "", markdown_frame(rows.round(3)), ""]
    return "\n".join(parts)


def _convergence(result) -> str:
    gap = (result.indices["ST"] - result.indices["ST_half"]).abs()
    worst = result.indices.loc[gap.idxmax()]
    return (
        f"Convergence: total indices from the first N/2 base points differ from those at N by at "
        f"most {gap.max():.3f} (mean {gap.mean():.3f}; largest for `{worst['factor']}` on "
        f"`{worst['outcome']}`)."
    )


def _methods() -> str:
    return (
        "Methods: Morris (1991) elementary effects with the improved mu* of Campolongo, "
        "Cariboni & Saltelli (2007); Sobol indices with the estimators of Saltelli et al. "
        "(2010) on Sobol' sequences, bootstrap confidence intervals (SALib; Herman & Usher "
        "2017). See `docs/methods.md`."
    )


def write(out: Path, results: dict, settings: dict, seconds: float) -> list[Path]:
    """Write the tables, the figure and the page into ``out``; return the paths."""
    written = []
    for method, result in results.items():
        path = out / f"{method}.csv"
        write_atomic(path, lambda tmp, r=result: write_csv(r.indices, tmp))
        design = pd.concat([result.design, result.outputs], axis=1)
        path2 = out / f"{method}_design.parquet"
        write_atomic(path2, lambda tmp, d=design: d.to_parquet(tmp, index=False))
        written += [path, path2]
    fig = figure(results, settings.get("labels"))
    path = out / "sensitivity.png"
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    plt.close(fig)
    text = page(results, settings, seconds)
    readme = out / "README.md"
    write_atomic(readme, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return [*written, path, readme]
