"""The schema is created and upgraded only through the Alembic migrations inside `store`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from thidua.store import engine as store_engine
from thidua.store import schema
from thidua.store.engine import make_engine, schema_revision
from thidua.store.models import Base
from thidua.workflow.errors import InvalidInput
from thidua.workflow.services.db import Database

TABLES = set(Base.metadata.tables)


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), revision)


def _ledger_refuses_update(engine: Engine) -> bool:
    """True when the append-only trigger refuses an UPDATE of a (new) ledger row."""
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO ledger (seq, kind, trigger, actor, operator, at, occurred_at, inputs,"
            " documents, prev_hash, hash) VALUES (1, 'test', 'test', 'a', 'o', 't', 't', '{}',"
            " '[]', :zeros, :zeros)"), {"zeros": "0" * 64})
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE ledger SET actor = 'b'"))
    except DBAPIError:
        return True
    return False


@pytest.fixture
def opened_engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Engine]]:
    """Every engine Database() makes during the test, disposed afterwards whatever happened."""
    engines: list[Engine] = []
    real = store_engine.make_engine

    def recording(*args: Any, **kwargs: Any) -> Engine:
        engines.append(real(*args, **kwargs))
        return engines[-1]

    monkeypatch.setattr(store_engine, "make_engine", recording)
    yield engines
    for engine in engines:
        engine.dispose()


def test_head_is_alembic_script_head() -> None:
    """store.schema.HEAD names the newest migration, as Alembic itself sees it."""
    script = ScriptDirectory.from_config(schema.alembic_config())
    assert script.get_heads() == [schema.HEAD]
    assert script.get_current_head() == schema.HEAD


def test_migrations_form_one_line() -> None:
    """Every migration has one parent, down to a single base: no branches to merge."""
    script = ScriptDirectory.from_config(schema.alembic_config())
    revisions = list(script.walk_revisions())
    assert len(script.get_bases()) == 1
    assert all(not isinstance(r.down_revision, tuple | list) for r in revisions)


def test_upgrade_creates_every_table(db_url: str) -> None:
    """Upgrading a fresh database creates every table of the models and records HEAD."""
    engine = make_engine(db_url)
    try:
        assert schema_revision(engine) is None
        assert schema.upgrade(engine) == schema.HEAD
        assert _tables(engine) >= TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_match_the_models(db: Database) -> None:
    """The upgraded schema matches store.models: Alembic's autogenerate finds no difference."""
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_downgrade_to_base_then_upgrade_again(db: Database) -> None:
    """Downgrading to base removes every table (and the PostgreSQL trigger function); upgrading
    again rebuilds the schema with its append-only triggers."""
    _downgrade(db.engine)
    assert schema_revision(db.engine) is None
    assert _tables(db.engine) & TABLES == set()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            functions = conn.execute(text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'thidua_ledger_append_only'"))
            assert functions.scalar_one() == 0
    assert schema.upgrade(db.engine) == schema.HEAD
    assert _tables(db.engine) >= TABLES
    assert _ledger_refuses_update(db.engine)


def test_upgrade_twice_is_a_no_op(db: Database) -> None:
    """Upgrading a database that is already at HEAD changes nothing and keeps HEAD."""
    before = _tables(db.engine)
    assert schema.upgrade(db.engine) == schema.HEAD
    assert _tables(db.engine) == before


def test_new_sqlite_file_is_upgraded_on_first_use(tmp_path: Path) -> None:
    """Opening a new SQLite file with Database(url) creates the schema at HEAD."""
    path = tmp_path / "new.db"
    handle = Database(str(path))
    try:
        assert path.exists()
        assert schema_revision(handle.engine) == schema.HEAD
        assert _tables(handle.engine) >= TABLES
        assert _ledger_refuses_update(handle.engine)
    finally:
        handle.close()


def test_sqlite_file_behind_head_is_refused(tmp_path: Path,
                                            opened_engines: list[Engine]) -> None:
    """An existing SQLite file whose schema is behind HEAD is not silently changed: opening
    it tells the user to run `thidua db upgrade`."""
    path = str(tmp_path / "old.db")
    engine = make_engine(path)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('0003')"))
    finally:
        engine.dispose()
    with pytest.raises(InvalidInput, match="thidua db upgrade"):
        Database(path)


@pytest.mark.postgres
def test_postgresql_without_schema_asks_for_db_upgrade(pg_url: str,
                                                       opened_engines: list[Engine]) -> None:
    """A PostgreSQL database without the schema is not changed behind the user's back:
    Database(url) raises InvalidInput telling to run `thidua db upgrade`."""
    with pytest.raises(InvalidInput, match="run `thidua db upgrade`") as refused:
        Database(pg_url)
    assert refused.value.exit_code == 2
    engine = make_engine(pg_url)
    try:
        assert _tables(engine) == set()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_refused_database_leaves_no_connection_open(pg_url: str,
                                                    opened_engines: list[Engine]) -> None:
    """When Database(url) refuses a database it releases the connection it opened to look."""
    with pytest.raises(InvalidInput):
        Database(pg_url)
    assert len(opened_engines) == 1
    assert opened_engines[0].pool.checkedin() == 0


@pytest.mark.postgres
def test_postgresql_after_upgrade_opens(pg_url: str) -> None:
    """Once upgraded, the same PostgreSQL database opens without complaint."""
    handle = Database(pg_url, check_schema=False)
    try:
        schema.upgrade(handle.engine)
    finally:
        handle.close()
    Database(pg_url).close()
