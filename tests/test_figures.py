"""Figures of forecast ensembles, drawn from small synthetic summaries."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from adoption.calibration.targets import load_targets
from adoption.model.indicators import TOTAL
from adoption.reports.figures import (
    comparison_chart,
    cost_effectiveness_chart,
    fan_chart,
    fan_grid,
    load_references,
    small_multiples,
    targets_chart,
)

SCENARIOS = ("baseline", "push")
#: place -> (level, district)
PLACES = {
    "Lâm Thượng": ("commune", "Lục Yên"),
    "Lục Yên": ("district", "Lục Yên"),
    "Trùng Khánh": ("district", "Trùng Khánh"),
    TOTAL: ("total", TOTAL),
}
INDICATORS = ("online_service_rate", "procedures_online_share", "households_any")
Z = {"q05": -1.645, "q25": -0.674, "median": 0.0, "q75": 0.674, "q95": 1.645}


def summary(
    effect: float, *, difference: bool = False, places=PLACES, indicators=INDICATORS
) -> pd.DataFrame:
    """Tidy ensemble summary: logistic uptake curves with normal spread, vectorised."""
    dates = pd.date_range("2019-01-01", "2030-12-01", freq="MS")
    t = (dates.year - 2019 + dates.month / 12).to_numpy()
    frames = []
    for p, (place, (level, district)) in enumerate(places.items()):
        for indicator in indicators:
            size = 40_000 if level == "total" else 4_000
            scale = {"households_any": size, "cost_vnd": 5e5 * size}.get(indicator, 1.0)
            curve = (0.85 + effect) / (1 + np.exp(-(t - 5 - 0.3 * p)))
            centre = (effect * curve if difference else curve) * scale
            spread = (0.02 + 0.04 * curve) * scale
            frame = pd.DataFrame(
                {
                    "date": dates,
                    "place": place,
                    "level": level,
                    "district": district,
                    "indicator": indicator,
                    "runs": 40,
                    "mean": centre,
                }
            )
            for column, z in Z.items():
                value = centre + z * spread
                frame[column] = value if difference else np.clip(value, 0, scale)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def forecast():
    base = summary(0.0).assign(scenario="baseline")
    push = summary(0.08).assign(scenario="push")
    return pd.concat([base, push], ignore_index=True)


@pytest.fixture(scope="module")
def differences():
    return summary(0.08, difference=True).assign(scenario="push", versus="baseline")


def cost_table():
    """Costs of two scenarios against the baseline; "weak" may add no household."""
    rows = []
    # scenario -> measure -> (q05, q25, median, q75, q95)
    values = {
        "baseline": {
            "additional_cost_vnd": (0, 0, 0, 0, 0),
            "additional_households_any": (0, 0, 0, 0, 0),
            "cost_per_additional_household_vnd": (np.nan,) * 5,
        },
        "push": {
            "additional_cost_vnd": (8e9, 9e9, 10e9, 11e9, 12e9),
            "additional_households_any": (3_000, 4_000, 5_000, 6_000, 7_000),
            "cost_per_additional_household_vnd": (1.2e6, 1.6e6, 2.0e6, 2.5e6, 3.6e6),
        },
        "weak": {
            "additional_cost_vnd": (1e9, 1.5e9, 2e9, 2.5e9, 3e9),
            "additional_households_any": (-200, 50, 300, 600, 900),
            "cost_per_additional_household_vnd": (np.nan, 2.5e6, 6.7e6, np.nan, np.nan),
        },
    }
    for date in ("2025-12-01", "2030-12-01"):
        for scenario, measures in values.items():
            for measure, qs in measures.items():
                rows.append(
                    {
                        "scenario": scenario,
                        "versus": "baseline",
                        "date": pd.Timestamp(date),
                        "measure": measure,
                        **dict(zip(("q05", "q25", "median", "q75", "q95"), qs, strict=True)),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def costs():
    return cost_table()


@pytest.fixture(scope="module")
def reported():
    return load_targets()


@pytest.fixture(scope="module")
def references():
    return load_references()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def bands(ax):
    """The two interval bands of a fan: label -> (lower, upper) envelope by x."""
    out = {}
    for collection in ax.collections:
        if isinstance(collection, PolyCollection) and "interval" in collection.get_label():
            vertices = collection.get_paths()[0].vertices
            frame = pd.DataFrame(vertices, columns=["x", "y"]).groupby("x")["y"]
            out[collection.get_label()] = (frame.min(), frame.max())
    return out


def marker_values(ax, label_start="reported"):
    """y values of the reported markers of an axes, by legend label."""
    return {
        line.get_label(): list(np.asarray(line.get_ydata(), dtype=float))
        for line in ax.lines
        if line.get_label().startswith(label_start)
    }


def texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def test_every_function_returns_a_figure(forecast, differences, costs, reported, references):
    figures = [
        fan_chart(forecast, "online_service_rate", "Lục Yên"),
        fan_grid(forecast, list(INDICATORS), ["Lục Yên", "Trùng Khánh"], reported=reported),
        comparison_chart(forecast, "online_service_rate", TOTAL, differences=differences),
        small_multiples(forecast, "procedures_online_share", references=references),
        cost_effectiveness_chart(costs),
    ]
    assert all(isinstance(f, Figure) for f in figures)


def test_fan_90_band_contains_50_band(forecast):
    ax = fan_chart(forecast, "online_service_rate", "Lục Yên").axes[0]
    drawn = bands(ax)
    low90, high90 = drawn["90 % interval"]
    low50, high50 = drawn["50 % interval"]
    assert len(low50) == 144
    assert (low90 <= low50 + 1e-9).all() and (high90 >= high50 - 1e-9).all()
    assert (high90 - low90).max() > (high50 - low50).max() > 0


def test_fan_in_percent_from_0_to_100(forecast):
    ax = fan_chart(forecast, "online_service_rate", "Lục Yên").axes[0]
    median = ax.get_lines()[0].get_ydata()
    expected = forecast.query("scenario == 'baseline' and place == 'Lục Yên'")
    expected = expected[expected["indicator"] == "online_service_rate"]["median"] * 100
    np.testing.assert_allclose(median, expected.to_numpy())
    assert ax.get_ylim() == (0, 100)
    assert ax.get_ylabel() == "% of procedure files"


def test_counts_in_thousands_of_households(forecast):
    ax = fan_chart(forecast, "households_any", TOTAL).axes[0]
    assert ax.get_ylabel() == "thousand households"
    assert np.nanmax(ax.get_lines()[0].get_ydata()) < 100


def test_reported_points_at_their_value_for_their_place_only(forecast, reported):
    ax = fan_chart(forecast, "online_service_rate", "Lâm Thượng", reported=reported).axes[0]
    assert marker_values(ax) == {"reported (calibration target)": [48.0]}
    bar = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    (x0, y0), (x1, y1) = bar.get_segments()[0]
    assert y0 == y1 == 48.0
    assert x1 - x0 > 1000  # 2022-01 .. 2025-06, in days
    other = fan_chart(forecast, "online_service_rate", "Lục Yên", reported=reported).axes[0]
    assert marker_values(other) == {}


def test_lower_bounds_drawn_distinctly(forecast, reported):
    fig = fan_chart(forecast, "procedures_online_share", "Trùng Khánh", reported=reported)
    ax = fig.axes[0]
    bound = [line for line in ax.lines if line.get_label().startswith("reported lower bound")]
    assert len(bound) == 1
    assert bound[0].get_marker() == "^" and list(bound[0].get_ydata()) == [93.0]
    assert bound[0].get_markerfacecolor() == "white"  # a model input: hollow
    assert "> 93 %" in texts(fig)
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert arrows[0].xy[1] == 93.0 and arrows[0].xyann[1] > 0  # an arrow up from the marker


def test_reference_line_at_80_for_decision_749(forecast, references):
    fig = fan_chart(forecast, "online_service_rate", "Lục Yên", references=references)
    ax = fig.axes[0]
    lines = [c for c in ax.collections if c.get_label() == "national programme target"]
    assert len(lines) == 1
    (x0, y0), (x1, y1) = lines[0].get_segments()[0]
    assert y0 == y1 == 80.0
    assert x1 == pytest.approx(matplotlib.dates.date2num(pd.Timestamp("2025-12-01")))
    assert "Decision 749: 80 % by 2025" in texts(fig)
    # a district-level target: not drawn for a commune
    commune = fan_chart(forecast, "online_service_rate", "Lâm Thượng", references=references)
    assert not [c for c in commune.axes[0].collections if "national" in c.get_label()]


def test_a_provincial_target_is_drawn_only_at_the_places_it_names(references):
    """Yên Bái's 2025 account target: on Lục Yên and on Lào Cai (its two former districts),
    in its own line style; not on Trùng Khánh, a district of another province."""
    places = {"Lục Yên": ("district", "Lục Yên"), "Trùng Khánh": ("district", "Trùng Khánh"),
              "Lào Cai": ("province_2025", "Lào Cai")}  # fmt: skip
    table = summary(0.0, places=places, indicators=("adult_account_rate",))
    table = table.assign(scenario="baseline")

    def provincial(place):
        fig = fan_chart(table, "adult_account_rate", place, references=references)
        lines = [c for c in fig.axes[0].collections if c.get_label() == "provincial target"]
        return fig, lines

    for place in ("Lục Yên", "Lào Cai"):
        fig, lines = provincial(place)
        assert len(lines) == 1 and lines[0].get_linestyle() != [(0.0, None)]
        (_, y0), (x1, _) = lines[0].get_segments()[0]
        assert y0 == 75.0
        assert x1 == pytest.approx(matplotlib.dates.date2num(pd.Timestamp("2025-12-01")))
        assert "Yên Bái KH 231: ≥ 75 % by 2025" in texts(fig)
    assert provincial("Trùng Khánh")[1] == []


def test_the_targets_figure_has_a_panel_per_target_place_with_its_verdict(references):
    """Decision 749 at each former district (a district-level target) and Yên Bái's at Lục Yên:
    one panel each, titled with the place, the verdict under it; none without a target."""
    places = {"Lục Yên": ("district", "Lục Yên"), "Trùng Khánh": ("district", "Trùng Khánh")}
    table = summary(0.0, places=places, indicators=("online_service_rate", "adult_account_rate"))
    fig = targets_chart(table.assign(scenario="baseline"), references)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["Procedure files filed online\nLục Yên (former district)",
                      "Procedure files filed online\nTrùng Khánh (former district)",
                      "Adults with a payment account\nLục Yên (former district)"]  # fmt: skip
    row = table[(table["place"] == "Trùng Khánh") & (table["indicator"] == "online_service_rate")
                & (table["date"] == pd.Timestamp("2025-12-01"))].iloc[0]  # fmt: skip
    said = "met by the median" if row["median"] >= 0.8 else "missed by the median"
    if row["q05"] >= 0.8 or row["q95"] < 0.8:
        said = "over 95 % of runs"
    panel = "\n".join(texts(fig.axes[1]))
    assert f"2025-12: median {row['median'] * 100:.0f} %, target 80 %:" in panel
    assert said in panel
    none = references.assign(date="2040-12")
    assert targets_chart(table.assign(scenario="baseline"), none) is None


def test_unknown_names_raise_value_error_listing_allowed(forecast, costs):
    with pytest.raises(ValueError, match="unknown place 'Nowhere'.*'Lục Yên'.*'Trùng Khánh'"):
        fan_chart(forecast, "online_service_rate", "Nowhere")
    with pytest.raises(ValueError, match="unknown indicator 'nope'.*'online_service_rate'"):
        fan_grid(forecast, ["nope"], ["Lục Yên"])
    with pytest.raises(ValueError, match="unknown scenario 'other'.*'baseline', 'push'"):
        comparison_chart(forecast, "online_service_rate", TOTAL, scenarios=["baseline", "other"])
    with pytest.raises(ValueError, match="unknown level 'village'"):
        small_multiples(forecast, "online_service_rate", level="village")
    with pytest.raises(ValueError, match="no rows for 2027-12; allowed: 2025-12, 2030-12"):
        cost_effectiveness_chart(costs, date="2027-12")


def test_fan_grid_rows_are_indicators_columns_places(forecast, reported, references):
    places = ["Lục Yên", "Trùng Khánh", TOTAL]
    fig = fan_grid(forecast, list(INDICATORS), places, reported=reported, references=references)
    axes = np.array(fig.axes).reshape(len(INDICATORS), len(places))
    assert [ax.get_title() for ax in axes[0]] == places
    assert "thousand households" in axes[2, 0].get_ylabel()
    assert marker_values(axes[1, 1]) == {"reported lower bound (model input)": [93.0]}
    assert marker_values(axes[1, 0]) == {}


def test_one_place_lays_its_indicators_side_by_side(forecast, reported, references):
    """A one-district run was a 451 px strip with row labels running into the panels."""
    from adoption.reports.figures.style import _label

    fig = fan_grid(forecast, list(INDICATORS), ["Trùng Khánh"], reported=reported,
                   references=references)  # fmt: skip
    width, height = fig.get_size_inches()
    assert width > height
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in shown] == [_label(i) for i in INDICATORS]
    assert "Trùng Khánh" in fig.get_suptitle()
    plt.close(fig)


def test_small_multiples_one_panel_per_district_shared_y(forecast):
    fig = small_multiples(forecast, "online_service_rate", scenario="push")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["Lục Yên", "Trùng Khánh"]
    assert shown[0].get_shared_y_axes().joined(shown[0], shown[1])


def test_comparison_chart_differences_panel(forecast, differences):
    fig = comparison_chart(forecast, "online_service_rate", TOTAL, differences=differences)
    top, bottom = fig.axes[:2]
    assert {line.get_label() for line in top.lines} == {"baseline: median", "push: median"}
    assert "percentage points" in bottom.get_ylabel()
    median = [line for line in bottom.lines if line.get_label() == "push − baseline: median"]
    expected = differences.query("place == @TOTAL and indicator == 'online_service_rate'")
    np.testing.assert_allclose(median[0].get_ydata(), expected["median"].to_numpy() * 100)
    assert any(list(line.get_ydata()) == [0, 0] for line in bottom.lines)  # zero line
    assert set(bands(bottom)) == {
        "push − baseline: 90 % interval",
        "push − baseline: 50 % interval",
    }
    assert bottom.get_title().startswith("Paired difference to baseline (same runs)")


def test_comparison_chart_names_the_reference_it_is_paired_with(forecast, differences):
    other = forecast.assign(scenario=forecast["scenario"].replace("baseline", "push w/o levers"))
    diff = differences.assign(versus="push w/o levers")
    fig = comparison_chart(other, "online_service_rate", TOTAL, differences=diff)
    assert fig.axes[1].get_title().startswith("Paired difference to push w/o levers")


def test_cost_chart_marks_unbounded_cost_per_household(costs):
    fig = cost_effectiveness_chart(costs)
    left, right = fig.axes
    assert {line.get_label() for line in right.lines if not line.get_label().startswith("_")} == {
        "push"
    }
    point = [line for line in right.lines if line.get_label() == "push"][0]
    assert list(point.get_xdata()) == [2.0]  # million VND
    assert "million VND" in right.get_xlabel()
    assert any(t.startswith("not defined (unbounded)") for t in texts(fig))
    assert [t.get_text() for t in right.get_yticklabels()] == ["push\n2 (1.2–3.6)", "weak"]
    assert left.get_ylabel() == "additional cost (billion VND)"


def test_cost_labels_are_plain_numbers(costs):
    per = costs["measure"] == "cost_per_additional_household_vnd"
    big = costs.copy()
    big.loc[per, ["median", "q05", "q25", "q75", "q95"]] *= 278  # 556 (240-1,000) million VND
    fig = cost_effectiveness_chart(big)
    ticks = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert ticks[0] == "push\n556 (334–1,000)"
    assert not any("e+" in t for t in texts(fig))


def test_cost_chart_keeps_the_total_of_a_per_place_table(costs):
    per_place = pd.concat(
        [costs.assign(place=TOTAL), costs.assign(place="Lục Yên", median=costs["median"] / 2)]
    )
    fig = cost_effectiveness_chart(per_place, date="2025-12")
    point = [line for line in fig.axes[1].lines if line.get_label() == "push"][0]
    assert list(point.get_xdata()) == [2.0]


def test_load_references_reads_the_shipped_file():
    table = load_references()
    columns = ["indicator", "level", "place", "value", "date", "label", "source"]
    assert list(table.columns) == columns
    assert len(table) >= 3
    assert (table["source"].str.strip().str.len() > 0).all()
    national = table["place"] == ""
    assert table.loc[national, "source"].str.startswith(
        "docs/sources.md, National programme targets").all()  # fmt: skip
    assert table.loc[~national, "source"].str.startswith(
        "docs/sources.md, Provincial targets").all()  # fmt: skip
    row = table[table["label"].str.contains("749") & (table["indicator"] == "online_service_rate")]
    assert row[["level", "value", "date"]].values.tolist() == [["district", 0.8, "2025-12"]]


def test_every_place_a_shipped_target_names_is_a_place_the_forecast_reports():
    """A misspelt place would draw its target nowhere: each is a former district or a 2025
    province of the shipped profile and crosswalk."""
    from adoption.places.profiles import load_profiles
    from adoption.places.reform import load_crosswalk
    from adoption.reports.figures.references import places_of

    known = {p.name for p in load_profiles()} | {r["new_province"] for r in load_crosswalk()}
    named = {name for field in load_references()["place"] for name in places_of(field)}
    assert named and named <= known


def test_load_references_rejects_an_empty_source(tmp_path):
    path = tmp_path / "references.csv"
    path.write_text(
        "indicator,level,place,value,date,label,source\naccount_rate,all,,0.5,2025-12,x,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="row 2: source: must not be empty"):
        load_references(path)


def test_count_panels_show_every_place(forecast):
    small = small_multiples(forecast, "households_any", level="commune")
    assert small.axes[0].get_ylabel() == "households"
    fig = fan_grid(forecast, ["households_any"], ["Lục Yên", TOTAL])
    rows = forecast.query("scenario == 'baseline' and indicator == 'households_any'")
    total_top = rows.loc[rows["place"] == TOTAL, "q95"].max()
    assert fig.axes[1].get_ylim()[1] >= total_top / 1000  # thousand households
    assert fig.axes[0].get_ylim()[1] < total_top / 1000 / 5  # own axis for the district


def test_the_nowcast_line_is_at_the_last_month_any_calibrated_figure_covers(forecast, reported):
    """Drawn figures end in 2025-06, but the calibration also saw figures to 2025-12 (Cao
    Bằng's adults with an account): the fan is a nowcast up to the latest of them."""
    from adoption.calibration.observations import fit_figures

    last = pd.to_datetime(fit_figures()["date_end"], format="%Y-%m").max()
    assert last > pd.to_datetime(reported["date_end"], format="%Y-%m").max()
    ax = fan_chart(forecast, "online_service_rate", "Lục Yên", reported=reported).axes[0]
    dotted = [line for line in ax.lines if line.get_label().startswith("last reported figure")]
    assert len(dotted) == 1
    assert dotted[0].get_xdata()[0] == pd.Timestamp(last)
    assert f"({last:%Y-%m})" in dotted[0].get_label()
