"""Queries on the stored definition versions, each kept under the SHA-256 of its source text.
They return rows, hashes or None; the workflow layer parses sources and decides which version
is meant. Who published a version is in the ledger (:func:`store.ledger.publications`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, update

from thidua.store import tables as t
from thidua.store.query import run

if TYPE_CHECKING:
    from thidua.store.query import Target

# The columns of each table the statements below read.
_de = t.definitions.c
_co = t.compiled_definitions.c

_DEFINITIONS = t.definitions

_HAS = select(_de.hash).where(_de.hash == bindparam("hash"))
_SOURCE = select(_de.source).where(_de.hash == bindparam("hash"))
_SOURCES = select(_de.hash, _de.def_id, _de.source)
_VERSIONS = select(_de.hash, _de.def_id, _de.version,
                   _de.effective_from, _de.published_by,
                   _de.published_at, _de.status).order_by(_de.def_id,
                                                        _de.effective_from,
                                                        _de.published_at)
_VERSIONS_OF = _VERSIONS.where(_de.def_id == bindparam("def_id"))
_LABELLED = select(_de.hash).where(_de.def_id == bindparam("def_id"),
                                             _de.version == bindparam("version"))
_STARTING = select(_de.hash).where(_de.hash.startswith(bindparam("prefix")))
_ADD = insert(_DEFINITIONS)
_COMPILED = t.compiled_definitions
_ADD_COMPILED = insert(_COMPILED)
_FOR_STEPS = (select(_de.def_id, _de.version, _de.source,
                     _co.format, _co.body)
              .select_from(t.definitions)
              .outerjoin(t.compiled_definitions, _co.hash == _de.hash)
              .where(_de.hash == bindparam("hash")))
_ALL_COMPILED = (select(_co.hash, _co.format,
                        _co.body, _de.source)
                 .select_from(t.compiled_definitions)
                 .outerjoin(t.definitions, _de.hash == _co.hash)
                 .order_by(_co.hash))
_STATUS = select(_de.status).where(_de.hash == bindparam("hash"))
_SET_STATUS = update(_DEFINITIONS).where(_DEFINITIONS.c.hash == bindparam("content_hash"))


def has(target: Target, content_hash: str) -> bool:
    """True when the version ``content_hash`` is stored."""
    return run(target, _HAS, hash=content_hash).first() is not None


_LABELLED_SOURCE = select(_de.def_id, _de.version, _de.source).where(
    _de.hash == bindparam("hash"))


def label_and_source(target: Target, content_hash: str) -> Any:
    """``def_id``, ``version`` and ``source`` of the version ``content_hash`` (None if none)."""
    return run(target, _LABELLED_SOURCE, hash=content_hash).first()


def with_compiled(target: Target, content_hash: str) -> Any:
    """``def_id``, ``version``, ``source`` and the compiled ``format`` and ``body`` (None when
    it was never compiled) of the version ``content_hash``; None when it is not stored."""
    return run(target, _FOR_STEPS, hash=content_hash).first()


def compiled_forms(target: Target) -> list[Any]:
    """Every compiled form: rows of ``hash``, ``format``, ``body`` and the ``source`` stored
    under that hash (None when there is none)."""
    return list(run(target, _ALL_COMPILED))


def source_of(target: Target, content_hash: str) -> str | None:
    """The source text of the version ``content_hash``."""
    source: str | None = run(target, _SOURCE, hash=content_hash).scalar()
    return source


def sources(target: Target) -> list[Any]:
    """Every stored version: rows of ``hash``, ``def_id`` and ``source``."""
    return list(run(target, _SOURCES))


def versions(target: Target, def_id: str | None = None) -> list[Any]:
    """The stored versions (of ``def_id``, or all) by id, then oldest effective and first
    stored first: rows of ``hash``, ``def_id``, ``version``, ``effective_from``,
    ``published_by``, ``published_at`` and ``status``."""
    if def_id is None:
        return list(run(target, _VERSIONS))
    return list(run(target, _VERSIONS_OF, def_id=def_id))


def labelled(target: Target, def_id: str, version: str) -> list[str]:
    """The hashes stored under the label ``def_id@version``."""
    return list(run(target, _LABELLED, def_id=def_id, version=version).scalars())


def starting(target: Target, prefix: str) -> list[str]:
    """The hashes that start with ``prefix``."""
    return list(run(target, _STARTING, prefix=prefix).scalars())


def add(target: Target, *, content_hash: str, def_id: str, version: str, title: str,
        effective_from: str, source: str, published_by: str, published_at: str,
        status: str, compiled: tuple[int, str]) -> None:
    """Store a definition version under ``content_hash`` with its ``status`` (``shipped``,
    ``published`` or ``draft``) and its ``compiled`` form (format, canonical JSON)."""
    run(target, _ADD, hash=content_hash, def_id=def_id, version=version, title=title,
        effective_from=effective_from, source=source, published_by=published_by,
        published_at=published_at, status=status)
    run(target, _ADD_COMPILED, hash=content_hash, format=compiled[0], body=compiled[1])


def status_of(target: Target, content_hash: str) -> str | None:
    """The status of the version ``content_hash`` (None if it is not stored)."""
    status: str | None = run(target, _STATUS, hash=content_hash).scalar()
    return status


def set_status(target: Target, content_hash: str, status: str) -> None:
    """Set the status of the stored version ``content_hash``."""
    run(target, _SET_STATUS, content_hash=content_hash, status=status)
