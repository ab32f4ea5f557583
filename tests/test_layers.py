"""The layers run one way: cli → workflow → store (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "store": {"workflow", "cli", "transitions", "click"},
    "workflow": {"cli", "click"},
}


def imports_of(path: Path) -> set[str]:
    """The top-level package of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_runs_against_the_layers(package: str) -> None:
    """No module of store/ or workflow/ imports a layer above it (or its framework)."""
    offending = {
        str(path.relative_to(ROOT)): sorted(imports_of(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The import scanner does find a forbidden import (so the rule above can fail)."""
    module = tmp_path / "bad.py"
    module.write_text("import click\nfrom workflow.errors import NotFound\n", encoding="utf-8")
    assert imports_of(module) == {"click", "workflow"}
