"""The researcher's two figures of one run: a district's villages as cells, and its curves.

Owns the drawing only; the numbers come from the run
(:meth:`adoption.dashboard.researcher.ResearchModel.village_shares` and
:meth:`~adoption.dashboard.researcher.ResearchModel.district_series`, which read the
model's state and Mesa's DataCollector). Figures are made with ``matplotlib.figure.Figure``,
never pyplot (a server would keep every pyplot figure alive), once per run and language,
and updated in place as the run steps (:class:`RunFigure`). Every text goes through
:func:`adoption.reports.i18n.tr` in the figure's language; the Vietnamese is in
``adoption/data/vi_researcher.csv``.
"""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from PIL import Image

from adoption.calendar import format_month, to_timestamps
from adoption.model.indicators import INDICATORS
from adoption.model.population import Structure
from adoption.reports.i18n import tr, using

#: Size of each figure in inches, and the resolution it is drawn at (the page scales it).
SIZE = (4.4, 3.4)
DPI = 175
#: Font sizes (points) of titles, labels and ticks or legends.
FONT = {"title": 8.5, "text": 7, "small": 6.5}
#: Most communes in one panel of the grid.
PANEL_ROWS = 14
#: Colours of the cells: share 0 % to 100 %, white where a commune has no more villages.
CELL_COLOURS = matplotlib.colormaps["viridis"].with_extremes(bad="white")
CROSS_COLOUR = "#e4002b"


def village_cells(structure: Structure) -> tuple[np.ndarray, np.ndarray]:
    """Row (its commune) and column (its place in the commune) of every village's cell."""
    commune = structure.village_commune
    return commune, np.arange(structure.n_villages) - structure.commune_village_start[commune]


def village_matrix(shares: np.ndarray, structure: Structure) -> np.ndarray:
    """Village values as one row per commune, villages in order; NaN past a commune's last.

    Args:
        shares: one value per village, in the model's village order.
        structure: the run's places.
    """
    rows, columns = village_cells(structure)
    out = np.full((structure.n_communes, columns.max() + 1), np.nan)
    out[rows, columns] = shares
    return out


def month_label(model) -> str:
    """The month shown: the last simulated one, or the start before the first step."""
    if model.steps == 0:
        return tr("start, before {month}").format(month=format_month(int(model.months[0])))
    return model.date


