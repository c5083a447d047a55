"""The page's figures, drawn by the package's figure functions, as PNG bytes.

The figures of a quick forecast (:class:`adoption.dashboard.quick.Result`) at one place
and indicator: the scenario's fan chart with the reported figures and national targets,
the baseline's median drawn over it; the scenarios side by side with their paired
difference (:func:`adoption.reports.figures.comparison_chart`); and cost-effectiveness
(:func:`adoption.reports.figures.cost_effectiveness_chart`). The page shows the PNG it offers for
download, so what a planner takes away is what they saw.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # a server draws off screen, from any thread

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from adoption.calibration.targets import load_targets  # noqa: E402
from adoption.dashboard.quick import Result  # noqa: E402
from adoption.reports.figures import (
    comparison_chart,
    cost_effectiveness_chart,
    fan_chart,
    load_references,
    median_over,
)
from adoption.reports.i18n import tr, using  # noqa: E402


def charts(result: Result, indicator: str, place: str, lang: str) -> dict[str, bytes]:
    """PNG bytes of the fan chart and (with levers) the paired comparison."""
    with using(lang):
        out = {"forecast": _png(_fan(result, indicator, place))}
        if result.differences is not None:
            both = comparison_chart(
                result.forecast, indicator, place, differences=result.differences
            )
            out["difference"] = _png(both)
    return out


def cost_chart(result: Result, lang: str) -> bytes | None:
    """PNG bytes of the cost-effectiveness chart (all districts, last month), if levers."""
    if result.costs is None:
        return None
    total = result.costs[result.costs["level"] == "total"]
    with using(lang):
        return _png(cost_effectiveness_chart(total, date=pd.Timestamp(total["date"].max())))


def _fan(result: Result, indicator: str, place: str):
    """The scenario's fan with reported points; the baseline's median over it."""
    figure = fan_chart(
        result.forecast,
        indicator,
        place,
        scenario=result.scenario.name,
        reported=load_targets(),
        references=load_references(),
    )
    if result.differences is None:
        return figure
    label = tr("median without the levers")
    return median_over(figure, result.forecast, result.baseline, indicator, place, label)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
