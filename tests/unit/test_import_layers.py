"""Imports go one way, down the layers of docs/architecture.md, and never in a circle.

Like the DAG-integrity test this reads the code, not a list someone keeps: every ``import`` and
``from ... import`` in the platform's own packages (at module level, inside functions and under
``TYPE_CHECKING`` alike) is an edge, and an edge may only point to the same layer or one below.
Inside a layer the packages must not import each other in a cycle, nor may modules anywhere.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first; a module may import its own layer and those listed before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("smartcar.settings", "smartcar.core")),
    ("lake", ("smartcar.lake",)),
    (
        "domains",
        (
            "smartcar.ingest",
            "smartcar.records",
            "smartcar.quality",
            "smartcar.export",
            "smartcar.warehouse",
            "smartcar.ml",
        ),
    ),
    ("stream", ("streaming", "simulator")),
    ("airflow", ("smartcar.airflow",)),
    ("runtime", ("smartcar.runtime",)),
    ("entry points", ("smartcar.cli",)),
    ("plugins", ("smartcar_ui", "smartcar_quality")),
    ("dags", ("dags",)),
    ("bench", ("bench",)),
]

SOURCE_DIRS = {
    "smartcar": "smartcar",
    "streaming": "streaming",
    "simulator": "simulator",
    "smartcar_ui": "plugins/smartcar_ui",
    "smartcar_quality": "plugins/smartcar_quality",
    "dags": "dags",
    "bench": "bench",
}


def _module_name(top: str, path: Path, base: Path) -> str:
    parts = [top, *path.relative_to(base).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top, folder in SOURCE_DIRS.items():
        base = ROOT / folder
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(top, path, base)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The platform module an imported name lands in (``a.b.c`` -> ``a.b`` if ``c`` is an attribute)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(path: Path) -> set[str]:
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "tests":
                targets.add("tests")
            elif (module := _resolve(name)) is not None:
                targets.add(module)
    return targets


GRAPH = {module: _imports(path) - {module} for module, path in MODULES.items()}


def _layer_of(module: str) -> tuple[int, str]:
    best: tuple[int, str, int] | None = None
    for rank, (_, packages) in enumerate(LAYERS):
        for package in packages:
            inside = module == package or module.startswith(package + ".")
            if inside and (best is None or len(package) > best[2]):
                best = (rank, package, len(package))
    if best is None:
        raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS and docs/architecture.md")
    return best[0], best[1]


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        if module != "smartcar":
            _layer_of(module)


def test_imports_only_point_down() -> None:
    upward = []
    for module, targets in GRAPH.items():
        if module == "smartcar":
            continue
        rank, _ = _layer_of(module)
        for target in targets:
            if target == "tests":
                upward.append(f"{module} imports the test suite")
            elif target != "smartcar" and _layer_of(target)[0] > rank:
                upward.append(f"{module} ({LAYERS[rank][0]}) imports {target} ({LAYERS[_layer_of(target)[0]][0]})")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if not todo:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            nxt = todo.pop()
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(graph.get(nxt, ()))))
    return None


def test_no_module_imports_itself_in_a_circle() -> None:
    cycle = _cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle or [])


def test_no_two_packages_import_each_other() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        if module == "smartcar":
            continue
        source = _layer_of(module)[1]
        packages[source] |= {_layer_of(t)[1] for t in targets if t not in ("smartcar", "tests")} - {source}
    cycle = _cycle(dict(packages))
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("graph", "expected"),
    [({"a": {"b"}, "b": {"c"}, "c": set()}, None), ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"])],
)
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]], expected: list[str] | None) -> None:
    assert _cycle(graph) == expected
