"""The database handle the services work with: engine, schema check, transactions, ledger."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from store import engine as store_engine
from store import ledger, schema
from store.models import LedgerRow
from workflow.errors import Conflict, InvalidInput
from workflow.timeutil import iso, now


class Database:
    """An open thidua database. ``url`` is a SQLAlchemy URL or a SQLite file path."""

    def __init__(self, url: str | None = None, *, check_schema: bool = True) -> None:
        try:
            self.engine = store_engine.make_engine(url)
        except store_engine.StoreError as exc:
            raise InvalidInput(str(exc)) from None
        self.url = self.engine.url.render_as_string(hide_password=True)
        if check_schema:
            try:
                schema.ensure_ready(self.engine)
            except store_engine.SchemaNotReady as exc:
                raise InvalidInput(str(exc)) from None
            except OperationalError as exc:
                raise InvalidInput(f"cannot open the database {self.url}: {exc.orig}") from None

    @functools.cached_property
    def operator(self) -> str:
        """Who enters data: the OS account (SQLite) or the database login (PostgreSQL)."""
        return store_engine.operator(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One database transaction: everything in it is committed together or not at all."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        except IntegrityError as exc:
            raise Conflict("changed by someone else since you looked; nothing was recorded; "
                           f"look again ({type(exc.orig).__name__})") from None
        finally:
            session.close()

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


def record(session: Session, db: Database, *, kind: str, trigger: str, actor: str,
           cycle_id: int | None = None, cycle_version: int | None = None,
           from_state: str | None = None, to_state: str | None = None,
           role: str | None = None, unit: str | None = None, occurred_at: str | None = None,
           inputs: dict[str, Any] | None = None, reason: str | None = None,
           documents: list[str] | None = None, definition: str | None = None,
           idempotency_key: str | None = None) -> LedgerRow:
    """Append one audit event inside ``session``'s transaction."""
    at = iso(now())
    return ledger.append(session, {
        "cycle": cycle_id, "cycle_version": cycle_version, "kind": kind, "trigger": trigger,
        "from": from_state, "to": to_state, "actor": actor, "operator": db.operator,
        "role": role, "unit": unit, "at": at, "occurred_at": occurred_at or at,
        "inputs": inputs or {}, "reason": reason, "documents": documents or [],
        "definition": definition, "idempotency_key": idempotency_key,
    })
