"""``thidua db backup``: an online copy of a SQLite database in use that verifies and replays;
never overwriting, never half-written; on PostgreSQL, pg_dump as the README says."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.cli.helpers import advance, invoke, ok, parsed, plain_error, start
from tests.conftest import HAPPY_PATH, PG_ADMIN_URL, populate
from tests.replay import replayed_matches
from thidua.store.models import Cycle
from thidua.workflow.audit import verify as audit
from thidua.workflow.services.admin import backup_db, upgrade_db
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database


@pytest.fixture
def in_use(sqlite_url: str) -> Iterator[Database]:
    """A populated SQLite database with a cycle under way (every unit has registered)."""
    db = Database(sqlite_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    advance(db, start(db), until="sign_compact")
    yield db
    db.close()


def _cycle_ids(db: Database) -> list[int]:
    with db.transaction() as session:
        return list(session.scalars(select(Cycle.id).order_by(Cycle.id)))


def _assert_whole(source: Database, copy_url: str) -> int:
    """The copy verifies, every cycle in it replays, and it holds the source's cycles."""
    copy = Database(copy_url)
    try:
        verified = audit.verify(copy)
        assert _cycle_ids(copy) == _cycle_ids(source)
        assert all(replayed_matches(copy, cycle_id) for cycle_id in _cycle_ids(copy))
        return verified.events
    finally:
        copy.close()


def _leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def test_backup_of_a_database_held_open(in_use: Database, sqlite_url: str,
                                        tmp_path: Path) -> None:
    """A backup taken while another connection holds a read transaction open verifies, every
    cycle replays, and thidua opens it."""
    other = sqlite3.connect(sqlite_url)
    try:
        other.execute("BEGIN")
        events = other.execute("SELECT count(*) FROM ledger").fetchone()[0]
        target = tmp_path / "backup.db"
        out = ok(invoke(sqlite_url, "db", "backup", str(target)))
        head = audit.head(in_use)
        assert out == f"backed up to {target} ({target.stat().st_size} bytes, ledger head " \
                      f"{head.seq}:{head.hash})\n"
    finally:
        other.rollback()
        other.close()
    assert _assert_whole(in_use, str(target)) == events == head.seq
    assert "ledger intact" in ok(invoke(str(target), "audit", "verify"))
    assert _leftovers(tmp_path, "backup.db") == []


def test_backup_while_steps_are_being_taken(in_use: Database, tmp_path: Path) -> None:
    """A backup made while another thread takes steps is a consistent snapshot."""
    cycle_id = _cycle_ids(in_use)[-1]
    first = next(i for i, step in enumerate(HAPPY_PATH) if step[0] == "sign_compact")
    steps = HAPPY_PATH[first:first + 7]  # the compact, the first half, mid-year reports

    def take_steps() -> None:
        for trigger, person, unit, inputs, reason in steps:
            fire(in_use, cycle_id, trigger, actor=person, unit=unit, inputs=inputs,
                 reason=reason)

    writer = threading.Thread(target=take_steps)
    writer.start()
    try:
        done = backup_db(in_use, tmp_path / "snapshot.db")
    finally:
        writer.join()
    events = _assert_whole(in_use, str(tmp_path / "snapshot.db"))
    assert done.head_seq == events <= audit.head(in_use).seq


def test_backup_json(in_use: Database, sqlite_url: str, tmp_path: Path) -> None:
    """`--json db backup` gives file, size and the ledger head of the copy."""
    target = tmp_path / "b.db"
    head = audit.head(in_use)
    assert parsed(invoke(sqlite_url, "db", "backup", str(target), json=True)) == {
        "file": str(target), "size": target.stat().st_size, "head_seq": head.seq,
        "head_hash": head.hash}


def test_backup_refuses_an_existing_file(in_use: Database, sqlite_url: str,
                                         tmp_path: Path) -> None:
    """An existing FILE is refused with exit 2 and left as it was; nothing else is written."""
    target = tmp_path / "precious.db"
    target.write_bytes(b"not to be overwritten")
    message = plain_error(invoke(sqlite_url, "db", "backup", str(target)), 2)
    assert "already exists" in message
    assert target.read_bytes() == b"not to be overwritten"
    assert _leftovers(tmp_path, "precious.db") == []


def test_backup_into_a_missing_folder(in_use: Database, sqlite_url: str,
                                      tmp_path: Path) -> None:
    """A FILE in a folder that does not exist is bad input (exit 2), in one line."""
    target = tmp_path / "nowhere" / "b.db"
    assert "no folder" in plain_error(invoke(sqlite_url, "db", "backup", str(target)), 2)
    assert not target.parent.exists()


def test_a_failed_backup_leaves_nothing(in_use: Database, sqlite_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A backup that fails midway (here: the disk fills up) leaves neither FILE nor a
    partial copy, and says so in one line (exit 3, as a full disk is)."""
    from thidua.store import backup as store_backup

    def disk_full(_engine: object, temporary: str) -> None:
        Path(temporary).write_bytes(b"SQLite format 3\x00 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_backup, "_copy", disk_full)
    target = tmp_path / "b.db"
    assert "No space left" in plain_error(invoke(sqlite_url, "db", "backup", str(target)), 3)
    assert not target.exists() and _leftovers(tmp_path, "b.db") == []


@pytest.mark.postgres
def test_backup_on_postgresql_points_to_pg_dump(pg_url: str, tmp_path: Path) -> None:
    """On PostgreSQL the command exits 2 with one line naming pg_dump and the README."""
    ok(invoke(pg_url, "db", "upgrade"))
    message = plain_error(invoke(pg_url, "db", "backup", str(tmp_path / "b.db")), 2)
    assert "pg_dump -Fc" in message and "README" in message
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def restored_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database to restore into, dropped afterwards."""
    from sqlalchemy import create_engine

    admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    name = f"thidua_restored_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_pg_dump_and_restore_as_the_readme_says(pg_url: str, restored_url: str,
                                                tmp_path: Path) -> None:
    """The README's pg_dump -Fc / pg_restore into a new database verifies, replays and keeps
    the ledger append-only."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    source = Database(pg_url, check_schema=False)
    upgrade_db(source)
    populate(source)
    advance(source, start(source), until="sign_compact")
    dump = tmp_path / "thidua.dump"
    subprocess.run(["pg_dump", "-Fc", "-d", pg_url, "-f", str(dump)], check=True)
    subprocess.run(["pg_restore", "-d", restored_url, str(dump)], check=True)
    assert "ledger intact" in ok(invoke(restored_url, "audit", "verify"))
    try:
        assert _assert_whole(source, restored_url) == audit.head(source).seq
        copy = Database(restored_url)
        try:
            assert audit.head(copy) == audit.head(source)
            with pytest.raises(DBAPIError), copy.engine.begin() as conn:
                conn.execute(text("UPDATE ledger SET actor = 'forged' WHERE seq = 1"))
        finally:
            copy.close()
    finally:
        source.close()
