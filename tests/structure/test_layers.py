"""The layers of dsr: no folder imports one above it, and no two modules import each other.

The allowed order is written once, in docs/architecture.md (the `layers` block); this test
reads it from there, so the document and the check cannot drift apart.
"""

from __future__ import annotations

import re
from collections import defaultdict

from tests.structure.imports import (
    REPO,
    Import,
    all_imports,
    module_name,
    product_files,
    top_level_names,
)

DOC = REPO / "docs" / "architecture.md"


def layers() -> list[set[str]]:
    """Lowest first: each line of the block is one layer, highest at the top."""
    found = re.search(r"```layers\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/architecture.md has no ```layers block"
    rows = [line.split() for line in found.group(1).splitlines() if line.strip()]
    return [set(row) for row in reversed(rows)]


def rank() -> dict[str, int]:
    return {name: level for level, row in enumerate(layers()) for name in row}


def test_every_top_level_folder_has_a_layer() -> None:
    missing = top_level_names() - set(rank())
    assert not missing, f"give these a layer in docs/architecture.md: {sorted(missing)}"


def upward(imports: list[Import], ranks: dict[str, int]) -> list[str]:
    """Imports that reach a layer above the importer's, or a sibling in the same layer."""
    wrong = []
    for imp in imports:
        src, dst = imp.source.split(".")[0], imp.target.split(".")[0]
        if dst not in ranks or src == dst:
            continue
        if ranks[dst] >= ranks[src]:
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target}")
    return wrong


def test_no_module_imports_a_higher_or_sibling_layer() -> None:
    wrong = upward(all_imports(), rank())
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_check_catches_an_upward_import() -> None:
    """The check itself can fail: a store module importing the API is caught."""
    ranks = rank()
    assert upward([Import("store.registry", "api.app", 1)], ranks)
    assert upward([Import("store.registry", "connectors.base", 1)], ranks)  # siblings
    assert not upward([Import("api.app", "store.registry", 1)], ranks)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other() -> None:
    modules = {module_name(p) for p in product_files()}
    edges: dict[str, set[str]] = defaultdict(set)
    for imp in all_imports():
        if imp.target in modules and imp.target != imp.source:
            edges[imp.source].add(imp.target)
    found = cycles(edges)
    assert not found, f"import cycles: {found}"


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
