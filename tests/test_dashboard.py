"""The dashboard's logic without a browser: the draft, its checks, the quick forecast."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("solara")

from adoption.cli import main  # noqa: E402
from adoption.dashboard import draft as drafts  # noqa: E402
from adoption.dashboard import quick  # noqa: E402
from adoption.errors import UserError  # noqa: E402
from adoption.model.levers import TYPES  # noqa: E402
from adoption.reports import i18n  # noqa: E402
from adoption.scenarios.scenario import load_scenario  # noqa: E402


@pytest.fixture
def baseline():
    return drafts.from_file(drafts.shipped()["baseline"])


def test_every_shipped_scenario_is_a_valid_draft_that_writes_back_the_same(tmp_path):
    for name, path in drafts.shipped().items():
        draft = drafts.from_file(path)
        scenario, error = drafts.check(draft)
        assert error is None, name
        again = tmp_path / f"{name}.toml"
        again.write_text(drafts.toml(draft), encoding="utf-8")
        assert load_scenario(again).interventions == load_scenario(path).interventions


def test_a_bad_value_gives_the_message_adoption_validate_prints(baseline, tmp_path, capsys,
                                                                 monkeypatch):  # fmt: skip
    lever = {**drafts.new_lever("subsidise_smartphones", baseline), "magnitude": 1.7}
    draft = {**baseline, "interventions": [lever]}
    _, error = drafts.check(draft)
    assert drafts.field(error) == (0, "magnitude")
    (tmp_path / drafts.FILE).write_text(drafts.toml(draft), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", drafts.FILE]) == 2
    assert capsys.readouterr().err.strip() == f"adoption: error: {error}"


@pytest.mark.parametrize("text, message", [("abc", "expected"), ("", "expected")])
def test_text_typed_in_a_number_field_is_checked_as_a_file_would_be(baseline, text, message):
    lever = {**drafts.new_lever("train_teams", baseline),
             "magnitude": drafts.typed(text)}  # fmt: skip
    _, error = drafts.check({**baseline, "interventions": [lever]})
    assert drafts.field(error) == (0, "magnitude") and message in str(error)


def test_top_level_mistakes_name_their_key(baseline):
    _, error = drafts.check({**baseline, "end": "2031-13"})
    assert drafts.field(error) == (None, "end")
    _, error = drafts.check({**baseline, "districts": ["Nowhere"]})
    assert drafts.field(error) == (None, "districts")


@pytest.mark.parametrize("kind", list(TYPES))
def test_a_new_lever_of_every_type_validates_with_its_sourced_cost(baseline, kind):
    lever = drafts.new_lever(kind, baseline)
    scenario, error = drafts.check({**baseline, "interventions": [lever]})
    assert error is None
    low, high = TYPES[kind].bounds
    assert low <= scenario.interventions[0].magnitude <= high
    shipped = drafts.templates().get(kind)
    if shipped is not None:  # the cost and its source come from a shipped scenario
        assert lever["unit_cost_vnd"] == shipped["unit_cost_vnd"]
        assert lever["cost_source"] == shipped["cost_source"]


def test_place_search_needs_no_accents_and_lists_the_district_first(baseline):
    found = drafts.search("cho don", baseline)
    assert found[0] == "Chợ Đồn" and len(found) > 5
    assert "Lương Bằng" in drafts.search("LUONG bang", baseline)
    assert drafts.search("tan lap", baseline) == ["Tân Lập (Chợ Đồn)", "Tân Lập (Lục Yên)"]
    assert drafts.search("", baseline) == []
    for name in drafts.search("xa", baseline):  # every hit is a name a scenario accepts
        lever = {**drafts.new_lever("train_teams", baseline), "where": [name]}
        assert drafts.check({**baseline, "interventions": [lever]})[1] is None


def test_the_quick_forecast_is_paired_coarse_and_reports_progress(baseline, tmp_path):
    lever = {**drafts.new_lever("subsidise_smartphones", baseline), "start": "2020-01"}
    draft = {**baseline, "districts": ["Yên Lạc"], "end": "2021-12", "interventions": [lever]}
    scenario, error = drafts.check({**draft, "interventions": [{**lever, "end": "2021-12"}]})
    assert error is None
    seen = []
    result = quick.run(scenario, tmp_path, seen.append)
    assert result.scenario.runs == quick.RUNS and result.scenario.scale == quick.SCALE
    assert set(result.forecast["level"]) == {"district", "total"}
    assert set(result.forecast["scenario"]) == {scenario.name, result.baseline}
    # runs go in batches (adoption.model.sizes.batch_runs): the bar moves per batch, at least
    # once per worker and ensemble
    steps = 2 * min(os.cpu_count() or 1, quick.RUNS)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(set(seen)) >= steps
    seen.clear()
    again = quick.run(scenario, tmp_path, seen.append)  # from the cache: at once, all done
    assert seen[-1] == 1.0 and again.forecast.equals(result.forecast)
    extra = result.costs[result.costs["measure"] == "additional_cost_vnd"]
    assert (extra["median"] > 0).all()  # smartphones were paid for
    from adoption.dashboard.results import change_line  # what the page says first

    costs = result.costs
    total = costs[(costs["level"] == "total") & (costs["date"] == costs["date"].max())]
    gained = total.set_index("measure").loc["additional_households_any", "median"]
    assert change_line(result).count(f"**{gained:,.0f}**") >= 1  # in the language in use


def test_the_page_figures_are_drawn_in_vietnamese_without_a_missing_text(baseline, tmp_path):
    from adoption.dashboard.charts import charts, cost_chart

    lever = {**drafts.new_lever("subsidise_smartphones", baseline), "start": "2020-01",
             "end": "2021-12"}  # fmt: skip
    draft = {**baseline, "districts": ["Yên Lạc"], "end": "2021-12", "interventions": [lever]}
    scenario, _ = drafts.check(draft)
    result = quick.run(scenario, tmp_path)
    i18n.MISSING.clear()
    pngs = charts(result, "any_service_rate", "Yên Lạc", "vi")
    pngs["costs"] = cost_chart(result, "vi")
    assert set(pngs) == {"forecast", "difference", "costs"}
    assert all(png.startswith(b"\x89PNG") for png in pngs.values())
    assert i18n.MISSING == set()
    from adoption.dashboard.charts import Shown  # the runs as the Vietnamese page names them

    vi, en = Shown.of(result, "vi"), Shown.of(result, "en")
    without = i18n.tr("{name} without interventions", "vi").format(name=scenario.name_vi)
    assert set(vi.forecast["scenario"]) == {scenario.name_vi, without} == {vi.scenario, vi.baseline}
    assert set(vi.differences["scenario"]) | set(vi.differences["versus"]) <= {
        *vi.forecast["scenario"]
    }
    assert en.forecast is result.forecast and en.baseline == result.baseline


def test_adding_the_first_lever_renames_the_status_quo_in_both_languages(baseline):
    from adoption.dashboard import levers_card, state

    state.draft.set(baseline)
    levers_card._add("train_teams")
    draft = state.draft.value
    assert (draft["name"], draft["name_vi"]) == (
        "baseline with levers",
        i18n.tr("baseline with levers", "vi"),
    )
    assert draft["name_vi"] != baseline["name_vi"] and len(draft["interventions"]) == 1
    state.draft.set({**baseline, "name_vi": "kịch bản thử"})  # a name typed is kept
    levers_card._add("train_teams")
    assert (state.draft.value["name"], state.draft.value["name_vi"]) == (
        draft["name"],
        "kịch bản thử",
    )
    state.draft.set({**baseline, "name": "my plan", "name_vi": ""})  # shown as "my plan" on both
    levers_card._add("train_teams")
    assert (state.draft.value["name"], state.draft.value["name_vi"]) == ("my plan", "")
    state.draft.set(baseline)


def test_every_label_of_the_page_has_its_vietnamese():
    import ast
    from pathlib import Path

    i18n.MISSING.clear()
    for path in Path(drafts.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("t", "tr")
            if called and node.args and isinstance(node.args[0], ast.Constant):
                i18n.tr(node.args[0].value, "vi")
    for kind in TYPES.values():
        for text in (kind.meaning, kind.magnitude, kind.cost_unit):
            i18n.tr(text, "vi")
    assert i18n.MISSING == set()


def test_the_caveat_shown_is_the_measured_one_with_its_source():
    import csv

    with (drafts.SCENARIOS.parent / "adoption" / "data" / "quick_caveat.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["measure"] for r in rows} == {"median_pp", "width_ratio", "household_years_pct"}
    assert all("benchmarks/bench_dashboard.py" in r["source"] for r in rows)
    assert quick.caveat() == {r["measure"]: r["value"] for r in rows}


def test_a_bad_port_is_one_line(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == (
        "adoption: error: --port: port: must be in [1, 65535], got 70000"
    )


def test_the_command_line_does_not_load_the_dashboard():
    code = "import sys, adoption.cli; print(sorted(m for m in ('solara', 'ipyvuetify') if m in sys.modules))"  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_outside_a_clone_the_page_starts_from_a_valid_status_quo(monkeypatch, tmp_path):
    monkeypatch.setattr(drafts, "SCENARIOS", tmp_path / "nowhere")
    draft = drafts.initial()
    assert drafts.shipped() == {} and draft["interventions"] == []
    assert drafts.check(draft)[1] is None


def test_an_uploaded_file_is_read_as_a_file_of_its_name(baseline):
    text = drafts.toml(baseline)
    assert drafts.from_text(text, "mine.toml") == baseline
    with pytest.raises(UserError, match=r"^mine\.toml: seed: "):
        drafts.from_text(text.replace("seed = ", "seed = -"), "mine.toml")


def test_the_server_is_started_without_solaras_upgrade_notice():
    """Solara is pinned on purpose: the command asks it not to look for a newer version."""
    from solara.__main__ import run

    from adoption.cli.dashboard import arguments

    argv = arguments("127.0.0.1", 8765)
    context = run.make_context("run", argv[1:])  # Solara's own parser accepts every option
    assert context.params["check_version"] is False
    assert context.params["production"] is True


def test_a_lever_changed_to_another_type_takes_that_types_cost_and_keeps_where_and_when(baseline):
    """A team course's 1.5 million VND per member is not a skills course's cost per adult."""
    lever = {**drafts.new_lever("train_teams", baseline), "where": ["Chợ Đồn"], "start": "2028-03"}
    changed = drafts.retyped(lever, "digital_skills_course", baseline)
    shipped = drafts.templates()["digital_skills_course"]  # scenarios/skills_course.toml
    assert changed["type"] == "digital_skills_course"
    assert changed["unit_cost_vnd"] == shipped["unit_cost_vnd"] != lever["unit_cost_vnd"]
    assert changed["cost_source"] == shipped["cost_source"]
    assert (changed["where"], changed["start"]) == (["Chợ Đồn"], "2028-03")
    scenario, error = drafts.check({**baseline, "interventions": [changed]})
    assert error is None and scenario.interventions[0].type == "digital_skills_course"


def test_every_indicator_with_a_target_can_be_drawn_and_its_verdicts_are_listed():
    """A planner can pick the indicators Yên Bái's and Decision 942's targets are set for, and
    under the fan reads each target at the place chosen, with where the runs put it."""
    from types import SimpleNamespace

    import pandas as pd

    from adoption.dashboard.results import SHOWN, target_verdicts
    from adoption.reports.figures import load_references

    assert set(load_references()["indicator"]) <= set(SHOWN)
    forecast = pd.DataFrame({"scenario": "s", "indicator": "adult_account_rate",
                             "level": ["province_2025", "district"],
                             "place": ["Lào Cai", "Trùng Khánh"],
                             "date": pd.Timestamp("2025-12-01"),
                             "q05": 0.6, "median": 0.7, "q95": 0.8})  # fmt: skip
    result = SimpleNamespace(forecast=forecast, scenario=SimpleNamespace(name="s"))
    said = target_verdicts(result, "adult_account_rate", "Lào Cai", "en")
    assert "- Yên Bái KH 231: ≥ 75 % by 2025 (2025-12): median 70 % [60–80 %]: missed by the " \
           "median" in said  # fmt: skip
    assert target_verdicts(result, "adult_account_rate", "Trùng Khánh", "en") == ""
    assert "trung vị không đạt" in target_verdicts(result, "adult_account_rate", "Lào Cai", "vi")
