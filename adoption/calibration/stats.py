"""What a run says about the targets: each target's simulated value and the count behind it.

:func:`statistics` reads one finished run's indicators at the months a target's report
may refer to (:func:`report_months`): from Mesa's DataCollector (``record="all"``) or, as
the calibration runs them, from the float64 ``trace`` of ``record="targets"`` with the
indicators :func:`indicators_for` names (the same numbers). This module owns how an
indicator is aggregated into the figure a district reports (a year's files, a stock
at the month, a month's increase of the app install rate). It does not run the model
(:mod:`adoption.calibration.simulator`) or compare values with the reports
(:mod:`adoption.calibration.noise`).

(Named ``stats`` rather than ``statistics`` so that the package's re-exported
function :func:`statistics` does not shadow its own module.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoption.calendar import parse_month
from adoption.model.indicators import INDICATORS
from adoption.model.model import AdoptionModel

#: Months in a reported rate of files: the texts report a year's files ("since the start of
#: the year", "to date"), so a file rate at report month m is the ratio of the 12 months to m.
REPORT_MONTHS = 12

#: The target-only indicator (:data:`adoption.calibration.targets.DERIVED`): a month's
#: increase of the app install rate.
_APP_INCREASE = "app_install_rate_increase_1m"


def report_months(target: pd.Series | dict) -> list[int]:
    """Months the target's report may refer to: its date interval (Mays only for a May figure)."""
    months = list(range(parse_month(target["date_start"]), parse_month(target["date_end"]) + 1))
    if target["aggregation"] == "mean_same_calendar_month":
        calendar_month = parse_month(target["date_start"]) % 12
        months = [m for m in months if m % 12 == calendar_month]
    return months


def indicators_for(targets: pd.DataFrame) -> tuple[str, ...]:
    """The indicators a run must keep for the statistics of ``targets``, in registry order."""
    wanted = {"households"}
    for name in targets["indicator"]:
        if name == _APP_INCREASE:
            wanted |= {"citizens_app", "citizens"}
        else:
            wanted |= {name, *(INDICATORS[name].rate or ())}
    return tuple(n for n in INDICATORS if n in wanted)


def collected(model: AdoptionModel) -> dict:
    """The run's indicators by name, month by month (DataCollector or trace)."""
    if model.record == "all":
        return model.datacollector.model_vars
    return {name: model.trace[: model.steps, :, k] for k, name in enumerate(model.kept)}


def statistics(
    model: AdoptionModel, targets: pd.DataFrame, series: bool = False
) -> dict[str, np.ndarray]:
    """Each target's simulated value at each of its report months, and the real count behind it.

    Args:
        model: a finished model; its collected counts are in real (unscaled) units.
        targets: the figures (:func:`adoption.calibration.observations.fit_figures`).
        series: also return each figure's value in every month of the run.

    Returns:
        ``{id: values}`` and ``{id + "/n": counts}``, arrays over :func:`report_months`.
        Rates of flows (files) are 12-month ratios of sums; stocks are end-of-month
        values; the app figure is one month's increase of the install rate. A count is
        the real number of cases behind the value, for the sampling variance of the report.
        With ``series``, also ``{id + "/series": value in every month of the run}``.
    """
    return statistics_of(collected(model), model.places, model.months, targets, series)


def statistics_of(
    data: dict, places: pd.DataFrame, months: np.ndarray, targets: pd.DataFrame, series: bool
) -> dict[str, np.ndarray]:
    """:func:`statistics` of a run's indicators ``data``, its place table and months."""
    first = int(months[0])
    out = {}
    for target in targets.itertuples(index=False):
        columns = place_columns(places, _places(target))
        steps = np.array(report_months(target._asdict())) - first
        values, counts = _series(data, target.indicator, columns, steps)
        out[target.id] = values
        out[f"{target.id}/n"] = counts
        if series:  # the figure's value in every month of the run
            every = np.arange(len(data["households"]))
            out[f"{target.id}/series"] = _series(data, target.indicator, columns, every)[0]
    return out


def _places(target) -> tuple:
    """The model places of a figure: its ``places`` column, or its own place and level."""
    places = getattr(target, "places", None)
    return places if isinstance(places, tuple) else ((target.place, target.level),)


def place_columns(places: pd.DataFrame, wanted: tuple) -> list[int]:
    """Columns of the model's place table for ``(place, level)`` pairs."""
    columns = []
    for place, level in wanted:
        match = places.index[(places["place"] == place) & (places["level"] == level)]
        if len(match) != 1:
            raise ValueError(f"{place!r} ({level}) is not one place of the model")
        columns.append(int(match[0]))
    return columns


def _series(data: dict, indicator: str, columns: list[int], steps: np.ndarray):
    """A figure's values and counts at ``steps``, summed over the places ``columns``.

    A rate of several places is the ratio of their summed numerators and denominators.
    """

    def column(name: str) -> np.ndarray:
        return np.array([month[columns].sum() for month in data[name]], dtype=np.float64)

    if indicator == _APP_INCREASE:
        rate = column("citizens_app") / column("citizens")
        before = np.where(steps > 0, rate[np.maximum(steps - 1, 0)], 0.0)
        return rate[steps] - before, column("citizens")[steps]
    rate = INDICATORS[indicator].rate
    if rate is not None and all(INDICATORS[part].kind == "flow" for part in rate):
        return _year_ratio(column(rate[0]), column(rate[1]), steps)
    if rate is not None:
        numerator, denominator = column(rate[0]), column(rate[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(denominator > 0, numerator / denominator, np.nan)
        return values[steps], denominator[steps]
    if len(columns) > 1:
        raise ValueError(f"{indicator} is not a rate: it cannot be summed over places")
    return column(indicator)[steps], column("households")[steps]


def _year_ratio(numerator: np.ndarray, denominator: np.ndarray, steps: np.ndarray):
    """Ratio of the sums over the :data:`REPORT_MONTHS` months to each step, and the sum below."""
    num, den = np.cumsum(numerator), np.cumsum(denominator)
    low = np.maximum(steps - REPORT_MONTHS, -1)
    num_w = num[steps] - np.where(low >= 0, num[np.maximum(low, 0)], 0)
    den_w = den[steps] - np.where(low >= 0, den[np.maximum(low, 0)], 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den_w > 0, num_w / den_w, np.nan), den_w
