"""Scenarios (layer 4): what a planner writes to ask for a forecast.

- :mod:`~adoption.scenarios.scenario` - reading and checking scenario files (places,
  period, runs, scale, parameters, levers);
- :mod:`~adoption.scenarios.writer` - writing a scenario as TOML (``best.toml``, the
  dashboard's download).

The lever types themselves are part of the model (:mod:`adoption.model.levers`): the
model applies them every month.

May import: shared modules, :mod:`adoption.places`, :mod:`adoption.model`,
:mod:`adoption.calibration` (the shipped posterior a scenario's parameters name).
"""
