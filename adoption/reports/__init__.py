"""Reports (layer 7): what people read - figures, the forecast folder, the terminal summary.

- :mod:`~adoption.reports.i18n` - the languages of every text a user reads;
- :mod:`~adoption.reports.figures` - each figure a function of tidy tables;
- :mod:`~adoption.reports.forecast` - ``adoption run`` / ``compare`` / ``figures``:
  ensembles run, their tables, figures and manifest written into a folder;
- :mod:`~adoption.reports.headline` - the summary printed after a run;
- :mod:`~adoption.reports.optimise_report` - the optimiser's best mix checked at full
  scale, as a scenario file and a figure.

May import: shared modules and every compute layer; the compute layers never import it.
"""
