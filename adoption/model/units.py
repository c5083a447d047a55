"""The places of 2025 a forecast reports on: new communes and new provinces, from the old places.

The model simulates the old communes (the figures before 2025 are reported for them). A
forecast or a full record (``record="forecast"`` or ``"all"``) also reports the 2025 units
that hold them (:func:`adoption.places.reform.units`), from 2025-07: each new commune is the
sum of the old communes the crosswalk maps to it, each new province the sum of the former
districts that went to it (whole: the provinces merged whole). They are places after the
districts and before the total, named as a scenario names them (``"Lâm Thượng (2025)"``,
``"Lào Cai"``).

What a unit's value is: household stocks and people sum over its old communes. Files are
counted where the filer lives (a new commune's files are its households' files, whichever
desk took them; a province's are its districts' desks, which is the same thing); costs are
counted per desk, and a former district's desk served several new communes, so a new
commune's cost is not split (NaN; its province's is whole). A province row holds only the
former districts the run covers, not the whole merged province; a new commune that also
took in communes of other districts (``Unit.partial``) is modelled in part. Old communes the
crosswalk leaves unmapped are in their province but in no new commune; places the crosswalk
does not know (synthetic or a user's profiles) are in no unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from adoption.calendar import parse_month, to_timestamps
from adoption.places.reform import REFORM_MONTH, Unit, units

#: The place levels of the 2025 units, in a forecast's place table.
LEVELS = {"commune": "commune_2025", "province": "province_2025"}


@dataclass
class Units:
    """The 2025 units of a run (or of a batch: every run's units, run after run)."""

    units: list[Unit] = field(default_factory=list)
    #: Each old commune's unit (index into :attr:`units`), -1 where it is in no new commune.
    commune_unit: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: Each former district's province (index into :attr:`units`), -1 if the crosswalk lacks it.
    district_unit: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n(self) -> int:
        """How many units."""
        return len(self.units)

    def __post_init__(self) -> None:
        mapped = np.flatnonzero(self.commune_unit >= 0)
        self._communes = mapped[np.argsort(self.commune_unit[mapped], kind="stable")]
        known = np.flatnonzero(self.district_unit >= 0)
        self._districts = known[np.argsort(self.district_unit[known], kind="stable")]
        self._new, self._commune_starts = _groups(self.commune_unit[self._communes])
        self._provinces, self._district_starts = _groups(self.district_unit[self._districts])

    def combine(self, communes: np.ndarray, districts: np.ndarray) -> np.ndarray:
        """Units' values ``(k, units)``, summed.

        New communes from ``communes`` ``(k, n_communes)``, provinces from ``districts``
        ``(k, n_districts)``.
        """
        out = np.zeros((communes.shape[0], self.n))
        if self.n:
            out[:, self._new] = np.add.reduceat(communes[:, self._communes], self._commune_starts,
                                                axis=1)  # fmt: skip
            out[:, self._provinces] = np.add.reduceat(
                districts[:, self._districts], self._district_starts, axis=1
            )
        return out


def _groups(sorted_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted index and where each run of them starts."""
    if not len(sorted_index):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_index[1:] != sorted_index[:-1]])
    return sorted_index[starts], starts


def build_units(structure) -> Units:
    """The 2025 units holding the communes of ``structure`` (one run), from the crosswalk."""
    s = structure
    pairs = [(c, s.district_names[d]) for c, d in zip(s.commune_names, s.commune_district,
                                                      strict=True)]  # fmt: skip
    found = list(units(pairs).values())
    found = [u for u in found if u.level == "commune"] + [u for u in found if u.level == "province"]
    index = {name: k for k, name in enumerate(u.name for u in found)}
    unit_of_pair = {p: index[u.name] for u in found if u.level == "commune" for p in u.places}
    province_of = {p[1]: index[u.name] for u in found if u.level == "province" for p in u.places}
    return Units(
        found,
        np.array([unit_of_pair.get(p, -1) for p in pairs], dtype=np.int64),
        np.array([province_of.get(d, -1) for d in s.district_names], dtype=np.int64),
    )


def stack(parts: list[Units]) -> Units:
    """The units of a batch: each run's units after the previous run's, indices shifted."""
    shifts = np.concatenate([[0], np.cumsum([p.n for p in parts])])[:-1]

    def shifted(name: str) -> np.ndarray:
        arrays = [getattr(p, name) for p in parts]
        return np.concatenate(
            [np.where(a >= 0, a + k, -1) for a, k in zip(arrays, shifts, strict=True)]
        )

    return Units([u for p in parts for u in p.units], shifted("commune_unit"),
                 shifted("district_unit"))  # fmt: skip


def place_rows(parts: list[Units]) -> list[dict]:
    """Rows of a place table for ``parts``' units: place, level and (for both) the province."""
    return [
        {"place": u.name, "level": LEVELS[u.level], "district": u.province}
        for p in parts
        for u in p.units
    ]


def from_reform(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (``level``, ``date`` columns) without 2025 units before 1 July 2025."""
    first = to_timestamps(np.array([parse_month(REFORM_MONTH)]))[0]
    before = table["level"].isin(list(LEVELS.values())) & (table["date"] < first)
    return table[~before.to_numpy()].reset_index(drop=True)
