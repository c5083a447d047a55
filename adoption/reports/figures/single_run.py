"""One run's headline indicators by district: :func:`indicators_by_district`.

This module owns the only figure drawn from a single run's tidy indicator table
(:func:`adoption.model.simulate.simulate`) rather than an ensemble summary. The headline
indicators and their labels come from the registry :mod:`adoption.model.indicators`.
It draws no fans or intervals (:mod:`adoption.reports.figures.fans`).
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from adoption.model.indicators import HEADLINE, INDICATORS, TOTAL
from adoption.reports.figures.style import _place
from adoption.reports.i18n import tr


def indicators_by_district(table: pd.DataFrame, title: str = "", smooth_months: int = 3) -> Figure:
    """Small multiples: one panel per headline indicator, one line per district over time.

    Monthly file-based rates are noisy in small districts, so rates are shown
    as a centred ``smooth_months`` rolling mean of the monthly values (1 = raw).
    The five-district total is drawn in black.

    Args:
        table: a tidy table as returned by :func:`adoption.model.simulate.simulate`.
        title: the figure's title.
        smooth_months: width of the rolling mean, in months.
    """
    rows = table[table["level"].isin(["district", "total"]) & table["indicator"].isin(HEADLINE)]
    places = list(dict.fromkeys(rows.loc[rows["level"] == "district", "place"])) + [TOTAL]
    n_rows = -(-len(HEADLINE) // 3)  # as many rows of three panels as the headline needs
    fig, axes = plt.subplots(
        n_rows, 3, figsize=(13, 1.5 + 3 * n_rows), sharex=True, layout="constrained", squeeze=False
    )
    for ax in axes.flat[len(HEADLINE) :]:
        ax.set_visible(False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, indicator in zip(axes.flat, HEADLINE, strict=False):
        data = rows[rows["indicator"] == indicator].pivot(
            index="date", columns="place", values="value"
        )
        data = data.rolling(smooth_months, center=True, min_periods=1).mean() * 100
        for k, place in enumerate(places):
            if place not in data:
                continue
            total = place == TOTAL
            ax.plot(
                data.index,
                data[place],
                color="black" if total else colours[k % len(colours)],
                linewidth=2.2 if total else 1.3,
                linestyle="--" if total else "-",
                label=_place(place),
            )
        ax.set_title(tr(INDICATORS[indicator].label), fontsize=11)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in axes[-1]:
        ax.set_xlabel(tr("year"))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    fig.suptitle(title or tr("Indicators by district (one run)"), fontsize=13)
    return fig
