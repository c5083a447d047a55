"""The targets figure: one fan per target and place, with the verdict at the target's month.

:func:`targets_chart` draws, for one scenario, every national and provincial target dated
within the forecast (:func:`~adoption.reports.figures.references.judge_targets`) at each place
it applies to: the indicator's fan at that place, the target line, the figures reported there,
and under the title the runs' median at the target's month and whether it meets the target.
It is the figure form of the run summary's target lines.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from adoption.reports.figures.panel import BAR_NOTE, fan_panel
from adoption.reports.figures.references import judge_targets
from adoption.reports.figures.style import (
    REFERENCE_COLOUR,
    SUMMARY_COLUMNS,
    _first,
    _has_reported,
    _label,
    _legend,
    _require,
    _runs,
    _unit,
    where_label,
)
from adoption.reports.i18n import tr


def targets_chart(
    forecast: pd.DataFrame,
    references: pd.DataFrame,
    *,
    scenario: str | None = None,
    reported: pd.DataFrame | None = None,
    ncols: int = 4,
) -> Figure | None:
    """One fan per (indicator, place) with a target in the period; None if there is none.

    Args:
        forecast: an ensemble summary (:func:`adoption.ensemble.summarise`).
        references: the targets (:func:`~adoption.reports.figures.references.load_references`).
        scenario: the scenario to draw; the table's first if None.
        reported: the reported figures (:func:`adoption.calibration.targets.load_targets`), or None.
        ncols: panels per row.
    """
    _require(forecast, SUMMARY_COLUMNS, "forecast")
    scenario = scenario if scenario is not None else _first(forecast, "scenario", "forecast")
    rows = forecast[forecast["scenario"] == scenario]
    judged = judge_targets(rows, references, scenario)
    if judged.empty:
        return None
    keys = zip(judged["indicator"], judged["place"], judged["level"], strict=True)
    panels = list(dict.fromkeys(keys))
    ncols = max(1, min(ncols, len(panels)))
    n_rows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(n_rows, ncols, figsize=(0.6 + 3.7 * ncols, 1.3 + 3.0 * n_rows),
                             squeeze=False, layout="constrained")  # fmt: skip
    by_key = dict(tuple(rows.groupby(["indicator", "place", "level"], sort=False)))
    for k, (ax, key) in enumerate(zip(axes.flat, panels, strict=False)):
        indicator, place, level = key
        cell = by_key[key]
        unit = _unit(indicator, cell[["q05", "q95"]].to_numpy(float))
        fan_panel(ax, cell, indicator, place, unit, reported=reported, references=references,
                  fontsize=6.5)  # fmt: skip
        ax.set_title(f"{_label(indicator)}\n{where_label(place, level)}", fontsize=9)
        mine = judged[(judged["indicator"] == indicator) & (judged["place"] == place)]
        _verdicts(ax, mine, low=float(cell["median"].iloc[-1]) < 0.5)
        ax.set_ylabel(unit.label, fontsize=8)
        if k + ncols >= len(panels):  # the lowest panel of its column
            ax.set_xlabel(tr("year"), fontsize=8)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    note = tr(BAR_NOTE) if _has_reported(axes.flat) else None
    _legend(fig, list(axes.flat), ncol=3, title=note)
    title = tr("Targets in the period, scenario {scenario!r}: median, 50 % and 90 % "
               "intervals{runs}; at each target's month, where the target falls")  # fmt: skip
    fig.suptitle(title.format(scenario=scenario, runs=_runs(rows)), fontsize=12, wrap=True)
    return fig


def _verdicts(ax: Axes, judged: pd.DataFrame, *, low: bool) -> None:
    """The verdicts of one panel's targets, in a corner the fan leaves free.

    The upper right if the median ends ``low`` (below half), else the lower right.
    """
    lines = [
        tr("{month}: median {median} %, target {target} %:\n{verdict}").format(
            month=row.date,
            median=f"{row.median * 100:.0f}",
            target=f"{row.value * 100:.0f}",
            verdict=tr(row.verdict),
        )
        for row in judged.itertuples()
    ]
    box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5}
    ax.text(0.98, 0.97 if low else 0.03, "\n".join(lines), transform=ax.transAxes, ha="right",
            va="top" if low else "bottom", fontsize=6.5, color=REFERENCE_COLOUR, zorder=7,
            bbox=box)  # fmt: skip
