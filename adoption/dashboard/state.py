"""What one browser session holds: its language (Solara reactives are per session)."""

from __future__ import annotations

import solara

from ..i18n import tr

#: The page's language; Vietnamese first, as most planners read it.
lang = solara.reactive("vi")


def t(text: str) -> str:
    """``text`` in the page's language (see :func:`adoption.i18n.tr`)."""
    return tr(text, lang.value)
