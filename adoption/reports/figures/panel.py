"""One fan panel: the model's bands, the observation band, reported figures and targets.

:func:`fan_panel` draws one indicator at one place on one axes; :mod:`adoption.reports.figures.fans`
lays panels out (a grid of places, one place's indicators, small multiples). :func:`row_label`
sets an indicator's label to fit beside a row of panels.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from adoption.calibration.observations import fit_figures
from adoption.reports.figures.references import _draw_references, _draw_reported
from adoption.reports.figures.style import (
    FAN_COLOUR,
    _band,
    _dated,
    _limits,
    _observation_band,
    _Unit,
    _year_axis,
)
from adoption.reports.i18n import tr

#: The note under a figure whose panels draw reported figures as bars over their months.
BAR_NOTE = "bars: the months a reported figure may refer to (the texts give no dates)"
#: Points an indicator's label beside a row of :func:`fan_grid` may take: about what a
#: row's height (2.25 in) holds beside its panel; every headline label in English fits.
_LABEL_POINTS = 142.0


def fan_panel(
    ax: Axes,
    rows: pd.DataFrame,
    indicator: str,
    place: str,
    unit: _Unit,
    *,
    reported: pd.DataFrame | None,
    references: pd.DataFrame | None,
    fontsize: float = 8,
) -> None:
    """One fan: ``rows`` are the summary rows of one scenario, place, level and indicator."""
    rows = _dated(rows)
    x = rows["date"].to_numpy()
    _observation_band(ax, x, rows, unit, FAN_COLOUR)
    _band(ax, x, rows, unit, FAN_COLOUR)
    level = str(rows["level"].iloc[0])
    if reported is not None and len(reported):
        drawn = pd.to_datetime(reported["date_end"], format="%Y-%m").max()
        _nowcast_line(ax, max(drawn, last_fitted_month()), x)
        shown = pd.to_datetime(reported["date_end"], format="%Y-%m") >= rows["date"].iloc[0]
        shown &= pd.to_datetime(reported["date_start"], format="%Y-%m") <= rows["date"].iloc[-1]
        _draw_reported(ax, reported[shown], place, level, indicator, fontsize)
    if references is not None:
        _draw_references(ax, references, indicator, level, place, rows["date"].iloc[0], fontsize)
    shown = ["q05", "q95", *(["obs_q05", "obs_q95"] if "obs_q05" in rows else [])]
    _limits(ax, unit, rows[shown].to_numpy(float) * unit.factor)
    ax.set_xlim(x[0], x[-1])
    ax.grid(alpha=0.3)
    _year_axis(ax)


@lru_cache(maxsize=1)
def last_fitted_month() -> pd.Timestamp:
    """The last month any figure the calibration compares with the model may refer to."""
    return pd.to_datetime(fit_figures()["date_end"], format="%Y-%m").max()


def _nowcast_line(ax: Axes, last: pd.Timestamp, x) -> None:
    """A dotted line at the last month a reported figure covers (drawn or calibrated on).

    Before it the fan is a nowcast (the figures constrain it), after it a forecast.
    """
    if not x[0] < last.to_datetime64() < x[-1]:
        return
    label = tr("last reported figure ({month}): nowcast before, forecast after")
    ax.axvline(last, color="0.35", linestyle=":", linewidth=1.2, zorder=3,
               label=label.format(month=f"{last:%Y-%m}"))  # fmt: skip


def row_label(label: str) -> tuple[str, float]:
    """A row label of :func:`fan_grid` and its font size: smaller, then wrapped, when long.

    A label is not wrapped first, because wrapping breaks apart a language's words of
    several syllables (Vietnamese "trực tuyến"): one a little too long is set smaller.
    """
    width = _text_width(label, 9.0)
    if width <= _LABEL_POINTS:
        return label, 9.0
    if width * 7.0 / 9.0 <= _LABEL_POINTS:
        return label, 9.0 * _LABEL_POINTS / width
    chars = len(label)
    while chars > 10 and any(
        _text_width(line, 7.0) > _LABEL_POINTS for line in textwrap.wrap(label, chars)
    ):
        chars -= 1
    return textwrap.fill(label, chars), 7.0


def _text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at font ``size`` (the default font)."""
    font = FontProperties(size=size)
    return TextToPath().get_text_width_height_descent(text, font, ismath=False)[0]
