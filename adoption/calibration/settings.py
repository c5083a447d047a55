"""How a calibration is run: :class:`Settings` and the samplers it may choose (:data:`METHODS`).

This module owns the settings and their checks. It does not run anything: the
samplers are :mod:`adoption.calibration.smc` and :mod:`adoption.calibration.pyabc_method`,
chosen by :func:`adoption.calibration.calibrate`.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from adoption.calibration.noise import REPORTING_SD
from adoption.errors import UserError

#: Samplers of :func:`adoption.calibration.calibrate` (``Settings.method``).
METHODS = ("smc", "pyabc")


@dataclass(frozen=True)
class Settings:
    """How a calibration is run. Every field is recorded with the posterior."""

    #: Particles.
    population_size: int = 150
    #: At most this many generations: the prior sample and then tempering stages. If the
    #: posterior (temperature 1) is not reached earlier, the last stage jumps to it, with
    #: whatever effective sample size that leaves (recorded in ``generations.csv``).
    max_generations: int = 8
    #: ``"smc"``: tempered SMC with MCMC moves (:mod:`adoption.calibration`); ``"pyabc"``:
    #: pyabc's ABC-SMC with a stochastic acceptor, the earlier method, whose importance
    #: weights degenerated (effective sample size 5 of 150 in the shipped run of that method).
    method: str = "smc"
    #: Each stage raises the inverse temperature as far as keeps this share of the
    #: population as effective sample size (``"smc"``).
    target_ess: float = 0.5
    #: Metropolis-Hastings moves of every particle per stage, one simulation each
    #: (``"smc"``). The step size adapts towards an acceptance rate of 0.25.
    moves: int = 6
    #: ``"pyabc"`` only: stop when fewer proposals than this are accepted.
    min_acceptance_rate: float = 0.02
    #: Scale of communes without targets: they do not affect the targets (peer influence is
    #: within villages, desks have no capacity limit), so they are kept small - but at least one
    #: simulated household per village (the smallest, Quang Vinh's, hold 28: 1/28 = 0.036).
    scale: float = 0.04
    target_communes_full_scale: bool = True
    #: Scale of every commune of a district that has a district-level target. At 0.1
    #: (villages of ~9 households) finite-size effects of village peer influence biased
    #: Trùng Khánh's cashless rate by -1.35 points (z = -5.2, calibration/scale_check.py).
    district_target_scale: float = 0.5
    seed: int = 20250601
    #: A hindcast's cut-off, ``"YYYY-MM"``: the runs use only the profile inputs dated by
    #: then (:func:`adoption.places.known.known_by`). None: every input (a full calibration).
    known_by: str | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    scheduler: str | None = None
    reporting_sd: dict[str, float] = field(default_factory=lambda: dict(REPORTING_SD))
    #: Quasi-random draws of the observation parameters each simulation's likelihood is
    #: averaged over (they change no run, so they are integrated out, not sampled).
    observation_points: int = 4096
    #: ``"pyabc"`` only: pyabc re-weights a particle whose likelihood exceeds the running
    #: maximum by exp(excess / T); with a stochastic simulator that maximum is an extreme of
    #: simulation noise, and the re-weighting collapsed the effective sample size to ~2 of
    #: 150 in a first run; off, at the cost of a small bias against the highest likelihoods.
    importance_weighting: bool = False
    #: ``"pyabc"`` only: ``"fixed_iterations"`` (temperatures fall geometrically to 1 over
    #: ``max_generations``, pyabc's ExpDecayFixedIterScheme) or ``"ess"`` (pyabc's EssScheme).
    temperature_decay: str = "fixed_iterations"
    #: ``"pyabc"`` only: width of pyabc's Gaussian kernel proposal relative to its default.
    proposal_scaling: float = 1.5

    def __post_init__(self) -> None:
        self._check_sampler()
        self._check_sizes()

    def _check_sampler(self) -> None:
        if self.method not in METHODS:
            raise UserError("Settings", "method", f"{self.method!r}; allowed: {', '.join(METHODS)}")
        if not 0 < self.target_ess < 1:
            raise UserError("Settings", "target_ess", f"must be in (0, 1), got {self.target_ess}")
        if self.moves < 1:
            raise UserError("Settings", "moves", f"must be at least 1, got {self.moves}")
        if self.max_generations < 2 and self.method == "smc":
            raise UserError("Settings", "max_generations", "must be at least 2 (prior + 1 stage)")
        if self.max_generations < 1:
            raise UserError("Settings", "max_generations", "must be at least 1")

    def _check_sizes(self) -> None:
        if self.population_size < 2:
            problem = f"must be at least 2 particles, got {self.population_size}"
            raise UserError("Settings", "population_size", problem)
        for name in ("scale", "district_target_scale"):
            if not 0 < getattr(self, name) <= 1:
                raise UserError("Settings", name, f"must be in (0, 1], got {getattr(self, name)}")
        if not 0 <= self.seed < 2**63:
            raise UserError("Settings", "seed", f"must be an integer >= 0, got {self.seed}")
        if self.workers < 1:
            raise UserError("Settings", "workers", f"must be at least 1, got {self.workers}")
        if not 1 <= self.observation_points <= 2**16:
            problem = f"must be in 1..65536, got {self.observation_points}"
            raise UserError("Settings", "observation_points", problem)

    def to_dict(self) -> dict:
        """Plain dict (for the record written next to the posterior)."""
        return asdict(self)
