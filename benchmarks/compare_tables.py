"""Compare two forecast tables (Parquet): same rows, same numbers, bit for bit.

Usage: python benchmarks/compare_tables.py BEFORE.parquet AFTER.parquet
"""

import sys

import numpy as np
import pandas as pd

a, b = (pd.read_parquet(p) for p in sys.argv[1:3])
num = ["mean", "q05", "q25", "median", "q75", "q95"]
print("rows", len(a), len(b), "columns equal", list(a.columns) == list(b.columns))
keys_equal = a.drop(columns=num).astype(str).equals(b.drop(columns=num).astype(str))
print("keys identical", keys_equal)
same = np.array_equal(a[num].to_numpy(), b[num].to_numpy(), equal_nan=True)
print("numbers identical", same)
if not same:
    d = np.abs(a[num].to_numpy() - b[num].to_numpy())
    print("max abs difference", np.nanmax(d))
