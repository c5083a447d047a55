"""The hindcast report: a figure per indicator and a Markdown page.

What :func:`adoption.calibration.hindcast.hindcast` computed, drawn and written.

Each figure shows, for one indicator, a panel per place: the model's monthly value over
the posterior draws (median, 50 % and 90 % bands) from 2019, the cut-off, the figures
known by then (grey, they were fitted), and each later figure at the middle of its window
with its predictive 90 % interval (the model plus the observation model's error) as a
vertical bar: green if the figure falls inside, red if not. This module draws and
writes text; it computes nothing the scores do not hold.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from adoption.calibration.hindcast import monthly  # noqa: E402
from adoption.files import (
    markdown_frame,
    write_atomic,  # noqa: E402
)
from adoption.model.indicators import INDICATORS  # noqa: E402

INSIDE, OUTSIDE, KNOWN, FAN = "tab:green", "tab:red", "dimgray", "tab:blue"
_MARK = {"point": "o", "approximate": "D", "lower_bound": "^", "upper_bound": "v"}


def _where(places: tuple) -> str:
    return " + ".join(place for place, _ in places)


def _middle(figure) -> pd.Timestamp:
    start = pd.Timestamp(f"{figure.date_start}-01")
    end = pd.Timestamp(f"{figure.date_end}-01")
    return start + (end - start) / 2


def figures_by_indicator(parts: dict, scores: pd.DataFrame, stats: list[dict], until: str):
    """``{indicator: Figure}`` for every indicator with a later figure."""
    later, known = parts["later"], parts["known"]
    scored = scores.set_index("id")
    out = {}
    for indicator, group in later.groupby("indicator", sort=False):
        places = list(dict.fromkeys(group["places"]))
        ncol = min(3, len(places))
        nrow = -(-len(places) // ncol)
        fig, axes = plt.subplots(
            nrow, ncol, figsize=(max(4.6 * ncol + 0.6, 9.0), 3.4 * nrow + 1.3), squeeze=False,
            layout="constrained", sharey=True,
        )  # fmt: skip
        top = 0.0
        for ax in axes.flat[len(places) :]:
            ax.set_visible(False)
        for ax, where in zip(axes.flat, places, strict=False):
            here = group[group["places"] == where]
            dates, values = monthly(stats, here["id"].iloc[0])
            _fan(ax, dates, values * 100)
            _known(ax, known[(known["indicator"] == indicator) & (known["places"] == where)])
            for figure in here.itertuples(index=False):
                _later(ax, figure, scored.loc[figure.id])
                top = max(top, figure.value, scored.loc[figure.id, "q95"])
            top = max(top, float(np.nanquantile(values[:, -1], 0.95)))
            ax.axvline(pd.Timestamp(f"{until}-01"), color="black", linewidth=1, linestyle="--")
            ax.set_title(_where(where), fontsize=10)

            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(mdates.YearLocator(2))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        label = INDICATORS[indicator].label if indicator in INDICATORS else indicator
        for ax in axes[:, 0]:
            ax.set_ylabel(f"{label} (%)")
        axes[0, 0].set_ylim(0, min(100.0, max(5.0, 115 * top)))  # shared by every panel
        _legend(fig)
        fig.suptitle(
            f"Hindcast from {until}: {label.lower()}, model (fan) and figures reported later",
            fontsize=11,
        )
        out[indicator] = fig
    return out


def _fan(ax, dates, values: np.ndarray) -> None:
    with np.errstate(all="ignore"):
        q = np.nanquantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    ax.fill_between(dates, q[0], q[4], color=FAN, alpha=0.15, linewidth=0)
    ax.fill_between(dates, q[1], q[3], color=FAN, alpha=0.35, linewidth=0)
    ax.plot(dates, q[2], color=FAN, linewidth=1.5)


def _known(ax, rows: pd.DataFrame) -> None:
    for figure in rows.itertuples(index=False):
        x = _middle(figure)
        ax.plot(x, figure.value * 100, _MARK.get(figure.kind, "o"), color=KNOWN, markersize=6)


def _later(ax, figure, score) -> None:
    colour = INSIDE if bool(score["inside_90"]) else OUTSIDE
    x = _middle(figure)
    start, end = pd.Timestamp(f"{figure.date_start}-01"), pd.Timestamp(f"{figure.date_end}-01")
    ax.vlines(x, score["q05"] * 100, score["q95"] * 100, color=colour, linewidth=5, alpha=0.35)
    ax.hlines(figure.value * 100, start, end, color=colour, linewidth=1.5)
    ax.plot(x, figure.value * 100, _MARK.get(figure.kind, "o"), color=colour, markersize=7,
            markeredgecolor="black", markeredgewidth=0.6)  # fmt: skip


def _legend(fig: Figure) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color=FAN, linewidth=1.5, label="model: median"),
        Patch(color=FAN, alpha=0.35, label="model: 50 % and 90 % of draws"),
        Line2D([], [], color=INSIDE, linewidth=5, alpha=0.35, label="predictive 90 % of a report"),
        Line2D([], [], marker="o", color=INSIDE, linestyle="none", label="later figure, inside"),
        Line2D([], [], marker="o", color=OUTSIDE, linestyle="none", label="later figure, outside"),
        Line2D([], [], marker="o", color=KNOWN, linestyle="none", label="known figure (fitted)"),
        Line2D([], [], color="black", linestyle="--", label="cut-off"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=8)


def page(until: str, parts: dict, scores: pd.DataFrame, summary: dict, posterior, images) -> str:
    """The report's Markdown page."""
    ess, distinct = posterior.sample_sizes()
    table = scores.assign(
        window=scores["date_start"] + " to " + scores["date_end"],
    )[["id", "place", "indicator", "kind", "window", "reported", "q05", "median", "q95",
       "inside_50", "inside_90", "z", "interval_score_90", "crps"]]  # fmt: skip
    lines = [
        f"# Hindcast from {until}",
        "",
        f"Calibrated on the {summary['known']} figures whose window ends by {until} "
        f"(final effective sample size {ess:.0f}, {distinct} distinct particles"
        f"{'; ' + posterior.warning() if posterior.warning() else ''}), then scored on the "
        f"{summary['figures']} figures whose window starts after it. "
        f"{len(parts['straddling'])} figures straddle the cut-off and are in neither.",
        "",
        f"**Coverage**: {summary['coverage_90']:.0%} of the later figures fall inside their "
        f"predictive 90 % interval (s.e. {summary['coverage_90_se']:.0%}; nominal 90 %), "
        f"{summary['coverage_50']:.0%} inside the 50 % interval (s.e. "
        f"{summary['coverage_50_se']:.0%}; nominal 50 %). Mean interval score (90 %) "
        f"{summary['mean_interval_score_90']:.1f} points, mean CRPS "
        f"{summary['mean_crps']:.1f} points.",
        "",
        "A bound counts as inside when the interval does not rule it out (a lower bound at or "
        "below the interval's top; an upper bound at or above its bottom). z is on the logit "
        "scale. Method: `adoption/calibration/hindcast.py`; the observation model: "
        "`calibration/README.md`.",
        "",
        "**Against naive forecasters** built from the figures known by the cut-off alone "
        "(`adoption/calibration/naive.py`: persistence of the last figure, a logistic trend, "
        "the spread of the known figures). Point and approximate figures; bounds apart "
        "(share not ruled out by the 90 % interval, mean one-sided penalty). Skill: "
        "1 - model / forecaster on the figures both scored (above 0: the model is better). "
        "Scores in percentage points, lower is better.",
        "",
        markdown_frame(summary["naive"].round(3)),
        "",
        markdown_frame(table.round(3)),
        "",
        "Known (fitted): " + ", ".join(f"`{i}`" for i in parts["known"]["id"]) + ".",
        "",
        "Straddling the cut-off (not used): "
        + (", ".join(f"`{i}`" for i in parts["straddling"]["id"]) or "none")
        + ".",
        "",
        *[f"![{name}]({name}.png)\n" for name in images],
    ]
    return "\n".join(lines)


def write_report(out: Path, result: dict) -> list[Path]:
    """The figures and ``README.md`` of a :func:`~adoption.calibration.hindcast.hindcast` result."""
    until, parts, scores = result["until"], result["parts"], result["scores"]
    files = []
    images = figures_by_indicator(parts, scores, result["stats"], until)
    for name, figure in images.items():
        path = out / f"{name}.png"
        write_atomic(path, lambda tmp, f=figure: f.savefig(tmp, dpi=100, format="png"))
        files.append(path)
    text = page(until, parts, scores, result["summary"], result["posterior"], list(images))
    path = out / "README.md"
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    files.append(path)
    return files
