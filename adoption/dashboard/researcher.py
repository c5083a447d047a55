"""The researcher's page: one run of one district, stepped month by month in Mesa's SolaraViz.

Owns :class:`ResearchModel` (the model of :mod:`adoption.model.model`, one district, built from
keyword arguments only, as SolaraViz rebuilds it on Reset), :func:`model_params` (the
page's inputs, derived from :meth:`adoption.model.params.Params.bounds`, the parameters' units
and the shipped posterior), the page's components and :func:`ResearcherView`. The figures
are drawn by :mod:`.village_view`. No rule is reimplemented here: the page reads the run's
state (household flags per village) and what Mesa's DataCollector recorded.

The app routes ``/researcher`` to :func:`ResearcherView`; standalone,
``solara run adoption.dashboard.researcher`` serves :data:`Page`.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from adoption.calendar import format_month, to_timestamps
from adoption.calibration.posterior import load_posterior, posterior_mean_params
from adoption.dashboard import state, village_view
from adoption.dashboard.draft import districts
from adoption.dashboard.fields import LanguageSwitch
from adoption.dashboard.state import t
from adoption.errors import UserError
from adoption.model.indicators import HEADLINE, INDICATORS
from adoption.model.model import AdoptionModel
from adoption.model.params import Params
from adoption.model.rules import village_counts
from adoption.places.profiles import load_profiles
from adoption.reports.i18n import LANGUAGES, tr, using

#: Households simulated per real household: every household (a step takes ~3 ms).
SCALE = 1.0
#: Indicators a village can be coloured by: the household flags, counted per village.
VILLAGE_INDICATORS: tuple[str, ...] = tuple(n for n, i in INDICATORS.items() if i.flag)
DEFAULT_INDICATOR = "households_any"
DEFAULT_SEED = 1
#: Milliseconds between months when playing.
PLAY_INTERVAL = 150
TITLE = "One run, month by month"


@cache
def calibrated() -> Params:
    """The shipped posterior's means: the values a run starts from."""
    return posterior_mean_params()


@cache
def slider_names() -> tuple[str, ...]:
    """Parameters with a slider: the calibrated ones that change a run (all if no posterior)."""
    table = load_posterior()
    names = Params.names() if table is None else [n for n in table.columns if n != "weight"]
    return tuple(n for n in Params.names() if n in names and n not in Params.observation_only())


def indicator_name(choice: str) -> str:
    """The indicator ``choice`` names: its name, or its label in any language of the page."""
    for name in VILLAGE_INDICATORS:
        label = INDICATORS[name].label
        if choice == name or choice in {tr(label, lang) for lang in LANGUAGES}:
            return name
    allowed = ", ".join(VILLAGE_INDICATORS)
    raise UserError("researcher page", "indicator", f"{choice!r} unknown; allowed: {allowed}")


class ResearchModel(AdoptionModel):
    """One district's run, one month per :meth:`step`, for Mesa's SolaraViz.

    Records every indicator (``record="all"``) and stops (``running = False``) after the
    period's last month (2019-01 to 2030-12).

    Args:
        district: a shipped district (:func:`districts`); the first if None.
        indicator: what the villages are coloured by: one of :data:`VILLAGE_INDICATORS`,
            by name or by its label in English or Vietnamese (what the page's list shows).
        scale: households simulated per real household.
        seed: seed of the run.
        **kwargs: behavioural parameters of :class:`~adoption.model.params.Params` by name; the
            others are the shipped posterior's means (:func:`calibrated`).
    """

    def __init__(
        self,
        *,
        district: str | None = None,
        indicator: str = DEFAULT_INDICATOR,
        scale: float = SCALE,
        seed: int = DEFAULT_SEED,
        **kwargs: float,
    ) -> None:
        params = calibrated().replace(**{name: float(v) for name, v in kwargs.items()})
        profiles = load_profiles(districts=[district or districts()[0]])
        super().__init__(params, profiles, scale=scale, rng=int(seed), record="all")
        self.district = profiles[0].name
        self.indicator = indicator_name(indicator)
        self.seed_value = int(seed)
        self.changed = {
            n: getattr(params, n) for n in kwargs if getattr(params, n) != getattr(calibrated(), n)
        }

    def village_shares(self) -> np.ndarray:
        """Share of each village's households with the indicator's flag, now (in [0, 1])."""
        flag = getattr(self.households, INDICATORS[self.indicator].flag)
        return village_counts(flag, self.structure) / self.structure.village_size

    def uncovered(self) -> np.ndarray:
        """Whether each village is still without mobile coverage (no digital service yet)."""
        return self._coverage_month > self.month

    def district_share(self) -> float:
        """Share of the district's households with the indicator's flag, now."""
        return float(np.mean(getattr(self.households, INDICATORS[self.indicator].flag)))

    def district_series(self) -> tuple:
        """Dates so far and the district's headline shares and the villages' indicator.

        Read from Mesa's DataCollector (real units); the villages' indicator is its
        household count over the households.

        Returns:
            ``(dates, {indicator: shares per month})``.
        """
        data, place = self.datacollector.model_vars, self.structure.n_communes
        dates = to_timestamps(self.months[: self.steps])

        def column(name: str) -> np.ndarray:
            return np.array([row[place] for row in data.get(name, [])], dtype=float)

        series = {name: column(name) for name in HEADLINE}
        with np.errstate(invalid="ignore", divide="ignore"):
            series[self.indicator] = column(self.indicator) / column("households")
        return dates, series


