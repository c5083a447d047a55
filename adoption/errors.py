"""User-facing errors.

A :class:`UserError` is a mistake in something the user wrote (a profile file,
a scenario file, a command-line value). The command line prints its message on
one line, without a traceback, and exits with status 2.
"""

from __future__ import annotations


class UserError(ValueError):
    """A mistake in user input, reported as one line: where, which key, what is allowed."""

    def __init__(self, where: str, key: str, problem: str) -> None:
        self.where, self.key, self.problem = str(where), str(key), problem
        super().__init__(f"{self.where}: {self.key}: {problem}")

    def __reduce__(self):
        """Pickle with its three parts, so a worker's error reaches the parent as it is."""
        return type(self), (self.where, self.key, self.problem)


class RunError(RuntimeError):
    """A run could not finish for a reason outside the input (a worker killed, a full disk).

    The command line prints its message on one line and exits with status 1.
    """
