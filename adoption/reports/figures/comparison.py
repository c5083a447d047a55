"""Scenarios side by side: :func:`comparison_chart`.

This module owns the comparison figure: each scenario's median and 50 % interval on
one panel, and with paired differences (:func:`adoption.ensemble.differences`) a
second panel of each scenario minus its baseline; and :func:`median_over`, another
scenario's median drawn over a fan chart. Units, row selection and bands
come from :mod:`adoption.reports.figures.style`; one scenario's fans are
:mod:`adoption.reports.figures.fans`, costs :mod:`adoption.reports.figures.costs`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from adoption.reports.figures.style import (
    SUMMARY_COLUMNS,
    _allowed,
    _band,
    _dated,
    _label,
    _legend,
    _limits,
    _one_level,
    _require,
    _runs,
    _select,
    _Unit,
    _unit,
    _year_axis,
    where_label,
)
from adoption.reports.i18n import tr


def comparison_chart(
    forecast: pd.DataFrame,
    indicator: str,
    place: str,
    *,
    scenarios: Sequence[str] | None = None,
    differences: pd.DataFrame | None = None,
    level: str | None = None,
) -> Figure:
    """Scenarios side by side: median and 50 % interval of each, and their paired differences.

    With ``differences`` a second panel shows each scenario minus its baseline,
    run by run (median, 50 % and 90 % intervals), in percentage points for
    rates and in the indicator's unit otherwise, around a zero line.

    Args:
        forecast: ensemble summaries of the scenarios, stacked.
        indicator: the indicator to draw.
        place: a commune, a district or ``"All districts"``.
        scenarios: the scenarios to draw, in order; every scenario of the table if None.
        differences: paired differences (:func:`adoption.ensemble.differences`), or None.
        level: the place's level, needed only if a commune shares a district's name.

    Raises:
        ValueError: if a scenario, the indicator or the place is not in a table.
    """
    rows, names = _scenario_rows(forecast, indicator, place, scenarios, level)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {name: colours[k % len(colours)] for k, name in enumerate(names)}
    unit = _unit(indicator, rows[["q05", "q95"]].to_numpy(float))
    diff = None
    if differences is not None:
        diff = _difference_rows(differences, indicator, place, str(rows["level"].iloc[0]), names)
    n_panels = 1 if diff is None else 2
    fig, axes = plt.subplots(
        n_panels,
        1,
        figsize=(9, 4.2 + 3.0 * (n_panels - 1)),
        sharex=True,
        squeeze=False,
        layout="constrained",
        height_ratios=[1.3, 1][:n_panels],
    )
    _draw_scenarios(axes[0, 0], rows, names, colour, unit, indicator, place)
    if diff is not None:
        _draw_differences(axes[1, 0], diff, indicator, colour)
    axes[-1, 0].set_xlabel(tr("year"))
    for ax in axes.flat:
        _year_axis(ax)
        ax.set_xlim(rows["date"].min(), rows["date"].max())
    handles = _handles(names, colour, differences=diff is not None)
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(len(handles), 4),
        frameon=False,
        fontsize=9,
    )
    return fig


def _scenario_rows(
    forecast: pd.DataFrame,
    indicator: str,
    place: str,
    scenarios: Sequence[str] | None,
    level: str | None,
) -> tuple[pd.DataFrame, list[str]]:
    """The rows of the scenarios (sorted by date) and their names, in the order drawn."""
    _require(forecast, SUMMARY_COLUMNS, "forecast")
    rows = _select(forecast, "forecast", scenario=scenarios)
    rows = _select(rows, "forecast", indicator=indicator)
    rows = _select(rows, f"forecast, indicator {indicator!r}", place=place)
    rows = _dated(_one_level(rows, place, level, "forecast"))
    names = (
        list(scenarios) if scenarios is not None else [str(s) for s in pd.unique(rows["scenario"])]
    )
    absent = [name for name in names if name not in set(rows["scenario"].unique())]
    if absent:
        raise ValueError(
            f"forecast: scenario {absent[0]!r} has no {indicator!r} at {place!r}; allowed: "
            f"{_allowed(rows['scenario'])}"
        )
    return rows, names


def _difference_rows(
    differences: pd.DataFrame, indicator: str, place: str, level: str, names: list[str]
) -> pd.DataFrame:
    """The paired differences of the scenarios ``names`` (each against another) at ``place``."""
    _require(differences, [*SUMMARY_COLUMNS, "versus"], "differences")
    diff = _select(differences, "differences", indicator=indicator)
    diff = _select(diff, f"differences, indicator {indicator!r}", place=place)
    diff = diff[diff["level"] == level]
    diff = diff[diff["scenario"].isin(names) & (diff["scenario"] != diff["versus"])]
    if diff.empty:
        raise ValueError(
            f"differences: no scenario of {', '.join(map(repr, names))} against a baseline; "
            f"allowed: {_allowed(differences['scenario'])}"
        )
    return diff


def _draw_scenarios(
    ax: Axes,
    rows: pd.DataFrame,
    names: list[str],
    colour: dict[str, str],
    unit: _Unit,
    indicator: str,
    place: str,
) -> None:
    """The top panel: each scenario's median and 50 % interval."""
    by_scenario = dict(tuple(rows.groupby("scenario", sort=False)))
    for name in names:
        _band(
            ax,
            by_scenario[name]["date"].to_numpy(),
            by_scenario[name],
            unit,
            colour[name],
            bands=("50",),
            label=f"{name}: ",
        )
    _limits(ax, unit, rows[["q25", "median", "q75"]].to_numpy(float) * unit.factor)
    ax.set_ylabel(unit.label)
    ax.grid(alpha=0.3)
    title = tr("{where}: {indicator}, by scenario\nmedian and 50 % interval{runs}")
    ax.set_title(
        title.format(
            where=where_label(place, str(rows["level"].iloc[0])),
            indicator=_label(indicator).lower(),
            runs=_runs(rows),
        ),
        fontsize=11,
    )


