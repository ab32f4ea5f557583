"""The auditor's view of the ledger: read it, verify its hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from store import ledger
from store.models import LedgerRow
from workflow.db import Database
from workflow.errors import IntegrityFailure


@dataclass(frozen=True)
class Verified:
    """An intact ledger: how many events, and the hash of the last one."""

    events: int
    head_seq: int
    head_hash: str


def log(db: Database, *, cycle_id: int | None = None,
        limit: int | None = None) -> list[dict[str, Any]]:
    """Ledger events oldest first (the last ``limit`` of them), optionally of one cycle."""
    query = select(LedgerRow).order_by(LedgerRow.seq.desc())
    if cycle_id is not None:
        query = query.where(LedgerRow.cycle_id == cycle_id)
    if limit is not None:
        query = query.limit(limit)
    with db.transaction() as session:
        rows = list(session.scalars(query))
    return [{**ledger.as_event(r), "prev_hash": r.prev_hash, "hash": r.hash}
            for r in reversed(rows)]


def verify(db: Database) -> Verified:
    """Re-hash the whole ledger; raise :class:`IntegrityFailure` at the first bad event."""
    with db.engine.connect() as conn:
        count, last_hash, damage = ledger.verify(conn)
    if damage is not None:
        raise IntegrityFailure(f"ledger damaged at event {damage.seq} ({damage.kind}): "
                               f"{damage.detail}; {count} events before it verify",
                               seq=damage.seq, kind=damage.kind)
    return Verified(count, count, last_hash)
