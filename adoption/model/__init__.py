"""The model (layer 2): households, community digital teams and one-stop offices, stepped monthly.

What an ABM modeller looks for, one module each: :mod:`~adoption.model.params` (every
behavioural parameter), :mod:`~adoption.model.streams` (named random streams),
:mod:`~adoption.model.population` (households and villages as arrays),
:mod:`~adoption.model.agents` (teams and offices as Mesa agents),
:mod:`~adoption.model.rules` (the household rules), :mod:`~adoption.model.levers` and
:mod:`~adoption.model.interventions` (the lever types and their schedules: the model
applies them each month, so they live here), :mod:`~adoption.model.indicators` and
:mod:`~adoption.model.outcomes` (what a run reports), :mod:`~adoption.model.model`
(:class:`AdoptionModel`), :mod:`~adoption.model.runspec` (what one run is),
:mod:`~adoption.model.kernel` (the monthly step), :mod:`~adoption.model.batch` (many runs
stepped as one model), :mod:`~adoption.model.sizes` (what runs cost this machine) and
:mod:`~adoption.model.simulate` (one run to a table).

May import: the package's shared modules (errors, files, calendar) and
:mod:`adoption.places`.
"""
