"""The web dashboard (``adoption dashboard``): a planner's page and a researcher's page.

Built on Solara, as Mesa's SolaraViz is; installed with the ``[dashboard]`` extra, so
the core install and ``adoption run`` never import it (``adoption/cli/dashboard.py``
starts the server). Modules, in the order a page uses them:

- :mod:`.draft` — the scenario being edited, as the keys of a scenario file, checked by
  the same code as a file and written as TOML (no Solara: tested without a browser);
- :mod:`.quick` — the quick forecast and its measured caveat (no Solara);
- :mod:`.charts` — the page's figures as PNG, drawn by :mod:`adoption.reports.figures`;
- :mod:`.state` — what a browser session holds: language, draft, forecast task;
- :mod:`.fields` — inputs that show the command line's message beside them; the
  language switch;
- :mod:`.levers_card`, :mod:`.results`, :mod:`.planner` — the planner's page;
- :mod:`.village_view`, :mod:`.researcher` — the researcher's page: one run, month by
  month, in SolaraViz;
- :mod:`.app` — routes and layout; what ``solara run adoption.dashboard.app`` serves.
"""
