"""Queries on the stored documents, each kept once under the SHA-256 of its content. They
return rows, chunks or None; the workflow layer checks the content against its hash.

A document's content is written and read a chunk at a time, never whole: on SQLite through
its incremental blob I/O (the row is inserted as zeros of the right size, then written), on
PostgreSQL with ``COPY`` (written) and ``substring`` (read). The events that cite a document
are in the ledger (:func:`store.ledger.citing`).

Those blob and ``COPY`` calls go to the driver itself, past SQLAlchemy: a failure of the
database they meet (a lost connection, a full disk) is raised as SQLAlchemy's
:class:`~sqlalchemy.exc.DBAPIError` around the driver's own, as every other statement's is,
so that the services say it in one plain line."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, case, func, insert, literal, select, text
from sqlalchemy.exc import DBAPIError

from thidua.store import tables as t
from thidua.store.query import connection, run

if TYPE_CHECKING:
    from thidua.store.query import Target

CHUNK = 1 << 20  # bytes read or written at a time
_DOCUMENTS = t.documents
Document = t.documents.c  # the columns (Core: a step that stores a document loads no ORM)


def _kind(dialect: str) -> Any:
    """What the content column holds: ``blob`` as thidua writes it; on SQLite, whose columns
    take any type, ``text``, ``integer``, ``real`` or ``null`` when written outside thidua."""
    if dialect == "sqlite":
        return func.typeof(Document.content)
    return case((Document.content.is_(None), literal("null")), else_=literal("blob"))


def _described(dialect: str) -> Any:
    return select(Document.sha256, Document.name, Document.size,
                  func.coalesce(func.length(Document.content), 0).label("stored"),
                  _kind(dialect).label("kind"))


_DESCRIBED = {name: _described(name).order_by(Document.sha256)
              for name in ("sqlite", "postgresql")}
_STARTING = {name: _described(name).where(Document.sha256.startswith(bindparam("prefix")))
             .limit(2) for name in ("sqlite", "postgresql")}
_HAS = select(Document.sha256).where(Document.sha256 == bindparam("sha256"))
_LISTED = select(Document.sha256, Document.name, Document.size).order_by(Document.sha256)
_ADD_ZEROS = insert(_DOCUMENTS).values(sha256=bindparam("sha256"), name=bindparam("name"),
                                       size=bindparam("size"),
                                       content=func.zeroblob(bindparam("size")))
_SLICE = select(func.substring(Document.content, bindparam("offset"), bindparam("length"))
                ).where(Document.sha256 == bindparam("sha256"))
_ROWID = text("SELECT rowid FROM documents WHERE sha256 = :sha256")  # SQLite's own key
_COPY = "COPY documents (sha256, name, size, content) FROM STDIN"
_KEY = "documents_pkey"  # PostgreSQL's name for the primary key the migrations made
# psycopg logs a COPY it could not end (its connection lost) as a warning: with no logging set
# up, Python would print it to standard error beside thidua's own line. A program that sets
# up logging still gets it (this handler does not stop it from propagating).
logging.getLogger("psycopg").addHandler(logging.NullHandler())


def has(target: Target, sha256: str) -> bool:
    """True when the document ``sha256`` is stored."""
    return run(target, _HAS, sha256=sha256).first() is not None


def add(target: Target, *, sha256: str, name: str, size: int, chunks: Iterable[bytes]) -> bool:
    """Store the ``size`` bytes that ``chunks`` give under their hash ``sha256``, with their
    file name, a chunk at a time (``chunks`` raises to abandon it). True when stored; False
    when another transaction stored the same document meanwhile (see :func:`_copy`): this one
    then keeps nothing of it, and cites the one stored."""
    conn = connection(target)
    if conn.dialect.name == "sqlite":
        conn.execute(_ADD_ZEROS, {"sha256": sha256, "name": name, "size": size})
        rowid = conn.execute(_ROWID, {"sha256": sha256}).scalar_one()
        with _driver(conn, "blobopen documents.content"), \
                conn.connection.driver_connection.blobopen("documents", "content", rowid) as blob:
            for chunk in chunks:
                blob.write(chunk)
        return True
    return _copy(conn, sha256=sha256, name=name, size=size, chunks=chunks)


def _copy(conn: Connection, *, sha256: str, name: str, size: int,
          chunks: Iterable[bytes]) -> bool:
    """The document's row written with ``COPY``, inside a savepoint. Two transactions that
    store the same document at once (two steps on different cycles attaching one file) both
    found it missing; the second one's row waits on the first one's key until that commits,
    and is then refused as a duplicate. The content is the same (its hash, the key, says so),
    so the second rolls back to its savepoint and goes on citing the stored one. Should the
    first roll back instead, the second's row is simply written."""
    from psycopg.errors import UniqueViolation  # the PostgreSQL driver, on PostgreSQL only

    driver: Any = conn.connection.driver_connection
    savepoint = conn.begin_nested()
    try:
        with _driver(conn, _COPY), driver.cursor() as cursor, cursor.copy(_COPY) as copy:
            copy.write(f"{sha256}\t{_copy_text(name)}\t{size}\t\\\\x")
            for chunk in chunks:
                copy.write(chunk.hex())
            copy.write("\n")
    except DBAPIError as exc:
        if not (isinstance(exc.orig, UniqueViolation) and
                exc.orig.diag.constraint_name == _KEY):
            raise
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


