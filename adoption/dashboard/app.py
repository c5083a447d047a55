"""The dashboard's app: two pages, a layout with the language switch; what Solara serves.

``solara run adoption.dashboard.app`` serves it (``adoption dashboard`` does that). Pages:
the planner's (``/``, :mod:`.planner`) and the researcher's (``/researcher``,
:mod:`.researcher`). The language is switched in the bar and applies to every label and
figure of the session.
"""

from __future__ import annotations

import solara

from adoption.dashboard.fields import LanguageSwitch
from adoption.dashboard.planner import PlannerView
from adoption.dashboard.state import t


@solara.component
def ResearcherPage():
    """The researcher's page, imported when first opened (Mesa's SolaraViz and Altair)."""
    from adoption.dashboard.researcher import ResearcherView

    return ResearcherView()


#: At phone width the bar's page links and language switch shrink to fit one line (a
#: commune officer's phone is about 400 px wide; the switch ran off the side).
PHONE_CSS = """
@media (max-width: 600px) {
  .v-app-bar .v-btn { padding: 0 6px !important; min-width: 0 !important;
                      font-size: 11px !important; letter-spacing: 0 !important; }
  .v-app-bar .v-toolbar__content { padding: 0 4px !important; }
}
"""
#: The pages: path, component and English title.
PAGES = (("/", PlannerView, "Planner"), ("researcher", ResearcherPage, "Researcher"))


@solara.component
def Layout(children=()):
    """Title, page links and the language switch over each page."""
    here = solara.use_router().path.strip("/")
    with solara.AppLayout(
        navigation=False, title=t("Uptake of digital public services"), children=list(children)
    ) as layout:
        with solara.AppBar():  # portals: AppLayout takes any other child for a sidebar
            solara.Style(PHONE_CSS)  # in the bar: as a child of AppLayout it made a sidebar
            if here != "researcher":  # SolaraViz gives that page its own title
                with solara.AppBarTitle():  # (a bare string would be split into letters)
                    solara.Text(t("Uptake of digital public services"))
            for path, _component, title in PAGES:
                with solara.Link(path if path.startswith("/") else f"/{path}"):
                    current = here == path.strip("/")
                    solara.Button(
                        t(title),
                        text=True,
                        dark=True,
                        outlined=current,
                        classes=[f"nav-{title.lower()}"],
                    )
            LanguageSwitch()
    return layout


#: Solara's routes; the layout of the route at "/" wraps every page of its level.
routes = [
    solara.Route(
        path=path.strip("/") or "/",
        component=component,
        label=title,
        layout=Layout if path == "/" else None,
    )
    for path, component, title in PAGES
]
