"""The audit ledger: an append-only, hash-chained list of events.

Each event's hash is ``sha256(prev_hash + "\\n" + canonical_json(event))``, where the event is
every column but the two hashes, and canonical JSON has sorted keys, compact separators and is
UTF-8 (not ASCII-escaped). The first event's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import ColumnElement, Connection, bindparam, func, select, text

from thidua.store import tables as t
from thidua.store.query import Prepared, connection, run

if TYPE_CHECKING:

    from thidua.store.query import Target

RowT = TypeVar("RowT")
GENESIS = "0" * 64
BATCH = 5000

# The event fields as hashed, mapped to their columns; JSON columns are decoded first.
FIELDS = {
    "seq": "seq", "cycle": "cycle_id", "cycle_version": "cycle_version", "kind": "kind",
    "trigger": "trigger", "from": "from_state", "to": "to_state", "actor": "actor",
    "operator": "operator", "role": "role", "unit": "unit", "at": "at",
    "occurred_at": "occurred_at", "inputs": "inputs", "reason": "reason",
    "documents": "documents", "definition": "definition_hash",
    "idempotency_key": "idempotency_key",
}
JSON_FIELDS = ("inputs", "documents")
# A raw ledger row: the event's columns in the canonical (sorted) order of their names, then
# prev_hash and hash. The auditor's fast path reads rows in this shape.
ORDER = tuple(sorted(FIELDS))
COLUMNS = (*(FIELDS[name] for name in ORDER), "prev_hash", "hash")
SEQ, DOCUMENTS, PREV_HASH, HASH = ORDER.index("seq"), ORDER.index("documents"), -2, -1


def canonical_json(value: Any) -> str:
    """Sorted keys, compact separators, UTF-8 text (not ASCII-escaped). NaN and infinities
    are refused (ValueError): they are not JSON, and an offline verifier could not read them."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """The hash that chains ``event`` to the event before it."""
    return hashlib.sha256((prev_hash + "\n" + canonical_json(event)).encode("utf-8")).hexdigest()


_HEAD = select(t.ledger.c.seq, t.ledger.c.hash).order_by(t.ledger.c.seq.desc()).limit(1)


def head(target: Target) -> tuple[int, str]:
    """The last sequence number and hash (``0`` and 64 zeros for an empty ledger)."""
    # Built once and run on the connection, after the session's pending rows are written:
    # every step reads the head, and the ORM's per-statement work cost more than the query.
    row = run(target, _HEAD).first()
    return (row[0], row[1]) if row else (0, GENESIS)


_LOCK = text("SELECT pg_advisory_xact_lock(7246021)")


def lock(target: Target) -> None:
    """Serialise appenders so the chain never forks (PostgreSQL; SQLite already holds a
    write lock from BEGIN IMMEDIATE)."""
    conn = connection(target)
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK)


_INSERT = Prepared(t.ledger.insert().values(
    {column.name: bindparam(column.name) for column in t.ledger.columns}))


def append(session: Target, event: dict[str, Any]) -> Any:
    """Append ``event`` (every field of FIELDS but ``seq``) inside the caller's transaction;
    the row written, with the columns of the ledger as attributes."""
    lock(session)
    seq, prev = head(session)
    event = {**event, "seq": seq + 1}
    digest = event_hash(prev, event)
    values = {column: event[name] for name, column in FIELDS.items()}
    for name in JSON_FIELDS:
        values[FIELDS[name]] = canonical_json(event[name])
    values.update(prev_hash=prev, hash=digest)
    # A Core INSERT rather than session.add + flush: the unit of work cost more than the
    # rules of a step, and the row is never changed, so nothing need track it.
    _INSERT.run(session, **values)
    return SimpleNamespace(**values)


def as_event(row: Any) -> dict[str, Any]:
    """The event as hashed, from a ledger row (ORM object or result row)."""
    event = {name: getattr(row, column) for name, column in FIELDS.items()}
    for name in JSON_FIELDS:
        event[name] = json.loads(event[name])
    return event


def raw_event(row: tuple[Any, ...]) -> dict[str, Any]:
    """The event as hashed, from a raw row (see COLUMNS)."""
    event = dict(zip(ORDER, row, strict=False))
    for name in JSON_FIELDS:
        event[name] = json.loads(event[name])
    return event


def row_hash(prev: str, row: tuple[Any, ...]) -> str | None:
    """The hash a raw row should carry after ``prev``, by the exact path (decoding its JSON
    columns); None when the row cannot be decoded at all."""
    try:
        return event_hash(prev, raw_event(row))
    except (TypeError, ValueError):
        return None


_SELECT = f"SELECT {', '.join(COLUMNS)} FROM ledger WHERE seq > {{after}} ORDER BY seq"


def raw_rows(conn: Connection, *, after: int = 0) -> Iterator[tuple[Any, ...]]:
    """Ledger rows in order as plain tuples (see COLUMNS), with the bare driver.

    SQLite streams one cursor, handed over as it is (a consistent snapshot, no lock taken);
    other databases are read in keyset batches of BATCH rows. Memory stays bounded either way.
    """
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.cursor()
        cursor.execute(_SELECT.format(after=int(after)))
        return cast(Iterator[tuple[Any, ...]], cursor)
    return _batches(conn, after)


def _batches(conn: Connection, after: int) -> Iterator[tuple[Any, ...]]:
    cursor = conn.connection.cursor()
    try:
        while True:
            cursor.execute(_SELECT.format(after=int(after)) + f" LIMIT {int(BATCH)}")
            batch = cursor.fetchall()
            yield from batch
            if len(batch) < BATCH:
                return
            after = batch[-1][SEQ]
    finally:
        cursor.close()


# Every column of a ledger row, as the events' readers take it (ORM-free, by column name).
_ALL = (*(t.ledger.c[c] for c in FIELDS.values()), t.ledger.c.prev_hash, t.ledger.c.hash)


# The same, in the order of a raw row (COLUMNS), as the auditor's fast path reads them.
_RAW = tuple(t.ledger.c[c] for c in COLUMNS)


def rows(target: Target, *, cycle_id: int | None = None, after: int = 0,
         cluster_id: int | None = None, period: int | None = None,
         actor: str | Sequence[str] | None = None, since: str | None = None,
         until: str | None = None, through: int | None = None,
         raw: bool = False) -> Iterator[Any]:
    """Ledger rows in order, fetched in batches so memory stays bounded; only those of
    ``cycle_id``, of the cycles of ``cluster_id`` and ``period``, entered by ``actor`` (a name,
    or any of several spellings), that occurred from ``since`` and before ``until``, or up to
    seq ``through``, when given. ``raw``: their columns in the order of COLUMNS."""
    query = (select(*(_RAW if raw else _ALL))
             .where(*_criteria(cycle_id, cluster_id, period, actor, since, until))
             .order_by(t.ledger.c.seq).limit(BATCH))
    if through is not None:
        query = query.where(t.ledger.c.seq <= through)
    while True:
        batch = run(target, query.where(t.ledger.c.seq > after)).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].seq


def _criteria(cycle_id: int | None, cluster_id: int | None, period: int | None,
              actor: str | Sequence[str] | None, since: str | None,
              until: str | None) -> list[ColumnElement[bool]]:
    found = []
    if cycle_id is not None:
        found.append(t.ledger.c.cycle_id == cycle_id)
    if cluster_id is not None or period is not None:
        cycles = select(t.cycles.c.id)
        if cluster_id is not None:
            cycles = cycles.where(t.cycles.c.cluster_id == cluster_id)
        if period is not None:
            cycles = cycles.where(t.cycles.c.period == period)
        found.append(t.ledger.c.cycle_id.in_(cycles))
    if isinstance(actor, str):
        found.append(t.ledger.c.actor == actor)
    elif actor is not None:
        found.append(t.ledger.c.actor.in_(list(actor)))
    if since is not None:
        found.append(t.ledger.c.occurred_at >= since)
    if until is not None:
        found.append(t.ledger.c.occurred_at < until)
    return found


_OF_CYCLE = (select(*_ALL).where(t.ledger.c.cycle_id == bindparam("cycle_id"))
             .order_by(t.ledger.c.seq))
_NTH_NEWEST = select(t.ledger.c.seq).order_by(t.ledger.c.seq.desc()).offset(
    bindparam("skip")).limit(1)
_NTH_NEWEST_OF = _NTH_NEWEST.where(t.ledger.c.cycle_id == bindparam("cycle_id"))


_ACTORS = select(t.ledger.c.actor).distinct().order_by(t.ledger.c.actor)


def actors(target: Target) -> list[str]:
    """Every name the ledger records as an actor (people, and logins in set-up mode)."""
    return list(run(target, _ACTORS).scalars())


_BY_KEY = select(t.ledger).where(t.ledger.c.idempotency_key == bindparam("key"))


def by_request(target: Target, key: str) -> Any:
    """The row of the event recorded under the idempotency key ``key`` (None if none)."""
    return run(target, _BY_KEY, key=key).first()


def of_cycle(target: Target, cycle_id: int) -> list[Any]:
    """Every ledger row of cycle ``cycle_id``, oldest first (a cycle's events are few)."""
    return list(run(target, _OF_CYCLE, cycle_id=cycle_id))


def start_of_last(target: Target, count: int, *, cycle_id: int | None = None) -> int:
    """The seq from which the last ``count`` (at least 1) events run, of ``cycle_id`` when
    given; 0 when there are fewer."""
    statement = _NTH_NEWEST if cycle_id is None else _NTH_NEWEST_OF
    seq: int | None = run(target, statement, skip=count - 1, cycle_id=cycle_id).scalar()
    return seq or 0


_LAST_OCCURRED = (select(func.max(t.ledger.c.occurred_at))
                  .where(t.ledger.c.cycle_id == bindparam("cycle_id")))
_PUBLICATIONS = (select(t.ledger.c.definition_hash, t.ledger.c.seq, t.ledger.c.actor, t.ledger.c.at)
                 .where(t.ledger.c.kind == "definition", t.ledger.c.trigger == "publish")
                 .order_by(t.ledger.c.seq))
_PUBLICATIONS_OF = _PUBLICATIONS.where(
    t.ledger.c.definition_hash.in_(bindparam("hashes", expanding=True)))
_CITING = (select(t.ledger.c.seq, t.ledger.c.cycle_id, t.ledger.c.trigger)
           .where(t.ledger.c.documents.contains(bindparam("sha256")))
           .order_by(t.ledger.c.seq))


def last_occurred(target: Target, cycle_id: int) -> str | None:
    """When the last step of cycle ``cycle_id`` happened (None before its start)."""
    last: str | None = run(target, _LAST_OCCURRED, cycle_id=cycle_id).scalar()
    return last


def publications(target: Target, hashes: list[str] | None = None) -> list[Any]:
    """The events that published definition versions (of ``hashes``, or all), oldest first:
    rows of ``definition_hash``, ``seq``, ``actor`` and ``at``."""
    if hashes is None:
        return list(run(target, _PUBLICATIONS))
    return list(run(target, _PUBLICATIONS_OF, hashes=hashes))


def citing(target: Target, sha256: str) -> list[Any]:
    """The events that cite the document ``sha256``, oldest first: rows of ``seq``,
    ``cycle_id`` and ``trigger``."""
    return list(run(target, _CITING, sha256=sha256))


def reporting(rows: Iterator[RowT], on_progress: Callable[[int], None] | None) -> Iterator[RowT]:
    """``rows`` as they are, or, with ``on_progress``, told batch by batch to it (the rows
    themselves pass untouched, and nothing is added per row when there is no listener)."""
    if on_progress is None:
        return rows
    return _reported(rows, on_progress)


def _reported(rows: Iterator[RowT], on_progress: Callable[[int], None]) -> Iterator[RowT]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield from batch
        on_progress(len(batch))
