"""Every source a data file cites is inside the repository (issue 8, item 9)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
CITING = [
    "adoption/data/districts.csv",
    "adoption/data/references.csv",
    "calibration/targets.csv",
    "calibration/priors.toml",
    "adoption/model/params.py",
    *[f"scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.toml")],
]


def test_no_data_file_cites_a_file_outside_the_repository():
    for name in CITING:
        text = (ROOT / name).read_text(encoding="utf-8")
        for outside in ("public-facts.md", "seed-facts.md", "shared/"):
            assert outside not in text, (name, outside)


def test_every_cited_section_of_sources_md_exists():
    headings = set(re.findall(r"^## (.+)$", SOURCES.read_text(encoding="utf-8"), re.M))
    cited = set()
    for name in CITING:
        text = (ROOT / name).read_text(encoding="utf-8")
        cited |= set(re.findall(r"docs/sources\.md, ([A-Z][A-Za-z ]+?)(?=[:;,.)\"]| \()", text))
    assert cited, "no citations found"
    missing = {c for c in cited if not any(c.startswith(h) for h in headings)}
    assert not missing, missing
