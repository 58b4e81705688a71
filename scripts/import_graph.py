"""kcheck's import graph in short: the cycles between modules and the edges between packages.

`lint-imports` says whether the layers hold; this prints the picture, for comparing two
checkouts: `PYTHONPATH=<checkout> python scripts/import_graph.py` (grimp comes with
import-linter, a dev dependency).
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict

import grimp

FRONT_DOORS = ("api", "review_ui", "web", "workers", "commands", "cli")


def package_of(graph, module: str) -> str:
    """The sub-package a module belongs to; the top-level modules together form `<core>`."""
    parts = module.split(".")
    if len(parts) == 1:
        return "kcheck"
    name = parts[1]
    if name in FRONT_DOORS or graph.find_children(f"kcheck.{name}"):
        return name
    return "<core>"


def cycles(graph) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def main() -> None:
    print("source:", importlib.util.find_spec("kcheck").origin)
    graph = grimp.build_graph("kcheck", cache_dir=None)
    found = cycles(graph)
    print(f"modules: {len(graph.modules)}; import cycles: {len(found)}")
    for group in found:
        print("  cycle:", " <-> ".join(m.removeprefix("kcheck.") for m in group))
    edges = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = package_of(graph, module), package_of(graph, imported)
            if a != b:
                edges[a].add(b)
    print("package edges (importer -> imported):")
    for a in sorted(edges):
        print(f"  {a} -> {', '.join(sorted(edges[a]))}")
    crossing = sorted(f"{a}->{b}" for a in edges for b in edges[a]
                      if a in FRONT_DOORS and b in FRONT_DOORS)
    print("front door -> another front door:", ", ".join(crossing) or "none")
    print("domain imports:", ", ".join(sorted(edges.get("domain", ()))) or "nothing outside it")


if __name__ == "__main__":
    main()
