"""What one browser session holds (Solara reactives are per session), and the page's cache.

The language, the draft scenario (:mod:`.draft`), the last quick forecast and its
progress. Finished runs are kept in one folder per server process
(:func:`adoption.ensemble.run_ensemble`'s cache, keyed by scenario, code and data), so
running the same draft twice does not simulate it twice.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import solara

from adoption.dashboard import draft as drafts
from adoption.dashboard import quick
from adoption.model.indicators import TOTAL
from adoption.reports.i18n import tr

#: The page's language; Vietnamese first, as most planners read it.
lang = solara.reactive(os.environ.get("ADOPTION_LANG", "vi"))
#: The scenario being edited: the keys of a scenario file.
draft = solara.reactive(drafts.initial())
#: The indicator and place the results are drawn for.
indicator = solara.reactive("any_service_rate")
place = solara.reactive(TOTAL)
#: Share of the quick forecast's runs finished.
progress = solara.reactive(0.0)


def t(text: str) -> str:
    """``text`` in the page's language (see :func:`adoption.reports.i18n.tr`)."""
    return tr(text, lang.value)


#: Scenario texts a file may also give in Vietnamese (``name_vi``, ``label_vi``, ...).
TEXTS_VI = ("name", "description", "label", "cost_source")


def text_key(key: str) -> str:
    """The key a text field edits in the page's language: ``name_vi`` on the Vietnamese page."""
    return f"{key}_vi" if lang.value == "vi" and key in TEXTS_VI else key


def text_of(table: dict, key: str) -> str:
    """A scenario's (or lever's) text in the page's language, else in English."""
    return table.get(text_key(key)) or table.get(key) or ""


@cache
def cache_folder() -> Path:
    """The server's folder of finished runs (removed with the process's temporary files)."""
    return Path(tempfile.mkdtemp(prefix="adoption-dashboard-"))


@solara.lab.task(prefer_threaded=True)
def forecast_task(scenario) -> quick.Result:
    """The quick forecast of a checked scenario, off the page's thread."""
    progress.set(0.0)
    return quick.run(scenario, cache_folder(), on_progress=progress.set)
