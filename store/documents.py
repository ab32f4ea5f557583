"""Queries on the stored documents, each kept once under the SHA-256 of its content. They
return rows or None; the workflow layer checks the content against its hash. The events that
cite a document are in the ledger (:func:`store.ledger.citing`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select

from thidua.store.models import Document
from thidua.store.query import Target, run

BATCH = 8  # documents are read a few at a time: their content may be large
_DOCUMENTS = cast(Table, Document.__table__)

_HAS = select(Document.sha256).where(Document.sha256 == bindparam("sha256"))
_STARTING = (select(Document.sha256, Document.name, Document.size, Document.content)
             .where(Document.sha256.startswith(bindparam("prefix"))).limit(2))
_LISTED = select(Document.sha256, Document.name, Document.size).order_by(Document.sha256)
_CONTENTS = (select(Document.sha256, Document.name, Document.size, Document.content)
             .order_by(Document.sha256))
_ADD = insert(_DOCUMENTS)


def has(target: Target, sha256: str) -> bool:
    """True when the document ``sha256`` is stored."""
    return run(target, _HAS, sha256=sha256).first() is not None


def add(target: Target, *, sha256: str, name: str, content: bytes) -> None:
    """Store ``content`` under its hash ``sha256``, with its file name and size."""
    run(target, _ADD, sha256=sha256, name=name, size=len(content), content=content)


def starting(target: Target, prefix: str) -> list[Any]:
    """At most two documents whose hash starts with ``prefix`` (two: the prefix is not
    unique): rows of ``sha256``, ``name``, ``size`` and ``content``."""
    return list(run(target, _STARTING, prefix=prefix))


def listed(conn: Connection) -> Iterator[Any]:
    """Every stored document by hash, without its content: rows of ``sha256``, ``name`` and
    ``size``."""
    yield from conn.execute(_LISTED)


def contents(conn: Connection) -> Iterator[Any]:
    """Every stored document by hash with its content, streamed a few at a time (content may
    be large: memory stays bounded): rows of ``sha256``, ``name``, ``size`` and ``content``."""
    yield from conn.execution_options(yield_per=BATCH).execute(_CONTENTS)
