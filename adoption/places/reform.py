"""The places of 2025: new provinces and communes, and the old communes each holds.

Since 1 July 2025 Vietnam has two levels of local government: the districts are gone, Yên Bái
is part of Lào Cai, Vĩnh Phúc of Phú Thọ, Bắc Kạn of Thái Nguyên (Cao Bằng is kept), and the
communes were merged into larger ones (``docs/sources.md``, The 2025 reform). The model keeps
the old communes as its unit of simulation — the figures before 2025 are reported for them —
and this module reads the crosswalk ``adoption/data/communes_2025.csv``: each old commune with
the new commune and province it went to, whether a public compilation of the 2025 resolutions
confirms it (``status``), and the communes of other districts a new commune also took in
(``outside``: land the model does not hold, so such a commune is modelled in part).

:func:`units` gives the 2025 names a planner may use — a new province by its name, a new
commune as ``"Lâm Thượng (2025)"`` (many keep an old commune's name) — and the old places
each stands for; :func:`expand` turns such names in a lever's places into the old places (the
scenario reader, :mod:`adoption.scenarios.scenario`, calls it); ``adoption places --2025``
lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from adoption.errors import UserError
from adoption.files import read_csv_rows
from adoption.places.names import commune_name, fold

COLUMNS = ["old_district", "old_commune", "new_province", "new_commune", "status", "outside",
           "source"]  # fmt: skip
STATUSES = ("confirmed", "earlier merger", "unknown")
#: The first month of the two-level government (1 July 2025: Law 72/2025/QH15; Decree
#: 118/2025/ND-CP, commune service centres): 2025 units are reported from it, and from it the
#: district desks take no files (docs/model.md, Procedures).
REFORM_MONTH = "2025-07"
#: When it was decided (the laws and the decree of 9-16 June 2025): a hindcast cut off
#: before it does not know of it (:mod:`adoption.places.known`).
REFORM_DECIDED = "2025-06"
#: How a new commune is named where an old commune has the same name.
SUFFIX = " (2025)"


@dataclass(frozen=True)
class Unit:
    """A 2025 province or commune and the model's places it holds."""

    name: str  # as a planner writes it: "Lào Cai", "Lâm Thượng (2025)"
    level: str  # "province" or "commune"
    province: str
    places: tuple[tuple[str, str], ...]  # the model's (commune, district) pairs it holds
    outside: tuple[str, ...] = ()  # communes of other districts it took in (not modelled)

    @property
    def partial(self) -> bool:
        """Whether the unit also holds land the model does not."""
        return bool(self.outside)


def default_crosswalk_path() -> Path:
    """The shipped crosswalk, ``adoption/data/communes_2025.csv``."""
    return Path(str(resources.files("adoption") / "data" / "communes_2025.csv"))


def load_crosswalk(path: str | Path | None = None) -> list[dict]:
    """The crosswalk's rows, checked: one line naming the file, row and column otherwise."""
    path = Path(path) if path is not None else default_crosswalk_path()
    header, lines = read_csv_rows(path, "crosswalk")
    if header != COLUMNS:
        raise UserError(path, "columns", f"expected {COLUMNS}")
    rows = []
    for line, row in lines:
        if row["status"] not in STATUSES:
            raise UserError(f"{path}: row {line}", "status", f"allowed: {', '.join(STATUSES)}")
        if row["status"] != "unknown" and not (row["new_commune"] and row["source"]):
            raise UserError(f"{path}: row {line}", "new_commune", "a mapped row needs its source")
        rows.append(row)
    return rows


def units(pairs: list[tuple[str, str]], rows: list[dict] | None = None) -> dict[str, Unit]:
    """The 2025 units that hold any of the model's ``(commune, district)`` pairs, by name.

    A new commune holds the old communes the crosswalk maps to it; a new province holds
    every old commune of the districts that went to it (whole districts: the provinces merged
    whole).
    """
    rows = load_crosswalk() if rows is None else rows
    model = set(pairs)
    communes: dict[str, dict] = {}
    for row in rows:
        pair = (row["old_commune"], row["old_district"])
        if pair not in model or not row["new_commune"]:
            continue
        unit = communes.setdefault(row["new_commune"] + SUFFIX, {
            "province": row["new_province"], "places": [], "outside": set()})  # fmt: skip
        unit["places"].append(pair)
        unit["outside"].update(o for o in row["outside"].split("; ") if o)
    out = {
        name: Unit(name, "commune", u["province"], tuple(u["places"]), tuple(sorted(u["outside"])))
        for name, u in sorted(communes.items())
    }
    province_of = {row["old_district"]: row["new_province"] for row in rows}
    for province in sorted(set(province_of.values())):
        held = tuple(p for p in pairs if province_of.get(p[1]) == province)
        if held:
            out[province] = Unit(province, "province", province, held)
    return out


def find_unit(typed: str, known: dict[str, Unit]) -> Unit | None:
    """The 2025 unit ``typed`` names (with or without diacritics), or None."""
    matches = [u for name, u in known.items() if fold(name) == fold(typed)]
    return matches[0] if len(matches) == 1 else None


def expand(typed: list[str], names: dict, names_2025: dict, where: str):
    """A 2025 province or commune named in a lever's ``where`` -> the old places it holds.

    An old name always means the old place ("Lâm Thượng" is the old commune, "Lâm Thượng
    (2025)" the new one that holds it and three others); a new province means its districts.
    Returns the names and notes on how 2025 names were read.
    """
    out, notes = [], []
    for name in typed:
        unit = find_unit(name, names_2025)
        if unit is None or any(fold(known) == fold(name) for known in names):
            out.append(name)
            continue
        if unit.level == "province":
            held = list(dict.fromkeys(district for _, district in unit.places))
        else:
            held = [commune_name(pair, names) for pair in unit.places]
        out += held
        note = f"{where}: {name!r} read as the old places it holds: {', '.join(held)}"
        if unit.partial:
            note += f" (it also took in {', '.join(unit.outside)}, not modelled)"
        notes.append(note)
    return out, notes
