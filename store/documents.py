"""Queries on the stored documents, each kept once under the SHA-256 of its content. They
return rows, chunks or None; the workflow layer checks the content against its hash.

A document's content is written and read a chunk at a time, never whole: on SQLite through
its incremental blob I/O (the row is inserted as zeros of the right size, then written), on
PostgreSQL with ``COPY`` (written) and ``substring`` (read). The events that cite a document
are in the ledger (:func:`store.ledger.citing`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, bindparam, case, func, insert, literal, select, text

from thidua.store.models import Document
from thidua.store.query import connection, run

if TYPE_CHECKING:
    from thidua.store.query import Target

CHUNK = 1 << 20  # bytes read or written at a time
_DOCUMENTS = cast(Table, Document.__table__)


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


def has(target: Target, sha256: str) -> bool:
    """True when the document ``sha256`` is stored."""
    return run(target, _HAS, sha256=sha256).first() is not None


def add(target: Target, *, sha256: str, name: str, size: int, chunks: Iterable[bytes]) -> None:
    """Store the ``size`` bytes that ``chunks`` give under their hash ``sha256``, with their
    file name, a chunk at a time (``chunks`` raises to abandon it)."""
    conn = connection(target)
    if conn.dialect.name == "sqlite":
        conn.execute(_ADD_ZEROS, {"sha256": sha256, "name": name, "size": size})
        rowid = conn.execute(_ROWID, {"sha256": sha256}).scalar_one()
        with conn.connection.driver_connection.blobopen(
                "documents", "content", rowid) as blob:
            for chunk in chunks:
                blob.write(chunk)
        return
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        copy.write(f"{sha256}\t{_copy_text(name)}\t{size}\t\\\\x")
        for chunk in chunks:
            copy.write(chunk.hex())
        copy.write("\n")


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
        with conn.connection.driver_connection.blobopen(
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
