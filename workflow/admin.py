"""Database administration: upgrade and status."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

from store import engine as store_engine
from store import schema
from workflow.db import Database
from workflow.errors import InvalidInput


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
