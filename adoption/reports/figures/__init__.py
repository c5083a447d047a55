"""Figures: each a function that takes tidy tables and returns a matplotlib Figure.

Analysts restyle them by changing the returned Figure; the CLI saves them.
This package draws; it does not run the model.

Two kinds of input:

- one run's tidy indicator table (``date, place, level, district, indicator,
  value``) for :func:`indicators_by_district`;
- an ensemble's summaries (:func:`adoption.ensemble.summarise`,
  :func:`~adoption.ensemble.differences`, :func:`~adoption.ensemble.costs`) for
  the fan charts (:func:`fan_chart`, :func:`fan_grid`, :func:`small_multiples`),
  the scenario comparison (:func:`comparison_chart`) and the cost-effectiveness
  chart (:func:`cost_effectiveness_chart`). Summaries carry the columns
  ``median, q05, q25, q75, q95``; the fans show the median, the 50 % interval
  (q25-q75) and the 90 % interval (q05-q95).

Fan charts can overlay the figures reported by the source texts
(:func:`adoption.calibration.targets.load_targets`) and the national programme targets of
``adoption/data/references.csv`` (:func:`load_references`). Rates are drawn in
percent, household counts in households (thousands when large) and costs in
billion VND. A selection that matches nothing raises ``ValueError`` naming what
the table holds. Indicator labels, what a rate is a share of and the headline
indicators come from the registry :mod:`adoption.model.indicators`. Every text is drawn in the
language in use (:mod:`adoption.reports.i18n`: ``with using("vi"): fan_chart(...)``, or ``--lang``
on the command line; the Vietnamese is in ``adoption/data/vi_figures.csv``).

Modules: :mod:`~adoption.reports.figures.style` (units, labels, row selection, shared
drawing steps), :mod:`~adoption.reports.figures.references` (the references file, reported
figures and reference lines on a fan), :mod:`~adoption.reports.figures.fans`,
:mod:`~adoption.reports.figures.comparison`, :mod:`~adoption.reports.figures.costs` and
:mod:`~adoption.reports.figures.single_run` (one figure function or family each).
"""

import matplotlib

matplotlib.use("Agg")  # before any module of this package imports pyplot

from adoption.reports.figures.comparison import comparison_chart, median_over  # noqa: E402
from adoption.reports.figures.costs import ZERO, cost_effectiveness_chart  # noqa: E402
from adoption.reports.figures.fans import fan_chart, fan_grid, small_multiples  # noqa: E402
from adoption.reports.figures.references import (
    LEVELS,
    REFERENCE_COLUMNS,
    default_references_path,
    load_references,
)
from adoption.reports.figures.single_run import indicators_by_district  # noqa: E402
from adoption.reports.figures.style import SUMMARY_COLUMNS  # noqa: E402
from adoption.reports.figures.targets import targets_chart  # noqa: E402

__all__ = [
    "LEVELS",
    "REFERENCE_COLUMNS",
    "SUMMARY_COLUMNS",
    "ZERO",
    "comparison_chart",
    "cost_effectiveness_chart",
    "default_references_path",
    "fan_chart",
    "fan_grid",
    "indicators_by_district",
    "load_references",
    "median_over",
    "small_multiples",
    "targets_chart",
]
