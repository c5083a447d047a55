"""Place names as people type them: with or without Vietnamese diacritics.

Planners often type "Luong Bang" for Lương Bằng, or "lục yên" for Lục Yên.
:func:`resolve` matches a typed name against the names the model knows:

- an exact match (after Unicode NFC normalisation) is taken as it is;
- otherwise a match that ignores case, spaces and diacritics (đ counts as d) is
  accepted when exactly one known name matches, and refused with the candidates
  when several do (two communes of the same name in different districts);
- a miss is refused with the nearest known names as suggestions.

Two communes of different districts may share a name (Tân Lập is in Lục Yên and in
Chợ Đồn): :func:`place_names` then accepts each only with its district,
``"Tân Lập (Chợ Đồn)"``, and refuses the bare name with both candidates. A commune
that has its district's name (the towns of Yên Lạc and Trùng Khánh) is reached with
its district in brackets too; the bare name means the district.

This module owns the matching. Which names exist is the profile's business
(:mod:`adoption.places.profiles`); ``adoption places`` lists them.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from adoption.errors import UserError


def fold(name: str) -> str:
    """``name`` without diacritics, case or extra spaces: ``"Lương  Bằng"`` -> ``"luong bang"``."""
    text = unicodedata.normalize("NFD", str(name)).replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def qualified(commune: str, district: str) -> str:
    """The unambiguous name of a commune: ``"Tân Lập (Chợ Đồn)"``."""
    return f"{commune} ({district})"


def place_names(pairs: Iterable[tuple[str, str]], districts: Iterable[str]) -> dict[str, list]:
    """Accepted names of places: name -> the (commune, district) pairs or districts it means.

    ``pairs``: (commune, district) of every commune. A district name means the district;
    a commune name shared by several communes, or with a district, is accepted only
    qualified by its district (:func:`qualified`); the bare name then lists candidates.
    """
    pairs, districts = list(pairs), list(districts)
    names: dict[str, list] = {d: [d] for d in districts}
    count: dict[str, int] = {}
    for commune, _ in pairs:
        count[commune] = count.get(commune, 0) + 1
    for commune, district in pairs:
        names[qualified(commune, district)] = [(commune, district)]
        if count[commune] == 1 and commune not in names:
            names[commune] = [(commune, district)]
        elif commune not in districts:  # shared by communes of several districts
            names.setdefault(commune, []).append((commune, district))
    return names


def commune_name(pair: tuple[str, str], names: dict) -> str:
    """A commune's bare name if it means only that commune, else its qualified name."""
    return pair[0] if names.get(pair[0]) == [pair] else qualified(*pair)


def resolve_place(typed: str, names: dict[str, list], where: str, key: str) -> list:
    """What ``typed`` means (see :func:`place_names`); one-line errors for a miss or ambiguity."""
    name = resolve(typed, list(names), where, key, "district or commune")
    meant = names[name]
    if len(meant) > 1:
        options = ", ".join(qualified(c, d) for c, d in meant)
        problem = f"{typed!r} is the name of several communes: {options}; write one"
        raise UserError(where, key, problem)
    return meant


def resolve(typed: str, known: Iterable[str], where: str, key: str, what: str = "place") -> str:
    """The known name that ``typed`` stands for.

    Args:
        typed: the name as written by the user.
        known: the names the model knows (e.g. districts and communes of a scenario).
        where: the file (or option) for the error message.
        key: the key for the error message (``districts``, ``interventions[0].where``).
        what: what a name is, in words ("district", "district or commune").

    Raises:
        UserError: for a name that matches no known name, or several.
    """
    known = list(dict.fromkeys(known))
    name = unicodedata.normalize("NFC", str(typed)).strip()
    if name in known:
        return name
    matches = [k for k in known if fold(k) == fold(name)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UserError(where, key, f"{typed!r} is ambiguous: {', '.join(matches)}; write one")
    by_fold = {fold(k): k for k in known}
    near = difflib.get_close_matches(fold(name), list(by_fold), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(by_fold[n] for n in near)}?" if near else ""
    if len(known) <= 12:
        listing = f"; known: {', '.join(known)}"
    else:
        listing = "" if near else f"; see `adoption places` for the {len(known)} names"
    raise UserError(where, key, f"{typed!r} is not a known {what}{hint}{listing}")


def resolve_all(
    typed: Iterable[str], known: Iterable[str], where: str, key: str, what: str = "place"
) -> tuple[list[str], list[str]]:
    """:func:`resolve` for each name; also the notes ``"'Luong Bang' read as 'Lương Bằng'"``.

    Raises:
        UserError: as :func:`resolve`, and for a name given twice.
    """
    known = list(known)
    names, notes = [], []
    for name in typed:
        canonical = resolve(name, known, where, key, what)
        if canonical in names:
            raise UserError(where, key, f"{canonical!r} is given twice")
        if canonical != name:
            notes.append(f"{where}: {key}: {name!r} read as {canonical!r}")
        names.append(canonical)
    return names, notes
