import numpy as np
import pytest

from adoption.calendar import format_month, month_range, parse_month, to_timestamps


def test_round_trip():
    assert format_month(parse_month("2019-01")) == "2019-01"
    assert parse_month("2020-01") - parse_month("2019-12") == 1


def test_range_is_inclusive():
    months = month_range("2019-01", "2030-12")
    assert len(months) == 144
    assert to_timestamps(months[-1:])[0].strftime("%Y-%m-%d") == "2030-12-01"


@pytest.mark.parametrize("bad", ["2019-13", "2019/01", "19-01", ""])
def test_bad_month(bad):
    with pytest.raises(ValueError):
        parse_month(bad)


def test_end_before_start():
    with pytest.raises(ValueError):
        month_range("2020-01", "2019-12")
    assert np.all(np.diff(month_range("2019-01", "2019-05")) == 1)
