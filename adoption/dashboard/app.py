"""The dashboard's app: two pages, a layout with the language switch; what Solara serves.

``solara run adoption.dashboard.app`` serves it (``adoption dashboard`` does that). Pages:
the planner's (``/``, :mod:`.planner`) and the researcher's (``/researcher``,
:mod:`.researcher`). The language is switched in the bar and applies to every label and
figure of the session.
"""

from __future__ import annotations

import solara

from ..i18n import LANGUAGES
from . import state
from .planner import PlannerView
from .researcher import ResearcherView
from .state import t

#: The pages: path, component and English title.
PAGES = (("/", PlannerView, "Planner"), ("researcher", ResearcherView, "Researcher"))


@solara.component
def Layout(children=()):
    """Title, page links and the language switch over each page."""
    route, _ = solara.use_route()
    with solara.AppLayout(
        navigation=False, title=t("Uptake of digital public services"), children=list(children)
    ) as layout:
        with solara.AppBar():
            for path, _component, title in PAGES:
                with solara.Link(path if path.startswith("/") else f"/{path}"):
                    current = route.path == path.strip("/") if route else path == "/"
                    solara.Button(
                        t(title),
                        text=True,
                        dark=True,
                        outlined=current,
                        classes=[f"nav-{title.lower()}"],
                    )
            solara.ToggleButtonsSingle(
                value=state.lang.value,
                on_value=state.lang.set,
                values=list(LANGUAGES),
                children=[
                    solara.Button(name, value=code, classes=[f"lang-{code}"])
                    for code, name in LANGUAGES.items()
                ],
            )
    return layout


routes = [
    solara.Route(path=path.strip("/"), component=component, label=title)
    for path, component, title in PAGES
]
