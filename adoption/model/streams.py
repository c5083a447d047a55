"""Named random streams: one independent generator per stochastic process.

Every stochastic process of the model (skill at start, smartphone clocks,
team visits, procedure demand, ...) draws only from its own stream, spawned
from the run's seed in a fixed order. Two runs with the same seed therefore
see the same random numbers in every process, whatever another process did:
this is what makes two scenarios comparable draw for draw (common random
numbers). New processes must be appended to :data:`PROCESSES`, never inserted,
so that existing streams keep their numbers.
"""

from __future__ import annotations

import numpy as np

PROCESSES: tuple[str, ...] = (
    "population",  # household attributes at start: poverty, skill, attitude, distance
    "smartphone",  # smartphones at start and the smartphone clock
    "account",  # payment accounts at start and the account clock
    "coverage",  # month each uncovered village gets coverage
    "online",  # online-filer clock
    "app",  # citizen-app clock
    "cashless",  # cashless-bill clock
    "visit",  # which households a team visits each month
    "demand",  # months in which a household needs a procedure
    "procedure",  # desk, channel, fee, payment and digitisation of each file
    "subsidy",  # which poor households a smartphone subsidy reaches, and when
    "extension",  # which uncovered villages a coverage extension connects, and when
    "campaign",  # whom an information campaign reaches each month
    "access",  # which households without a smartphone can file on a shared phone
    "course",  # which households a digital-skills course reaches, and when
)


class Streams:
    """A generator per process name, all spawned from one seed."""

    def __init__(self, seed: int | None) -> None:
        root = np.random.SeedSequence(seed)
        self.seed = root.entropy
        children = root.spawn(len(PROCESSES))
        self._gens = {
            name: np.random.Generator(np.random.SFC64(child))
            for name, child in zip(PROCESSES, children, strict=True)
        }

    def __getitem__(self, process: str) -> np.random.Generator:
        """The generator of ``process``."""
        return self._gens[process]
