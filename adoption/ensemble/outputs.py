"""An output folder that is replaced as a whole, by one command at a time.

``adoption run ... --out DIR`` writes a set of files (tables, figures, a manifest
whose hashes name them all) that belong together. :class:`OutputSet`:

- checks ``DIR`` up front (not empty, not under a file, not a broken link, a place
  this user can write), before anything is run;
- takes a lock beside it (``.DIR.lock``), so a second command on the same folder is
  refused with the process that holds it instead of mixing its files in;
- has the new files written into a staging folder beside ``DIR`` and then swaps the
  staging folder and ``DIR`` in one atomic step (``renameat2(RENAME_EXCHANGE)`` on
  Linux; elsewhere two renames, recovered at the next start if interrupted between
  them), moving the run cache ``DIR/runs`` and any file of the user's across;
- cleans what an interrupted command left behind at the next start.

A reader of ``DIR`` therefore sees the whole old set or the whole new one, never a mix.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from pathlib import Path

from adoption.ensemble import cache as runcache
from adoption.errors import UserError
from adoption.files import SHIPPED, __version__, write_atomic

#: The run cache kept inside an output folder across commands.
CACHE = "runs"


#: Folders of the clone that hold shipped results: the calibration (posterior, report,
#: hindcasts) and the documentation's figures. A command writes into one only when asked.
SHIPPED_FOLDERS = ("calibration", "figures")


def check_shipped(out: str | Path, replace: bool, option: str = "--out") -> None:
    """Refuse to write into a folder of shipped results unless ``replace`` (``--replace``).

    Raises:
        UserError: naming the option, the folder and the two ways on.
    """
    out = Path(out).resolve()
    for name in SHIPPED_FOLDERS:
        shipped = (SHIPPED / name).resolve()
        if (out == shipped or shipped in out.parents) and not replace:
            problem = (
                f"{out} holds results shipped with adoption ({name}/); write your run into "
                "another folder, or add --replace to replace them"
            )
            raise UserError(option, "out", problem)


def check_folder(out: str | Path, option: str = "--out") -> Path:
    """``out`` as a folder this user can create and write in; one-line errors otherwise.

    Raises:
        UserError: naming the option and the problem.
    """
    if not str(out).strip():
        raise UserError(option, "path", "is empty; name an output folder")
    out = Path(out)
    try:
        if out.is_symlink() and not out.exists():
            raise UserError(out, option, "is a link to a place that does not exist")
        out = out.resolve()
        if out.exists() and not out.is_dir():
            raise UserError(out, option, "exists and is not a folder")
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=out.parent, prefix=".adoption-probe-")
        os.close(handle)
        os.unlink(probe)
        if out.is_dir():
            handle, probe = tempfile.mkstemp(dir=out, prefix=".adoption-probe-")
            os.close(handle)
            os.unlink(probe)
    except UserError:
        raise
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python < 3.13)
        reason = getattr(error, "strerror", None) or str(error)
        raise UserError(out, option, f"cannot write there ({reason})") from None
    return out


class OutputSet:
    """Lock, stage and publish an output folder (module docstring). Use as a context manager.

    Inside the ``with`` block, write every output into :attr:`staging` and keep runs in
    :attr:`cache`; on a normal exit the staging folder becomes ``out``. On an error or an
    interrupt ``out`` keeps its previous outputs and the staging folder is removed.

    ``staged=False`` (calibrate, hindcast: their database and reports are written as they
    go) writes into ``out`` itself, each file atomically, under the same lock and checks.
    ``keep_others`` lets a set be written into a folder of other files, which stay: the
    shipped ``calibration/`` replaced with ``--replace``.
    """

    def __init__(self, out: str | Path, writer: str, option: str = "--out", *,
                 staged: bool = True, keep_others: bool = False) -> None:  # fmt: skip
        self.out = check_folder(out, option)
        if not keep_others:
            _check_ours(self.out, option, writer)
        self.option = option
        self.writer = writer  # the command writing the set (recorded in its manifest)
        self.staged = staged
        self._lock_file = self.out.parent / f".{self.out.name}.lock"
        self._lock = None
        self.staging: Path | None = None

    @property
    def cache(self) -> Path:
        """The run cache (inside ``out``, kept from one command to the next)."""
        return self.out / CACHE

    def __enter__(self) -> OutputSet:
        self._acquire()
        try:
            self._recover()
            self.out.mkdir(exist_ok=True)
            if not self.staged:
                self.staging = self.out
                return self
            self.staging = Path(
                tempfile.mkdtemp(dir=self.out.parent, prefix=f".{self.out.name}.staging-")
            )
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.staging, 0o777 & ~umask)  # as a plain mkdir would, not 0700
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None and self.staged:
                self._publish()
        finally:
            if self.staged and self.staging is not None and self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
            self._release()

    # -- the lock -----------------------------------------------------------------------------

    def _acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return
        handle = open(self._lock_file, "a+")  # noqa: SIM115 - held until released
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise UserError(
                self.out,
                self.option,
                f"another adoption command ({holder}) is writing into this folder; wait for it "
                "to finish or choose another folder",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self._lock = handle

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing drops the flock
            self._lock = None

    # -- leftovers of an interrupted command ----------------------------------------------------

    def _leftovers(self, kind: str) -> list[Path]:
        return sorted(self.out.parent.glob(f".{self.out.name}.{kind}-*"))

    def _recover(self) -> None:
        """Undo what a command killed mid-publish left: restore the folder, its cache; clean."""
        old = self._leftovers("old")
        if old and not self.out.exists():  # killed between the two renames of the fallback
            os.replace(old[-1], self.out)
        for folder in self._leftovers("staging") + self._leftovers("old"):
            runs = folder / CACHE
            if runs.is_dir() and not self.cache.exists():  # killed with the cache moved
                self.out.mkdir(exist_ok=True)
                os.replace(runs, self.cache)
            shutil.rmtree(folder, ignore_errors=True)
        if self.cache.is_dir():
            for part in self.cache.rglob(".*.part"):
                part.unlink(missing_ok=True)

    # -- publishing -----------------------------------------------------------------------------

    def _publish(self) -> None:
        """Swap the staging folder in; carry the run cache and the user's own files over."""
        staging = self.staging
        written = {p.name for p in staging.iterdir()}
        previous = _listed_outputs(self.out)
        if self.cache.exists():
            os.replace(self.cache, staging / CACHE)
        _exchange(staging, self.out)
        for entry in staging.iterdir():  # now the previous folder
            name = entry.name
            if name not in written and name not in previous and name != CACHE:
                os.replace(entry, self.out / name)  # a file of the user's, not an output
        shutil.rmtree(staging, ignore_errors=True)


