"""Regenerate the tables generated from the code, each in the page where its readers look.

- the lever table of ``README.md`` (:func:`adoption.model.levers.markdown`);
- the indicator table of ``docs/analysts.md`` (:func:`adoption.model.reporters.markdown`);
- the parameter table of ``docs/model.md`` (:meth:`adoption.model.params.Params.markdown`).

Run from anywhere: ``python docs/regenerate_tables.py``. ``tests/test_docs.py`` checks that
all three are current.
"""

from collections.abc import Callable
from pathlib import Path

from adoption.model.levers import markdown as lever_table
from adoption.model.params import Params
from adoption.model.reporters import markdown as indicator_table

ROOT = Path(__file__).resolve().parents[1]

#: Each generated table: the page that holds it and the function that writes it.
TABLES: dict[str, tuple[Path, Callable[[], str]]] = {
    "levers": (ROOT / "README.md", lever_table),
    "indicators": (ROOT / "docs" / "analysts.md", indicator_table),
    "parameters": (ROOT / "docs" / "model.md", Params.markdown),
}


def replace_table(path: Path, table: str) -> bool:
    """Replace the Markdown table in ``path`` that has ``table``'s header line by ``table``.

    The table in the page ends at its first line that does not start with ``|``. Returns
    whether the page changed; raises ``ValueError`` if the page has no such table.
    """
    text = path.read_text(encoding="utf-8")
    header = table.split("\n", 1)[0] + "\n"
    start = text.find(header)
    if start < 0:
        raise ValueError(f"{path}: no table with header {header.strip()!r}")
    end = start
    while end < len(text) and text.startswith("|", end):
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    new = text[:start] + table.rstrip("\n") + "\n" + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main() -> None:
    """Regenerate every table and say which pages changed."""
    for name, (path, make) in TABLES.items():
        changed = replace_table(path, make())
        state = "updated" if changed else "current"
        print(f"{name} table in {path.relative_to(ROOT)}: {state}")


if __name__ == "__main__":
    main()
