"""Creating and upgrading the schema, only ever through the Alembic migrations in
``store/migrations``. Alembic is imported only when a migration actually has to run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text

from thidua.store.engine import SchemaNotReady, schema_revision
from thidua.store.said import said

# The newest migration; a test holds it equal to Alembic's own head.
HEAD = "0006"


# The source text of a definition version → (format, canonical JSON of its compiled form), or
# None when it does not compile; the workflow layer owns the compiler and hands it over.
Compiler = Callable[[str], "tuple[int, str] | None"]


def alembic_config(connection: Any = None, compiler: Compiler | None = None) -> Any:
    """An Alembic config pointing at the migrations inside the package; ``compiler`` lets a
    migration compile the definition versions already stored."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "thidua.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    if compiler is not None:
        config.attributes["compile_definition"] = compiler
    return config


class SchemaTooNew(SchemaNotReady):
    """The database was upgraded by a newer thidua: this one must be upgraded, not it."""


# Serialises `thidua db upgrade` on PostgreSQL: of two at once, the second finds it done.
_UPGRADE_LOCK = 7246022


def known_revisions() -> set[str]:
    """Every revision of the migrations this thidua carries (reads them: only on a mismatch)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def _too_new(current: str) -> SchemaTooNew:
    return said(SchemaTooNew, "the database has schema revision {current}, newer than this "
                "thidua knows (it needs {head}): upgrade thidua to use it; the database needs "
                "no change", current=current, head=HEAD)


def upgrade(engine: Engine, revision: str = "head", *,
            compiler: Compiler | None = None) -> str | None:
    """Upgrade the database to ``revision``; return the revision it is at afterwards. One
    upgrade at a time: a second one started meanwhile waits, then finds nothing to do.
    ``compiler`` compiles the definition versions stored before compiled forms were kept."""
    from alembic import command

    current = schema_revision(engine)
    if current not in (None, HEAD) and current not in known_revisions():
        raise _too_new(current)
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE already holds off other writers
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        command.upgrade(alembic_config(conn, compiler), revision)
    return schema_revision(engine)


def ensure_ready(engine: Engine, *, create: bool = True) -> None:
    """Make sure the schema is current: a new SQLite database is upgraded on first use (when
    ``create``); anything else that is behind raises :class:`SchemaNotReady`, and a schema
    newer than this thidua knows :class:`SchemaTooNew`."""
    current = schema_revision(engine)
    if current == HEAD:
        return
    if current is None and create and engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    if current is not None and current not in known_revisions():
        raise _too_new(current)
    if current is None:
        raise said(SchemaNotReady, "the database has no thidua schema, thidua needs {head}: "
                   "run `thidua db upgrade`", head=HEAD)
    raise said(SchemaNotReady, "the database has schema revision {current}, thidua needs "
               "{head}: run `thidua db upgrade`", current=current, head=HEAD)
