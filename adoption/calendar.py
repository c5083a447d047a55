"""Monthly calendar: months as integers, parsed from and printed as ``YYYY-MM``.

A month is stored as ``year * 12 + (month - 1)`` so that differences are month
counts and arithmetic is plain integer arithmetic in NumPy. This module owns
parsing and formatting only; what happens in a month is the model's business.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

#: Years a scenario's calendar may span (the profiles describe districts from 2019).
YEARS = (2000, 2100)
#: The month every run starts from: the district profiles describe January 2019, so a run
#: that started elsewhere would begin later (or earlier) with 2019's households.
FIRST_MONTH = "2019-01"


def parse_month(text: str | int) -> int:
    """Return the month index of ``"YYYY-MM"`` (an int is returned unchanged).

    Raises:
        ValueError: if ``text`` is not of the form ``YYYY-MM`` with month 01-12.
    """
    if isinstance(text, int | np.integer):
        return int(text)
    match = _PATTERN.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def format_month(month: int) -> str:
    """Return ``"YYYY-MM"`` for a month index."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_range(start: str | int, end: str | int) -> np.ndarray:
    """All month indices from ``start`` to ``end`` inclusive."""
    first, last = parse_month(start), parse_month(end)
    if last < first:
        raise ValueError(f"end {format_month(last)} is before start {format_month(first)}")
    return np.arange(first, last + 1)


def to_timestamps(months: np.ndarray) -> pd.DatetimeIndex:
    """First day of each month, as pandas timestamps (for tables and plots)."""
    months = np.asarray(months)
    return pd.DatetimeIndex(
        pd.to_datetime(
            {"year": months // 12, "month": months % 12 + 1, "day": np.ones_like(months)}
        )
    )
