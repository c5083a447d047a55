"""What the fans are compared with: reported figures and national programme targets.

This module owns the references file ``adoption/data/references.csv`` (reading and
checking it: :func:`load_references`) and drawing, on one fan's axes, the figures
reported by the source texts (:func:`adoption.calibration.targets.load_targets`) and the
national targets as reference lines. It does not load the reported figures (that is
:mod:`adoption.calibration.targets`) and draws no whole figure
(:mod:`adoption.reports.figures.fans`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from adoption.errors import UserError
from adoption.reports.figures.style import (
    INPUT_COLOUR,
    REFERENCE_COLOUR,
    REPORTED,
    TARGET_COLOUR,
    _is_rate,
)
from adoption.reports.i18n import tr

#: Columns of the references file, in order.
REFERENCE_COLUMNS = ["indicator", "level", "place", "value", "date", "label", "source"]
#: Place levels of the summaries; a reference's ``level`` is ``all`` or some of these.
LEVELS = ("commune", "district", "province_2025", "commune_2025", "total")


# -- the references file ------------------------------------------------------------------------


def default_references_path() -> Path:
    """Path of the shipped file of national and provincial targets."""
    return Path(str(resources.files("adoption") / "data" / "references.csv"))


def load_references(path: str | Path | None = None) -> pd.DataFrame:
    """Read the national and provincial targets drawn as reference lines.

    One row per reference line: ``indicator, level, place, value, date, label, source``.
    ``value`` is a share in [0, 1]; ``date`` (``YYYY-MM``) is the month the
    target is for (the line ends there); ``level`` is ``all`` or the levels it
    applies to, separated by ``;`` (e.g. ``district``); ``place`` is empty for a
    national target (every place of those levels) or the places a provincial target
    applies to, separated by ``;`` (as the forecast names them, e.g. ``Lào Cai``);
    ``source`` says where the target was read and how it maps onto the model's indicator. Decision
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
        _check_reference(f"{path}: row {line}", row)
    table["value"] = table["value"].astype(float)
    table.attrs["path"] = str(path)
    return table


def _check_reference(where: str, row) -> None:
    """Raise :class:`UserError` at ``where`` unless ``row`` of the references file is valid."""
    for column in REFERENCE_COLUMNS:
        if column != "place" and not getattr(row, column):
            raise UserError(where, column, "must not be empty")
    levels = row.level.split(";")
    if row.level != "all" and not set(levels) <= set(LEVELS):
        raise UserError(where, "level", f"{row.level!r}: expected all or {', '.join(LEVELS)}")
    if row.place and row.level == "all":
        raise UserError(where, "place", "a target for named places needs their level, not all")
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


# -- reported figures ---------------------------------------------------------------------------

_KIND_TEXT = {"point": "", "approximate": "≈ ", "lower_bound": "> ", "upper_bound": "< "}
_KIND_MARKER = {"point": "o", "approximate": "D", "lower_bound": "^", "upper_bound": "v"}
_KIND_WORD = {
    "point": "reported",
    "approximate": "reported approx.",
    "lower_bound": "reported lower bound",
    "upper_bound": "reported upper bound",
}


def _percent(value: float) -> str:
    return f"{value * 100:.3g} %"


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
        _draw_reported_kind(ax, part, kind, role, fontsize)


def _draw_reported_kind(
    ax: Axes, part: pd.DataFrame, kind: str, role: str, fontsize: float
) -> None:
    """Reported figures of one kind and role: bars, markers and their values."""
    colour = INPUT_COLOUR if role == "input" else TARGET_COLOUR
    who = tr("model input") if role == "input" else tr("calibration target")
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
        label=f"{tr(_KIND_WORD.get(kind, 'reported'))} ({who})",
        gid=REPORTED,
        zorder=5,
        clip_on=False,  # a figure of 98 % stays whole at the 100 % edge
    )
    for row in part.itertuples():  # a few reported figures per panel
        _annotate_reported(ax, row, kind, colour, fontsize)


def _annotate_reported(ax: Axes, row, kind: str, colour: str, fontsize: float) -> None:
    """The value of one reported figure right of its bar; an arrow from a bound's marker."""
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


# -- national targets ---------------------------------------------------------------------------


