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


class Prepared:
    """A prebuilt statement compiled once per dialect to its SQL text, then sent with
    ``exec_driver_sql``: on a step's hot path SQLAlchemy's per-execution work (compiled-cache
    lookup, parameter processing) cost more than the statement. The driver's errors are
    raised as SQLAlchemy's and the engine's events fire, as for any statement; the columns
    are plain integers and strings, which need no result processing."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def run(self, target: Target, **params: Any) -> Result[Any]:
        """Run the statement with ``params`` (the rest of its parameters keep the values it
        was built with) in ``target``'s transaction."""
        conn = connection(target)
        compiled = self._compiled.get(conn.dialect.name)
        if compiled is None:
            done = self.statement.compile(dialect=conn.dialect)  # type: ignore[attr-defined]
            positions = tuple(done.positiontup) if done.positional else None
            compiled = self._compiled[conn.dialect.name] = (done.string, positions,
                                                            dict(done.params))
        sql, positions, defaults = compiled
        values = {**defaults, **params}
        if positions is None:
            return conn.exec_driver_sql(sql, values)
        return conn.exec_driver_sql(sql, tuple(values[name] for name in positions))
