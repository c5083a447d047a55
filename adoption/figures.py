"""Figures: each a function that takes tidy tables and returns a matplotlib Figure.

Analysts restyle them by changing the returned Figure; the CLI saves them.
This module draws; it does not run the model.

Two kinds of input:

- one run's tidy indicator table (``date, place, level, district, indicator,
  value``) for :func:`indicators_by_district`;
- an ensemble's summaries (:func:`adoption.ensemble.summarise`,
  :func:`~adoption.ensemble.differences`, :func:`~adoption.ensemble.costs`) for
  the fan charts (:func:`fan_chart`, :func:`fan_grid`, :func:`small_multiples`),
  the scenario comparison (:func:`comparison_chart`) and the cost-effectiveness
  chart (:func:`cost_effectiveness_chart`). Summaries carry the columns
  ``median, q05, q25, q75, q95``; the fans show the median, the 50 % interval
  (q25-q75) and the 90 % interval (q05-q95).

Fan charts can overlay the figures reported by the source texts
(:func:`adoption.targets.load_targets`) and the national programme targets of
``adoption/data/references.csv`` (:func:`load_references`). Rates are drawn in
percent, household counts in households (thousands when large) and costs in
billion VND. A selection that matches nothing raises ``ValueError`` naming what
the table holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from .errors import UserError  # noqa: E402
from .indicators import TOTAL  # noqa: E402

#: Headline indicators and their panel titles, in the order the figures show them.
HEADLINE: dict[str, str] = {
    "online_service_rate": "Procedure files filed online",
    "online_payment_rate": "Fees paid online",
    "records_digitisation_rate": "Case records digitised",
    "cashless_bill_rate": "Households paying bills by app",
    "app_install_rate": "Citizens with the citizen app",
    "procedures_online_share": "Procedures offered online",
}

#: Plain-word names of every indicator the ensemble figures draw.
LABELS: dict[str, str] = {
    **HEADLINE,
    "smartphone_rate": "Households with a smartphone",
    "account_rate": "Households with a payment account",
    "any_service_rate": "Households using an online service",
    "households_online": "Households filing online",
    "households_app": "Households with the citizen app",
    "households_cashless": "Households paying bills by app",
    "households_any": "Households using an online service",
    "households": "Households",
    "files_online": "Procedure files filed online in the month",
    "cost_vnd": "Cumulative cost",
}

#: What each rate is a share of, for its axis label ("% of ...").
SHARE_OF: dict[str, str] = {
    "online_service_rate": "procedure files",
    "online_payment_rate": "fee-bearing files",
    "records_digitisation_rate": "procedure files",
    "cashless_bill_rate": "households",
    "app_install_rate": "citizens",
    "procedures_online_share": "procedures",
    "smartphone_rate": "households",
    "account_rate": "households",
    "any_service_rate": "households",
}

#: Columns of the references file, in order.
REFERENCE_COLUMNS = ["indicator", "level", "value", "date", "label", "source"]
#: Place levels of the summaries; a reference's ``level`` is ``all`` or some of these.
LEVELS = ("commune", "district", "total")
#: Columns of the ensemble summaries the fan charts need.
SUMMARY_COLUMNS = [
    "scenario",
    "date",
    "place",
    "level",
    "indicator",
    "q05",
    "q25",
    "median",
    "q75",
    "q95",
]

FAN_COLOUR = "tab:blue"
TARGET_COLOUR = "black"
INPUT_COLOUR = "dimgray"
REFERENCE_COLOUR = "firebrick"
ZERO = "the 90 % interval of additional households includes 0"


# -- references ---------------------------------------------------------------------------------


def default_references_path() -> Path:
    """Path of the shipped file of national programme targets."""
    return Path(str(resources.files("adoption") / "data" / "references.csv"))


def load_references(path: str | Path | None = None) -> pd.DataFrame:
    """Read the national programme targets drawn as reference lines.

    One row per reference line: ``indicator, level, value, date, label, source``.
    ``value`` is a share in [0, 1]; ``date`` (``YYYY-MM``) is the month the
    target is for (the line ends there); ``level`` is ``all`` or the levels it
    applies to, separated by ``;`` (e.g. ``district``); ``source`` says where
    the target was read and how it maps onto the model's indicator. Decision
    749's "80 % of online public services at level 4" is not shipped: it is a
    share of online services, while ``procedures_online_share`` is a share of
    all procedures with levels 3 and 4 counted alike.

    Args:
        path: a CSV with the columns of :data:`REFERENCE_COLUMNS`; the shipped file if None.

    Returns:
        The rows, ``value`` as float.

    Raises:
        UserError: naming the file, the row and the column, and what is allowed.
    """
    path = Path(path) if path is not None else default_references_path()
    if not path.is_file():
        raise UserError(path, "path", "no such references file")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(table.columns) != REFERENCE_COLUMNS:
        raise UserError(path, "header", f"expected columns {', '.join(REFERENCE_COLUMNS)}")
    table = table.apply(lambda column: column.str.strip())
    for line, row in zip(range(2, len(table) + 2), table.itertuples(index=False), strict=True):
        where = f"{path}: row {line}"
        for column in REFERENCE_COLUMNS:
            if not getattr(row, column):
                raise UserError(where, column, "must not be empty")
        levels = row.level.split(";")
        if row.level != "all" and not set(levels) <= set(LEVELS):
            raise UserError(where, "level", f"{row.level!r}: expected all or {', '.join(LEVELS)}")
        try:
            value = float(row.value)
        except ValueError:
            value = float("nan")
        if not 0 <= value <= 1:
            raise UserError(where, "value", f"{row.value!r}: expected a share in [0, 1]")
        try:
            pd.Timestamp(f"{row.date}-01")
        except ValueError:
            raise UserError(where, "date", f"{row.date!r}: expected YYYY-MM") from None
    table["value"] = table["value"].astype(float)
    table.attrs["path"] = str(path)
    return table


# -- units and selection ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """How an indicator's values are shown: multiply by ``factor``, label the axis ``label``."""

    factor: float
    label: str
    rate: bool