def places_of(field: str) -> list[str]:
    """The places a reference's ``place`` field names (none for a national target)."""
    return [name.strip() for name in str(field).split(";") if name.strip()]


def applies(references: pd.DataFrame, level: str, place: str) -> pd.Series:
    """Which targets apply to ``place`` at ``level``: its level's, national or naming it."""
    levels = references["level"].astype(str)
    at_level = (levels == "all") | levels.str.split(";").map(lambda names: level in names)
    places = references["place"].astype(str)
    return at_level & ((places == "") | places.map(lambda field: place in places_of(field)))


def _draw_references(
    ax: Axes,
    references: pd.DataFrame,
    indicator: str,
    level: str,
    place: str,
    start: pd.Timestamp,
    fontsize: float,
) -> None:
    """Dashed lines from ``start`` to the month a programme target is for, labelled at the start.

    The label sits at the left, where uptake is usually still low, on a light box so that a
    fan beneath it does not make it unreadable; below the line when the line is near the top.
    """
    rows = references[(references["indicator"] == indicator) & applies(references, level, place)]
    if rows.empty or not _is_rate(indicator):
        return
    provincial = rows["place"].astype(str) != ""
    for part, style, legend in (
        (rows[~provincial], "--", "national programme target"),
        (rows[provincial], "-.", "provincial target"),
    ):
        if len(part):
            _draw_target_lines(ax, part, start, style, tr(legend), fontsize)


def _draw_target_lines(
    ax: Axes, rows: pd.DataFrame, start: pd.Timestamp, style: str, legend: str, fontsize: float
) -> None:
    """Lines from ``start`` to each target's month in one line style, each labelled at the left."""
    dates = pd.to_datetime(rows["date"].astype(str), format="%Y-%m")
    values = rows["value"].to_numpy(float) * 100
    ax.hlines(
        values,
        start,
        dates,
        colors=REFERENCE_COLOUR,
        linestyles=style,
        linewidth=1.3,
        label=legend,
        zorder=4,
    )
    for value, label in zip(values, rows["label"], strict=True):
        high = value >= 85  # near the top: below the line, so the frame does not clip it
        ax.annotate(
            tr(label),  # the shipped labels have rows in vi_figures.csv
            xy=(start, value),
            xytext=(2, -2 if high else 2),
            textcoords="offset points",
            ha="left",
            va="top" if high else "bottom",
            fontsize=fontsize,
            color=REFERENCE_COLOUR,
            zorder=4.5,  # over the fans, under a reported figure (which it must not hide)
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 0.6},
        )


# -- judging the forecast against the targets ---------------------------------------------------

#: Columns of :func:`judge_targets`.
JUDGED_COLUMNS = ["label", "indicator", "place", "level", "date", "value", "provincial",
                  "median", "q05", "q95", "verdict"]  # fmt: skip


def judge_targets(table: pd.DataFrame, references: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """Each target dated within the forecast, at each place it applies to, with a verdict.

    A national target of level ``all`` is judged at the total, one of a level at each place of
    that level, a provincial one at the places it names: the runs' median and 90 % interval at
    the target's month, and where the target falls in that spread (:func:`verdict`).
    """
    table = table[table["scenario"] == scenario]
    dates = pd.to_datetime(table["date"])
    judged = []
    for ref in references.itertuples():
        levels = ["total"] if ref.level == "all" else str(ref.level).split(";")
        month = dates == pd.Timestamp(f"{ref.date}-01")
        rows = table[(table["indicator"] == ref.indicator) & table["level"].isin(levels) & month]
        if ref.place:
            rows = rows[rows["place"].isin(places_of(ref.place))]
        for row in rows.itertuples():
            judged.append((ref.label, ref.indicator, row.place, row.level, ref.date, ref.value,
                           bool(ref.place), row.median, row.q05, row.q95,
                           verdict(row.q05, row.median, row.q95, ref.value)))  # fmt: skip
    return pd.DataFrame(judged, columns=JUDGED_COLUMNS)


def verdict(q05: float, median: float, q95: float, target: float) -> str:
    """Where ``target`` falls in the runs' spread, in words."""
    if q05 >= target:
        return "met in over 95 % of runs"
    if median >= target:
        return "met by the median"
    if q95 >= target:
        return "missed by the median"
    return "missed in over 95 % of runs"
