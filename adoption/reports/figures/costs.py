"""Cost-effectiveness of the scenarios against their baseline: :func:`cost_effectiveness_chart`.

This module owns the cost figure and its money formatting: additional cost against
additional households, and the cost per additional household with the cases where
it is unbounded. It reads the long table of :func:`adoption.ensemble.costs`; it
does not compute costs, and draws no fans (:mod:`adoption.reports.figures.fans`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from adoption.model.indicators import TOTAL
from adoption.reports.figures.style import _place, _require, _select, _unit
from adoption.reports.i18n import tr

#: Why a cost per household is unbounded when its interval of added households spans 0.
ZERO = "the 90 % interval of additional households includes 0"

_COST_MEASURES = (
    "additional_cost_vnd",
    "additional_households_any",
    "cost_per_additional_household_vnd",
)
#: Drawn in a third panel when the table has them: household-years of use gained, and the
#: cost per household-year (a lever that makes households adopt years earlier shows here).
_YEAR_MEASURES = ("household_years_any", "cost_per_household_year_vnd")


def _vnd_unit(values: np.ndarray) -> tuple[float, str]:
    finite = np.abs(values[np.isfinite(values)])
    top = finite.max() if finite.size else 0.0
    if top >= 1e6:
        return 1e-6, tr("million VND")
    if top >= 1e3:
        return 1e-3, tr("thousand VND")
    return 1.0, tr("VND")


def _money(value: float) -> str:
    """At most three significant digits, never in exponent form: 0.62, 15.3, 556, 1,100."""
    if value >= 100:
        return f"{float(f'{value:.3g}'):,.0f}"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.2g}"


def cost_effectiveness_chart(
    costs: pd.DataFrame, *, date: str | pd.Timestamp = "2030-12", place: str = TOTAL
) -> Figure:
    """Additional cost against additional adopting households, and cost per added household.

    Left: each scenario's additional cost (billion VND) against its additional
    households using at least one service (``additional_households_any``), at
    the median with 90 % intervals both ways. Right: cost per additional
    household (median and 90 % interval). Where the 90 % interval of
    additional households includes 0 (or its quantiles are NaN), the cost per
    household is unbounded: the figure says so and draws no number.

    Args:
        costs: a long table ``scenario, versus, date, measure, median, q05, q25, q75, q95``
            (:func:`adoption.ensemble.costs`); if it has a ``place`` column, only ``place``
            is drawn.
        date: the month drawn (``YYYY-MM`` or a Timestamp).
        place: the place drawn when the table has several (the total by default).

    Raises:
        ValueError: if the date, place or a measure is not in the table, or no scenario is left
            once the baseline is left out.
    """
    table, month = _cost_rows(costs, date, place)
    names = [str(s) for s in pd.unique(table["scenario"])]
    stats = {
        m: part.set_index("scenario").reindex(names)
        for m, part in table.groupby("measure", sort=False)
    }
    cost, extra, per = (stats[m] for m in _COST_MEASURES)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = [colours[(k + 1) % len(colours)] for k in range(len(names))]  # C0 is the baseline
    versus = ", ".join(map(str, pd.unique(table["versus"])))
    years = all(m in stats for m in _YEAR_MEASURES)
    fig, axes = plt.subplots(
        1,
        3 if years else 2,
        figsize=(18.5 if years else 12.5, 1.8 + max(3.4, 0.6 * len(names))),
        layout="constrained",
        width_ratios=[1.25, 1, 1][: 3 if years else 2],
    )
    _draw_cost_against_households(axes[0], names, cost, extra, colour)
    _draw_cost_per_household(axes[1], names, extra, per, colour, "additional household")
    if years:
        gained, per_year = (stats[m] for m in _YEAR_MEASURES)
        _draw_cost_per_household(axes[2], names, gained, per_year, colour, "household-year gained")
    title = tr(
        "Cost-effectiveness against {versus}, {place}, {month:%b %Y} (cumulative since the start)"
    )
    fig.suptitle(title.format(versus=versus, place=_place(place), month=month), fontsize=12)
    return fig


def _cost_rows(
    costs: pd.DataFrame, date: str | pd.Timestamp, place: str
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The month of ``date`` and its rows but the baseline's (``place``'s, if there are places)."""
    _require(costs, ["scenario", "versus", "date", "measure", "median", "q05", "q95"], "costs")
    month = pd.Timestamp(date).to_period("M").to_timestamp()
    table = costs.assign(date=pd.to_datetime(costs["date"]).dt.to_period("M").dt.to_timestamp())
    if "place" in table.columns:
        table = _select(table, "costs", place=place)
    found = table["date"] == month
    if not found.any():
        dates = ", ".join(pd.unique(table["date"].dt.strftime("%Y-%m")))
        raise ValueError(f"costs: no rows for {month:%Y-%m}; allowed: {dates}")
    table = table[found & (table["scenario"] != table["versus"])]
    if table.empty:
        raise ValueError("costs: no scenario other than the baseline")
    measures = [m for m in (*_COST_MEASURES, *_YEAR_MEASURES) if m in set(table["measure"])]
    _select(table, f"costs, {month:%Y-%m}", measure=list(_COST_MEASURES))  # these are required
    return _select(table, f"costs, {month:%Y-%m}", measure=measures), month