def _check_ours(out: Path, option: str, writer: str) -> None:
    """Refuse a folder that holds other things than an earlier output set of ``writer``.

    The set is replaced whole: another command's set (an optimiser's ``best.toml`` and
    trials under a forecast, say) or a user's files would be lost.
    """
    if not out.is_dir():
        return
    if (out / "manifest.json").is_file():
        theirs = _manifest(out).get("writer")
        if theirs not in (None, writer):
            raise UserError(
                out,
                option,
                f"holds the outputs of `adoption {theirs}`, which `adoption {writer}` would "
                "replace whole: choose another folder",
            )
        return
    others = sorted(p.name for p in out.iterdir() if p.name != CACHE)
    if others:
        raise UserError(
            out,
            option,
            f"holds files that are not outputs of adoption ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}); the output set replaces the folder whole: "
            "choose a new or empty folder",
        )


def _listed_outputs(out: Path) -> set[str]:
    """Names of the outputs the folder's manifest lists (the files a new set replaces)."""
    try:
        return {*_manifest(out).get("outputs", {}), "manifest.json"}
    except AttributeError:
        return {"manifest.json"}


def _manifest(out: Path) -> dict:
    """The folder's ``manifest.json`` as a dict (empty if absent or unreadable)."""
    import json

    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _exchange(new: Path, out: Path) -> None:
    """Swap two folders' names atomically (Linux), or by two renames elsewhere."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        result = renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(out), rename_exchange)
        if result == 0:
            return
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(out))
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
    old.rmdir()  # a free name, under the lock
    os.replace(out, old)  # out of the way ...
    os.replace(new, out)  # ... and in; OutputSet._recover restores ``old`` if killed between
    os.replace(old, new)


def write_manifest(out: Path, written: list[Path], details: dict, writer: str) -> Path:
    """``manifest.json``: the package, code, command and versions, ``details``, output hashes.

    A folder with a manifest is an output set a later command of the same ``writer``
    (``run``, ``compare``, ``optimise``) may replace whole.
    """
    import json
    import platform
    import shlex
    import sys
    from datetime import UTC, datetime

    import mesa
    import numpy as np
    import pandas as pd

    command = None
    if Path(sys.argv[0]).name == "adoption":
        command = " ".join(shlex.quote(a) for a in ["adoption", *sys.argv[1:]])
    manifest = {
        "adoption_version": __version__,
        "writer": writer,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        **details,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "mesa": mesa.__version__,
        "code_sha256": runcache.fingerprint(),
        "outputs": {p.name: runcache.file_hash(p) for p in written},
    }
    path = out / "manifest.json"
    text = json.dumps(manifest, indent=2, ensure_ascii=False)
    write_atomic(path, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))
    return path
