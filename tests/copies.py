"""Populated SQLite databases copied from one template: hypothesis examples share no fixture
reset, so each takes a fresh copy instead."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import populate
from thidua.workflow.services.db import Database

_EXAMPLES = itertools.count()


def populated_template(folder: Path) -> Path:
    """A SQLite file in ``folder`` with the schema and Cluster 5's people, all in the main file."""
    path = folder / "template.db"
    db = Database(str(path))
    populate(db)
    db.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@contextmanager
def fresh_copy(template: Path) -> Iterator[Database]:
    """A database of its own, copied from ``template`` and removed afterwards."""
    path = template.with_name(f"example-{next(_EXAMPLES)}.db")
    shutil.copyfile(template, path)
    db = Database(str(path))
    try:
        yield db
    finally:
        db.close()
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
