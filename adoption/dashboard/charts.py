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
from dataclasses import dataclass

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
    shown = Shown.of(result, lang)
    with using(lang):
        out = {"forecast": _png(_fan(shown, indicator, place))}
        if shown.differences is not None:
            both = comparison_chart(shown.forecast, indicator, place, differences=shown.differences)
            out["difference"] = _png(both)
    return out


def cost_chart(result: Result, lang: str) -> bytes | None:
    """PNG bytes of the cost-effectiveness chart (all districts, last month), if levers."""
    if result.costs is None:
        return None
    total = result.costs[result.costs["level"] == "total"]
    with using(lang):
        return _png(cost_effectiveness_chart(total, date=pd.Timestamp(total["date"].max())))


@dataclass(frozen=True)
class Shown:
    """A result's tables with its scenarios named as the page in a language names them.

    The runs are keyed by the scenario's ``name``; the Vietnamese page titles its figures
    with ``name_vi`` and calls the runs without the levers by the Vietnamese of that phrase.
    """

    forecast: pd.DataFrame
    differences: pd.DataFrame | None
    scenario: str
    baseline: str

    @classmethod
    def of(cls, result: Result, lang: str) -> Shown:
        """The tables of ``result`` as the page in ``lang`` shows them."""
        name = result.scenario.name
        shown = (result.scenario.name_vi or name) if lang == "vi" else name
        names = {name: shown}
        if shown != name:
            names[result.baseline] = tr("{name} without interventions", lang).format(name=shown)
        return cls(
            _renamed(result.forecast, names),
            None if result.differences is None else _renamed(result.differences, names),
            shown,
            names.get(result.baseline, result.baseline),
        )


def _renamed(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``frame`` with the scenario names of its ``scenario`` and ``versus`` columns replaced."""
    if all(new == old for old, new in names.items()):
        return frame
    columns = [c for c in ("scenario", "versus") if c in frame.columns]
    return frame.replace({c: names for c in columns})


def _fan(shown: Shown, indicator: str, place: str):
    """The scenario's fan with reported points; with levers, the median without them over it."""
    figure = fan_chart(
        shown.forecast,
        indicator,
        place,
        scenario=shown.scenario,
        reported=load_targets(),
        references=load_references(),
    )
    if shown.differences is None:  # no levers
        return figure
    label = tr("median without the levers")
    return median_over(figure, shown.forecast, shown.baseline, indicator, place, label)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
