"""The planner's table: a few rows a planner can paste into a report, in the run's language.

Beside the long ``forecast.csv`` for analysts (every month, place and indicator), ``adoption
run`` writes ``planner.csv``: for each former district, each 2025 province (the former
districts of it the model holds) and the total, each headline indicator and each key year
in the period (December of :data:`KEY_YEARS`), the median and the 90 % interval in
percent, with the unit and headers in the language of ``--lang``. This module formats; it
computes nothing the forecast table does not hold.
"""

from __future__ import annotations

import pandas as pd

from adoption.model.indicators import HEADLINE, INDICATORS
from adoption.reports.figures.style import where_label
from adoption.reports.i18n import tr

#: Place levels of the table: former districts, the 2025 provinces (the part the model holds).
LEVELS = ("district", "province_2025", "total")
#: Years a planner reports on: the end of the national 2025 programme, this year, and 2030.
KEY_YEARS = (2025, 2026, 2030)
#: Columns of the table, in English (:func:`planner_table` gives them in the language in use).
COLUMNS = ("place", "indicator", "unit", "year", "median", "90 % interval, low",
           "90 % interval, high")  # fmt: skip


def planner_table(forecast: pd.DataFrame) -> pd.DataFrame:
    """Places of :data:`LEVELS` x headline indicators x key years: median and 90 % range in %."""
    rows = forecast[forecast["level"].isin(LEVELS) & forecast["indicator"].isin(HEADLINE)]
    december = rows["date"].dt.month == 12
    rows = rows[december & rows["date"].dt.year.isin(KEY_YEARS)]
    places = {name: k for k, name in enumerate(pd.unique(rows["place"]))}  # in table order
    indicators = {name: k for k, name in enumerate(HEADLINE)}
    rows = rows.assign(p=rows["place"].map(places), i=rows["indicator"].map(indicators))
    rows = rows.sort_values(["p", "i", "date"], kind="stable")
    table = pd.DataFrame({
        "place": [where_label(p, lv) for p, lv in zip(rows["place"], rows["level"], strict=True)],
        "indicator": [tr(INDICATORS[i].label) for i in rows["indicator"]],
        "unit": [tr(f"% of {INDICATORS[i].share_of}") for i in rows["indicator"]],
        "year": rows["date"].dt.year.to_numpy(),
        "median": (100 * rows["median"]).round(1).to_numpy(),
        "90 % interval, low": (100 * rows["q05"]).round(1).to_numpy(),
        "90 % interval, high": (100 * rows["q95"]).round(1).to_numpy(),
    })  # fmt: skip
    return table.rename(columns={c: tr(c) for c in COLUMNS})
