"""Reading the ledger's events for people: oldest first, all of them or the last few, of the
whole ledger or one cycle, streamed in batches within one read transaction (memory stays
bounded however long the ledger, and steps go on meanwhile)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from thidua.store import ledger
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import NotFound
from thidua.workflow.i18n import _
from thidua.workflow.services.db import Database

Events = Callable[[], Iterator[dict[str, Any]]]


@contextmanager
def reading(db: Database, *, cycle_id: int | None = None,
            limit: int | None = None) -> Iterator[Events]:
    """While the block runs, a function that iterates the events asked for, oldest first
    (the last ``limit`` of them, of ``cycle_id`` when given: :class:`NotFound` when there is
    no such cycle); every iteration gives the same events, so that a table can be measured,
    then printed."""
    if cycle_id is not None and not 1 <= cycle_id <= 2**31 - 1:
        raise NotFound(_("no cycle {cycle_id} (see: thidua cycle list)").format(
            cycle_id=cycle_id))
    with db.reading() as conn:
        if cycle_id is not None:
            load_cycle(conn, cycle_id)  # no such cycle: not found, as everywhere
        if limit == 0:
            yield lambda: iter(())
            return
        through = ledger.head(conn)[0]
        first = 1 if limit is None else ledger.start_of_last(conn, limit, cycle_id=cycle_id)

        after = max(first - 1, 0)  # 0: fewer events than the limit, so all of them

        def events() -> Iterator[dict[str, Any]]:
            for row in ledger.rows(conn, cycle_id=cycle_id, after=after, through=through):
                yield {**ledger.as_event(row), "prev_hash": row.prev_hash, "hash": row.hash}

        yield events


def log(db: Database, *, cycle_id: int | None = None,
        limit: int | None = None) -> list[dict[str, Any]]:
    """The events of :func:`reading`, as a list (for a program that wants them all at once)."""
    with reading(db, cycle_id=cycle_id, limit=limit) as events:
        return list(events())