# -- the page's inputs -------------------------------------------------------------------------


def slider_step(value: float, low: float, high: float) -> float:
    """A hundredth of the range, finer if needed to show ``value`` to two significant digits."""
    step = (high - low) / 100
    if value:
        step = min(step, 10.0 ** (math.floor(math.log10(abs(value))) - 1))
    return step


def _unbroken(text: str) -> str:
    """``text`` that a line does not break inside (a unit after a slider's name)."""
    return text.replace(" ", "\u00a0").replace("-", "\u2011")


def model_params() -> dict:
    """SolaraViz's inputs in the page's language: district, indicator, seed, parameters.

    One ``SliderFloat`` per parameter of :func:`slider_names`, from its bounds in
    :meth:`Params.bounds` and its unit, starting at its posterior mean; the scale is fixed.
    """
    labels = [t(INDICATORS[n].label) for n in VILLAGE_INDICATORS]
    out: dict = {
        "district": {"type": "Select", "value": districts()[0], "values": list(districts()),
                     "label": t("District (huyện)")},
        "indicator": {"type": "Select", "value": t(INDICATORS[DEFAULT_INDICATOR].label),
                      "values": labels, "label": t("Villages coloured by")},
        "seed": {"type": "SliderInt", "value": DEFAULT_SEED, "min": 1, "max": 100, "step": 1,
                 "label": t("Seed")},
        "scale": SCALE,
    }  # fmt: skip
    units = Params.table().set_index("name")["unit"]
    for name in slider_names():
        low, high = Params.bounds()[name]
        value = getattr(calibrated(), name)
        out[name] = {
            "type": "SliderFloat",
            "value": value,
            "min": low,
            "max": high,
            "step": slider_step(value, low, high),
            "label": f"{name} [{_unbroken(t(units[name]))}]",
        }
    return out


# -- the page's components (each a function of the model, redrawn after each step) -------------


def _figure(kind: type[village_view.RunFigure], model: ResearchModel, css: str) -> None:
    """``kind`` of figure of ``model``: laid out once per run and language, blitted each month.

    A PNG from :meth:`.village_view.RunFigure.png` rather than ``solara.FigureMatplotlib``
    (which draws the whole figure each time, five times slower).
    """
    update_counter.get()  # Mesa counts steps here: reading it redraws after each step
    lang = state.lang.value
    drawn = solara.use_memo(lambda: kind(model, lang), [model, lang])
    png = solara.use_memo(lambda: drawn.png(model), [drawn, model.steps])
    with solara.Column(classes=["research-figure", css]):
        solara.Image(png)


@solara.component
def VillageGrid(model: ResearchModel):
    """The district's villages as cells coloured by the chosen indicator."""
    _figure(village_view.GridFigure, model, "village-grid")


@solara.component
def DistrictCurves(model: ResearchModel):
    """The district's indicator curves from the start to the current month."""
    _figure(village_view.CurvesFigure, model, "district-curves")


def _count(number: int, lang: str) -> str:
    """``number`` with the language's thousands separator (28,344; 28.344 in Vietnamese)."""
    return f"{number:,}".replace(",", "." if lang == "vi" else ",")


def run_line(model: ResearchModel, lang: str) -> str:
    """Month, district, households simulated and their share, villages, communes, seed."""
    s = model.structure
    with using(lang):
        month = village_view.month_label(model)
    return tr(
        "**{month}** · {district}: {households} households simulated ({scale:.0%} of the real "
        "ones), {villages} villages (thôn/bản) in {communes} communes (xã) · seed {seed}",
        lang,
    ).format(
        month=month,
        district=model.district,
        households=_count(int(s.district_size.sum()), lang),
        scale=model.scale,
        villages=s.n_villages,
        communes=s.n_communes,
        seed=model.seed_value,
    )


