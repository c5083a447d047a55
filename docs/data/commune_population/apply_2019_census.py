"""Households per commune from the 2019 census: write them into adoption/data/districts.csv.

Run from the repository root: ``python docs/data/commune_population/apply_2019_census.py``.

Reads ``census_2019.csv`` (every 2019 commune of the census districts, people and households,
read from the GSO 2019 census tables as a public GitHub repository holds them) and
``model_to_2019.csv`` (each commune of the model with the 2019 communes it is made of and
how that is known). A commune's households are its district's households in the profile
times its share of the district's 2019 census households (largest remainders, so the communes
add up to the district exactly); the district totals stay as the profile sources give them.
Each row's source says which 2019 communes it holds and how that is known.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

HERE = Path(__file__).parent
PROFILE = HERE.parents[2] / "adoption" / "data" / "districts.csv"
CENSUS = (
    "docs/data/commune_population/census_2019.csv "
    "(GSO 2019 census via hgscarlette/vn-demographic @ bfc5508)"
)
RULE = "D: district households x the commune's share of the district's 2019 census households"


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shares() -> dict[tuple[str, str], tuple[int, str]]:
    """(district, commune) -> (2019 census households of its units, source text)."""
    rows = _read(HERE / "census_2019.csv")
    census = {(r["district_2019"], r["unit_2019"]): int(r["households"]) for r in rows}
    out = {}
    for row in _read(HERE / "model_to_2019.csv"):
        units = [u.split("/", 1) for u in row["units_2019"].split("; ")]
        total = sum(census[(d, u)] for d, u in units)
        held = ", ".join(f"{u} ({d}) {census[(d, u)]:,}" for d, u in units)
        out[(row["district"], row["commune"])] = (total, f"{row['how']}: {held} households in 2019")
    return out


def households(district_total: int, weights: dict[str, int]) -> dict[str, int]:
    """``district_total`` split in proportion to ``weights``, largest remainders first."""
    whole = sum(weights.values())
    exact = {c: district_total * w / whole for c, w in weights.items()}
    out = {c: math.floor(x) for c, x in exact.items()}
    left = district_total - sum(out.values())
    for c in sorted(exact, key=lambda c: exact[c] - out[c], reverse=True)[:left]:
        out[c] += 1
    return out


def main() -> None:
    """Replace the communes' ``households`` rows of the profile file."""
    text = PROFILE.read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    rows = list(csv.reader(lines))
    found = shares()
    totals = {r[0]: int(r[4]) for r in rows if r[1] == "" and r[2] == "households"}
    keep = [r for r in rows if not (r[1] and r[2] == "households")]
    out = []
    for row in keep:
        out.append(row)
        if row[1] == "" and row[2] == "households":
            district = row[0]
            weights = {c: w for (d, c), (w, _) in found.items() if d == district}
            for commune, n in households(totals[district], weights).items():
                why = found[(district, commune)][1]
                source = f"{RULE} ({why}; {CENSUS})"
                out.append([district, commune, "households", "", str(n), "households", source])
    with PROFILE.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        csv.writer(handle, lineterminator="\n").writerows(out)


if __name__ == "__main__":
    main()
