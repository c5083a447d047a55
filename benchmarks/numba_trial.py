"""Would Numba pay for the innermost household loops? The NumPy rules against compiled loops.

Issue 19 asked for Numba kernels of the per-household rules if they pay. This script times,
on the households of a real batch (32 runs at 5 % scale, stepped to 2024-01 so that every
process is part-adopted), the two hottest passes of a month against compiled loops that
give the same numbers:

- the eligible households of a diffusion process and their ``-p m_i - q F_v`` terms
  (``rules.diffusion``: mask, ``flatnonzero``, two gathers and an add), per process;
- the households per village still to help (``rules.team_visits``: a mask and ``reduceat``).

Each compiled loop is written twice: with a branch per household (the obvious loop) and
branch-free (a write every household, a conditional count). Prints microseconds per call
(median of ``--repeats``) and checks that the outputs are identical.

Usage: ``python benchmarks/numba_trial.py [--repeats 300]`` (needs ``pip install numba``).
"""

import argparse
import sys
import timeit
from functools import partial

import numpy as np

from adoption.calendar import parse_month
from adoption.model.batch import BatchModel
from adoption.model.runspec import RunSpec

try:
    import numba
except ImportError:
    sys.exit("numba_trial.py: needs Numba (pip install numba)")


@numba.njit(cache=False)
def eligible_branchy(gate, adopted, innovation, village, peer_term):
    idx = np.empty(gate.size, np.int64)
    terms = np.empty(gate.size, np.float32)
    k = 0
    for i in range(gate.size):
        if gate[i] and not adopted[i]:
            idx[k] = i
            terms[k] = innovation[i] + peer_term[village[i]]
            k += 1
    return idx[:k], terms[:k]


@numba.njit(cache=False)
def eligible_branch_free(gate, adopted, innovation, start, end, peer_term):
    idx = np.empty(gate.size, np.int64)
    terms = np.empty(gate.size, np.float32)
    k = 0
    for v in range(start.size):
        term = peer_term[v]
        for i in range(start[v], end[v]):
            idx[k] = i
            terms[k] = innovation[i] + term
            k += gate[i] & (not adopted[i])
    return idx[:k], terms[:k]


@numba.njit(cache=False)
def to_help_branchy(online, app, cashless, village, n_villages):
    counts = np.zeros(n_villages, np.int64)
    for i in range(online.size):
        if not (online[i] and app[i] and cashless[i]):
            counts[village[i]] += 1
    return counts


@numba.njit(cache=False)
def to_help_branch_free(online, app, cashless, start, end):
    counts = np.empty(start.size, np.int64)
    for v in range(start.size):
        total = 0
        for i in range(start[v], end[v]):
            total += 1 - (online[i] & app[i] & cashless[i])
        counts[v] = total
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    specs = [RunSpec(scale=0.05, record="outcomes", rng=r) for r in range(32)]
    model = BatchModel(specs)
    while model.months[model.steps] < parse_month("2024-01"):
        model.step()
    hh, s = model.households, model.structure
    start = s.village_start.astype(np.int64)
    end = np.append(start[1:], hh.n)
    gate = hh.smartphone.copy()  # a realistic mask: the connected households
    village = hh.village

    def micro(function) -> float:
        return float(np.median(timeit.repeat(function, number=1, repeat=args.repeats)) * 1e6)

    print(f"{hh.n:,} households in {len(start):,} villages (32 runs at 5 %, at 2024-01)")
    print(f"{'pass':<34} {'NumPy':>9} {'branchy':>9} {'branch-free':>12}  identical")
    for name in ("online", "app", "cashless"):
        adopted, innovation = getattr(hh, name), model._innovation[name]
        peer = (-0.3 * model._village[name] / s.village_size).astype(np.float32)

        def numpy_pass(adopted=adopted, innovation=innovation, peer=peer):
            idx = np.flatnonzero(gate & ~adopted)
            return idx, innovation[idx] + peer[village[idx]]

        a = numpy_pass()
        b = eligible_branchy(gate, adopted, innovation, village, peer)
        c = eligible_branch_free(gate, adopted, innovation, start, end, peer)
        same = all(np.array_equal(x[i], a[i]) for x in (b, c) for i in (0, 1))
        times = (
            micro(numpy_pass),
            micro(partial(eligible_branchy, gate, adopted, innovation, village, peer)),
            micro(partial(eligible_branch_free, gate, adopted, innovation, start, end, peer)),
        )
        print(f"{'eligible + terms, ' + name:<34} {times[0]:8.0f}µs {times[1]:8.0f}µs "
              f"{times[2]:11.0f}µs  {same}")  # fmt: skip
    flags = (hh.online, hh.app, hh.cashless)

    def numpy_help():
        return np.add.reduceat(~(flags[0] & flags[1] & flags[2]), start, dtype=np.int32)

    a = numpy_help()
    same = np.array_equal(a, to_help_branchy(*flags, village, len(start))) and np.array_equal(
        a, to_help_branch_free(*flags, start, end)
    )
    times = (
        micro(numpy_help),
        micro(lambda: to_help_branchy(*flags, village, len(start))),
        micro(lambda: to_help_branch_free(*flags, start, end)),
    )
    print(f"{'households still to help':<34} {times[0]:8.0f}µs {times[1]:8.0f}µs "
          f"{times[2]:11.0f}µs  {same}")  # fmt: skip
    print(f"Numba {numba.__version__}, NumPy {np.__version__}")


if __name__ == "__main__":
    main()
