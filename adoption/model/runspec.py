"""What one run is: its places, period, scale, levers, seed and what it records, as one value.

:class:`RunSpec` is what :class:`~adoption.model.model.AdoptionModel`,
:func:`~adoption.model.simulate.simulate` and :func:`~adoption.decisions.fork.fork` take
(a fork is the same spec with other levers): the settings are written, defaulted and
documented once, here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

from adoption.calendar import FIRST_MONTH, YEARS, parse_month
from adoption.errors import UserError
from adoption.model.interventions import Intervention
from adoption.model.params import Params
from adoption.places.profiles import DistrictProfile

#: What a run may record (see :attr:`RunSpec.record`).
RECORDS = ("all", "forecast", "outcomes", "targets")


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run besides the code (frozen: change it with :meth:`replace`).

    Attributes:
        params: behavioural parameters (:class:`~adoption.model.params.Params` defaults if None).
        profiles: district profiles; read from ``profile_path`` (or the shipped file) if None.
        profile_path: a profile CSV to read when ``profiles`` is None.
        districts: keep only these districts of the profile file.
        start: first month, ``"YYYY-MM"``.
        end: last month, ``"YYYY-MM"``.
        scale: households simulated per real household (1.0 = one agent per household).
        commune_scale: another scale for some communes, by name (e.g. ``{"Lâm Thượng": 1.0}``).
        heterogeneity: if False, all households are identical and able (Bass reduction).
        teams: if False, no community teams.
        offices: if False, no one-stop desks and no procedure files.
        interventions: levers of a scenario (:mod:`adoption.model.interventions`), applied on top.
        rng: seed of the run; every stochastic process gets its own stream from it.
        record: ``"all"`` collects every indicator with Mesa's DataCollector (for ``tidy``);
            ``"forecast"`` keeps only :data:`~adoption.model.indicators.FORECAST` in the array
            ``trace`` ``(months, places, indicators)`` and creates no Mesa agents (the
            arrays hold the state): what forecast ensembles use; ``"outcomes"`` fills only
            what :func:`adoption.model.outcomes.run_outcomes` reads (household counts and
            cost each month, every forecast indicator at :data:`adoption.model.outcomes.DATES`;
            the rest of ``trace`` is NaN): what sensitivity and the optimiser use;
            ``"targets"`` keeps ``indicators`` every month in a float64 ``trace`` (the
            values Mesa's DataCollector would hold): what the calibration uses.
        indicators: the indicators ``trace`` keeps, in this order (default: the forecast
            indicators; ``"targets"`` needs them named).
    """

    params: Params | None = None
    profiles: tuple[DistrictProfile, ...] | None = None
    profile_path: str | Path | None = None
    districts: tuple[str, ...] | None = None
    start: str = FIRST_MONTH
    end: str = "2030-12"
    scale: float = 1.0
    commune_scale: Mapping[str, float] | None = None
    heterogeneity: bool = True
    teams: bool = True
    offices: bool = True
    interventions: tuple[Intervention, ...] = ()
    rng: int | None = None
    record: str = "all"
    indicators: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.record not in RECORDS:
            raise ValueError(f"record must be one of {RECORDS}, got {self.record!r}")
        if self.record == "targets" and not self.indicators:
            raise ValueError('record "targets" needs the indicators it keeps')
        for name in ("profiles", "districts", "interventions", "indicators"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        if self.interventions is None:
            object.__setattr__(self, "interventions", ())
        self._check_user_values()

    def _check_user_values(self) -> None:
        """What a Python user passes is checked as a scenario file is: one-line UserErrors."""
        try:
            first, last = parse_month(self.start), parse_month(self.end)
        except ValueError as error:
            raise UserError("RunSpec", "start/end", str(error)) from None
        if last < first:
            raise UserError("RunSpec", "end", f"{self.end} is before start {self.start}")
        if first != parse_month(FIRST_MONTH):
            problem = f"must be {FIRST_MONTH}, the month the district profiles describe"
            raise UserError("RunSpec", "start", problem)
        if not (YEARS[0] <= first // 12 and last // 12 <= YEARS[1]):
            problem = f"the period must lie in the years {YEARS[0]} to {YEARS[1]}"
            raise UserError("RunSpec", "start/end", problem)
        seed = self.rng
        if isinstance(seed, bool | float | str) or (isinstance(seed, Integral) and seed < 0):
            raise UserError("RunSpec", "rng", f"a seed is a whole number >= 0, got {seed!r}")
        wrong = [type(i).__name__ for i in self.interventions if not isinstance(i, Intervention)]
        if wrong:
            problem = f"expected Intervention objects (adoption.scenarios), got {wrong[0]}"
            raise UserError("RunSpec", "interventions", problem)

    def replace(self, **changes) -> RunSpec:
        """This spec with ``changes`` (keys are the attributes above)."""
        return dataclasses.replace(self, **changes)
