"""The layers run one way, cli → workflow → store, and no module imports itself back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("workflow", "store", "cli")
FORBIDDEN = {
    "store": {"thidua.workflow", "thidua.cli", "transitions", "click"},
    "workflow": {"thidua.cli", "click"},
}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (never executed)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in ast.walk(child))
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_names(path: Path) -> set[str]:
    """The full dotted name of every module (or module attribute) imported in ``path``,
    at module level or inside a function, outside ``TYPE_CHECKING`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _is_under(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_runs_against_the_layers(package: str) -> None:
    """No module of store/ or workflow/ imports a layer above it (or its framework)."""
    offending = {
        str(path.relative_to(ROOT)): sorted(n for n in imported_names(path)
                                            if _is_under(n, FORBIDDEN[package]))
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The import scanner does find a forbidden import (so the rule above can fail)."""
    module = tmp_path / "bad.py"
    module.write_text("import click\nfrom thidua.cli.main import main\n", encoding="utf-8")
    assert {n for n in imported_names(module) if _is_under(n, FORBIDDEN["workflow"])} == {
        "click", "thidua.cli.main", "thidua.cli.main.main"}


def modules() -> dict[str, Path]:
    """Every module of the three layers by its installed name (migrations aside)."""
    found = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = ("thidua", *path.relative_to(ROOT).with_suffix("").parts)
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def import_graph(found: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the modules of ours it imports (``from a import b`` counts ``a.b`` when ``b`` is
    a module, else ``a``)."""
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        edges = {n for n in imported_names(path) if n in found}
        graph[name] = {e for e in edges if e != name}
    return graph


def _reached(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        v = todo.pop()
        if v not in seen:
            seen.add(v)
            todo += graph.get(v, ())
    return seen


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of more than one module that import each other, directly or not."""
    reached = {v: _reached(graph, v) for v in graph}
    found: list[list[str]] = []
    for v in sorted(graph):
        group = sorted(w for w in reached[v] if v in reached.get(w, ()))
        if len(group) > 1 and group not in found:
            found.append(group)
    return found


def test_no_import_circle() -> None:
    """The module graph of workflow/, store/ and cli/ has no circle (lazy imports count)."""
    assert circles(import_graph(modules())) == []


def test_the_circle_finder_finds_one() -> None:
    """A circle of three modules is found (so the test above can fail)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


# SQL is written in store/, next to the tables; workflow/ calls its named queries.
SQL_BUILDERS = {f"sqlalchemy.{name}" for name in (
    "select", "insert", "update", "delete", "func", "text", "bindparam", "or_", "and_",
    "exists", "literal", "literal_column", "case", "Select", "Table")}


def test_workflow_builds_no_sql() -> None:
    """No workflow module builds a SQL statement itself: queries live in store/."""
    found = {
        str(path.relative_to(ROOT)): sorted(imported_names(path) & SQL_BUILDERS)
        for path in sorted((ROOT / "workflow").rglob("*.py"))
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_the_sql_check_sees_a_statement(tmp_path: Path) -> None:
    """A module that imports select is caught (so the rule above can fail)."""
    module = tmp_path / "querying.py"
    module.write_text("from sqlalchemy import func, select\n", encoding="utf-8")
    assert imported_names(module) & SQL_BUILDERS == {"sqlalchemy.func", "sqlalchemy.select"}
