"""Figures in Vietnamese: every text translated, every letter drawn; the translation tables."""

import ast
import csv
import io
import string
import types
import unicodedata
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from test_figures import INDICATORS, cost_table, summary

from adoption.calibration.targets import load_targets
from adoption.model.indicators import HEADLINE, TOTAL
from adoption.model.indicators import INDICATORS as REGISTRY
from adoption.reports import i18n
from adoption.reports.figures import (
    comparison_chart,
    cost_effectiveness_chart,
    fan_chart,
    fan_grid,
    indicators_by_district,
    load_references,
    small_multiples,
)
from adoption.reports.figures.optimiser import front_chart
from adoption.reports.figures.ranking import ranking_chart
from adoption.reports.figures.style import LEVEL_WORDS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "adoption" / "data"
#: English texts whose Vietnamese is the same text: symbols and units read alike in both
#: (the figures write "VND" as "đồng").
SAME_IN_VIETNAMESE = frozenset({"-", "x", "0-1", "1/km", "logit"})
#: Letters only Vietnamese uses among the texts drawn (đ, ơ, ư, ă and the tone marks).
VIETNAMESE = set("đĐăĂơƠưƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}
#: What the figures draw from the data (names of places and scenarios), not their own text.
DATA_VALUES = {"Lục Yên", "Trùng Khánh", "Lâm Thượng", "Chợ Đồn", "baseline", "push", "weak"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["en", "vi"], path
        return list(reader)


def figures_table() -> dict[str, str]:
    return {row["en"]: row["vi"] for row in rows(DATA / "vi_figures.csv")}


# -- the data every figure function is drawn with -----------------------------------------------


def cost_table_with_years() -> pd.DataFrame:
    """The figure tests' costs, with household-years and scenarios for every unbounded case."""
    base = cost_table()
    extra = []
    # scenario -> measure -> (q05, q25, median, q75, q95)
    values = {
        "push": {
            "household_years_any": (9e3, 1e4, 1.2e4, 1.4e4, 1.6e4),
            "cost_per_household_year_vnd": (5e5, 7e5, 8e5, 1e6, 1.3e6),
        },
        "weak": {
            "household_years_any": (np.nan,) * 5,  # unknown
            "cost_per_household_year_vnd": (np.nan,) * 5,
        },
        "costly": {  # adds few households: open-ended above, two orders above "push" (log axis)
            "additional_cost_vnd": (4e9, 5e9, 6e9, 7e9, 8e9),
            "additional_households_any": (10, 20, 30, 40, 50),
            "cost_per_additional_household_vnd": (8e7, 1e8, 2e8, 4e8, np.inf),
            "household_years_any": (-50, -20, 0, 0, 0),  # not above 0
            "cost_per_household_year_vnd": (np.nan,) * 5,
        },
    }
    for date in pd.unique(base["date"]):
        for scenario, measures in values.items():
            for measure, qs in measures.items():
                quantiles = dict(zip(("q05", "q25", "median", "q75", "q95"), qs, strict=True))
                extra.append(
                    {"scenario": scenario, "versus": "baseline", "date": date, "measure": measure}
                    | quantiles
                )
    return pd.concat([base, pd.DataFrame(extra)], ignore_index=True)


def ranking_tables():
    ranking = pd.DataFrame(
        {"scenario": ["baseline", "push"], "outcome": "household_years_any", "mean": [1.0, 2.0],
         "median": [1.0, 2.0], "probability_best": [0.3, 0.7],
         "expected_regret": [1200.0, 300.0], "runs": 10}
    )  # fmt: skip
    flips = pd.DataFrame(
        [{"parameter": "p", "rule": "p <= 0.3", "youden_j": 0.5, "coverage": 0.6, "density": 0.7,
          "runs_in_box": 4, "flips": 3, "chosen": "push"}]
    )  # fmt: skip
    return ranking, flips


def optimiser_tables():
    trace = pd.DataFrame(
        {"cost_vnd": [1e9, 2e9, 3e9, 6e9], "objective": [10.0, 30.0, 25.0, 50.0],
         "feasible": ["True", "True", "True", "False"]}
    )  # fmt: skip
    versus = pd.DataFrame(
        {"scenario": ["optimised", "baseline"], "cost_vnd": [2e9, 0.0], "objective": [30.0, 0.0],
         "objective_q05": [20.0, 0.0], "objective_q95": [40.0, 0.0]}
    )  # fmt: skip
    return trace, versus


def problem(outcome: str):
    return types.SimpleNamespace(budget=5e9, by="2030-12", first="2027-01", outcome=outcome)


def one_run() -> pd.DataFrame:
    dates = pd.date_range("2019-01-01", periods=24, freq="MS")
    frames = [
        pd.DataFrame(
            {
                "date": dates,
                "place": place,
                "level": level,
                "district": place,
                "indicator": indicator,
                "value": np.linspace(0, 0.8, 24),
            }
        )
        for place, level in (("Lục Yên", "district"), (TOTAL, "total"))
        for indicator in HEADLINE
    ]
    return pd.concat(frames, ignore_index=True)


def every_figure():
    """(name, figure) of every figure function, with the figure tests' data and more."""
    forecast = pd.concat(
        [summary(0.0).assign(scenario="baseline"), summary(0.08).assign(scenario="push")],
        ignore_index=True,
    )
    diff = summary(0.08, difference=True).assign(scenario="push", versus="baseline")
    reported, references = load_targets(), load_references()
    refs = {"reported": reported, "references": references}
    yield "fan", fan_chart(forecast, "online_service_rate", "Lục Yên", **refs)
    yield "fan, commune", fan_chart(forecast, "online_service_rate", "Lâm Thượng", **refs)
    yield "fan, counts", fan_chart(forecast, "households_any", TOTAL)
    places = ["Lục Yên", "Trùng Khánh", TOTAL]
    yield "grid", fan_grid(forecast, list(INDICATORS), places, **refs)
    one = fan_grid(forecast, ["procedures_online_share"], ["Trùng Khánh"], **refs)
    yield "grid, one column", one
    yield "multiples", small_multiples(forecast, "procedures_online_share", **refs)
    yield "multiples, communes", small_multiples(forecast, "households_any", level="commune")
    yield "comparison", comparison_chart(forecast, "online_service_rate", TOTAL, differences=diff)
    yield "costs", cost_effectiveness_chart(cost_table_with_years())
    yield "costs, linear", cost_effectiveness_chart(cost_table(), date="2025-12")
    ranking, flips = ranking_tables()
    yield "ranking", ranking_chart(ranking, flips)
    yield "ranking, no flips", ranking_chart(ranking, flips.iloc[:0])
    trace, versus = optimiser_tables()
    yield "front", front_chart(trace, versus, problem("household_years_any"))
    yield "front, indicator", front_chart(trace, None, problem("additional_households_any@2030-12"))
    yield "one run", indicators_by_district(one_run())


def drawn_texts(figure) -> list[str]:
    """Every text of a figure: titles, axis labels, tick labels, legends, notes."""
    return [t.get_text() for t in figure.findobj(matplotlib.text.Text) if t.get_text()]


def render(figure) -> None:
    figure.savefig(io.BytesIO(), format="png", dpi=40)  # glyphs are looked up when drawn


@pytest.fixture(scope="module")
def vietnamese():
    """Every figure drawn and rendered in Vietnamese: texts by figure, missing texts, warnings."""
    i18n.MISSING.clear()
    texts = {}
    with warnings.catch_warnings(record=True) as caught, i18n.using("vi"):
        warnings.simplefilter("always")
        for name, figure in every_figure():
            render(figure)
            texts[name] = drawn_texts(figure)
            plt.close(figure)
    return types.SimpleNamespace(texts=texts, missing=set(i18n.MISSING), warnings=caught)


# -- figures in Vietnamese ----------------------------------------------------------------------


def test_every_figure_in_vietnamese_has_every_text_and_every_glyph(vietnamese):
    assert len(vietnamese.texts) == 15
    assert vietnamese.missing == set()
    assert not [w for w in vietnamese.warnings if "missing from font" in str(w.message)]


def test_a_missing_glyph_would_be_seen():
    figure = plt.figure()
    figure.text(0.5, 0.5, "漢")  # not in DejaVu Sans: what the test above would catch
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render(figure)
    assert [w for w in caught if "missing from font" in str(w.message)]


def test_vietnamese_figures_show_vietnamese_and_none_of_the_english(vietnamese):
    table = figures_table()
    english = {en for en, vi in table.items() if vi != en and "{" not in en}
    long_english = {en for en in english if len(en) >= 15}
    for name, drawn in vietnamese.texts.items():
        texts = [t for t in drawn if t not in DATA_VALUES]
        assert any(VIETNAMESE & set(text) for text in texts), name
        for text in texts:
            for line in text.splitlines():
                assert line.strip() not in english, (name, line)
            assert not [en for en in long_english if en in text], (name, text)


def test_vietnamese_words_where_the_figures_draw_them():
    forecast = pd.concat([summary(0.0).assign(scenario="baseline")], ignore_index=True)
    with i18n.using("vi"):
        fan = fan_chart(forecast, "online_service_rate", "Lục Yên")
        costs = cost_effectiveness_chart(cost_table())
    ax = fan.axes[0]
    assert ax.get_xlabel() == "năm"
    assert ax.get_ylabel() == "% số hồ sơ thủ tục"
    assert ax.get_title() == (
        "huyện cũ Lục Yên: hồ sơ thủ tục nộp trực tuyến\n"
        "kịch bản 'baseline', trung vị và các khoảng qua 40 lần chạy"
    )
    assert {t.get_text() for t in fan.legends[0].get_texts()} == {
        "khoảng 90 %",
        "khoảng 50 %",
        "trung vị",
    }
    assert costs._suptitle.get_text() == (
        "Hiệu quả chi phí so với baseline, Tất cả các huyện, tháng 12/2030 (cộng dồn từ đầu kỳ)"
    )
    assert costs.axes[0].get_ylabel() == "chi phí tăng thêm (tỷ đồng)"
    assert "triệu đồng" in costs.axes[1].get_xlabel()


def test_english_is_drawn_as_before():
    forecast = summary(0.0).assign(scenario="baseline")
    before = set(i18n.MISSING)
    fan = fan_chart(forecast, "online_service_rate", "Lục Yên")
    assert fan.axes[0].get_title() == (
        "Lục Yên (former district): procedure files filed online\n"
        "scenario 'baseline', median and intervals over 40 runs"
    )
    assert fan.axes[0].get_xlabel() == "year"
    costs = cost_effectiveness_chart(cost_table())
    assert costs._suptitle.get_text() == (
        "Cost-effectiveness against baseline, All districts, Dec 2030 (cumulative since the start)"
    )
    assert i18n.MISSING == before  # English is never looked up


def test_every_literal_text_shown_to_users_has_a_vietnamese_row():
    """Every ``tr("...")`` in the package (figures, command line, dashboard), also in
    branches the drawings above may miss, has its row in one of the ``vi_*.csv`` files."""
    table = i18n.table("vi")
    literals = []
    for path in sorted((ROOT / "adoption").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                if node.args and isinstance(node.args[0], ast.Constant):
                    literals.append(node.args[0].value)
    assert len(literals) > 50
    assert [text for text in literals if text not in table] == []


def test_every_indicator_level_and_reference_label_has_a_row():
    table = figures_table()
    wanted = {i.label for i in REGISTRY.values()}
    wanted |= {f"% of {i.share_of}" for i in REGISTRY.values() if i.share_of}
    wanted |= {"% of the total", TOTAL, *LEVEL_WORDS.values()}
    wanted |= set(load_references()["label"])
    assert sorted(wanted - set(table)) == []


# -- the tables ---------------------------------------------------------------------------------


def fields(text: str) -> set[str]:
    """The names a template's placeholders use ("{month.year}" uses month)."""
    parsed = string.Formatter().parse(text)
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in parsed if name is not None}


@pytest.mark.parametrize("path", sorted(DATA.glob("vi_*.csv")), ids=lambda p: p.name)
def test_translation_rows_are_whole_nfc_and_translated(path):
    table = rows(path)
    assert table
    seen = set()
    for row in table:
        en, vi = row["en"], row["vi"]
        assert en.strip() and vi.strip(), row
        assert unicodedata.is_normalized("NFC", en) and unicodedata.is_normalized("NFC", vi), row
        assert en not in seen, f"{path.name}: {en!r} twice"
        seen.add(en)
        assert (vi == en) == (en in SAME_IN_VIETNAMESE), row
        assert fields(vi) == fields(en), row  # the same placeholders, so format() fills them


def test_a_figure_text_in_another_table_reads_the_same():
    """The tables are merged, the last file winning: a figure's text must not read two ways."""
    mine = figures_table()
    other = {}
    for path in DATA.glob("vi_*.csv"):
        if path.name != "vi_figures.csv":
            other.update({row["en"]: (path.name, row["vi"]) for row in rows(path)})
    assert {en: other[en] for en in mine if en in other and other[en][1] != mine[en]} == {}
