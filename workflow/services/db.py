"""The database handle the services work with: engine, schema check, transactions, ledger."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError

from thidua.store import engine as store_engine
from thidua.store import ledger, query, schema, settings
from thidua.workflow import settings as recorded_settings
from thidua.workflow import timeutil
from thidua.workflow.errors import Conflict, IntegrityFailure, InvalidInput, NotFound
from thidua.workflow.i18n import _, told
from thidua.workflow.services import faults, interrupts
from thidua.workflow.timeutil import iso, now

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from thidua.store.query import Target


class Database:
    """An open thidua database. ``url`` is a SQLAlchemy URL or a SQLite file path. With
    ``create=False`` a SQLite file that does not exist is not found (exit 5) rather than
    created, and one without a schema is not given one: reading never creates a database."""

    def __init__(self, url: str | None = None, *, check_schema: bool = True,
                 operator: str | None = None, create: bool = True) -> None:
        try:
            self.engine = store_engine.make_engine(url, read=_access(url, create=create))
        except store_engine.StoreError as exc:
            raise InvalidInput(told(exc)) from None
        self._operator = operator
        self._zone: ZoneInfo | None = None
        self.url = self.engine.url.render_as_string(hide_password=True)
        self.reader = store_engine.reader(self.engine)
        # By cycle, the row this handle last found consistent with its ledger events, or
        # wrote with its event (see workflow.services.cycles.matches_its_ledger).
        self.checked_cycles: dict[int, tuple[Any, ...]] = {}
        if check_schema:
            try:
                schema.ensure_ready(self.engine, create=create)
            except store_engine.SchemaNotReady as exc:
                self.engine.dispose()
                raise InvalidInput(told(exc)) from None
            except DBAPIError as exc:
                self.engine.dispose()
                raise faults.explain(exc, where=self.url) or InvalidInput(
                    _("cannot open the database {url}: {orig}").format(
                        url=self.url, orig=exc.orig)) from None

    @functools.cached_property
    def operator(self) -> str:
        """Who enters data: the OS account the process runs as (SQLite) or the session's
        database login (PostgreSQL), never a variable of the environment. A program that
        embeds thidua and authenticates its users itself passes ``operator`` when it opens
        the database; the command line never does."""
        return self._operator or store_engine.operator(self.engine)

    @property
    def zone(self) -> ZoneInfo:
        """The business time zone of this database (``settings.time_zone``): ``--at`` is read
        in it, the rules judge the day in it, and every date and time is shown in it. Read
        once per handle (a service reads it before it opens a transaction: an in-memory
        SQLite database has one connection); :func:`workflow.services.admin.set_time_zone`
        changes it."""
        if self._zone is None:
            with self.reading() as conn:
                self._zone = zone_in(conn)
        return self._zone

    def forget_zone(self) -> None:
        """Read the business time zone again on next use (after it was changed)."""
        self._zone = None

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One database transaction: everything in it is committed together or not at all.
        ``write=False`` for reading only: on SQLite it then leaves the write lock to writers.
        Ctrl-C aborts a change until its commit begins, and is held from then on (see
        :mod:`workflow.services.interrupts`); a database failure is one plain error."""
        from sqlalchemy.orm import Session  # the ORM: commands that only read use reading()

        if write:
            interrupts.resume()  # an interrupt held since the last commit stops us here
        session = Session(self.engine if write else self.reader, expire_on_commit=False)
        committing = False
        try:
            session.begin()
            yield session
            committing = write
            if write:
                interrupts.defer()
            session.commit()
            if write:
                interrupts.committed()
        except DBAPIError as exc:
            _rollback(session)
            raise self._failure(exc, committing) from None
        except BaseException:
            _rollback(session)
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read-only transaction on a bare connection: Core statements only, never the
        ORM (the commands that only read load nothing they do not use). On SQLite it leaves
        the write lock to writers; a database failure is one plain error."""
        try:
            with self.reader.connect() as conn, conn.begin():
                yield conn
        except DBAPIError as exc:
            raise self._failure(exc, False) from None

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """As :meth:`reading`, in one snapshot of the whole database until the block ends
        (:func:`store.engine.snapshot`: REPEATABLE READ on PostgreSQL): for a long read, in
        batches, whose first and last rows must agree, such as an export."""
        try:
            with store_engine.snapshot(self.engine) as conn:
                yield conn
        except DBAPIError as exc:
            raise self._failure(exc, False) from None

    @contextmanager
    def stepping(self) -> Iterator[Connection]:
        """A connection of its own for one step: its statements first each read the database
        as it is when they run, outside any transaction (:func:`store.engine.glancing`), until
        :meth:`committed` makes it write. One connection, checked out once, for the step's
        first look and its transaction. A database failure is one plain error."""
        interrupts.resume()  # an interrupt held since the last commit stops us here
        try:
            with self.engine.connect() as conn:
                store_engine.glancing(conn, True)
                yield conn
        except DBAPIError as exc:
            raise self._failure(exc, False) from None

    @contextmanager
    def committed(self, conn: Connection) -> Iterator[Connection]:
        """One write transaction on ``conn`` (from :meth:`stepping`): everything in it is
        committed together or not at all; Ctrl-C is held once the commit begins, as in
        :meth:`transaction`."""
        conn.rollback()  # the first look's statements ran outside any transaction
        store_engine.glancing(conn, False)
        committing = False
        transaction = conn.begin()
        try:
            yield conn
            committing = True
            interrupts.defer()
            transaction.commit()
            interrupts.committed()
        except DBAPIError as exc:
            with contextlib.suppress(SQLAlchemyError):
                transaction.rollback()
            raise self._failure(exc, committing) from None
        except BaseException:
            with contextlib.suppress(SQLAlchemyError):
                transaction.rollback()
            raise

    def _failure(self, exc: DBAPIError, committing: bool) -> Exception:
        if isinstance(exc, DataError):
            return InvalidInput(_("a value is out of range for the database: {orig}").format(
                                    orig=exc.orig))
        if isinstance(exc, IntegrityError):
            return Conflict(_("changed by someone else since you looked; nothing was "
                              "recorded; look again ({error})").format(
                                error=type(exc.orig).__name__))
        return faults.explain(exc, where=self.url, committing=committing) or exc

    def close(self) -> None:
        """Release the connections (and let Ctrl-C act again: the work is over)."""
        interrupts.resume(raise_pending=False)
        self.engine.dispose()


def zone_in(session: Target) -> ZoneInfo:
    """The business time zone stored in the database of ``session``, once found to be the one
    its ledger gives (:func:`setting`); a stored name that is no zone is refused, saying how
    to set one."""
    name = setting(session, recorded_settings.TIME_ZONE)
    try:
        return timeutil.zone(name)
    except InvalidInput:
        raise InvalidInput(_("the database's time zone {name!r} is not a known zone: an "
                             "administrator sets one with: thidua db timezone ZONE").format(
                               name=name)) from None


def setting(session: Target, key: str) -> str:
    """The value of setting ``key``: the stored row (the default when there is none), which
    must be what the ledger's settings events give; a row changed outside thidua is refused
    (exit 4), so that no step judges its day in a forged zone."""
    stored = settings.get(session, key)
    given = recorded_settings.recorded(
        settings.events(session, recorded_settings.TRIGGERS)).get(key)
    value = stored if stored is not None else recorded_settings.DEFAULTS.get(key)
    if value != given:
        shown = f"{value[:40]!r}" if value is not None else "missing"
        raise IntegrityFailure(
            f"the setting {key} is {shown}, the ledger gives {given!r}: the settings table was "
            "changed outside thidua; run thidua audit verify",
            kind="altered")
    return value


def _rollback(session: Session) -> None:
    """Roll back what can be; a connection already lost (or dropped when Ctrl-C broke into a
    statement) has nothing left to roll back."""
    with contextlib.suppress(SQLAlchemyError):
        session.rollback()


def _access(url: str | None, *, create: bool) -> str | None:
    """How a SQLite file is opened (see :func:`store.engine.read_mode`): for reading only,
    read-only when this account may not write it; for recording, never read-only, refused
    at once when it may not. A file that is not there is not found when reading (reading
    does not create it), nor when its folder is not there."""
    path = store_engine.sqlite_path(url)
    if path is None:
        return None
    if not os.path.exists(path):
        if not create:
            raise NotFound(f"no database at {path} (a command that records creates it; "
                           "so does thidua db upgrade)")
        folder = os.path.dirname(path) or "."
        if not os.path.isdir(folder):
            raise NotFound(f"no folder {folder} to create the database {path} in")
        return None
    mode = store_engine.read_mode(path)
    if mode is not None and create:
        raise InvalidInput(f"the database {path} cannot be written by this account (the "
                           "file, or the folder it is in, is read-only for it); nothing was "
                           "recorded; commands that only read it work")
    return mode


# Runs a prebuilt statement of columns in a session's transaction (see store.query.run).
fetch = query.run


def existing(url: str | None) -> Database | None:
    """The database at ``url`` when it exists with the current schema, else None. Nothing is
    created or upgraded (shell completion must leave no new file behind)."""
    resolved = store_engine.resolve_url(url)
    if resolved.startswith("sqlite:///"):
        path = resolved.removeprefix("sqlite:///")
        if path in ("", ":memory:") or not os.path.isfile(path) or not os.path.getsize(path):
            return None  # no file, or an empty one: no thidua database there
    try:
        db = Database(url, check_schema=False)
    except InvalidInput:
        return None
    try:
        current = store_engine.schema_revision(db.engine)
    except DBAPIError:  # locked, not a database, unreadable: nothing to complete from
        current = None
    if current != schema.HEAD:
        db.close()
        return None
    return db


def record(session: Session, db: Database, *, kind: str, trigger: str, actor: str,
           cycle_id: int | None = None, cycle_version: int | None = None,
           from_state: str | None = None, to_state: str | None = None,
           role: str | None = None, unit: str | None = None, occurred_at: str | None = None,
           inputs: dict[str, Any] | None = None, reason: str | None = None,
           documents: list[str] | None = None, definition: str | None = None,
           idempotency_key: str | None = None) -> Any:
    """Append one audit event inside ``session``'s transaction."""
    at = iso(now())
    return ledger.append(session, {
        "cycle": cycle_id, "cycle_version": cycle_version, "kind": kind, "trigger": trigger,
        "from": from_state, "to": to_state, "actor": actor, "operator": db.operator,
        "role": role, "unit": unit, "at": at, "occurred_at": occurred_at or at,
        "inputs": inputs or {}, "reason": reason, "documents": documents or [],
        "definition": definition, "idempotency_key": idempotency_key,
    })
