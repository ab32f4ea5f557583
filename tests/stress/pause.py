"""Pause points inside a step's transaction, for the crash and concurrency tests, found from
outside the product by the SQL statements a step runs.

- ``locked``: the cycle's row has been read by id in a writing transaction (``FOR UPDATE`` on
  PostgreSQL; on SQLite the writer holds the database's write lock from ``BEGIN IMMEDIATE``);
- ``written``: the ``UPDATE`` of ``cycles`` has run;
- ``ledgered``: the ``INSERT`` into ``ledger`` has run (everything written, not committed).

Statements are recognised by their text, not by their place in the step, so the points hold
whatever order the step runs them in. A ``thidua`` process paused by :func:`at` announces
``THIDUA_PAUSED <point>`` on standard error and sleeps until it is killed::

    python -c "from tests.stress import pause; pause.at('written'); \\
               from thidua.cli.main import main; main()" cycle fire ...

Beyond those, ``committing`` is reached when a transaction that appended to the ledger is
about to be committed (the commit is under way: nothing can abort it from here on), and, for
:func:`at` only, ``committed`` once such a transaction has been committed and its connection
given back to the pool.

With ``THIDUA_PAUSE_RELEASE=FILE`` in its environment, a paused process goes on once FILE
exists instead of sleeping until it is killed (a test can then send it a signal, or terminate
its database session, and watch what it does next).

Importing this module changes nothing; only :func:`at`, :func:`listen` and :func:`hooked`
listen.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

from thidua.store.engine import BEGIN_OPTION

POINTS = ("locked", "ledgered", "written")
COMMIT_POINTS = ("committing",)
AFTER_COMMIT = "committed"  # the transaction has been committed (only for at())
ANNOUNCE = "THIDUA_PAUSED"
RELEASE = "THIDUA_PAUSE_RELEASE"
SLEEP_S = 3600  # until killed: a bound on a forgotten process, not a wait

_CYCLE_BY_ID = re.compile(r"^\s*SELECT\b.*\bFROM cycles\b.*\bWHERE cycles\.id = ",
                          re.IGNORECASE | re.DOTALL)
_FOR_UPDATE = re.compile(r"\bFOR UPDATE\b", re.IGNORECASE)
_UPDATE_CYCLES = re.compile(r"^\s*UPDATE cycles\b", re.IGNORECASE)
_INSERT_LEDGER = re.compile(r"^\s*INSERT INTO ledger\b", re.IGNORECASE)

Target = Engine | type[Engine]


def point_of(conn: Connection, statement: str) -> str | None:
    """The pause point that ``statement``, just run on ``conn``, reaches (None: none)."""
    if _UPDATE_CYCLES.match(statement):
        return "written"
    if _INSERT_LEDGER.match(statement):
        return "ledgered"
    if _CYCLE_BY_ID.match(statement) and _locks(conn, statement):
        return "locked"
    return None


def _locks(conn: Connection, statement: str) -> bool:
    """True when reading the row holds it against other writers until the commit."""
    if conn.dialect.name == "postgresql":
        return _FOR_UPDATE.search(statement) is not None
    # SQLite: readers begin DEFERRED and take no lock; writers begin IMMEDIATE.
    return conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE") == "IMMEDIATE"


def listen(target: Target, callback: Callable[[str], None]) -> Callable[[], None]:
    """Call ``callback(point)`` after every statement run on ``target`` (an engine, or the
    Engine class for every engine) that reaches a pause point, and before the commit of a
    transaction that appended to the ledger (``committing``); returns what stops it."""

    def after(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        point = point_of(conn, statement)
        if point == "ledgered":
            conn.info["thidua_ledgered"] = True
        if point is not None:
            callback(point)

    def commit(conn: Connection) -> None:
        if conn.info.pop("thidua_ledgered", False):
            callback("committing")

    def rollback(conn: Connection) -> None:
        conn.info.pop("thidua_ledgered", None)

    event.listen(target, "after_cursor_execute", after)
    event.listen(target, "commit", commit)
    event.listen(target, "rollback", rollback)

    def stop() -> None:
        event.remove(target, "after_cursor_execute", after)
        event.remove(target, "commit", commit)
        event.remove(target, "rollback", rollback)

    return stop


@contextmanager
def hooked(target: Target, callback: Callable[[str], None]) -> Iterator[None]:
    """:func:`listen` for the duration of the block."""
    stop = listen(target, callback)
    try:
        yield
    finally:
        stop()


def at(point: str) -> None:
    """Make this process stop at ``point``: announce it and sleep until killed (or, with
    ``THIDUA_PAUSE_RELEASE=FILE``, until FILE exists)."""
    points = (*POINTS, *COMMIT_POINTS, AFTER_COMMIT)
    if point not in points:
        raise ValueError(f"no pause point {point!r} (points: {', '.join(points)})")
    release = os.environ.get(RELEASE)

    def pause(reached: str) -> None:
        if reached != point:
            return
        print(f"{ANNOUNCE} {point}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + SLEEP_S
        while time.monotonic() < deadline:
            if release is not None and os.path.exists(release):
                return
            time.sleep(0.01 if release is not None else SLEEP_S)

    if point == AFTER_COMMIT:
        from sqlalchemy.pool import Pool

        committing: list[bool] = []
        listen(Engine, lambda reached: committing.append(reached == "committing"))

        def checked_in(_dbapi_connection: Any, _record: Any) -> None:
            # The connection goes back to the pool once its transaction has ended: after the
            # commit of a step's transaction (one that appended to the ledger), not a read's.
            if any(committing):
                committing.clear()
                pause(AFTER_COMMIT)

        event.listen(Pool, "checkin", checked_in)
        return
    listen(Engine, pause)  # for the life of the process