def _draw_differences(ax: Axes, diff: pd.DataFrame, indicator: str, colour: dict[str, str]) -> None:
    """The bottom panel: each scenario minus its baseline, around a zero line."""
    dunit = _unit(indicator, diff[["q05", "q95"]].to_numpy(float), difference=True)
    for name, part in diff.groupby("scenario", sort=False):
        part = _dated(part)
        _band(
            ax,
            part["date"].to_numpy(),
            part,
            dunit,
            colour.get(name, "gray"),
            label=f"{name} − {part['versus'].iloc[0]}: ",
            edges=True,
        )
    ax.axhline(0, color="black", linewidth=0.9)
    versus = ", ".join(map(str, pd.unique(diff["versus"])))
    ax.set_ylabel(tr("difference") + f"\n({dunit.label})")  # the title names what it is to
    title = tr("Paired difference to {versus} (same runs): median, 50 % and 90 % intervals")
    ax.set_title(textwrap.fill(title.format(versus=versus), 90), fontsize=10)
    ax.grid(alpha=0.3)


def _handles(names: list[str], colour: dict[str, str], *, differences: bool) -> list:
    """Legend entries: a colour per scenario, then what the lines and bands mean."""
    handles = [Line2D([], [], color=colour[name], linewidth=2, label=name) for name in names]
    handles += [
        Line2D([], [], color="gray", linewidth=1.7, label=tr("median")),
        Patch(color="gray", alpha=0.3, linewidth=0, label=tr("50 % interval")),
    ]
    if differences:
        handles.append(
            Patch(
                facecolor=(0.5, 0.5, 0.5, 0.1),
                edgecolor="gray",
                linestyle=":",
                label=tr("90 % interval (differences)"),
            )
        )
    return handles


def median_over(
    figure: Figure, forecast: pd.DataFrame, scenario: str, indicator: str, place: str, label: str
) -> Figure:
    """``scenario``'s median, dashed, over a fan chart of the same indicator and place.

    For the same runs without levers over a :func:`~.fans.fan_chart`; the figure's legend
    is drawn again with the line.
    """
    rows = forecast[
        (forecast["scenario"] == scenario)
        & (forecast["indicator"] == indicator)
        & (forecast["place"] == place)
    ]
    ax = figure.axes[0]
    unit = _unit(indicator, rows[["q05", "q95"]].to_numpy(float))
    ax.plot(rows["date"], rows["median"] * unit.factor, "k--", lw=1.2, label=label)
    title = figure.legends[0].get_title().get_text() if figure.legends else ""
    figure.legends.clear()
    _legend(figure, [ax], ncol=3, title=title or None)
    return figure
