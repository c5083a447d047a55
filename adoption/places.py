"""Place names as people type them: with or without Vietnamese diacritics.

Planners often type "Luong Bang" for Lương Bằng, or "lục yên" for Lục Yên.
:func:`resolve` matches a typed name against the names the model knows:

- an exact match (after Unicode NFC normalisation) is taken as it is;
- otherwise a match that ignores case, spaces and diacritics (đ counts as d) is
  accepted when exactly one known name matches, and refused with the candidates
  when several do (two communes of the same name in different districts);
- a miss is refused with the nearest known names as suggestions.

This module owns the matching. Which names exist is the profile's business
(:mod:`adoption.profiles`); ``adoption places`` lists them.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from .errors import UserError


def fold(name: str) -> str:
    """``name`` without diacritics, case or extra spaces: ``"Lương  Bằng"`` -> ``"luong bang"``."""
    text = unicodedata.normalize("NFD", str(name)).replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


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
