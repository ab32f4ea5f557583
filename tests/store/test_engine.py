"""Engines: which database a URL or path means, SQLite durability settings, the operator."""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from thidua.store.engine import StoreError, make_engine, operator, resolve_url
from thidua.workflow.services.db import Database

RESOLVED = [
    ("thidua.db", "sqlite:///thidua.db"),
    ("data/cum5.db", "sqlite:///data/cum5.db"),
    ("/var/lib/thidua/cum5.db", "sqlite:////var/lib/thidua/cum5.db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
    ("postgresql://thidua@db.local:5432/thidua", "postgresql+psycopg://thidua@db.local:5432/thidua"),
    ("postgres://thidua@db.local/thidua", "postgresql+psycopg://thidua@db.local/thidua"),
    ("postgresql+psycopg://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
]


@pytest.mark.parametrize(("given", "expected"), RESOLVED, ids=[g for g, _ in RESOLVED])
def test_resolve_url(given: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain path is a SQLite file; postgresql:// and postgres:// use psycopg 3."""
    monkeypatch.setenv("THIDUA_DB", "ignored.db")
    assert resolve_url(given) == expected


def test_resolve_url_takes_thidua_db_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a URL, $THIDUA_DB names the database (and is resolved the same way)."""
    monkeypatch.setenv("THIDUA_DB", "postgresql://postgres@127.0.0.1/thidua")
    assert resolve_url(None) == "postgresql+psycopg://postgres@127.0.0.1/thidua"
    monkeypatch.setenv("THIDUA_DB", "shared/cum5.db")
    assert resolve_url(None) == "sqlite:///shared/cum5.db"


def test_resolve_url_defaults_to_thidua_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a URL or $THIDUA_DB, the database is the file thidua.db."""
    monkeypatch.delenv("THIDUA_DB", raising=False)
    assert resolve_url(None) == "sqlite:///thidua.db"


@pytest.mark.parametrize("url", ["nosuchdb://host/db", "http://example.com/db"])
def test_unknown_kind_of_database_is_a_store_error(url: str) -> None:
    """A URL naming no database thidua can use is a StoreError, not a SQLAlchemy traceback."""
    with pytest.raises(StoreError):
        make_engine(url)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a new SQLite file."""
    engine = make_engine(str(tmp_path / "cum5.db"))
    yield engine
    engine.dispose()


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(f"PRAGMA {name}")).scalar()


def test_sqlite_file_uses_wal(sqlite_engine: Engine) -> None:
    """A SQLite file runs in WAL mode."""
    assert _pragma(sqlite_engine, "journal_mode") == "wal"


def test_sqlite_file_is_synchronous_full(sqlite_engine: Engine) -> None:
    """A SQLite file syncs fully (synchronous=2, FULL) so a recorded step survives a power cut."""
    assert _pragma(sqlite_engine, "synchronous") == 2


def test_sqlite_has_a_busy_timeout(sqlite_engine: Engine) -> None:
    """Concurrent writers wait for each other (a busy timeout of seconds) instead of failing."""
    timeout = _pragma(sqlite_engine, "busy_timeout")
    assert isinstance(timeout, int)
    assert timeout >= 1000


def test_sqlite_enforces_foreign_keys(sqlite_engine: Engine) -> None:
    """SQLite checks foreign keys, as PostgreSQL does."""
    assert _pragma(sqlite_engine, "foreign_keys") == 1


def test_every_pooled_connection_is_configured(sqlite_engine: Engine) -> None:
    """The settings hold on each new connection of the pool, not just the first one."""
    first, second = sqlite_engine.raw_connection(), sqlite_engine.raw_connection()
    try:
        for conn in (first, second):
            cursor = conn.cursor()
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
            cursor.close()
    finally:
        first.close()
        second.close()


def test_sqlite_operator_is_the_os_account(sqlite_engine: Engine) -> None:
    """On SQLite the operator is the OS account running thidua."""
    assert operator(sqlite_engine) == pwd.getpwuid(os.geteuid()).pw_name


@pytest.mark.postgres
def test_postgresql_operator_is_the_database_login(pg_url: str) -> None:
    """On PostgreSQL the operator is the database login (here: postgres)."""
    engine = make_engine(pg_url)
    try:
        assert operator(engine) == "postgres"
    finally:
        engine.dispose()


def test_database_records_the_operator(db: Database) -> None:
    """Database.operator is the login on PostgreSQL and the OS account on SQLite."""
    account = pwd.getpwuid(os.geteuid()).pw_name
    expected = "postgres" if db.engine.dialect.name == "postgresql" else account
    assert db.operator == expected
