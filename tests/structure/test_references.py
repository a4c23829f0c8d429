"""Every reference in the code and the docs resolves to a file of this repository.

Paths (`workflows/case.py`, `docs/connectors.md`), Markdown links, and cited sections
(`docs/architecture.md, "Layers"`) are checked; documents that live outside the repository
cannot be cited at all.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.structure.imports import REPO

CHECKED = (".py", ".md", ".toml", ".mako", ".cfg", ".sh", ".yaml", ".yml")
# Documents of the team's briefing, which a reader of the repository does not have.
OUTSIDE = re.compile(r"ARCHITECTURE ?§|PROTOCOLS\.md|LAW\.md|STYLE\.md|\.\./shared|\bSTYLE\)")
URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
PATH = re.compile(
    r"(?<![\w./$~-])((?:[\w.-]+/)+[\w.-]+\.(?:py|md|toml|json|yaml|yml|mako|txt|sh|cfg))\b"
)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
SECTION = re.compile(r"(docs/[\w./-]+\.md),? (?:section )?\"([^\"]+)\"")


TOP_FOLDERS = {p.name for p in REPO.iterdir() if p.is_dir() and not p.name.startswith(".")}
IGNORED = {"__pycache__", "build", "dist", "var"}
# This file holds wrong references on purpose, to show the check finds them.
SELF = Path(__file__).resolve()


def tracked_files() -> list[Path]:
    """The repository's own text files: no tool caches, environments or local state."""
    files = []
    for path in sorted(REPO.rglob("*")):
        parts = path.relative_to(REPO).parts
        if any(p.startswith(".") or p in IGNORED for p in parts[:-1]):
            continue
        if path.suffix in CHECKED and path.is_file() and path.resolve() != SELF:
            files.append(path)
    return files


def headings(doc: Path) -> set[str]:
    return {
        line.lstrip("#").strip() for line in doc.read_text().splitlines() if line.startswith("#")
    }


def broken_references(path: Path) -> list[str]:
    text = URL.sub("", path.read_text())
    where = path.relative_to(REPO)
    found = [
        f"{where}: cites {m.group(0)!r}, outside the repository" for m in OUTSIDE.finditer(text)
    ]
    for m in PATH.finditer(text):
        target = m.group(1)
        # Only paths into this repository's folders; `data/billing/x.json` in an archive is not.
        if target.split("/")[0] not in TOP_FOLDERS:
            continue
        if not ((REPO / target).exists() or (path.parent / target).exists()):
            found.append(f"{where}: {target} does not exist")
    if path.suffix == ".md":
        for m in LINK.finditer(text):
            if not (path.parent / m.group(1)).exists():
                found.append(f"{where}: link to {m.group(1)} does not exist")
    for m in SECTION.finditer(text):
        doc = REPO / m.group(1)
        if doc.exists() and m.group(2) not in headings(doc):
            found.append(f"{where}: {m.group(1)} has no section {m.group(2)!r}")
    return found


def test_every_reference_resolves() -> None:
    broken = [b for path in tracked_files() for b in broken_references(path)]
    assert not broken, "\n".join(broken)


def test_the_check_catches_a_missing_file_and_an_outside_document(tmp_path: Path) -> None:
    probe = REPO / "docs" / "probe-of-the-reference-check.md"
    probe.write_text(
        'See workflows/no_such_module.py, [x](nowhere.md), docs/architecture.md, "No such '
        'part" and PROTOCOLS.md.\n'
    )
    try:
        broken = broken_references(probe)
    finally:
        probe.unlink()
    assert len(broken) == 4, broken