@solara.component
def RunInfo(model: ResearchModel):
    """The month, households simulated, villages and scale; what the page shows and how."""
    update_counter.get()
    lang = state.lang.value
    with using(lang), solara.Column(classes=["run-info"]):
        solara.Markdown(run_line(model, lang))
        if model.changed:
            changed = ", ".join(f"{n} = {v:.4g}" for n, v in model.changed.items())
            solara.Markdown(tr("Changed from the calibration in this run: {changed}.").format(
                changed=changed))  # fmt: skip
        end = format_month(int(model.months[-1]))
        solara.Markdown(tr(
            "Parameters start at the calibrated values (means of the shipped posterior, "
            "calibration/posterior.csv); the others keep their defaults (adoption params). "
            "A change of district, indicator, seed or parameter applies on **Reset** (the run "
            "starts again). **Step** simulates one month; **▶** plays to {end}."
        ).format(end=end))  # fmt: skip
        solara.Markdown(tr(
            "One run with one seed, to see the mechanisms at work: not a forecast. A forecast "
            "is an ensemble over the posterior and seeds (adoption run)."
        ))  # fmt: skip


@solara.component
def ParameterTable(model: ResearchModel):
    """Every slider's parameter: its value in this run (sliders show none), the calibrated one.

    In bold where the run differs from the calibration; with the allowed range and unit.
    """
    heads = ("parameter", "this run", "calibrated", "allowed range")
    rows = ["| " + " | ".join(t(h) for h in heads) + " |", "|---|---:|---:|---|"]
    units = Params.table().set_index("name")["unit"]
    for name in slider_names():
        now, base = getattr(model.params, name), getattr(calibrated(), name)
        low, high = Params.bounds()[name]
        cell = f"**{now:.4g}**" if now != base else f"{now:.4g}"
        rows.append(f"| {name} | {cell} | {base:.4g} | [{low:g}, {high:g}] {t(units[name])} |")
    with solara.Column(classes=["run-parameters"]):
        solara.Markdown("\n".join(rows))


#: What SolaraViz draws, in order: grid and curves side by side, the texts below.
COMPONENTS = [(VillageGrid, 0), (DistrictCurves, 0), (RunInfo, 0), (ParameterTable, 0)]
#: The figures fill their tile (Mesa's grid cells) without spilling over the next one; a
#: long slider label wraps rather than squeezing its slider to nothing; on a phone the tiles
#: stack (the controls are in Solara's drawer, behind the menu button).
STYLE = """
.research-figure img { max-width: 100%; max-height: 380px; width: auto; height: auto; }
.run-info p { margin-bottom: 6px; font-size: 14px; }
.v-input__slider .v-label { max-width: 60%; white-space: normal; line-height: 1.2; }
.run-parameters table { font-size: 11px; line-height: 1.05; }
.run-parameters td, .run-parameters th { padding: 0 6px !important; height: auto !important; }
.run-parameters td:first-child, .run-parameters th:first-child { text-align: left !important; }
@media (max-width: 600px) {  /* a phone: Mesa's tiles one above the other, full width */
  .v-navigation-drawer { top: 56px !important; max-height: calc(100% - 56px) !important;
                         min-width: 0 !important; width: 85vw !important; }  /* tap beside it */
  .vue-grid-layout { height: auto !important; }
  .vue-grid-item { position: static !important; transform: none !important; width: 100% !important;
                   height: auto !important; margin-bottom: 12px; }
  .vue-grid-item > .vue-resizable-handle { display: none !important; }
  .research-figure img { max-height: none; }
  .run-parameters { overflow-x: auto; }
}
"""


@solara.component
def ResearcherView():
    """The researcher's page: SolaraViz over one :class:`ResearchModel` of this session.

    Must be rendered inside ``solara.AppLayout`` (SolaraViz puts its controls in the
    sidebar and its title in the app bar).
    """
    lang = state.lang.value
    model = solara.use_memo(ResearchModel, [])
    params = solara.use_memo(model_params, [lang])
    solara.Style(STYLE)
    SolaraViz(
        model,
        components=list(COMPONENTS),
        model_params=params,
        name=t(TITLE),
        play_interval=PLAY_INTERVAL,
    )


@solara.component
def Page():
    """The page alone, with a language switch: what ``solara run`` serves from this module.

    ``solara run adoption.dashboard.researcher`` wraps it in Solara's default layout
    (``solara.AppLayout``), which SolaraViz needs.
    """
    with solara.AppBar():
        LanguageSwitch()
    ResearcherView()
