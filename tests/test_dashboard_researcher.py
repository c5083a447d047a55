"""The researcher's page: one run of one district, month by month, in Mesa's SolaraViz."""

from __future__ import annotations

import re

import numpy as np
import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from mesa.visualization.solara_viz import _check_model_params  # noqa: E402
from solara.widgets.widgets import GridLayout  # noqa: E402

from adoption.calibration.posterior import load_posterior  # noqa: E402
from adoption.dashboard import researcher, state, village_view  # noqa: E402
from adoption.dashboard.researcher import ResearcherView, ResearchModel  # noqa: E402
from adoption.errors import UserError  # noqa: E402
from adoption.model.indicators import HEADLINE, INDICATORS  # noqa: E402
from adoption.model.params import Params  # noqa: E402
from adoption.reports.i18n import MISSING, tr, using  # noqa: E402


@pytest.fixture
def english():
    """The page in English for one test (the session's language is a reactive)."""
    before = state.lang.value
    state.lang.set("en")
    yield
    state.lang.set(before)


def _sliders() -> dict:
    return {k: o for k, o in researcher.model_params().items() if _is_slider(o, "SliderFloat")}


def _is_slider(options, kind: str) -> bool:
    return isinstance(options, dict) and options.get("type") == kind


def _reset_arguments(params: dict) -> dict:
    """What SolaraViz passes to the model's class on Reset with untouched inputs."""
    return {k: (o["value"] if isinstance(o, dict) else o) for k, o in params.items()}


def test_the_defaults_are_the_first_district_and_the_calibrated_parameters():
    model = ResearchModel()
    assert model.district == researcher.districts()[0]
    assert model.params == researcher.calibrated()
    assert model.scale == researcher.SCALE and model.record == "all"
    assert model.indicator == researcher.DEFAULT_INDICATOR and model.changed == {}


def test_a_step_is_one_month_and_the_run_stops_at_the_period_end():
    model = ResearchModel()
    assert model.steps == 0 and model.district_series()[0].size == 0
    model.step()
    assert model.date == "2019-01" and len(model.district_series()[0]) == 1
    model.step()
    assert model.date == "2019-02"
    dates, series = model.district_series()
    assert list(dates.strftime("%Y-%m")) == ["2019-01", "2019-02"]
    assert set(series) == {*HEADLINE, model.indicator}
    model.run_model()
    assert not model.running and model.date == "2030-12" and model.steps == len(model.months)


@pytest.mark.parametrize("end", [0, 1])
def test_every_slider_at_one_bound_runs_to_the_end_and_stays_finite(end):
    bounds = {name: options[("min", "max")[end]] for name, options in _sliders().items()}
    model = ResearchModel(district="Chợ Đồn", **bounds)
    assert set(model.changed) <= set(bounds)
    model.run_model()
    shares = model.village_shares()
    assert np.isfinite(shares).all() and ((shares >= 0) & (shares <= 1)).all()
    _, series = model.district_series()
    for name, values in series.items():
        assert np.isfinite(values).all(), name
        assert ((values >= 0) & (values <= 1)).all(), name


def test_village_shares_match_a_recount_of_the_households():
    model = ResearchModel(district="Trùng Khánh", indicator="households_app", seed=3)
    for _ in range(40):
        model.step()
    hh, s = model.households, model.structure
    recount = np.array([hh.app[hh.village == k].mean() for k in range(s.n_villages)])
    assert recount.max() > 0  # the app has arrived somewhere by 2022-04
    np.testing.assert_allclose(model.village_shares(), recount)
    assert model.district_share() == pytest.approx(hh.app.mean())
    assert model.uncovered().shape == (s.n_villages,)


def test_the_indicator_is_read_from_its_name_or_its_label_in_either_language():
    name = "households_smartphone"
    label = INDICATORS[name].label
    for choice in (name, label, tr(label, "vi")):
        assert researcher.indicator_name(choice) == name
    with pytest.raises(UserError, match="unknown"):
        researcher.indicator_name("Households with a tractor")


def test_the_sliders_are_the_calibrated_parameters_with_the_bounds_of_params():
    sliders = _sliders()
    calibrated = set(load_posterior().columns) - {"weight"} - Params.observation_only()
    assert set(sliders) == set(researcher.slider_names()) == calibrated
    for name, options in sliders.items():
        assert (options["min"], options["max"]) == Params.bounds()[name]
        assert options["value"] == getattr(researcher.calibrated(), name)
        step = options["step"]
        assert 0 < step <= (options["max"] - options["min"]) / 100
        assert round(options["value"] / step) >= 10 or options["value"] == 0  # 2 digits shown


