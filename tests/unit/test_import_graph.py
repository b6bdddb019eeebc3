"""The package's import graph: no cycles, and the model's modules stay small.

Every ``import`` and ``from ... import`` of a ``carecoord`` module counts, including those
under ``if TYPE_CHECKING:`` (a cycle hidden from the interpreter still ties the modules together).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import carecoord

PACKAGE = Path(next(iter(carecoord.__path__)))  # a namespace package: no __init__.py
MAX_MODEL_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The carecoord modules a file imports (``from a import b`` counts ``a.b`` when it is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in modules:
                found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: _imports(path, modules) - {name} for name, path in files.items()}


def test_graph_sees_known_edges() -> None:
    """The parser finds real imports (so an empty graph cannot pass the cycle test)."""
    graph = import_graph()
    assert "carecoord.model.world" in graph["carecoord.model.run"]
    assert "carecoord.model.care.plan" in graph["carecoord.model.world"]
    assert "carecoord.locations" in graph["carecoord.cohort"]


def test_no_import_cycle() -> None:
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as err:
        pytest.fail(f"import cycle: {' -> '.join(err.args[1])}")


def test_cohort_does_not_import_the_model() -> None:
    """Layers: the cohort (arm-independent) sits below the model."""
    graph = import_graph()
    below = ("carecoord.cohort", "carecoord.rates", "carecoord.recording", "carecoord.locations")
    for name in below:
        assert not any(dep.startswith("carecoord.model") for dep in graph[name]), name


def test_model_modules_are_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in (PACKAGE / "model").rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_MODEL_LINES} == {}
