"""The README is a front door and the guides behind it are whole: short, linked, current."""

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from adoption.model.interventions import KEYS as LEVER_KEYS
from adoption.model.levers import markdown as lever_table
from adoption.model.params import Params
from adoption.model.reporters import markdown as indicator_table
from adoption.scenarios.scenario import KEYS as SCENARIO_KEYS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
GUIDES = ["planners.md", "analysts.md", "researchers.md", "layers.md"]
REGENERATE = "stale: regenerate it with `python docs/regenerate_tables.py`"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def outside_code(page: str) -> str:
    """The page without its fenced code blocks and inline code (no links live there)."""
    page = re.sub(r"^```.*?^```", "", page, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", page)


def links(path: Path) -> list[str]:
    """Every link and image target of a Markdown page."""
    return re.findall(r"\]\(([^)\s]+)\)", outside_code(text(path)))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown page."""
    found, seen = set(), {}
    page = re.sub(r"^```.*?^```", "", text(path), flags=re.S | re.M)
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", page, flags=re.M):
        words = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = "".join(
            c for c in words if c in " -_" or unicodedata.category(c)[0] in "LN"
        ).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def test_the_readme_is_at_most_250_lines():
    lines = text(README).count("\n")
    assert lines <= 250, f"README.md has {lines} lines: move a section into a guide in docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_an_existing_file_and_heading(page):
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target} (no file {resolved})")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no heading #{anchor} in {resolved.name})")
    assert not broken, f"{page.relative_to(ROOT)}: broken links: {broken}"


@pytest.mark.parametrize(
    ("page", "table", "what"),
    [
        (README, lever_table, "lever table"),
        (DOCS / "model.md", Params.markdown, "parameter table"),
    ],
    ids=["levers", "parameters"],
)
def test_each_generated_table_is_current(page, table, what):
    """The lever and parameter tables; the indicator table has its own test below."""
    assert table() in text(page), f"{page.relative_to(ROOT)}: the {what} is {REGENERATE}"


def test_the_readme_links_to_each_guide():
    targets = {t.partition("#")[0] for t in links(README)}
    missing = [g for g in GUIDES if f"docs/{g}" not in targets]
    assert not missing, f"README.md does not link to {missing}"


def test_each_guide_says_whom_it_is_for_and_lists_its_contents():
    for guide in GUIDES:
        lines = text(DOCS / guide).split("\n")
        assert lines[0].startswith("# "), guide
        assert lines[2].startswith("For "), f"{guide}: line 3 should say who it is for"
        assert any(line.startswith("**Contents:**") for line in lines[:12]), guide


def test_every_package_is_named_in_the_layers_page():
    layers = text(DOCS / "layers.md")
    packages = sorted(p.parent for p in (ROOT / "adoption").rglob("__init__.py"))
    missing = [
        f"{p.relative_to(ROOT).as_posix()}/"
        for p in packages
        if f"`{p.relative_to(ROOT).as_posix()}/" not in layers
    ]
    assert not missing, f"docs/layers.md does not name the packages {missing}"


def test_every_module_is_named_in_the_layers_page():
    layers = text(DOCS / "layers.md")
    modules = sorted((ROOT / "adoption").rglob("*.py"))
    missing = [
        m.relative_to(ROOT).as_posix()
        for m in modules
        if m.name != "__init__.py" and f"`{m.relative_to(ROOT).as_posix()}`" not in layers
    ]
    assert not missing, f"docs/layers.md does not say what these modules own: {missing}"


def test_every_scenario_key_is_in_the_planners_guide():
    planners = text(DOCS / "planners.md")
    keys = [*SCENARIO_KEYS, *LEVER_KEYS]
    missing = [k for k in keys if f"`{k}`" not in planners and f"[{k}]" not in planners]
    assert not missing, f"docs/planners.md does not explain the scenario keys {missing}"


def test_the_readme_python_example_writes_its_cache_where_git_ignores_it():
    caches = [
        cache
        for page in PAGES
        for cache in re.findall(r'run_ensemble\([^,]+, "([^"]+)"', text(page))
    ]
    assert caches, 'no run_ensemble(..., "<cache dir>") example in README.md or docs/'
    for cache in caches:
        ignored = subprocess.run(["git", "check-ignore", "-q", cache], cwd=ROOT)
        assert ignored.returncode == 0, cache


def test_the_readme_indicator_table_is_generated_from_the_registry():
    assert indicator_table() in text(DOCS / "analysts.md"), (
        f"docs/analysts.md: the indicator table is {REGENERATE}"
    )