def test_the_inputs_fit_the_model_class_and_rebuild_the_calibrated_run():
    params = researcher.model_params()
    _check_model_params(ResearchModel.__init__, params)  # what SolaraViz checks
    assert params["district"]["values"] == list(researcher.districts())
    assert params["seed"]["type"] == "SliderInt"
    model = ResearchModel(**_reset_arguments(params))
    assert model.params == researcher.calibrated() and model.changed == {}
    assert model.indicator == researcher.DEFAULT_INDICATOR  # from its translated label


def test_the_grid_has_a_cell_per_village_and_the_figures_are_translated():
    model = ResearchModel(district="Văn Yên")
    for _ in range(30):
        model.step()
    matrix = village_view.village_matrix(np.arange(model.structure.n_villages), model.structure)
    assert np.array_equal(
        np.sort(matrix[np.isfinite(matrix)]), np.arange(len(model.village_shares()))
    )
    assert matrix.shape[0] == model.structure.n_communes
    MISSING.clear()
    grid = village_view.GridFigure(model, "vi")
    curves = village_view.CurvesFigure(model, "vi")
    assert MISSING == set()
    texts = [t.get_text() for t in grid.figure.findobj(lambda a: hasattr(a, "get_text"))]
    assert any("thôn/bản" in text for text in texts)
    assert "2021-06" in grid.title.get_text() and "2021-06" in curves.title.get_text()
    model.step()
    grid.update(model)
    assert "2021-07" in grid.title.get_text()
    legend = [t.get_text() for t in curves.figure.legends[0].get_texts()]
    with using("vi"):
        assert tr(INDICATORS["app_install_rate"].label) in legend


@pytest.mark.parametrize("kind", [village_view.GridFigure, village_view.CurvesFigure])
def test_a_blitted_month_is_the_whole_figure_drawn_again(kind):
    from io import BytesIO

    from PIL import Image

    model = ResearchModel(district="Yên Lạc")
    drawn = kind(model, "en")
    for _ in range(20):
        model.step()
    blitted = np.asarray(Image.open(BytesIO(drawn.png(model))), dtype=float)
    drawn.canvas.draw()  # everything, from scratch
    whole = np.asarray(drawn.canvas.buffer_rgba(), dtype=float)
    assert blitted.shape == whole.shape
    assert np.abs(blitted - whole).max() <= 2  # the same pixels


def _info(rc) -> str:
    """The text tile of SolaraViz (the third of its grid)."""
    sheet = rc.find(GridLayout).widget.items[2]
    return " ".join(widget.template for widget in sheet.children)


def _month(rc) -> str:
    return re.findall(r"<strong>(.*?)</strong>", _info(rc))[0]


def test_the_page_steps_and_resets_with_a_changed_parameter(english):
    box, rc = solara.render(solara.AppLayout(children=[ResearcherView()]), handle_error=False)
    assert _month(rc).startswith("start, before 2019-01")
    labels = [slider.label for slider in rc.find(v.Slider).widgets]
    assert "q_app [1/month]" in labels and "Seed" in labels
    images = [image.value for image in rc.find(GridLayout).widget.items[0].children]
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _month(rc) == "2019-02"
    assert [i.value for i in rc.find(GridLayout).widget.items[0].children] != images
    rc.find(v.Slider, label="q_app [1/month]").widget.v_model = 0.05
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _month(rc).startswith("start, before 2019-01")
    assert "q_app = 0.05" in _info(rc)
    state.lang.set("vi")
    assert "Huyện" in [select.label for select in rc.find(v.Select).widgets]
    rc.close()


def test_the_pages_vietnamese_agrees_with_the_other_tables():
    import csv
    import unicodedata
    from pathlib import Path

    folder = Path(researcher.__file__).parents[1] / "data"
    mine = folder / "vi_researcher.csv"

    def rows(path):
        with path.open(encoding="utf-8", newline="") as handle:
            return {row["en"]: row["vi"] for row in csv.DictReader(handle)}

    ours = rows(mine)
    assert all(unicodedata.is_normalized("NFC", en + vi) for en, vi in ours.items())
    for other in sorted(set(folder.glob("vi_*.csv")) - {mine}):
        theirs = rows(other)
        assert {en: ours[en] for en in ours if en in theirs} == {
            en: theirs[en] for en in ours if en in theirs
        }, other.name  # a text shared with another table is translated the same way
