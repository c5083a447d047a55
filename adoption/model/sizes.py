"""What a run or an ensemble will cost this machine, estimated before anything is allocated.

A scenario with ``runs = 1000000000000`` or a profile with 10¹¹ households would
otherwise be accepted and then eat memory until the system kills it. :func:`estimate`
turns households x months x runs into memory, disk and time from the figures the
benchmarks measure (``benchmarks/bench_model.py``), and :func:`check` refuses, in
one line with the estimate, what this machine cannot hold.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from adoption.errors import UserError

#: Peak memory per simulated household of one run: 117 B measured (tracemalloc peak of a
#: full-scale run, 15.8 MB for 135,308 households), doubled for headroom.
BYTES_PER_HOUSEHOLD = 240
#: Fixed memory of a worker process (imports: 96 MB measured), bytes.
WORKER_BYTES = 120 * 1024**2
#: Household-months per second of one core (24 M measured; 20 M to be safe).
HOUSEHOLD_MONTHS_PER_SECOND = 20e6
#: Bytes kept per run, month, place and indicator (float32 in the run cache).
BYTES_PER_VALUE = 4
#: Copies of an ensemble's values the summaries hold at once (stack, sorted, scaled, diff).
SUMMARY_COPIES = 4
#: Share of the machine's memory a forecast may plan to use.
MEMORY_SHARE = 0.8
#: Beyond this many seconds, a forecast says how long it expects to take.
LONG_SECONDS = 1800


@dataclass(frozen=True)
class Estimate:
    """Resources of an ensemble: bytes per run, bytes of all runs' values, seconds."""

    run_bytes: float
    values_bytes: float
    seconds: float

    def memory_bytes(self, workers: int) -> float:
        """Peak memory of the ensemble with ``workers`` processes: runs in flight + summaries."""
        return workers * (WORKER_BYTES + self.run_bytes) + SUMMARY_COPIES * self.values_bytes


def estimate(
    households: float, months: int, places: int, indicators: int, runs: int, workers: int = 1
) -> Estimate:
    """Memory and time of ``runs`` runs of ``households`` simulated households."""
    run_bytes = households * BYTES_PER_HOUSEHOLD + months * places * 30 * 8
    values = float(runs) * months * places * indicators * BYTES_PER_VALUE
    seconds = float(runs) * households * months / HOUSEHOLD_MONTHS_PER_SECOND / max(workers, 1)
    return Estimate(run_bytes, values, seconds)


def machine_memory() -> float:
    """Physical memory of this machine in bytes (inf where the system does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return float("inf")


def check(found: Estimate, workers: int, where: str, key: str) -> None:
    """Refuse an ensemble this machine cannot hold; one line with the estimate.

    Raises:
        UserError: naming ``where`` and ``key`` (the file and the key that sets the size).
    """
    limit = MEMORY_SHARE * machine_memory()
    need = found.memory_bytes(workers)
    if need > limit:
        raise UserError(
            where,
            key,
            f"too large for this machine: needs about {_size(need)} of memory "
            f"({_size(found.run_bytes)} per run x {workers} worker(s), {_size(found.values_bytes)}"
            f" of results), {_size(limit)} available; use fewer runs, a smaller scale or fewer "
            "districts",
        )


def describe(found: Estimate) -> str:
    """``"about 3 h 20 min on 2 workers"``-style text of the expected time."""
    minutes = found.seconds / 60
    if minutes < 90:
        return f"about {minutes:.0f} min"
    return f"about {minutes / 60:.1f} h"


def _size(n: float) -> str:
    for unit, factor in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2)):
        if n >= factor:
            return f"{n / factor:.3g} {unit}"
    return f"{n / 1024:.3g} kB"


#: Simulated households one batch of runs may hold (:mod:`adoption.model.batch`): beyond a
#: few hundred thousand, a month's fixed cost is already small against its per-household
#: work, so a larger batch only takes memory (``benchmarks/bench_batch.py`` measures it).
BATCH_HOUSEHOLDS = 250_000


def batch_runs(households: float, runs: int, workers: int = 1) -> int:
    """Runs per batch for ``runs`` runs of ``households`` households on ``workers`` processes.

    As many as :data:`BATCH_HOUSEHOLDS` and this machine's memory allow, and no more than
    spreads the runs evenly over the workers (a whole number of batches per worker).
    """
    if runs <= 1:
        return 1
    by_size = max(1, int(BATCH_HOUSEHOLDS // max(households, 1)))
    share = MEMORY_SHARE * machine_memory() / max(workers, 1) - WORKER_BYTES
    by_memory = max(1, int(share // max(households * BYTES_PER_HOUSEHOLD, 1)))
    largest = min(by_size, by_memory)
    workers = max(workers, 1)
    batches = -(-runs // largest)  # ceil
    batches = -(-batches // workers) * workers  # a whole number of rounds
    return max(1, -(-runs // batches))