def _draw_cost_against_households(
    ax: Axes, names: list[str], cost: pd.DataFrame, extra: pd.DataFrame, colour: list[str]
) -> None:
    """The left panel: additional cost against additional households, medians and 90 %."""
    hunit = _unit("households_any", extra[["q05", "q95"]].to_numpy(float))
    x = extra[["median", "q05", "q95"]].to_numpy(float) * hunit.factor
    y = cost[["median", "q05", "q95"]].to_numpy(float) * 1e-9
    for k, name in enumerate(names):
        ax.errorbar(
            x[k, 0],
            y[k, 0],
            xerr=[[x[k, 0] - x[k, 1]], [x[k, 2] - x[k, 0]]],
            yerr=[[y[k, 0] - y[k, 1]], [y[k, 2] - y[k, 0]]],
            fmt="o",
            color=colour[k],
            markersize=7,
            capsize=3,
            linewidth=1.4,
            label=name,
        )
        ax.annotate(
            name,
            (x[k, 0], y[k, 0]),
            xytext=(6, (6, -16, 18)[k % 3]),  # apart when medians are close
            textcoords="offset points",
            fontsize=9,
            color=colour[k],
        )
    ax.axvline(0, color="gray", linewidth=0.9, linestyle=":")
    ax.axhline(0, color="gray", linewidth=0.9, linestyle=":")
    xlabel = tr("additional households using an online service ({unit})")
    ax.set_xlabel(xlabel.format(unit=hunit.label))
    ax.set_ylabel(tr("additional cost (billion VND)"))
    ax.set_title(tr("Median and 90 % intervals"), fontsize=10)
    ax.grid(alpha=0.3)


def _draw_cost_per_household(
    ax: Axes,
    names: list[str],
    extra: pd.DataFrame,
    per: pd.DataFrame,
    colour: list[str],
    what: str = "additional household",
) -> None:
    """Cost per ``what`` (an additional household, a household-year gained), or why unbounded."""
    hq = extra[["q05", "q95"]].to_numpy(float)
    p = per[["median", "q05", "q95"]].to_numpy(float)
    bounded = (hq[:, 0] > 0) & np.isfinite(hq).all(axis=1) & np.isfinite(p[:, :2]).all(axis=1)
    factor, vnd = _vnd_unit(p[bounded])
    p = p * factor
    ypos = np.arange(len(names))[::-1]
    finite = p[bounded][np.isfinite(p[bounded])]
    # log axis when the scenarios differ by orders of magnitude (all costs positive)
    log = finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 20
    edge = (finite.max() * (2.0 if log else 1.15)) if finite.size else 1.0
    ticks = list(names)  # each bounded scenario's tick also gives its numbers
    for k, name in enumerate(names):
        if bounded[k]:
            ticks[k] = _draw_interval(ax, name, p[k], ypos[k], edge, colour[k])
        else:
            _draw_unbounded(ax, _unbounded_reason(hq[k], what), ypos[k])
    ax.set_yticks(ypos, ticks, fontsize=9)
    ax.set_ylim(-0.7, len(names) - 0.3)
    if log:
        ax.set_xscale("log")
        ax.set_xlim(finite.min() / 2, edge)
    elif finite.size:
        ax.set_xlim(min(0.0, finite.min()), edge)
    else:
        ax.set_xticks([])
    scale_note = tr(", log scale") if log else ""
    ax.set_xlabel(tr("cost per {what} ({unit})").format(what=tr(what), unit=vnd + scale_note))
    title = tr("Cost per {what} ({unit})\nmedian (90 % interval)")
    ax.set_title(title.format(what=tr(what), unit=vnd), fontsize=10)
    ax.grid(alpha=0.3, axis="x")


def _draw_interval(
    ax: Axes, name: str, values: np.ndarray, y: float, edge: float, colour: str
) -> str:
    """One scenario's median and 90 % interval (open-ended if unbounded above); its tick label."""
    median, low, high = values
    open_end = not np.isfinite(high)  # runs adding no household: the ratio is unbounded
    ax.plot([low, edge if open_end else high], [y, y], color=colour, linewidth=2.2)
    if open_end:
        ax.plot(edge, y, ">", color=colour, markersize=7, clip_on=False)
    ax.plot(median, y, "o", color=colour, markersize=7, label=name)
    interval = f"{_money(low)}–{tr('unbounded') if open_end else _money(high)}"
    return f"{name}\n{_money(median)} ({interval})"


def _unbounded_reason(households: np.ndarray, what: str = "additional household") -> str:
    """Why the cost per ``what`` is unbounded, from the (q05, q95) of what was added."""
    unknown, not_above, includes = _REASONS[what == "additional household"]
    if not np.isfinite(households).all():
        return tr(unknown)
    return tr(not_above) if households[1] <= 0 else tr(includes)


#: Why a cost per household (True) or per household-year (False) is unbounded: what was
#: added is unknown, not above 0, or its interval includes 0 (whole texts, to translate).
_REASONS = {
    True: (
        "additional households unknown",
        "the 90 % interval of\nadditional households is not above 0",
        "the 90 % interval of\nadditional households includes 0",
    ),
    False: (
        "household-years unknown",
        "the 90 % interval of\nhousehold-years is not above 0",
        "the 90 % interval of\nhousehold-years includes 0",
    ),
}


def _draw_unbounded(ax: Axes, why: str, y: float) -> None:
    ax.text(
        0.02,
        y,
        tr("not defined (unbounded):\n{why}").format(why=why),
        transform=blended_transform_factory(ax.transAxes, ax.transData),
        va="center",
        fontsize=8.5,
        color="dimgray",
        style="italic",
    )
