"""The run cache: finished runs on disk, named by everything that determines them, verified.

A run's values are kept as ``run_NNNNN.npy`` with its SHA-256 beside it
(``run_NNNNN.sha256``), in a folder whose name is a hash of the runs' tasks
*and of the code and data that compute them* (:func:`fingerprint`): a researcher
who edits a rule, a data file or the posterior never gets runs of other code.
:func:`load` checks a cached run against its checksum and shape before trusting
it; a damaged, truncated or half-written one is reported and recomputed.

This module owns the cache's files. Which runs an ensemble needs, and running
them, is :mod:`adoption.ensemble`'s business.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
from pathlib import Path

import numpy as np

from adoption.files import PACKAGE, write_atomic

log = logging.getLogger("adoption")


@functools.cache
def fingerprint() -> str:
    """SHA-256 of the package's source and data files (the code that computes a run).

    Every file under the package folder except caches counts, so a changed rule,
    parameter default, profile or reference file changes it; so do the versions of
    NumPy and Mesa. Computed once per process.
    """
    import mesa

    digest = hashlib.sha256(f"numpy {np.__version__}, mesa {mesa.__version__}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_path(folder: Path, index: int) -> Path:
    """Where run ``index`` is kept."""
    return folder / f"run_{index:05d}.npy"


def save(folder: Path, index: int, values: np.ndarray) -> None:
    """Keep run ``index``: its values, then its checksum (each written whole or not at all)."""
    buffer = io.BytesIO()
    np.save(buffer, values)
    data = buffer.getvalue()
    path = run_path(folder, index)
    write_atomic(path, lambda tmp: Path(tmp).write_bytes(data))
    digest = hashlib.sha256(data).hexdigest()
    write_atomic(path.with_suffix(".sha256"), lambda tmp: Path(tmp).write_text(digest + "\n"))


def load(folder: Path, index: int, shape: tuple[int, ...]) -> np.ndarray | None:
    """Run ``index`` if it is cached whole and intact, else None (a damaged one is reported)."""
    path = run_path(folder, index)
    if not path.is_file():
        return None
    problem = None
    try:
        data = path.read_bytes()
        expected = path.with_suffix(".sha256").read_text().strip()
        if hashlib.sha256(data).hexdigest() != expected:
            problem = "its checksum does not match"
        else:
            values = np.load(io.BytesIO(data), allow_pickle=False)
            if values.shape != shape:
                problem = f"its shape {values.shape} is not {shape}"
    except FileNotFoundError:
        problem = "its checksum file is missing"
    except (OSError, ValueError, EOFError) as error:
        problem = f"it cannot be read ({error})"
    if problem:
        log.warning("cached run %s was damaged (%s); computing it again", path, problem)
        return None
    return values


def prune(cache: Path, keep: list[Path]) -> None:
    """Remove the run folders in ``cache`` other than ``keep`` (runs of other code or inputs)."""
    import shutil

    kept = {Path(k).resolve() for k in keep}
    for folder in cache.iterdir() if cache.is_dir() else []:
        if folder.is_dir() and folder.resolve() not in kept:
            shutil.rmtree(folder, ignore_errors=True)
