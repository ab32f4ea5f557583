"""Database administration: upgrade, status and backup."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from thidua.store import backup as store_backup
from thidua.store import engine as store_engine
from thidua.store import schema
from thidua.workflow.audit import verify as audit
from thidua.workflow.errors import InvalidInput
from thidua.workflow.services.db import Database


def upgrade_db(db: Database) -> str | None:
    """Create or upgrade the schema through the Alembic migrations; return the revision."""
    try:
        return schema.upgrade(db.engine)
    except OperationalError as exc:
        raise InvalidInput(f"cannot upgrade the database {db.url}: {exc.orig}") from None


def db_status(db: Database) -> dict[str, Any]:
    """The database URL (without password), its schema revision and the one needed."""
    try:
        revision = store_engine.schema_revision(db.engine)
    except OperationalError as exc:
        raise InvalidInput(f"cannot open the database {db.url}: {exc.orig}") from None
    return {"url": db.url, "revision": revision, "head": schema.HEAD,
            "up_to_date": revision == schema.HEAD}


PG_BACKUP = ("on PostgreSQL, back up with pg_dump: pg_dump -Fc -d URL -f thidua.dump "
             "(see Backups in the README)")


@dataclass(frozen=True)
class Backup:
    """A backup written: where, how large, and the ledger head it holds."""

    file: str
    size: int
    head_seq: int
    head_hash: str


def backup_db(db: Database, file: str | Path) -> Backup:
    """Copy the SQLite database ``db`` to the new file ``file`` while it stays in use (an
    existing file is refused, and nothing half-written is ever left at ``file``). On
    PostgreSQL, refuse and point to ``pg_dump``."""
    if db.engine.dialect.name != "sqlite":
        raise InvalidInput(PG_BACKUP)
    target = Path(file)
    try:
        size = store_backup.backup_sqlite(db.engine, target)
    except store_engine.StoreError as exc:
        raise InvalidInput(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise InvalidInput(f"cannot write the backup {target}: {exc}") from None
    copy = Database(str(target))
    try:
        head = audit.head(copy)
    finally:
        copy.close()
    return Backup(str(target), size, head.seq, head.hash)
