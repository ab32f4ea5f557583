"""Running the prebuilt statements of the store's query modules.

Each query module (:mod:`store.directory`, :mod:`store.grants`, :mod:`store.cycles`,
:mod:`store.definitions`, :mod:`store.documents`, :mod:`store.ledger`) builds its statements
once, at import, as Core statements on the tables of :mod:`store.tables`, and runs them here:
in a session's transaction (after flushing its pending changes, as an ORM query would) or on a
bare connection (the commands that only read, and the auditor's long reads). Nothing here
imports the ORM: a reading command never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Executable, Result

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy.orm import Session

    Target: TypeAlias = Session | Connection  # what a query runs in


def connection(target: Target) -> Connection:
    """The connection ``target`` runs on; a session's pending changes are flushed first."""
    if isinstance(target, Connection):
        return target
    target.flush()
    return target.connection()


def run(target: Target, statement: Executable, **params: Any) -> Result[Any]:
    """Run a prebuilt statement of columns (not entities) in ``target``'s transaction; on a
    session it skips the ORM's per-statement work, several times the cost of the query itself
    on the hot path of a step."""
    return connection(target).execute(statement, params)
