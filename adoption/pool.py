"""Running many jobs: in this process, in local worker processes, or on a Dask cluster.

:class:`Pool` is the one place where the project starts workers. Forecast ensembles
and the calibration both use it, so both get the same behaviour:

- local workers are forked where the system can (Mesa 3.3 sets the global start
  method to "spawn" on import; forked workers do not re-import Mesa and the package)
  and ignore Ctrl-C, which reaches the parent only: the parent keeps what finished
  and cancels the rest;
- a worker that dies (killed, out of memory) ends the work with a one-line
  :class:`~adoption.errors.RunError` instead of a 30-line ``BrokenProcessPool``;
- workers exit when the parent is killed, leaving no idle processes behind;
- a job's result depends on the job alone, so results are the same whatever the
  number of workers or the cluster.

The function is installed in each worker once (not pickled with every job).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from adoption.errors import RunError

_FUNCTION: Callable | None = None


def _install(function: Callable) -> None:
    """Worker initialiser: keep the function, leave Ctrl-C to the parent, die with it."""
    import signal
    import threading
    import time

    global _FUNCTION
    _FUNCTION = function
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def exit_with_parent() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True).start()


def _call(job):
    return _FUNCTION(job)


def local_workers(workers: int | None) -> int:
    """The local processes a :class:`Pool` of ``workers`` uses (None: every core)."""
    return workers or os.cpu_count() or 1


class Pool:
    """Map a picklable ``function`` over jobs. Use as a context manager.

    Args:
        function: a picklable function of one job.
        workers: local processes (default: all cores); 1 runs in this process.
        scheduler: address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
        lost: what the error message says is kept when a worker dies.
    """

    def __init__(
        self,
        function: Callable,
        workers: int | None = None,
        scheduler: str | None = None,
        lost: str = "the work finished so far is kept",
    ) -> None:
        self.function, self.lost = function, lost
        self.workers = local_workers(workers)
        self._executor = self._client = None
        if scheduler:
            from distributed import Client

            self._client = Client(scheduler)
        elif self.workers > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_install, initargs=(function,)
            )

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def unordered(self, jobs: Iterable) -> Iterator[tuple[int, object]]:
        """Yield ``(index of the job, result)`` as jobs finish (2 per worker in flight)."""
        jobs = list(jobs)
        if self._client is not None:
            yield from self._dask(jobs)
        elif self._executor is None:
            for index, job in enumerate(jobs):
                yield index, self.function(job)
        else:
            yield from self._local(jobs)

    def map(self, jobs: Iterable) -> list:
        """Results of all jobs, in job order."""
        jobs = list(jobs)
        out = [None] * len(jobs)
        for index, result in self.unordered(jobs):
            out[index] = result
        return out

    def _dask(self, jobs: list) -> Iterator[tuple[int, object]]:
        from distributed import as_completed

        futures = {self._client.submit(self.function, j, pure=False): i for i, j in enumerate(jobs)}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            self._client.cancel(list(futures))

    def _local(self, jobs: list) -> Iterator[tuple[int, object]]:
        queue = iter(enumerate(jobs))
        pending = {}

        def submit() -> None:
            following = next(queue, None)
            if following is not None:
                pending[self._executor.submit(_call, following[1])] = following[0]

        try:
            for _ in range(2 * self.workers):
                submit()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    yield index, future.result()
                    submit()
        except BrokenProcessPool:  # raised by a result or by a submission after the death
            raise RunError(
                f"a worker process ended abruptly (killed, or out of memory); {self.lost}: "
                "run the same command again to continue"
            ) from None
        finally:
            for future in pending:
                future.cancel()


def bar_disabled(progress: bool) -> bool | None:
    """Tqdm's ``disable`` for a progress bar: off when asked, and off when output is no terminal.

    tqdm reads ``None`` as "disable unless a terminal": a log file gets no bar per run.
    """
    return None if progress else True
