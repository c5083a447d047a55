"""Mesa reporters, the tidy table of a run and the indicator table of the docs.

The indicators themselves (what each counts, where its value comes from, how a month is
measured) are defined once in :mod:`adoption.model.indicators`; this module only presents
them: one Mesa ``DataCollector`` reporter per indicator, a run's collected values as one long
table (:func:`tidy`), and the Markdown table of ``docs/analysts.md`` (:func:`markdown`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from adoption.calendar import to_timestamps
from adoption.files import markdown_table
from adoption.model.indicators import INDICATORS
from adoption.model.units import from_reform


def value(model, name: str) -> np.ndarray:
    """Reporter: the indicator ``name`` this month, per place."""
    return model.counts[name]


def reporters() -> dict[str, Callable]:
    """Model reporters for Mesa's ``DataCollector``: one per indicator, in registry order."""
    return {name: partial(value, name=name) for name in INDICATORS}


def tidy(model) -> pd.DataFrame:
    """All collected indicators as one long table.

    Returns:
        Columns ``date`` (first day of the month), ``place``, ``level``
        (commune, district, commune_2025, province_2025 from 2025-07, total), ``district``
        (for a 2025 unit: its province), ``indicator`` and ``value`` (counts in real units).
    """
    data = model.datacollector.model_vars
    dates = to_timestamps(model.months[: len(next(iter(data.values())))])
    places = model.places
    frames = []
    for indicator, values in data.items():
        matrix = np.asarray(values, dtype=np.float64)  # (months, places)
        frames.append(
            pd.DataFrame(
                {
                    "date": np.repeat(dates.values, len(places)),
                    "place": np.tile(places["place"].values, len(dates)),
                    "level": np.tile(places["level"].values, len(dates)),
                    "district": np.tile(places["district"].values, len(dates)),
                    "indicator": indicator,
                    "value": matrix.ravel(),
                }
            )
        )
    return from_reform(pd.concat(frames, ignore_index=True))


def markdown() -> str:
    """The indicator table of the README, generated from :data:`INDICATORS`."""
    rows = []
    for i in INDICATORS.values():
        unit = f"share of {i.share_of}" if i.is_share else i.unit
        kept = "headline" if i.headline else ("yes" if i.forecast else "")
        rows.append([f"`{i.name}`", i.meaning, unit, i.kind, kept])
    return markdown_table(["indicator", "meaning", "unit", "kind", "in forecasts"], rows)
