"""Engines from a URL or a file path, and the schema check made before each use.

SQLite files get WAL with ``synchronous=FULL`` (a recorded step survives a power cut), a busy
timeout, foreign keys, and ``BEGIN IMMEDIATE`` so that writers queue instead of failing midway.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_FILE = "thidua.db"
BUSY_TIMEOUT_S = 30


class StoreError(Exception):
    """A problem with the database itself (wrong URL, schema not ready)."""


class SchemaNotReady(StoreError):
    """The database has no schema, or an older one: ``thidua db upgrade`` mends it."""


def resolve_url(url: str | None) -> str:
    """``url`` or ``$THIDUA_DB`` or ``thidua.db``; a plain path is taken as a SQLite file."""
    url = url or os.environ.get("THIDUA_DB") or DEFAULT_FILE
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`), configured for thidua's durability."""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise StoreError(f"not a database URL or file path: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
        _sqlite_setup(engine, in_memory=parsed.database in (None, "", ":memory:"))
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=False)
    except ModuleNotFoundError as exc:
        raise StoreError(f"the database driver is not installed ({exc.name}); "
                         "install thidua[postgres]") from None


def _sqlite_setup(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def operator(engine: Engine) -> str:
    """Who is entering data: the database login on PostgreSQL, the OS account on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT current_user")).scalar_one())
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None when it has no schema."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
