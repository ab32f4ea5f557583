"""``thidua db``: upgrade and current, on a fresh and on an upgraded database."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

from tests.cli.helpers import error, invoke, ok, parsed
from tests.conftest import Invoke
from thidua.store import schema
from thidua.workflow.services.db import Database

HEAD = schema.HEAD


def test_upgrade_creates_the_schema(db_url: str) -> None:
    """`db upgrade` on an empty database creates the schema and names the revision."""
    assert f"database at revision {HEAD}" in ok(invoke(db_url, "db", "upgrade"))
    assert parsed(invoke(db_url, "db", "current", json=True))["up_to_date"] is True


def test_upgrade_twice_is_harmless(cli: Invoke) -> None:
    """Upgrading an up-to-date database changes nothing and still exits 0."""
    assert f"revision {HEAD}" in ok(cli("db", "upgrade"))
    assert parsed(cli("db", "upgrade", json=True)) == {"revision": HEAD}


def test_current_text(cli: Invoke, db: Database) -> None:
    """`db current` shows the URL, the revision, the one needed, and that it is up to date."""
    out = ok(cli("db", "current"))
    lines = dict(line.split(None, 1) if not line.startswith("up to date")
                 else ("up to date", line.removeprefix("up to date").strip())
                 for line in out.splitlines())
    assert lines["database"].strip() == db.url
    assert lines["revision"].strip() == HEAD
    assert lines["needed"].strip() == HEAD
    assert lines["up to date"] == "yes"


def test_current_json(cli: Invoke, db: Database) -> None:
    """`--json db current` gives url, revision, head, up_to_date and the names stored in
    another Unicode form (none)."""
    assert parsed(cli("db", "current", json=True)) == {
        "url": db.url, "revision": HEAD, "head": HEAD, "up_to_date": True, "names": []}


def test_current_on_an_empty_database(db_url: str) -> None:
    """On a database without a schema, `db current` says so instead of failing."""
    if not db_url.startswith("postgresql"):
        Path(db_url).touch()  # a file that is there, but empty
    out = ok(invoke(db_url, "db", "current"))
    assert "(no schema)" in out
    assert "up to date  no" in out
    status = parsed(invoke(db_url, "db", "current", json=True))
    assert status["revision"] is None
    assert status["up_to_date"] is False


def test_commands_on_an_empty_database(db_url: str) -> None:
    """A new SQLite file is created by the first command that records, never by one that
    reads (exit 5, no file left); PostgreSQL asks for `db upgrade` (exit 2)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke(db_url, "cycle", "list")
        gc.collect()
    if db_url.startswith("postgresql"):
        assert "thidua db upgrade" in error(result, 2)
    else:
        assert f"no database at {db_url}" in error(result, 5)
        assert not Path(db_url).exists()
        ok(invoke(db_url, "actor", "add", "Lê Anh Thư"))
        assert parsed(invoke(db_url, "db", "current", json=True))["up_to_date"] is True
        ok(invoke(db_url, "cycle", "list"))
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], "a refused open left a database connection open"
