"""Fixtures of the attack and fault tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.helpers import start
from tests.conftest import populate
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """A populated SQLite database with a cycle started."""
    db = Database(sqlite_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    start(db)
    yield db
    db.close()
