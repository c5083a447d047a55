"""The web dashboard (``adoption dashboard``): a planner's view and a researcher's view.

Built on Solara, as Mesa's SolaraViz is; installed with the ``[dashboard]`` extra, so
the core install and ``adoption run`` never import it. Modules, in the order a page
uses them:

- :mod:`.state` — what a browser session holds (language, draft scenario, results);
- :mod:`.draft` — the scenario being edited as a planner sees it, checked by the same
  code as a scenario file, written as TOML;
- :mod:`.quick` — the quick ensemble run in the background, and its measured caveat;
- :mod:`.planner` — the planner's page;
- :mod:`.researcher` — the researcher's page: one run, month by month, in SolaraViz;
- :mod:`.app` — routes, layout, language switch; what ``solara run`` serves;
- :mod:`.server` — ``adoption dashboard``: start the server and print its address.
"""
