"""The audit ledger: an append-only, hash-chained list of events.

Each event's hash is ``sha256(prev_hash + "\\n" + canonical_json(event))``, where the event is
every column but the two hashes, and canonical JSON has sorted keys, compact separators and is
UTF-8 (not ASCII-escaped). The first event's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from store.models import LedgerRow

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


def canonical_json(value: Any) -> str:
    """Sorted keys, compact separators, UTF-8 text (not ASCII-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """The hash that chains ``event`` to the event before it."""
    return hashlib.sha256((prev_hash + "\n" + canonical_json(event)).encode("utf-8")).hexdigest()


def head(session: Session) -> tuple[int, str]:
    """The last sequence number and hash (``0`` and 64 zeros for an empty ledger)."""
    row = session.execute(
        select(LedgerRow.seq, LedgerRow.hash).order_by(LedgerRow.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def lock(session: Session) -> None:
    """Serialise appenders so the chain never forks (PostgreSQL; SQLite already holds a
    write lock from BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7246021)"))


def append(session: Session, event: dict[str, Any]) -> LedgerRow:
    """Append ``event`` (every field of FIELDS but ``seq``) inside the caller's transaction."""
    lock(session)
    seq, prev = head(session)
    event = {**event, "seq": seq + 1}
    digest = event_hash(prev, event)
    values = {column: event[name] for name, column in FIELDS.items()}
    for name in JSON_FIELDS:
        values[FIELDS[name]] = canonical_json(event[name])
    row = LedgerRow(**values, prev_hash=prev, hash=digest)
    session.add(row)
    session.flush()
    return row


def as_event(row: Any) -> dict[str, Any]:
    """The event as hashed, from a ledger row (ORM object or result row)."""
    event = {name: getattr(row, column) for name, column in FIELDS.items()}
    for name in JSON_FIELDS:
        event[name] = json.loads(event[name])
    return event


@dataclass(frozen=True)
class Damage:
    """The first event that does not verify, and how."""

    seq: int
    kind: str  # altered | missing | inserted | reordered | truncated
    detail: str


def rows(conn: Connection, *, cycle_id: int | None = None,
         after: int = 0) -> Iterator[Any]:
    """Ledger rows in order, fetched in batches so memory stays bounded."""
    columns = [getattr(LedgerRow, c) for c in FIELDS.values()]
    columns += [LedgerRow.prev_hash, LedgerRow.hash]
    while True:
        query = select(*columns).where(LedgerRow.seq > after).order_by(LedgerRow.seq).limit(BATCH)
        if cycle_id is not None:
            query = query.where(LedgerRow.cycle_id == cycle_id)
        batch = conn.execute(query).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].seq


def verify(conn: Connection) -> tuple[int, str, Damage | None]:
    """Walk the whole chain; return the count, the last hash and the first damage found."""
    prev, expected_seq, count = GENESIS, 1, 0
    for row in rows(conn):
        damage = _check(row, prev, expected_seq)
        if damage is not None:
            return count, prev, damage
        prev, expected_seq, count = row.hash, row.seq + 1, count + 1
    return count, prev, None


def _check(row: Any, prev: str, expected_seq: int) -> Damage | None:
    if row.seq > expected_seq:
        return Damage(row.seq, "missing",
                      f"events {expected_seq}..{row.seq - 1} are missing before event {row.seq}")
    if row.prev_hash != prev:
        return Damage(row.seq, "reordered",
                      f"event {row.seq} does not follow the event before it (prev_hash differs)")
    if event_hash(prev, as_event(row)) != row.hash:
        return Damage(row.seq, "altered", f"event {row.seq} was altered after it was recorded")
    return None
