"""Engines from a URL or a file path, and the schema check made before each use.

SQLite files get WAL with ``synchronous=FULL`` (a recorded step survives a power cut), a busy
timeout, foreign keys, and ``BEGIN IMMEDIATE`` so that writers queue instead of failing midway.
"""

from __future__ import annotations

import os
import pwd
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from thidua.store.said import said

DEFAULT_FILE = "thidua.db"
BEGIN_OPTION = "thidua_sqlite_begin"
NO_BEGIN = "NONE"  # the BEGIN_OPTION of reads of one statement each (see glancing)
BUSY_TIMEOUT_S = 30
LOCK_TIMEOUT_MS = 30_000
IDLE_TIMEOUT_MS = 60_000


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


def sqlite_path(url: str | None) -> str | None:
    """The file of a SQLite ``url`` (see :func:`resolve_url`), or None (another database, or
    one in memory)."""
    resolved = resolve_url(url)
    if not resolved.startswith("sqlite:///"):
        return None
    path = resolved.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in ("", ":memory:") else path


def read_mode(path: str) -> str | None:
    """How this account opens the SQLite file ``path`` to read it: None when it may write it
    (and make the -wal and -shm files beside it), else ``READ_ONLY`` (SQLite's ``mode=ro``,
    which needs a -shm file to be there already) or, when there is none and no -wal file
    holds recent steps, ``IMMUTABLE`` (read as a file on read-only media). StoreError when
    recent steps in a -wal file cannot be read without writing."""
    folder = os.path.dirname(path) or "."
    wal, shm = path + "-wal", path + "-shm"
    if _writable(path) and (_writable(folder) or (_writable(wal) and _writable(shm))):
        return None
    if os.path.exists(shm) and os.access(shm, os.R_OK):
        return READ_ONLY
    if not os.path.exists(wal) or os.path.getsize(wal) == 0:
        return IMMUTABLE
    raise StoreError(f"the database {path} is read-only for this account, and its latest "
                     f"steps, in {wal}, cannot be read without writing beside it: read it as "
                     "an account that can write its folder, or copy it (with its -wal file) "
                     "to one")


def _writable(path: str) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(path, os.W_OK, effective_ids=effective)


READ_ONLY, IMMUTABLE = "ro", "immutable"


def make_engine(url: str | None = None, *, read: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`), configured for thidua's durability;
    a SQLite file opened read-only when ``read`` (a :func:`read_mode`) says so."""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise said(StoreError, "not a database URL or file path: {url!r}", url=url) from None
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(resolved)
        if read is not None and path is not None:
            engine = create_engine(parsed, creator=_read_only(path, read))
        else:
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
        _sqlite_setup(engine, wal=path is not None and read is None)
        return engine
    backend = parsed.get_backend_name()
    try:
        # A client that hangs inside a transaction must not hold a lock for everyone else.
        return create_engine(parsed, pool_pre_ping=False, connect_args={
            "options": f"-c lock_timeout={LOCK_TIMEOUT_MS} "
                       f"-c idle_in_transaction_session_timeout={IDLE_TIMEOUT_MS}"})
    except NoSuchModuleError:
        raise said(StoreError, "thidua cannot use {backend!r} databases: give a SQLite file "
                   "path or a postgresql:// URL", backend=backend) from None
    except ModuleNotFoundError as exc:
        if backend == "postgresql":
            raise said(StoreError, "the database driver is not installed ({name}); install "
                       "thidua[postgres]", name=exc.name) from None
        raise said(StoreError, "the database driver is not installed ({name})",
                   name=exc.name) from None


def reader(engine: Engine) -> Engine:
    """The same engine for read-only work: on SQLite its transactions do not take the write
    lock, so a long read (an audit) never holds up a step."""
    return engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})


def glancing(conn: Connection, on: bool) -> None:
    """Make ``conn`` (of the writing engine, outside a transaction) run each statement on its
    own, outside any transaction, each seeing the database as it is when it runs (``on``: no
    BEGIN on SQLite, autocommit on PostgreSQL, one round trip a statement), or write again
    (not ``on``). A step's first look at its cycle's version, before its own transaction."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT" if on
                               else conn.default_isolation_level)
    else:
        conn.execution_options(**{BEGIN_OPTION: NO_BEGIN if on else "IMMEDIATE"})


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection inside one read-only transaction that sees one snapshot of the whole
    database until it ends (REPEATABLE READ on PostgreSQL; on SQLite a deferred transaction,
    which never holds up a step): what the auditor reads first and last agree."""
    with reader(engine).connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def _read_only(path: str, mode: str) -> Callable[[], sqlite3.Connection]:
    """Connections to ``path`` that can only read it, as a URI: ``mode=ro``, and with
    ``immutable=1`` for a file whose folder this account cannot write (no -shm file can be
    made, and none is there)."""
    target = f"file:{quote(os.path.abspath(path))}?mode=ro"
    if mode == IMMUTABLE:
        target += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_S,
                               check_same_thread=False)

    return connect


def _sqlite_setup(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) so that they queue on the busy
        # timeout instead of failing midway; readers ask for DEFERRED and never block writers.
        mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        if mode != NO_BEGIN:
            conn.exec_driver_sql(f"BEGIN {mode}")


def operator(engine: Engine) -> str:
    """Who is entering data: the database login on PostgreSQL, the OS account on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT current_user")).scalar_one())
    return os_account()


def os_account() -> str:
    """The name of the account this process runs as: the effective uid's, from the system's
    account database. Never from ``LOGNAME`` or ``USER``, which anyone can set."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None when it has no schema."""
    with reader(engine).connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
