"""Languages of what a user reads: the dashboard's labels and the figures' text.

Text is written in English in the code; :func:`tr` gives it in the language in use.
The Vietnamese of each English text is a row of a ``adoption/data/vi_*.csv`` file
(columns ``en, vi``; ``vi_figures.csv`` for figures and the command line,
``vi_dashboard.csv`` for the web page), with the vocabulary of the source texts
(dịch vụ công trực tuyến, tổ công nghệ số cộng đồng, bộ phận một cửa, …).
A text with a placeholder is translated whole, then formatted:
``tr("{runs} runs").format(runs=40)``.

The language in use is a context variable: ``with using("vi"): figure = fan_chart(...)``,
so two pages of the dashboard in two languages do not see each other's choice; the
command line draws its figures inside ``using(--lang)``. A text with no translation is given in
English and remembered in :data:`MISSING` (tests draw every figure in Vietnamese and
require it empty).

Fonts: matplotlib's default DejaVu Sans has every Vietnamese letter (precomposed,
as :mod:`adoption.files` normalises text to NFC).
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import functools
from collections.abc import Iterator

from adoption.errors import UserError
from adoption.files import DATA

#: Languages offered, by code, with their names in themselves.
LANGUAGES: dict[str, str] = {"en": "English", "vi": "Tiếng Việt"}
_DATA = DATA
_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")
#: English texts asked for in Vietnamese that have no row (what a translator should add).
MISSING: set[str] = set()


def check_language(lang: str, where: str = "--lang") -> str:
    """``lang`` if offered, else a one-line :class:`UserError` listing what is."""
    if lang not in LANGUAGES:
        raise UserError(where, "lang", f"{lang!r} unknown; allowed: {', '.join(LANGUAGES)}")
    return lang


def language() -> str:
    """The language in use (``"en"`` unless set)."""
    return _language.get()


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Use ``lang`` inside the ``with`` block only."""
    token = _language.set(check_language(lang))
    try:
        yield
    finally:
        _language.reset(token)


def tr(text: str, lang: str | None = None) -> str:
    """``text`` (English) in ``lang`` or the language in use."""
    lang = lang or _language.get()
    if lang == "en":
        return text
    found = table(lang).get(text)
    if found is None:
        MISSING.add(text)
        return text
    return found


@functools.cache
def table(lang: str) -> dict[str, str]:
    """English text -> text in ``lang``, from every ``adoption/data/{lang}_*.csv``."""
    out: dict[str, str] = {}
    for path in sorted(_DATA.glob(f"{lang}_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                out[row["en"]] = row[lang]
    return out
