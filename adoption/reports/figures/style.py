"""Shared pieces of every figure: colours, units and labels, selecting rows, drawing axes.

This module owns how an indicator is shown (its unit, axis label and panel label,
read from the indicator registry :mod:`adoption.model.indicators`), how the figures pick
rows out of a summary table (raising ``ValueError`` naming what the table holds),
and the drawing steps several figures share: year axes, y limits, median-and-interval
bands and the legend below the panels. It draws no whole figure and knows nothing of
reported figures or reference lines (:mod:`adoption.reports.figures.references`).

Every text a reader sees is passed through :func:`adoption.reports.i18n.tr` where it is drawn
(the Vietnamese is in ``adoption/data/vi_figures.csv``); indicator labels stay English
in the registry and are translated here. Legend entries of reported figures carry the
artist id :data:`REPORTED`, so that finding them does not depend on the language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from adoption.model.indicators import INDICATORS, TOTAL
from adoption.reports.i18n import tr

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
#: ``gid`` of the artists that stand for reported figures in a legend.
REPORTED = "reported"


# -- units and labels ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """How an indicator's values are shown: multiply by ``factor``, label the axis ``label``."""

    factor: float
    label: str
    rate: bool


def _is_rate(indicator: str) -> bool:
    """Whether ``indicator`` is a share in [0, 1]; by its name's ending if not registered."""
    if indicator in INDICATORS:
        return INDICATORS[indicator].is_share
    return indicator.endswith(("_rate", "_share"))


def _is_money(indicator: str) -> bool:
    if indicator in INDICATORS:
        return INDICATORS[indicator].unit == "VND"
    return indicator.endswith("_vnd")


def _counts_households(indicator: str) -> bool:
    if indicator in INDICATORS:
        return INDICATORS[indicator].unit == "households"
    return indicator.startswith("households")


#: The services of ``household_years_*`` outcomes, as labels name them.
SERVICES = {"any": "any service", "online": "online", "app": "app", "cashless": "cashless"}


def outcome_label(name: str) -> str:
    """A decision outcome in words, in the language in use (never its code)."""
    if name.startswith("household_years_"):
        service = name.removeprefix("household_years_")
        label = tr(SERVICES[service]) if service in SERVICES else service
        return tr("household-years of use gained ({service})").format(service=label)
    if name == "cost_per_household_year_vnd":
        return tr("cost per household-year of use (VND)")
    base = name.split("@")[0].removeprefix("additional_")
    return tr(INDICATORS[base].label) if base in INDICATORS else name


def _share_of(indicator: str) -> str:
    """What the rate ``indicator`` is a share of, for "% of ..." axis labels."""
    registered = INDICATORS.get(indicator)
    return registered.share_of if registered is not None and registered.share_of else "the total"


def _percent_of(indicator: str) -> str:
    """The axis unit of a rate, e.g. "% of households", in the language in use."""
    return tr(f"% of {_share_of(indicator)}")  # one row per share_of in vi_figures.csv


def _unit(indicator: str, values: np.ndarray, *, difference: bool = False) -> _Unit:
    """The unit of ``indicator``, thousands for counts whose ``values`` reach 10,000."""
    if _is_rate(indicator):
        if difference:
            return _Unit(100.0, tr("percentage points"), True)
        return _Unit(100.0, _percent_of(indicator), True)
    if _is_money(indicator):
        return _Unit(1e-9, tr("billion VND"), False)
    households = _counts_households(indicator)
    finite = np.abs(values[np.isfinite(values)])
    if finite.size and finite.max() >= 10_000:
        return _Unit(1e-3, tr("thousand households") if households else tr("thousand count"), False)
    return _Unit(1.0, tr("households") if households else tr("count"), False)


def _label(indicator: str) -> str:
    """The indicator's plain-word name, translated: the registry's label, else from its name."""
    registered = INDICATORS.get(indicator)
    if registered is not None:
        return tr(registered.label)
    return indicator.replace("_", " ").capitalize()


def _place(place: str) -> str:
    """A place as shown: :data:`~adoption.model.indicators.TOTAL` translated, names as they are."""
    return tr(TOTAL) if place == TOTAL else place


#: Place levels as words where drawn (translated: "former district" -> "huyện cũ"). The
#: districts were abolished on 1 July 2025; a 2025 province row holds only the modelled part.
LEVEL_WORDS = {
    "commune": "commune",
    "district": "former district",
    "total": "total",
    "commune_2025": "new commune",
    "province_2025": "province, modelled part",
}


def _level_word(level: str) -> str:
    """A place level as a word in the language in use (an unknown level as it is)."""
    return tr(LEVEL_WORDS[level]) if level in LEVEL_WORDS else level


def where_label(place: str, level: str) -> str:
    """A place with its level, e.g. "Lục Yên (former district)"; the total alone."""
    if level == "total":
        return _place(place)
    return tr("{place} ({level})").format(place=place, level=_level_word(level))


# -- selecting rows -----------------------------------------------------------------------------


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


def _runs(rows: pd.DataFrame) -> str:
    """The title ending " over N runs", or nothing if the rows do not say."""
    if "runs" not in rows.columns or rows.empty:
        return ""
    return " " + tr("over {runs} runs").format(runs=int(rows["runs"].max()))


# -- drawing on axes ----------------------------------------------------------------------------


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
            label=label + tr("90 % interval"),
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
            label=label + tr("50 % interval"),
        )
    median = rows["median"].to_numpy(float) * unit.factor
    ax.plot(x, median, color=colour, linewidth=1.7, label=label + tr("median"))


def _observation_band(ax: Axes, x: np.ndarray, rows: pd.DataFrame, unit: _Unit, colour: str):
    """Where a reported figure would fall (90 %): dashed edges, if the rows carry the band."""
    if "obs_q05" not in rows or not np.isfinite(rows["obs_q05"].to_numpy(float)).any():
        return
    low, high = (rows[q].to_numpy(float) * unit.factor for q in ("obs_q05", "obs_q95"))
    ax.fill_between(
        x, low, high, facecolor="none", edgecolor=colour, alpha=0.5, hatch="///", linewidth=0,
        label=tr("90 % band of a reported figure"),
    )  # fmt: skip
    ax.plot(x, low, color=colour, linewidth=0.8, linestyle="--", alpha=0.8)
    ax.plot(x, high, color=colour, linewidth=0.8, linestyle="--", alpha=0.8)


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
    """Whether a legend of ``axes`` would show a reported figure (by artist id, any language)."""
    return any(
        handle.get_gid() == REPORTED for ax in axes for handle in ax.get_legend_handles_labels()[0]
    )