def _is_rate(indicator: str) -> bool:
    return indicator.endswith(("_rate", "_share"))


def _unit(indicator: str, values: np.ndarray, *, difference: bool = False) -> _Unit:
    """The unit of ``indicator``, thousands for counts whose ``values`` reach 10,000."""
    if _is_rate(indicator):
        if difference:
            return _Unit(100.0, "percentage points", True)
        return _Unit(100.0, f"% of {SHARE_OF.get(indicator, 'the total')}", True)
    if indicator.endswith("_vnd"):
        return _Unit(1e-9, "billion VND", False)
    noun = "households" if indicator.startswith("households") else "count"
    finite = np.abs(values[np.isfinite(values)])
    if finite.size and finite.max() >= 10_000:
        return _Unit(1e-3, f"thousand {noun}", False)
    return _Unit(1.0, noun, False)


def _label(indicator: str) -> str:
    return LABELS.get(indicator, indicator.replace("_", " ").capitalize())


def _percent(value: float) -> str:
    return f"{value * 100:.3g} %"


def _allowed(values: pd.Series) -> str:
    names = [str(v) for v in pd.unique(values)]
    shown = ", ".join(repr(n) for n in names[:40])
    return shown + (f", ... ({len(names)} in all)" if len(names) > 40 else "")


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {', '.join(missing)}")


def _select(table: pd.DataFrame, what: str, **filters: str | Sequence[str] | None) -> pd.DataFrame:
    """Rows of ``table`` whose columns hold the given values (one value or several each).

    Filters are applied in order, so each error names what is left to choose from.

    Raises:
        ValueError: if a value is not in the (already filtered) table, naming the allowed ones.
    """
    for column, value in filters.items():
        if value is None:
            continue
        wanted = [value] if isinstance(value, str) else list(value)
        if not wanted:
            raise ValueError(f"{what}: no {column} given; allowed: {_allowed(table[column])}")
        mask = table[column] == wanted[0] if len(wanted) == 1 else table[column].isin(wanted)
        found = set(table.loc[mask, column].unique())
        missing = [v for v in wanted if v not in found]
        if missing:
            raise ValueError(
                f"{what}: unknown {column} {missing[0]!r}; allowed: {_allowed(table[column])}"
            )
        table = table[mask]
    return table


def _first(table: pd.DataFrame, column: str, what: str) -> str:
    if table.empty:
        raise ValueError(f"{what}: the table is empty")
    return str(table[column].iloc[0])


