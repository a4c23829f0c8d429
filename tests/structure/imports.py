"""Reads the project's own imports, statically: every module under the top-level folders."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIPPED = {"tests", "bench", "docs", "deploy", "var"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted, as written (absolute)
    line: int


def top_level_names() -> set[str]:
    """Folders holding Python packages, and top-level modules, of the product."""
    names = set()
    for path in REPO.iterdir():
        if path.name.startswith(".") or path.name in SKIPPED:
            continue
        if path.is_dir() and any(path.rglob("*.py")):
            names.add(path.name)
        elif path.suffix == ".py":
            names.add(path.stem)
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_files() -> Iterator[Path]:
    for top in sorted(top_level_names()):
        path = REPO / top
        if path.is_dir():
            yield from sorted(path.rglob("*.py"))
        else:
            yield path.with_suffix(".py")


def imports_of(path: Path) -> Iterator[Import]:
    """Every import in the file, wherever it stands (functions and TYPE_CHECKING included)."""
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield Import(source, base, node.lineno)
            # `from package import module` names a module too.
            for alias in node.names:
                yield Import(source, f"{base}.{alias.name}", node.lineno)


def all_imports() -> list[Import]:
    return [imp for path in product_files() for imp in imports_of(path)]