class RunFigure:
    """A figure of one run in one language, drawn once and then only where it moves.

    Laying out and drawing the texts (commune names, legend) takes most of the time; they do
    not change between months. So the figure is laid out and drawn once without its moving
    artists (:attr:`moving`: cells, crosses, curves, titles), and each month :meth:`png`
    draws only those over that background (blitting), about five times faster.
    :attr:`figure` stays a whole figure (``savefig`` draws everything).

    Args:
        model: the run (a :class:`~adoption.dashboard.researcher.ResearchModel`).
        lang: the language of every text in the figure.
    """

    def __init__(self, model, lang: str) -> None:
        self.lang = lang
        self.figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.moving: list[Artist] = []  # drawn each month, in this order, over the rest
        with using(lang):
            self._build(model)
            self.update(model)
        self.figure.draw_without_rendering()  # lays it out, with the first titles
        self.figure.set_layout_engine("none")
        self.moving.sort(key=Artist.get_zorder)  # the order a whole draw follows
        for artist in self.moving:
            artist.set_visible(False)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        for artist in self.moving:
            artist.set_visible(True)

    def _build(self, model) -> None:
        raise NotImplementedError

    def _update(self, model) -> None:
        raise NotImplementedError

    def update(self, model) -> Figure:
        """The figure showing ``model`` now."""
        with using(self.lang):
            self._update(model)
        return self.figure

    def png(self, model) -> bytes:
        """PNG of the figure showing ``model`` now: the background, then what moves."""
        self.update(model)
        self.canvas.restore_region(self._background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        out = io.BytesIO()
        size = self.canvas.get_width_height()
        Image.frombuffer("RGBA", size, self.canvas.buffer_rgba()).save(
            out, format="png", compress_level=3
        )
        return out.getvalue()


def panels(n_communes: int) -> list[slice]:
    """The communes of each panel of the grid: two side by side beyond :data:`PANEL_ROWS`."""
    count = 1 if n_communes <= PANEL_ROWS else 2
    size = math.ceil(n_communes / count)
    return [slice(k * size, min(n_communes, (k + 1) * size)) for k in range(count)]


class GridFigure(RunFigure):
    """Every village of the run's district as a cell coloured by its share of the indicator.

    One row per commune (xã), labelled, villages (thôn/bản) in order along it (the communes
    in two panels side by side if there are many); a colour bar in % of the village's
    households; a cross on the villages without mobile coverage yet; the title names the
    indicator, the district, the month and the district's share.
    """

    def _build(self, model) -> None:
        s = model.structure
        matrix = village_matrix(model.village_shares(), s)
        parts = panels(s.n_communes)
        rows, columns = parts[0].stop, matrix.shape[1]
        self.panels = []
        axes = self.figure.subplots(1, len(parts), squeeze=False)[0]
        for ax, part in zip(axes, parts, strict=True):
            image = ax.imshow(
                np.ma.masked_invalid(matrix[part] * 100),
                cmap=CELL_COLOURS,
                vmin=0,
                vmax=100,
                aspect="auto",
                interpolation="nearest",
            )
            lines = _cell_axes(ax, s.commune_names[part], rows, columns)
            crosses = ax.scatter(
                [], [], marker="x", s=10, linewidths=1.0, color=CROSS_COLOUR,
                label=tr("no mobile coverage yet"),
            )  # fmt: skip
            self.panels.append((part, image, crosses))
            self.moving += [image, *lines, crosses]
        bar = self.figure.colorbar(image, ax=self.figure.axes, fraction=0.04, pad=0.02)
        bar.set_label(tr("% of the village's households"), fontsize=FONT["text"])
        bar.ax.yaxis.set_major_formatter(PercentFormatter())
        bar.ax.tick_params(labelsize=FONT["small"])
        label = tr("villages (thôn/bản) of each commune (xã), in order")
        self.figure.supxlabel(label, fontsize=FONT["text"], x=0.02, ha="left")
        self.figure.legend(
            handles=[crosses], loc="outside lower right", fontsize=FONT["text"], frameon=False
        )
        self.title = self.figure.suptitle("\n", fontsize=FONT["title"])
        self.moving.append(self.title)

    def _update(self, model) -> None:
        matrix = village_matrix(model.village_shares(), model.structure)
        commune, column = village_cells(model.structure)
        uncovered = model.uncovered()
        for part, image, crosses in self.panels:
            image.set_data(np.ma.masked_invalid(matrix[part] * 100))
            here = uncovered & (commune >= part.start) & (commune < part.stop)
            crosses.set_offsets(np.column_stack([column[here], commune[here] - part.start]))
        share = tr("district: {share:.0%}").format(share=model.district_share())
        where = f"{model.district}, {month_label(model)} — {share}"
        self.title.set_text(f"{tr(INDICATORS[model.indicator].label)}\n{where}")


def _cell_axes(ax, communes: list[str], rows: int, columns: int) -> list[Artist]:
    """Commune names down the side, village numbers along; the white lines between cells."""
    ax.set_yticks(range(len(communes)), communes)
    every = 1 if columns <= 9 else 2  # two-digit numbers would touch
    ax.set_xticks(range(0, columns, every), [str(k + 1) for k in range(0, columns, every)])
    ax.tick_params(length=1.5, pad=1.5, labelsize=FONT["small"])
    ax.tick_params(axis="y", labelsize=FONT["text"])
    lines = {"color": "white", "linewidth": 0.8}  # lines, not minor ticks: faster to draw
    across = ax.hlines(np.arange(rows + 1) - 0.5, -0.5, columns - 0.5, **lines)
    down = ax.vlines(np.arange(columns + 1) - 0.5, -0.5, rows - 0.5, **lines)
    ax.set_xlim(-0.5, columns - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)  # panels of one height, first commune on top
    for side in ax.spines.values():
        side.set_visible(False)
    return [across, down]


class CurvesFigure(RunFigure):
    """The district's headline shares from the first month to the current one, in %.

    The x axis spans the whole period, so the curves grow across it as the run steps; the
    villages' indicator is drawn dashed in black.
    """

    def _build(self, model) -> None:
        ax = self.figure.add_subplot()
        colours = matplotlib.colormaps["tab10"].colors
        self.lines = {}
        for k, name in enumerate(model.district_series()[1]):
            label = tr(INDICATORS[name].label)
            if name == model.indicator:
                style = {"color": "black", "linestyle": "--", "linewidth": 1.4}
                label = tr("{label} (as in the grid)").format(label=label)
            else:
                style = {"color": colours[k % len(colours)], "linewidth": 1.1}
            (self.lines[name],) = ax.plot([], [], label=label, **style)
        ends = to_timestamps(model.months[[0, -1]])
        ax.set_xlim(ends[0], ends[1])
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(PercentFormatter())
        ax.tick_params(labelsize=FONT["small"])
        ax.grid(alpha=0.3)
        ax.set_ylabel(tr("% of each indicator's base"), fontsize=FONT["text"])
        self.title = self.figure.suptitle("", fontsize=FONT["title"])
        self.moving += [*self.lines.values(), *ax.spines.values(), self.title]  # spines: over
        self.figure.legend(
            loc="outside lower center", ncols=2, fontsize=FONT["small"] - 0.5, frameon=False
        )

    def _update(self, model) -> None:
        dates, series = model.district_series()
        for name, values in series.items():
            self.lines[name].set_data(dates, values * 100)
        self.title.set_text(
            tr("{district}: indicators of this run, to {month}").format(
                district=model.district, month=month_label(model)
            )
        )


def village_grid(model, lang: str = "en") -> Figure:
    """:class:`GridFigure` of ``model`` now, in ``lang``."""
    return GridFigure(model, lang).figure


def district_curves(model, lang: str = "en") -> Figure:
    """:class:`CurvesFigure` of ``model`` now, in ``lang``."""
    return CurvesFigure(model, lang).figure
