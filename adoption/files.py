"""Files: reading the user's input files, writing outputs whole, and where the package's data is.

Every input file (scenario, profile, targets, priors) is read by :func:`read_text`, so
every one of them gets the same one-line :class:`~adoption.errors.UserError` for a path
that is missing, a folder or a device, a file that cannot be read, or one that is not
UTF-8 text; a byte-order mark (as Windows Notepad and Excel write one) is dropped, and
the text is put in Unicode normal form NFC, so that a name typed in decomposed form
("Lục" as "Lu" + combining marks, as some editors and macOS write it) is the name the
model knows. Each format's own checks live with the format
(:mod:`adoption.scenarios.scenario`, :mod:`adoption.places.profiles`,
:mod:`adoption.calibration.targets`).

Every output file is written by :func:`write_atomic`: whole or not at all.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import os
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from adoption.errors import UserError

#: The package's version: written into every manifest and run-cache key.
__version__ = "0.1.0"
#: The installed package, and its data files.
PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE / "data"
#: The folder above the package: the clone in a checkout, ``site-packages`` when installed.
REPOSITORY = PACKAGE.parent


def _shipped_home() -> Path:
    """Where the shipped ``calibration/`` and ``scenarios/`` inputs are read from.

    In a clone (an editable install), its own folders: a researcher's recalibration is read
    at once. In an installed wheel, the copies ``setup.py`` put into ``adoption/shipped/``,
    found through :mod:`importlib.resources` (a wheel has no clone around it).
    """
    if (REPOSITORY / "pyproject.toml").is_file() and (REPOSITORY / "calibration").is_dir():
        return REPOSITORY
    return Path(str(importlib.resources.files("adoption").joinpath("shipped")))


#: The folder holding the shipped ``calibration/`` (posterior, targets, priors) and
#: ``scenarios/``: the clone, or the installed package's copy (:func:`_shipped_home`).
SHIPPED = _shipped_home()

#: Largest input file read (bytes): a bigger one is not a scenario, profile or targets file.
MAX_BYTES = 50 * 1024 * 1024


def read_text(path: str | Path, what: str) -> str:
    """The text of ``path``, a ``what`` file ("scenario", "profile", ...), as NFC.

    Raises:
        UserError: naming the file and what is wrong with it, on one line.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UserError(path, "path", f"no such {what} file") from None
    except OSError as error:
        raise UserError(path, "path", f"cannot be read ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError(path, "path", f"is a folder, not a {what} file")
    if not stat.S_ISREG(info.st_mode):
        raise UserError(path, "path", f"is not a regular file; give a {what} file")
    if info.st_size > MAX_BYTES:
        size = info.st_size / 1024**2
        raise UserError(path, "path", f"{size:.0f} MB is too large for a {what} file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(path, "path", f"cannot be read ({error.strerror})") from None
    if b"\x00" in data:
        raise UserError(path, "encoding", f"a binary file, not a {what} file (UTF-8 text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            path,
            "encoding",
            f"not UTF-8 text (byte {error.start}); save the {what} file as UTF-8",
        ) from None
    return unicodedata.normalize("NFC", text)


def read_csv_rows(path: str | Path, what: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and ``(line number, row)`` pairs of a CSV ``what`` file.

    Fields are stripped of surrounding white space; a row with fewer fields than the
    header has ``None`` for the missing ones, one with more has them under ``None``.
    """
    reader = csv.DictReader(io.StringIO(read_text(path, what), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    rows = []
    for row in reader:
        clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        rows.append((reader.line_num, clean))
    return header, rows


def write_atomic(path: str | Path, write: Callable[[str], None]) -> None:
    """Write through ``write(tmp_path)`` to a temporary file, then move it onto ``path``.

    An error or an interrupt leaves ``path`` as it was and no temporary file behind.
    """
    path = Path(path)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def markdown_table(columns, rows) -> str:
    """A Markdown table: a header of ``columns``, then one line per row of cells.

    ``rows`` are sequences of cells (printed with ``str``); ``markdown_table(frame.columns,
    frame.itertuples(index=False))`` prints a DataFrame. The one table writer behind
    every generated table (README, ``docs/model.md``) and every report page.
    """
    lines = ["| " + " | ".join(map(str, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def markdown_frame(frame) -> str:
    """A DataFrame as a Markdown table (:func:`markdown_table`)."""
    return markdown_table(list(frame.columns), frame.itertuples(index=False))
