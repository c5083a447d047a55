"""Regenerate the generated tables: README's indicators, docs/model.md's parameters.

Run from the repository's root: ``python docs/regenerate_tables.py``. Tests check
that both tables are current (``tests/test_indicators.py``, ``tests/test_params.py``).
"""

from pathlib import Path

from adoption.model.indicators import markdown as indicator_table
from adoption.model.params import Params

ROOT = Path(__file__).resolve().parents[1]


def replace_table(path: Path, header: str, table: str) -> None:
    """Replace the Markdown table that starts with ``header`` in ``path`` by ``table``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(header)
    end = text.index("\n\n", start)
    path.write_text(text[:start] + table + text[end:], encoding="utf-8")


if __name__ == "__main__":
    replace_table(
        ROOT / "README.md",
        "| indicator | meaning | unit | kind | in forecasts |",
        indicator_table(),
    )
    replace_table(
        ROOT / "docs" / "model.md",
        "| name | default | unit | allowed | meaning | source |",
        Params.markdown(),
    )
