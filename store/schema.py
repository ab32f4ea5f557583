"""Creating and upgrading the schema, only ever through the Alembic migrations in
``store/migrations``. Alembic is imported only when a migration actually has to run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from thidua.store.engine import SchemaNotReady, schema_revision

# The newest migration; a test holds it equal to Alembic's own head.
HEAD = "0004"


def alembic_config(connection: Any = None) -> Any:
    """An Alembic config pointing at the migrations inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "thidua.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to ``revision``; return the revision it is at afterwards."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return schema_revision(engine)


def ensure_ready(engine: Engine) -> None:
    """Make sure the schema is current: a new SQLite database is upgraded on first use;
    anything else that is behind raises :class:`SchemaNotReady`."""
    current = schema_revision(engine)
    if current == HEAD:
        return
    if current is None and engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    found = "no thidua schema" if current is None else f"schema revision {current}"
    raise SchemaNotReady(f"the database has {found}, thidua needs {HEAD}: "
                         "run `thidua db upgrade`")
