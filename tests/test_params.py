"""Every parameter has one home, with unit, meaning and source."""

import pytest

from adoption import Params
from adoption.errors import UserError
from adoption.model.simulate import as_params


def test_every_parameter_documented():
    table = Params.table()
    assert len(table) == len(Params.names()) > 20
    for column in ("unit", "meaning", "source"):
        assert table[column].str.len().gt(0).all(), column


def test_overrides_by_mapping():
    params = as_params({"q_online": 0.05})
    assert params.q_online == 0.05 and params.p_online == Params().p_online


def test_unknown_parameter_is_a_user_error():
    with pytest.raises(UserError, match="q_onlin: unknown parameter"):
        as_params({"q_onlin": 0.05})


def test_the_parameter_table_of_the_model_documentation_is_current():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    assert Params.markdown() in text, (
        "docs/model.md's parameter table is stale: regenerate it with "
        "`python docs/regenerate_tables.py`"
    )