def _one_level(rows: pd.DataFrame, place: str, level: str | None, what: str) -> pd.DataFrame:
    """The rows of one level: ``level`` if given, else the only level ``place`` has."""
    if level is not None:
        return _select(rows, f"{what}, place {place!r}", level=level)
    levels = pd.unique(rows["level"])
    if len(levels) > 1:
        raise ValueError(
            f"{what}: place {place!r} is at several levels ({', '.join(levels)}); pass level="
        )
    return rows


def _dated(rows: pd.DataFrame) -> pd.DataFrame:
    if not pd.api.types.is_datetime64_any_dtype(rows["date"]):
        rows = rows.assign(date=pd.to_datetime(rows["date"]))
    return rows.sort_values("date")


# -- drawing pieces -----------------------------------------------------------------------------


def _year_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_minor_locator(mdates.YearLocator(1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def _limits(ax: Axes, unit: _Unit, values: np.ndarray) -> None:
    """Both y limits, from the ``values`` drawn (in the unit shown).

    0-100 for rates unless the values leave it; otherwise from 0 (or below the
    lowest negative value) to above the highest value. Both limits are set, so
    that panels sharing a y axis show every panel's data.
    """
    finite = values[np.isfinite(values)]
    if not finite.size:
        return
    low, high = float(finite.min()), float(finite.max())
    if unit.rate and low >= 0 and high <= 100:
        ax.set_ylim(0, 100)
        return
    pad = 0.05 * (high - low) or 1.0
    ax.set_ylim(0 if low >= 0 else low - pad, high + pad)


def _band(
    ax: Axes,
    x: np.ndarray,
    rows: pd.DataFrame,
    unit: _Unit,
    colour: str,
    *,
    bands: tuple[str, ...] = ("90", "50"),
    label: str = "",
    edges: bool = False,
) -> None:
    """Median line and 90 % / 50 % interval bands of summary ``rows`` (sorted by date).

    With ``edges`` the 90 % band is fainter and outlined by dotted lines, so that
    several scenarios' bands stay apart.
    """
    if "90" in bands:
        low, high = (rows[q].to_numpy(float) * unit.factor for q in ("q05", "q95"))
        ax.fill_between(
            x,
            low,
            high,
            color=colour,
            alpha=0.08 if edges else 0.17,
            linewidth=0,
            label=f"{label}90 % interval",
        )
        if edges:
            ax.plot(x, low, color=colour, linewidth=0.9, linestyle=":")
            ax.plot(x, high, color=colour, linewidth=0.9, linestyle=":")
    if "50" in bands:
        ax.fill_between(
            x,
            rows["q25"].to_numpy(float) * unit.factor,
            rows["q75"].to_numpy(float) * unit.factor,
            color=colour,
            alpha=0.38 if "90" in bands else 0.22,
            linewidth=0,
            label=f"{label}50 % interval",
        )
    median = rows["median"].to_numpy(float) * unit.factor
    ax.plot(x, median, color=colour, linewidth=1.7, label=f"{label}median")


_KIND_TEXT = {"point": "", "approximate": "≈ ", "lower_bound": "> ", "upper_bound": "< "}
_KIND_MARKER = {"point": "o", "approximate": "D", "lower_bound": "^", "upper_bound": "v"}
_KIND_WORD = {
    "point": "reported",
    "approximate": "reported approx.",
    "lower_bound": "reported lower bound",
    "upper_bound": "reported upper bound",
}


def _draw_reported(
    ax: Axes, reported: pd.DataFrame, place: str, level: str, indicator: str, fontsize: float
) -> None:
    """Reported figures of ``place``: a marker at the value, a bar over the months it may mean."""
    rows = reported[(reported["place"] == place) & (reported["indicator"] == indicator)]
    if "level" in rows.columns:
        rows = rows[rows["level"] == level]
    if rows.empty or not _is_rate(indicator):
        return
    start = pd.to_datetime(rows["date_start"], format="%Y-%m")
    end = pd.to_datetime(rows["date_end"], format="%Y-%m")
    rows = rows.assign(x0=start, x1=end, x=start + (end - start) / 2, y=rows["value"] * 100)
    roles = rows["role"] if "role" in rows.columns else pd.Series("target", index=rows.index)
    for (kind, role), part in rows.groupby([rows["kind"], roles], sort=False):
        colour = INPUT_COLOUR if role == "input" else TARGET_COLOUR
        who = "model input" if role == "input" else "calibration target"
        ax.hlines(part["y"], part["x0"], part["x1"], colors=colour, linewidth=2.2, alpha=0.8)
        ax.plot(part["x0"], part["y"], "|", color=colour, markersize=7, clip_on=False)
        ax.plot(part["x1"], part["y"], "|", color=colour, markersize=7, clip_on=False)
        ax.plot(
            part["x"],
            part["y"],
            linestyle="none",
            marker=_KIND_MARKER.get(kind, "o"),
            markersize=7,
            color=colour,
            markeredgecolor=colour,
            markeredgewidth=1.4,
            markerfacecolor="white" if role == "input" else colour,
            label=f"{_KIND_WORD.get(kind, 'reported')} ({who})",
            zorder=5,
            clip_on=False,  # a figure of 98 % stays whole at the 100 % edge
        )
        for row in part.itertuples():  # a few reported figures per panel
            text = _KIND_TEXT.get(kind, "") + _percent(row.value)
            if kind in ("lower_bound", "upper_bound"):
                ax.annotate(  # an arrow from the marker, up for a lower bound
                    "",
                    xy=(row.x, row.y),
                    xytext=(0, 18 if kind == "lower_bound" else -18),
                    textcoords="offset points",
                    arrowprops={"arrowstyle": "<|-", "color": colour, "lw": 1.4},
                    zorder=5,
                )
            ax.annotate(
                text,
                xy=(row.x1, row.y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=fontsize,
                color=colour,
                zorder=6,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
            )


def _applies(levels: pd.Series, level: str) -> pd.Series:
    return (levels == "all") | levels.str.split(";").map(lambda names: level in names)


def _draw_references(
    ax: Axes,
    references: pd.DataFrame,
    indicator: str,
    level: str,
    start: pd.Timestamp,
    fontsize: float,
) -> None:
    """Dashed lines from ``start`` to the month a national target is for, labelled at the start.

    The label sits at the left, where uptake is still low, so that it hides no fan.
    """
    rows = references[references["indicator"] == indicator]
    rows = rows[_applies(rows["level"].astype(str), level)]
    if rows.empty or not _is_rate(indicator):
        return
    dates = pd.to_datetime(rows["date"].astype(str), format="%Y-%m")
    values = rows["value"].to_numpy(float) * 100
    ax.hlines(
        values,
        start,
        dates,
        colors=REFERENCE_COLOUR,
        linestyles="--",
        linewidth=1.3,
        label="national programme target",
        zorder=4,
    )
    for value, label in zip(values, rows["label"], strict=True):
        ax.annotate(
            label,
            xy=(start, value),
            xytext=(2, 2),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=fontsize,
            color=REFERENCE_COLOUR,
            zorder=6,
        )


def _fan_panel(
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
    _band(ax, x, rows, unit, FAN_COLOUR)
    level = str(rows["level"].iloc[0])
    if reported is not None:
        shown = pd.to_datetime(reported["date_end"], format="%Y-%m") >= rows["date"].iloc[0]
        shown &= pd.to_datetime(reported["date_start"], format="%Y-%m") <= rows["date"].iloc[-1]
        _draw_reported(ax, reported[shown], place, level, indicator, fontsize)
    if references is not None:
        _draw_references(ax, references, indicator, level, rows["date"].iloc[0], fontsize)
    _limits(ax, unit, rows[["q05", "q95"]].to_numpy(float) * unit.factor)
    ax.set_xlim(x[0], x[-1])
    ax.grid(alpha=0.3)
    _year_axis(ax)


def _legend(fig: Figure, axes: Sequence[Axes], *, ncol: int = 4, title: str | None = None) -> None:
    """One legend below the panels, each label once."""
    handles: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    if handles:
        fig.legend(
            list(handles.values()),
            list(handles),
            loc="outside lower center",
            ncol=min(ncol, len(handles)),
            frameon=False,
            fontsize=9,
            title=title,
            title_fontsize=9,
        )


def _has_reported(axes: Sequence[Axes]) -> bool:
    return any(
        label.startswith("reported") for ax in axes for label in ax.get_legend_handles_labels()[1]
    )


_BAR_NOTE = "bars: the months a reported figure may refer to (the texts give no dates)"


def _runs(rows: pd.DataFrame) -> str:
    if "runs" not in rows.columns or rows.empty:
        return ""
    return f" over {int(rows['runs'].max())} runs"


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


# -- public figures -----------------------------------------------------------------------------


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
        reported: the reported figures (:func:`adoption.targets.load_targets`), or None.
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
    _fan_panel(
        ax, rows, indicator, place, unit, reported=reported, references=references, fontsize=8.5
    )
    level_name = str(rows["level"].iloc[0])
    where = place if level_name == "total" else f"{place} ({level_name})"
    ax.set_title(
        f"{where}: {_label(indicator).lower()}\nscenario {scenario!r}, "
        f"median and intervals{_runs(rows)}",
        fontsize=11,
    )
    ax.set_ylabel(unit.label)
    ax.set_xlabel("year")
    if legend if legend is not None else new:
        _legend(fig, [ax], ncol=3, title=_BAR_NOTE if _has_reported([ax]) else None)
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
        reported: the reported figures (:func:`adoption.targets.load_targets`), or None.
        references: the national targets (:func:`load_references`), or None.
        level: the places' level, needed only if a commune shares a district's name.

    Raises:
        ValueError: if the scenario, an indicator or a place is not in the table.
    """
    indicators, places = list(indicators), list(places)
    rows, scenario = _forecast_rows(forecast, indicators, places, scenario)
    if level is not None:
        rows = _select(rows, f"forecast, scenario {scenario!r}", level=level)
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
        part = by_indicator[indicator]
        unit = _unit(indicator, part[["q05", "q95"]].to_numpy(float))
        by_place = dict(tuple(part.groupby("place", sort=False)))
        for j, place in enumerate(places):
            ax = axes[i, j]
            if place not in by_place:
                ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center")
                continue
            cell = _one_level(by_place[place], place, None, "forecast")
            _fan_panel(
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
            if i == 0:
                ax.set_title(place, fontsize=11, fontweight="bold")
        axes[i, 0].set_ylabel(f"{_label(indicator)}\n({unit.label})", fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("year", fontsize=9)
    ncol = {1: 1, 2: 2}.get(n_cols, 4)  # as many legend columns as the width holds
    note = _BAR_NOTE if n_cols > 1 else _BAR_NOTE.replace(" (", "\n(")
    _legend(fig, list(axes.flat), ncol=ncol, title=note if _has_reported(axes.flat) else None)
    fig.suptitle(
        f"Forecast, scenario {scenario!r}: median, 50 % and 90 % intervals{_runs(rows)}",
        fontsize=13,
    )
    return fig


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
        reported: the reported figures (:func:`adoption.targets.load_targets`), or None.
        references: the national targets (:func:`load_references`), or None.
        places: only these places of the level, in this order (all, in table order, if None).
        ncols: panels per row.

    Raises:
        ValueError: if the scenario, indicator, level or a place is not in the table.
    """
    _require(forecast, SUMMARY_COLUMNS, "forecast")
    scenario = scenario if scenario is not None else _first(forecast, "scenario", "forecast")
    what = f"forecast, scenario {scenario!r}"
    rows = _select(forecast, "forecast", scenario=scenario)
    rows = _select(rows, what, indicator=indicator)
    rows = _select(rows, f"{what}, indicator {indicator!r}", level=level)
    rows = _select(rows, f"{what}, level {level!r}", place=places)
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
    by_place = dict(tuple(rows.groupby("place", sort=False)))
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.set_visible(False)
            above = axes.flat[k - ncols]
            above.xaxis.set_tick_params(labelbottom=True)
            above.set_xlabel("year")
            continue
        place = names[k]
        _fan_panel(
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
        ax.set_title(place, fontsize=11)
        if k % ncols == 0:
            ax.set_ylabel(unit.label)
        if k + ncols >= len(names):
            ax.set_xlabel("year")
    _legend(fig, list(axes.flat), ncol=4, title=_BAR_NOTE if _has_reported(axes.flat) else None)
    fig.suptitle(
        f"{_label(indicator)} by {level}, scenario {scenario!r}: median, 50 % and "
        f"90 % intervals{_runs(rows)}",
        fontsize=12,
    )
    return fig


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
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {name: colours[k % len(colours)] for k, name in enumerate(names)}
    unit = _unit(indicator, rows[["q05", "q95"]].to_numpy(float))
    diff = None
    if differences is not None:
        _require(differences, [*SUMMARY_COLUMNS, "versus"], "differences")
        diff = _select(differences, "differences", indicator=indicator)
        diff = _select(diff, f"differences, indicator {indicator!r}", place=place)
        diff = diff[diff["level"] == rows["level"].iloc[0]]
        diff = diff[diff["scenario"].isin(names) & (diff["scenario"] != diff["versus"])]
        if diff.empty:
            raise ValueError(
                f"differences: no scenario of {', '.join(map(repr, names))} against a baseline; "
                f"allowed: {_allowed(differences['scenario'])}"
            )
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
    top = axes[0, 0]
    by_scenario = dict(tuple(rows.groupby("scenario", sort=False)))
    for name in names:
        _band(
            top,
            by_scenario[name]["date"].to_numpy(),
            by_scenario[name],
            unit,
            colour[name],
            bands=("50",),
            label=f"{name}: ",
        )
    _limits(top, unit, rows[["q25", "median", "q75"]].to_numpy(float) * unit.factor)
    top.set_ylabel(unit.label)
    top.grid(alpha=0.3)
    level_name = str(rows["level"].iloc[0])
    where = place if level_name == "total" else f"{place} ({level_name})"
    top.set_title(
        f"{where}: {_label(indicator).lower()}, by scenario\nmedian and 50 % interval{_runs(rows)}",
        fontsize=11,
    )
    if diff is not None:
        bottom = axes[1, 0]
        dunit = _unit(indicator, diff[["q05", "q95"]].to_numpy(float), difference=True)
        for name, part in diff.groupby("scenario", sort=False):
            part = _dated(part)
            _band(
                bottom,
                part["date"].to_numpy(),
                part,
                dunit,
                colour.get(name, "gray"),
                label=f"{name} − {part['versus'].iloc[0]}: ",
                edges=True,
            )
        bottom.axhline(0, color="black", linewidth=0.9)
        versus = ", ".join(map(str, pd.unique(diff["versus"])))
        bottom.set_ylabel(f"difference to {versus}\n({dunit.label})")
        bottom.set_title(
            f"Paired difference to {versus} (same runs): median, 50 % and 90 % intervals",
            fontsize=10,
        )
        bottom.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("year")
    for ax in axes.flat:
        _year_axis(ax)
        ax.set_xlim(rows["date"].min(), rows["date"].max())
    handles = [Line2D([], [], color=colour[name], linewidth=2, label=name) for name in names]
    handles += [
        Line2D([], [], color="gray", linewidth=1.7, label="median"),
        Patch(color="gray", alpha=0.3, linewidth=0, label="50 % interval"),
    ]
    if diff is not None:
        handles.append(
            Patch(
                facecolor=(0.5, 0.5, 0.5, 0.1),
                edgecolor="gray",
                linestyle=":",
                label="90 % interval (differences)",
            )
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(len(handles), 4),
        frameon=False,
        fontsize=9,
    )
    return fig


_COST_MEASURES = (
    "additional_cost_vnd",
    "additional_households_any",
    "cost_per_additional_household_vnd",
)


def _vnd_unit(values: np.ndarray) -> tuple[float, str]:
    finite = np.abs(values[np.isfinite(values)])
    top = finite.max() if finite.size else 0.0
    if top >= 1e6:
        return 1e-6, "million VND"
    if top >= 1e3:
        return 1e-3, "thousand VND"
    return 1.0, "VND"


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
    table = _select(table, f"costs, {month:%Y-%m}", measure=list(_COST_MEASURES))
    names = [str(s) for s in pd.unique(table["scenario"])]
    stats = {
        m: part.set_index("scenario").reindex(names)
        for m, part in table.groupby("measure", sort=False)
    }
    cost, extra, per = (stats[m] for m in _COST_MEASURES)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = [colours[(k + 1) % len(colours)] for k in range(len(names))]  # C0 is the baseline
    versus = ", ".join(map(str, pd.unique(table["versus"])))

    fig, (left, right) = plt.subplots(
        1,
        2,
        figsize=(12.5, 1.8 + max(3.4, 0.55 * len(names))),
        layout="constrained",
        width_ratios=[1.25, 1],
    )
    hunit = _unit("households_any", extra[["q05", "q95"]].to_numpy(float))
    x = extra[["median", "q05", "q95"]].to_numpy(float) * hunit.factor
    y = cost[["median", "q05", "q95"]].to_numpy(float) * 1e-9
    for k, name in enumerate(names):
        left.errorbar(
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
        left.annotate(
            name,
            (x[k, 0], y[k, 0]),
            xytext=(6, (6, -16, 18)[k % 3]),  # apart when medians are close
            textcoords="offset points",
            fontsize=9,
            color=colour[k],
        )
    left.axvline(0, color="gray", linewidth=0.9, linestyle=":")
    left.axhline(0, color="gray", linewidth=0.9, linestyle=":")
    left.set_xlabel(f"additional households using an online service ({hunit.label})")
    left.set_ylabel("additional cost (billion VND)")
    left.set_title("Median and 90 % intervals", fontsize=10)
    left.grid(alpha=0.3)

    hq = extra[["q05", "q95"]].to_numpy(float)
    p = per[["median", "q05", "q95"]].to_numpy(float)
    bounded = (hq[:, 0] > 0) & np.isfinite(hq).all(axis=1) & np.isfinite(p[:, :2]).all(axis=1)
    factor, vnd = _vnd_unit(p[bounded])
    p = p * factor
    ypos = np.arange(len(names))[::-1]
    blend = blended_transform_factory(right.transAxes, right.transData)
    finite = p[bounded][np.isfinite(p[bounded])]
    # log axis when the scenarios differ by orders of magnitude (all costs positive)
    log = finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 20
    edge = (finite.max() * (2.0 if log else 1.15)) if finite.size else 1.0
    ticks = list(names)  # each bounded scenario's tick also gives its numbers
    for k, name in enumerate(names):
        if not bounded[k]:
            if not np.isfinite(hq[k]).all():
                why = "additional households unknown"
            elif hq[k, 1] <= 0:
                why = "the 90 % interval of\nadditional households is not above 0"
            else:
                why = ZERO
            right.text(
                0.02,
                ypos[k],
                f"not defined (unbounded):\n{why}",
                transform=blend,
                va="center",
                fontsize=8.5,
                color="dimgray",
                style="italic",
            )
            continue
        median, low, high = p[k]
        open_end = not np.isfinite(high)  # runs adding no household: the ratio is unbounded
        right.plot(
            [low, edge if open_end else high], [ypos[k], ypos[k]], color=colour[k], linewidth=2.2
        )
        if open_end:
            right.plot(edge, ypos[k], ">", color=colour[k], markersize=7, clip_on=False)
        right.plot(median, ypos[k], "o", color=colour[k], markersize=7, label=name)
        interval = f"{_money(low)}–{'unbounded' if open_end else _money(high)}"
        ticks[k] = f"{name}\n{_money(median)} ({interval})"
    right.set_yticks(ypos, ticks, fontsize=9)
    right.set_ylim(-0.7, len(names) - 0.3)
    if log:
        right.set_xscale("log")
        right.set_xlim(finite.min() / 2, edge)
    elif finite.size:
        right.set_xlim(min(0.0, finite.min()), edge)
    else:
        right.set_xticks([])
    scale_note = ", log scale" if log else ""
    right.set_xlabel(f"cost per additional household ({vnd}{scale_note})")
    right.set_title(f"Cost per additional household, {vnd}: median (90 % interval)", fontsize=10)
    right.grid(alpha=0.3, axis="x")
    fig.suptitle(
        f"Cost-effectiveness against {versus}, {place}, {month:%b %Y} (cumulative since the start)",
        fontsize=12,
    )
    return fig


def indicators_by_district(table: pd.DataFrame, title: str = "", smooth_months: int = 3) -> Figure:
    """Small multiples: one panel per headline indicator, one line per district over time.

    Monthly file-based rates are noisy in small districts, so rates are shown
    as a centred ``smooth_months`` rolling mean of the monthly values (1 = raw).
    The five-district total is drawn in black.

    Args:
        table: a tidy table as returned by :func:`adoption.simulate.simulate`.
        title: the figure's title.
        smooth_months: width of the rolling mean, in months.
    """
    rows = table[table["level"].isin(["district", "total"]) & table["indicator"].isin(HEADLINE)]
    places = list(dict.fromkeys(rows.loc[rows["level"] == "district", "place"])) + [TOTAL]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (indicator, label) in zip(axes.flat, HEADLINE.items(), strict=True):
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
                label=place,
            )
        ax.set_title(label, fontsize=11)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in axes[-1]:
        ax.set_xlabel("year")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    fig.suptitle(title or "Indicators by district (one run)", fontsize=13)
    return fig
