"""The portal's packages import each other in one direction only (docs/architecture.md, "Which
package may import which"): a cycle between two packages fails here, naming the imports."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import portal

PORTAL = Path(portal.__file__).parent

# Imports that still point back down the graph, each with where it is; remove a line when its
# import goes. Nothing may be added here: a new cycle is mended by moving the shared piece to
# the package that owns it, or to a lower module.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()


def package_imports() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) → where, for every ``portal.X`` import between two
    of portal's packages, at module level or inside a function."""
    packages = {path.parent.name for path in PORTAL.glob("*/__init__.py")}
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in PORTAL.rglob("*.py"):
        source = path.relative_to(PORTAL).parts[0]
        if source not in packages:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                parts = name.split(".")
                target = parts[1] if len(parts) > 1 and parts[0] == "portal" else None
                if target in packages and target != source:
                    found[source, target].append(f"{path.relative_to(PORTAL)}:{node.lineno}")
    return found


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_cycle_between_portals_packages():
    imports = package_imports()
    found = cycles(set(imports) - KNOWN_BACK_EDGES)
    detail = [
        f"{source} -> {target}: {', '.join(dict.fromkeys(imports[source, target]))}"
        for group in found
        for source, target in sorted(imports)
        if source in group and target in group
    ]
    assert not found, "packages importing each other:\n" + "\n".join(detail)


def test_every_known_back_edge_is_still_there():
    stale = KNOWN_BACK_EDGES - set(package_imports())
    assert not stale, f"these imports are gone: remove them from KNOWN_BACK_EDGES: {stale}"


def test_the_check_sees_a_cycle():
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert cycles({("a", "b"), ("b", "c")}) == []
