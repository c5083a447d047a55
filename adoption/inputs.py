"""Reading the user's input files: scenario, profile, targets and priors.

Every input file is read by :func:`read_text`, so every one of them gets the same
one-line :class:`~adoption.errors.UserError` for a path that is missing, a folder or
a device, a file that cannot be read, or one that is not UTF-8 text; a byte-order
mark (as Windows Notepad and Excel write one) is dropped, and the text is put in
Unicode normal form NFC, so that a name typed in decomposed form ("Lục" as "Lu" +
combining marks, as some editors and macOS write it) is the name the model knows.

This module owns reading only; each format's own checks live with the format
(:mod:`adoption.scenario`, :mod:`adoption.profiles`, :mod:`adoption.targets`).
"""

from __future__ import annotations

import csv
import io
import stat
import unicodedata
from pathlib import Path

from .errors import UserError

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
