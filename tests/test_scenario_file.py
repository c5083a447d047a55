import dataclasses
from pathlib import Path

import pytest

from adoption.errors import UserError
from adoption.scenarios.scenario import load_scenario, parse_scenario
from adoption.scenarios.writer import dumps, scenario_data

SCENARIOS = sorted(Path("scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_written_scenario_reads_back_to_the_same_scenario(path, tmp_path):
    scenario = load_scenario(path)
    out = tmp_path / "again.toml"
    out.write_text(dumps(scenario_data(scenario), "written by a test"), encoding="utf-8")
    again = load_scenario(out)
    assert dataclasses.replace(again, path=scenario.path) == scenario


def test_parse_scenario_names_the_given_path_in_its_messages():
    with pytest.raises(Exception, match=r"^mine\.toml: interventions\[0\]\.magnitude: .*got 9"):
        parse_scenario(
            'name = "x"\n[[interventions]]\ntype = "train_teams"\nstart = "2027-01"\n'
            'magnitude = 9\nunit_cost_vnd = 1\ncost_source = "assumption"\n',
            "mine.toml",
        )


def test_vietnamese_texts_of_a_scenario_and_its_levers_are_kept_and_written_back(tmp_path):
    """name_vi, description_vi, label_vi, cost_source_vi: read, checked as text, written back."""
    text = ('name = "s"\nname_vi = "kịch bản"\ndescription_vi = "mô tả"\n'
            '[[interventions]]\ntype = "train_teams"\nstart = "2027-01"\nmagnitude = 0.5\n'
            'unit_cost_vnd = 1000\ncost_source = "assumption"\nlabel_vi = "tập huấn"\n'
            'cost_source_vi = "giả định"\n')  # fmt: skip
    scenario = parse_scenario(text, "s.toml")
    assert (scenario.name_vi, scenario.description_vi) == ("kịch bản", "mô tả")
    lever = scenario.interventions[0]
    assert (lever.label_vi, lever.cost_source_vi) == ("tập huấn", "giả định")
    again = parse_scenario(dumps(scenario_data(scenario)), "again.toml")
    back = again.interventions[0]
    assert again.name_vi == "kịch bản" and (back.label_vi, back.cost_source_vi) == (
        "tập huấn",
        "giả định",
    )
    with pytest.raises(UserError, match=r"name_vi"):
        parse_scenario('name = "s"\nname_vi = 3\n', "bad.toml")
    with pytest.raises(UserError, match=r"interventions\[0\]\.label_vi: expected text"):
        parse_scenario(text.replace('"tập huấn"', "7"), "bad.toml")


def test_every_shipped_scenario_has_its_texts_in_vietnamese():
    for path in sorted((Path(__file__).parents[1] / "scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        assert scenario.name_vi and scenario.description_vi, path
        for lever in scenario.interventions:
            assert lever.label_vi and lever.cost_source_vi, (path, lever.label)
