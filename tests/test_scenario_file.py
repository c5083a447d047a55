import dataclasses
from pathlib import Path

import pytest

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
