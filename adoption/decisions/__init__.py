"""Decisions (layer 6): many runs to answer a planner's question, and their tables.

- :mod:`~adoption.decisions.fork` - a run with levers continued from the same run
  without them (the paired run, without repeating the shared months);
- :mod:`~adoption.decisions.experiment` - one experiment point
  (:class:`~adoption.decisions.experiment.Evaluator`): flat inputs in, outcomes out;
- :mod:`~adoption.decisions.ranking` - how sure the ranking of scenarios is;
- :mod:`~adoption.decisions.sensitivity` and
  :mod:`~adoption.decisions.sensitivity_report` - which inputs drive the outcomes;
- :mod:`~adoption.decisions.menu` and :mod:`~adoption.decisions.optimise` - which
  levers to fund for a budget.

May import: shared modules and every layer below (places, model, calibration,
scenarios, ensemble); never :mod:`adoption.reports` or the interfaces.
"""