@contextmanager
def _driver(conn: Connection, statement: str) -> Iterator[None]:
    """The driver's own errors, raised by a call made past SQLAlchemy, as SQLAlchemy raises
    them for a statement: :class:`~sqlalchemy.exc.DBAPIError` (IntegrityError,
    OperationalError...) with the driver's error as ``orig``."""
    error = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except error as exc:
        raise DBAPIError.instance(statement, None, exc, error, dialect=conn.dialect,
                                  connection_invalidated=conn.dialect.is_disconnect(
                                      exc, conn.connection.dbapi_connection, None)) from exc


def _copy_text(text: str) -> str:
    """``text`` as a field of COPY's text format."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def chunks(target: Target, sha256: str) -> Iterator[bytes]:
    """The content of the document ``sha256``, a chunk at a time (nothing when it has none;
    only for a document whose content is stored as bytes, see :func:`described`)."""
    conn = connection(target)
    if conn.dialect.name == "sqlite":
        rowid = conn.execute(_ROWID, {"sha256": sha256}).scalar()
        if rowid is None:
            return
        with _driver(conn, "blobopen documents.content"), \
                conn.connection.driver_connection.blobopen(
                    "documents", "content", rowid, readonly=True) as blob:
            while chunk := blob.read(CHUNK):
                yield chunk
        return
    offset = 1
    while chunk := conn.execute(_SLICE, {"sha256": sha256, "offset": offset,
                                         "length": CHUNK}).scalar():
        yield bytes(chunk)
        offset += len(chunk)


def starting(target: Target, prefix: str) -> list[Any]:
    """At most two documents whose hash starts with ``prefix`` (two: the prefix is not
    unique), described (see :func:`described`)."""
    conn = connection(target)
    return list(conn.execute(_STARTING[conn.dialect.name], {"prefix": prefix}))


def listed(conn: Connection) -> Iterator[Any]:
    """Every stored document by hash, without its content: rows of ``sha256``, ``name`` and
    ``size``."""
    yield from conn.execute(_LISTED)


def described(conn: Connection) -> Iterator[Any]:
    """Every stored document by hash, without its content: rows of ``sha256``, ``name``,
    ``size`` (as recorded), ``stored`` (the length of the content) and ``kind`` (``blob``
    as thidua stores it, else what was put there instead)."""
    yield from conn.execute(_DESCRIBED[conn.dialect.name])
