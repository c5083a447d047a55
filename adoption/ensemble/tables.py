"""Tables written for people: Parquet for analysts, CSV that a spreadsheet opens as it is.

:func:`write_tables` writes each forecast table as Parquet (typed, every place) and as
CSV (districts, the 2025 new communes and provinces, and the total: the old communes would
pass a spreadsheet's row limit; costs whole); :func:`write_csv` is the CSV format. This
module writes files; it does not compute the tables (:mod:`adoption.ensemble.summaries`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adoption.files import write_atomic


def write_tables(out: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Parquet (typed, every place) and CSV (all but old communes; costs whole) of each table."""
    written = []
    for name, table in tables.items():
        if name != "costs":
            path = out / f"{name}.parquet"
            write_atomic(path, lambda tmp, t=table: t.to_parquet(tmp, index=False))
            written.append(path)
        if "level" in table and name != "costs":  # communes only in Parquet (Excel-sized CSV)
            table = table[table["level"] != "commune"]
        path = out / f"{name}.csv"
        write_atomic(path, lambda tmp, t=table: write_csv(t, tmp))
        written.append(path)
    return written


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """Write ``table`` as a CSV that a spreadsheet opens as it is.

    UTF-8 with a byte-order mark (so Excel reads the diacritics right), months as
    ``YYYY-MM``, numbers in plain digits (no ``7.02e+10``): whole numbers at 1,000 and
    above, six significant digits below; NaN as an empty cell.
    """
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m")
        elif pd.api.types.is_float_dtype(table[column]):
            table[column] = [_plain(x) for x in table[column].to_numpy()]
    table.to_csv(path, index=False, encoding="utf-8-sig")


def _plain(x: float) -> str:
    if not np.isfinite(x):
        return ""
    if abs(x) >= 1000:
        return f"{x:.0f}"
    return np.format_float_positional(x, precision=6, unique=True, fractional=False, trim="-")
