"""Fan charts of one scenario: one panel, a grid of indicators by places, or small multiples.

This module owns the fan figures (:func:`fan_chart`, :func:`fan_grid`,
:func:`small_multiples`); the panel they share is :mod:`adoption.reports.figures.panel`. Units, row
selection and bands come from :mod:`adoption.reports.figures.style`; reported figures and
reference lines from :mod:`adoption.reports.figures.references`. Several scenarios side by
side are :mod:`adoption.reports.figures.comparison`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from adoption.reports.figures.panel import BAR_NOTE, fan_panel, row_label
from adoption.reports.figures.style import (
    SUMMARY_COLUMNS,
    _first,
    _has_reported,
    _label,
    _legend,
    _level_word,
    _limits,
    _one_level,
    _place,
    _require,
    _runs,
    _select,
    _Unit,
    _unit,
    where_label,
)
from adoption.reports.i18n import tr


def _forecast_rows(
    forecast: pd.DataFrame,
    indicators: Sequence[str],
    places: Sequence[str],
    scenario: str | None,
) -> tuple[pd.DataFrame, str]:
    """The rows of one scenario (the first if None), these indicators and places."""
    _require(forecast, SUMMARY_COLUMNS, "forecast")
    scenario = scenario if scenario is not None else _first(forecast, "scenario", "forecast")
    rows = _select(forecast, "forecast", scenario=scenario)
    rows = _select(rows, f"forecast, scenario {scenario!r}", indicator=list(indicators))
    rows = _select(rows, f"forecast, scenario {scenario!r}", place=list(places))
    return rows, scenario


def fan_chart(
    forecast: pd.DataFrame,
    indicator: str,
    place: str,
    *,
    scenario: str | None = None,
    reported: pd.DataFrame | None = None,
    references: pd.DataFrame | None = None,
    ax: Axes | None = None,
    level: str | None = None,
    legend: bool | None = None,
) -> Figure:
    """Fan chart of one indicator at one place: median, 50 % and 90 % intervals over time.

    Reported figures of that place and indicator are drawn at their value with a
    bar over the months they may refer to: filled for calibration targets,
    hollow for model inputs, a triangle and an arrow for bounds. National
    targets for the indicator and the place's level are dashed lines ending at
    the month they are for.

    Args:
        forecast: an ensemble summary (:func:`adoption.ensemble.summarise`).
        indicator: the indicator to draw.
        place: a commune, a district or ``"All districts"``.
        scenario: the scenario to draw; the table's first if None.
        reported: the reported figures (:func:`adoption.calibration.targets.load_targets`), or None.
        references: the national targets (:func:`load_references`), or None.
        ax: draw into these axes (of an existing figure) instead of a new figure.
        level: the place's level, needed only if a commune shares a district's name.
        legend: add a legend below the axes; by default only when the figure is new.

    Returns:
        The figure drawn into.

    Raises:
        ValueError: if the scenario, indicator or place is not in the table.
    """
    rows, scenario = _forecast_rows(forecast, [indicator], [place], scenario)
    rows = _one_level(rows, place, level, "forecast")
    unit = _unit(indicator, rows[["q05", "q95"]].to_numpy(float))
    new = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.5, 5.2), layout="constrained")
    fig = ax.get_figure()
    fan_panel(
        ax, rows, indicator, place, unit, reported=reported, references=references, fontsize=8.5
    )
    title = tr("{where}: {indicator}\nscenario {scenario!r}, median and intervals{runs}")
    ax.set_title(
        title.format(
            where=where_label(place, str(rows["level"].iloc[0])),
            indicator=_label(indicator).lower(),
            scenario=scenario,
            runs=_runs(rows),
        ),
        fontsize=11,
    )
    ax.set_ylabel(unit.label)
    ax.set_xlabel(tr("year"))
    if legend if legend is not None else new:
        _legend(fig, [ax], ncol=3, title=tr(BAR_NOTE) if _has_reported([ax]) else None)
    return fig


def fan_grid(
    forecast: pd.DataFrame,
    indicators: Sequence[str],
    places: Sequence[str],
    *,
    scenario: str | None = None,
    reported: pd.DataFrame | None = None,
    references: pd.DataFrame | None = None,
    level: str | None = None,
) -> Figure:
    """Fan charts in a grid: one row per indicator, one column per place, shared years.

    Each panel is drawn like :func:`fan_chart`. Rates run from 0 to 100 % in every panel;
    counts keep a y axis per panel (a total is many times a district), in one unit per row.

    Args:
        forecast: an ensemble summary (:func:`adoption.ensemble.summarise`).
        indicators: the rows, top to bottom.
        places: the columns, left to right (e.g. the districts).
        scenario: the scenario to draw; the table's first if None.
        reported: the reported figures (:func:`adoption.calibration.targets.load_targets`), or None.
        references: the national targets (:func:`load_references`), or None.
        level: the places' level, needed only if a commune shares a district's name.

    Raises:
        ValueError: if the scenario, an indicator or a place is not in the table.
    """
    indicators, places = list(indicators), list(places)
    rows, scenario = _forecast_rows(forecast, indicators, places, scenario)
    if level is not None:
        rows = _select(rows, f"forecast, scenario {scenario!r}", level=level)
    if len(places) == 1 and len(indicators) > 2:  # one place: its indicators side by side
        return _place_grid(rows, indicators, places[0], scenario, reported, references)
    n_rows, n_cols = len(indicators), len(places)
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(1.2 + 2.9 * n_cols, 1.3 + 2.25 * n_rows),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    by_indicator = dict(tuple(rows.groupby("indicator", sort=False)))
    for i, indicator in enumerate(indicators):
        _grid_row(axes[i], by_indicator[indicator], indicator, places, i == 0, reported, references)
    for ax in axes[-1]:
        ax.set_xlabel(tr("year"), fontsize=9)
    ncol = {1: 1, 2: 2}.get(n_cols, 4)  # as many legend columns as the width holds
    note = tr(BAR_NOTE) if n_cols > 1 else tr(BAR_NOTE).replace(" (", "\n(")
    _legend(fig, list(axes.flat), ncol=ncol, title=note if _has_reported(axes.flat) else None)
    title = tr("Forecast, scenario {scenario!r}: median, 50 % and 90 % intervals{runs}")
    fig.suptitle(title.format(scenario=scenario, runs=_runs(rows)), fontsize=13, wrap=True)
    return fig


def _place_grid(rows, indicators, place, scenario, reported, references) -> Figure:
    """One place's indicators in a grid of up to four columns, each titled by its indicator.

    A column of seven panels for one district was a strip 451 px wide whose row labels ran
    into the panels; side by side each panel keeps its width and its own title.
    """
    n = len(indicators)
    n_cols = min(4, n)
    n_rows = -(-n // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(0.8 + 3.3 * n_cols, 1.7 + 2.6 * n_rows),
                             sharex=True, squeeze=False, layout="constrained")  # fmt: skip
    by_indicator = dict(tuple(rows.groupby("indicator", sort=False)))
    for k, indicator in enumerate(indicators):
        ax, part = axes.flat[k], by_indicator[indicator]
        unit = _unit(indicator, part[["q05", "q95"]].to_numpy(float))
        cell = _one_level(part, place, None, "forecast")
        fan_panel(ax, cell, indicator, place, unit, reported=reported, references=references,
                  fontsize=6.5)  # fmt: skip
        label, size = row_label(_label(indicator))
        ax.set_title(label, fontsize=min(size, 9.5))
        ax.set_ylabel(unit.label, fontsize=8)
        ax.tick_params(labelsize=8, labelbottom=k + n_cols >= n)
        if k + n_cols >= n:  # the lowest panel of its column
            ax.set_xlabel(tr("year"), fontsize=9)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    shown = list(axes.flat[:n])
    _legend(fig, shown, ncol=4, title=tr(BAR_NOTE) if _has_reported(shown) else None)
    title = tr("Forecast, scenario {scenario!r}: median, 50 % and 90 % intervals{runs}")
    head = title.format(scenario=scenario, runs=_runs(rows))
    fig.suptitle(f"{_place(place)} — {head}", fontsize=13, wrap=True)
    return fig


def _grid_row(
    axes: np.ndarray,
    part: pd.DataFrame,
    indicator: str,
    places: list[str],
    top: bool,
    reported: pd.DataFrame | None,
    references: pd.DataFrame | None,
) -> None:
    """One row of :func:`fan_grid`: the fans of ``indicator`` (rows ``part``) at ``places``."""
    unit = _unit(indicator, part[["q05", "q95"]].to_numpy(float))
    by_place = dict(tuple(part.groupby("place", sort=False)))
    for j, place in enumerate(places):
        ax = axes[j]
        if place not in by_place:
            ax.text(0.5, 0.5, tr("no data"), transform=ax.transAxes, ha="center")
            continue
        cell = _one_level(by_place[place], place, None, "forecast")
        fan_panel(
            ax,
            cell,
            indicator,
            place,
            unit,
            reported=reported,
            references=references,
            fontsize=6.5,
        )
        ax.tick_params(labelsize=8, labelleft=j == 0 or not unit.rate)
        if top:
            ax.set_title(_place(place), fontsize=11, fontweight="bold")
    label, size = row_label(_label(indicator))
    axes[0].set_ylabel(f"{label}\n({unit.label})", fontsize=size)


def small_multiples(
    forecast: pd.DataFrame,
    indicator: str,
    *,
    scenario: str | None = None,
    level: str = "district",
    reported: pd.DataFrame | None = None,
    references: pd.DataFrame | None = None,
    places: Sequence[str] | None = None,
    ncols: int = 3,
) -> Figure:
    """One fan chart per place of a level (the districts by default), on a shared y axis.

    Args:
        forecast: an ensemble summary (:func:`adoption.ensemble.summarise`).
        indicator: the indicator to draw.
        scenario: the scenario to draw; the table's first if None.
        level: ``"commune"``, ``"district"`` or ``"total"``.
        reported: the reported figures (:func:`adoption.calibration.targets.load_targets`), or None.
        references: the national targets (:func:`load_references`), or None.
        places: only these places of the level, in this order (all, in table order, if None).
        ncols: panels per row.

    Raises:
        ValueError: if the scenario, indicator, level or a place is not in the table.
    """
    rows, scenario = _level_rows(forecast, indicator, scenario, level, places)
    names = list(places) if places is not None else [str(p) for p in pd.unique(rows["place"])]
    unit = _unit(indicator, rows[["q05", "q95"]].to_numpy(float))
    ncols = max(1, min(ncols, len(names)))
    n_rows = -(-len(names) // ncols)
    fig, axes = plt.subplots(
        n_rows,
        ncols,
        figsize=(1.0 + 3.9 * ncols, 1.4 + 2.9 * n_rows),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    _multiples_panels(axes, rows, names, indicator, unit, reported, references)
    note = tr(BAR_NOTE) if _has_reported(axes.flat) else None
    _legend(fig, list(axes.flat), ncol=4, title=note)
    title = tr(
        "{indicator} by {level}, scenario {scenario!r}: median, 50 % and 90 % intervals{runs}"
    )
    fig.suptitle(
        title.format(
            indicator=_label(indicator),
            level=_level_word(level),
            scenario=scenario,
            runs=_runs(rows),
        ),
        fontsize=12,
        wrap=True,  # within the figure's width (a narrow figure, a long language)
    )
    return fig


def _multiples_panels(
    axes: np.ndarray,
    rows: pd.DataFrame,
    names: list[str],
    indicator: str,
    unit: _Unit,
    reported: pd.DataFrame | None,
    references: pd.DataFrame | None,
) -> None:
    """The panels of :func:`small_multiples`, row by row; panels past the last place hidden."""
    ncols = axes.shape[1]
    by_place = dict(tuple(rows.groupby("place", sort=False)))
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.set_visible(False)
            above = axes.flat[k - ncols]
            above.xaxis.set_tick_params(labelbottom=True)
            above.set_xlabel(tr("year"))
            continue
        place = names[k]
        fan_panel(
            ax,
            by_place[place],
            indicator,
            place,
            unit,
            reported=reported,
            references=references,
            fontsize=7.5,
        )
        _limits(ax, unit, rows[["q05", "q95"]].to_numpy(float) * unit.factor)  # all places
        ax.set_title(_place(place), fontsize=11)
        if k % ncols == 0:
            ax.set_ylabel(unit.label)
        if k + ncols >= len(names):
            ax.set_xlabel(tr("year"))


def _level_rows(
    forecast: pd.DataFrame,
    indicator: str,
    scenario: str | None,
    level: str,
    places: Sequence[str] | None,
) -> tuple[pd.DataFrame, str]:
    """The rows of one scenario (the first if None), indicator and level, at ``places``."""
    _require(forecast, SUMMARY_COLUMNS, "forecast")
    scenario = scenario if scenario is not None else _first(forecast, "scenario", "forecast")
    what = f"forecast, scenario {scenario!r}"
    rows = _select(forecast, "forecast", scenario=scenario)
    rows = _select(rows, what, indicator=indicator)
    rows = _select(rows, f"{what}, indicator {indicator!r}", level=level)
    rows = _select(rows, f"{what}, level {level!r}", place=places)
    return rows, scenario
