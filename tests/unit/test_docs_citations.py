"""Citations of the project's docs resolve, and nothing cites the out-of-repo spec any more.

Code, SQL, rule files, DAG docs and tests cite the original's rules as ``docs/<page>.md#<anchor>``
(docs/README.md#citing-a-section). This test fails when a file cites a page that does not exist, an
anchor that no heading of that page produces, or the former external spec file, which a clone of the
repository cannot read. Links between the docs pages (``[text](page.md#anchor)``) are checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FORMER_SPEC = "SEED" + "_SPEC"
"""Spelled in two parts so this file does not cite it itself."""
HISTORY_NOTE = DOCS / "README.md"
"""The one page allowed to name the former spec, in the sentence saying where the facts came from."""

SCANNED_SUFFIXES = {".py", ".sql", ".hql", ".yaml", ".yml", ".toml", ".json", ".ipynb", ".md", ".sh", ".cfg", ".ini"}
SKIPPED_DIRS = {".git", ".venv", ".smartcar", ".tools", "node_modules", "__pycache__", "test-artifacts"}

CITATION = re.compile(r"docs/([A-Za-z0-9_./-]+?\.md)(?:#([A-Za-z0-9_-]+))?")
DOCS_LINK = re.compile(r"\]\(([A-Za-z0-9_-]+\.md)(?:#([A-Za-z0-9_-]+))?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation other than ``-``/``_`` dropped, spaces -> ``-``."""
    text = re.sub(r"`|\*\*|\*", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor the headings of ``page`` produce (outside fenced code blocks)."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            base = anchor(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def scanned_files() -> list[Path]:
    files = []
    stack = [ROOT]
    while stack:
        directory = stack.pop()
        for path in directory.iterdir():
            if path.is_dir():
                if path.name not in SKIPPED_DIRS:
                    stack.append(path)
            elif path.suffix in SCANNED_SUFFIXES or path.name in {"Makefile", "Dockerfile"}:
                files.append(path)
    return sorted(files)


def broken_citations(text: str, pages: dict[str, set[str]], *, in_docs: bool = False) -> list[str]:
    """Citations in ``text`` whose page or anchor does not exist, as ``page#anchor`` strings."""
    bad = []
    found = [m.groups() for m in CITATION.finditer(text)]
    if in_docs:
        found += [m.groups() for m in DOCS_LINK.finditer(text)]
    for page, fragment in found:
        if page not in pages or (fragment is not None and fragment not in pages[page]):
            bad.append(f"{page}#{fragment}" if fragment else page)
    return bad


@pytest.fixture(scope="module")
def pages() -> dict[str, set[str]]:
    return {p.name: anchors(p) for p in sorted(DOCS.glob("*.md"))}


def test_anchor_rule_matches_github() -> None:
    assert anchor("Subject 1: status mart") == "subject-1-status-mart"
    assert anchor("HBase table DriverCarInfo") == "hbase-table-drivercarinfo"
    assert anchor("Spool and landing retention") == "spool-and-landing-retention"
    assert anchor("`wrk_date` and biz_date, again!") == "wrk_date-and-biz_date-again"


def test_a_bad_citation_is_caught(pages: dict[str, set[str]]) -> None:
    good = "see docs/business-rules.md#speeding and docs/schedules.md"
    assert broken_citations(good, pages) == []
    bad = "see docs/business-rules.md#speed-limit and docs/no-such-page.md#x"
    assert broken_citations(bad, pages) == ["business-rules.md#speed-limit", "no-such-page.md#x"]


def test_no_file_cites_the_former_spec() -> None:
    offenders = []
    for path in scanned_files():
        if path == HISTORY_NOTE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if FORMER_SPEC in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == [], f"cite a docs/ section instead of {FORMER_SPEC}: {offenders}"


def test_every_docs_citation_resolves(pages: dict[str, set[str]]) -> None:
    assert pages, "docs/ has no pages"
    broken = []
    for path in scanned_files():
        if path == Path(__file__).resolve():
            continue  # its examples of bad citations are bad on purpose
        text = path.read_text(encoding="utf-8", errors="replace")
        in_docs = path.parent == DOCS
        broken += [f"{path.relative_to(ROOT)}: {c}" for c in broken_citations(text, pages, in_docs=in_docs)]
    assert broken == [], f"citations of missing docs pages or anchors: {broken}"
