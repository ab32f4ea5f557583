"""A machine that fails: every failure is one plain line and its documented code, never a
traceback, and nothing is half-recorded. The faults are real: a SQLite file full for its
connection, a read-only file, a PostgreSQL session terminated by the server, a schema newer
than this thidua, two upgrades at once, a file that is no database, a database not there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import Pool

from tests.attack.processes import PROCESS_BOUND_S, ROOT, events, one_line, thidua
from tests.cli.helpers import advance, invoke, ok, parsed, plain_error, start
from tests.conftest import HAPPY_PATH, HEAD, PG_ADMIN_URL, populate
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.errors import Conflict
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack


@contextmanager
def listening(target: Any, name: str, callback: Callable[..., Any]) -> Iterator[None]:
    """``callback`` on the SQLAlchemy event ``name`` of ``target`` while the block runs."""
    event.listen(target, name, callback)
    try:
        yield
    finally:
        event.remove(target, name, callback)


# -- A database that is full ------------------------------------------------------------------

def test_a_full_sqlite_database_is_exit_3(sqlite_db: Database) -> None:
    """When the database cannot grow (SQLite's page limit reached, as on a full disk), a step
    is one line, exit 3, nothing recorded; reading still works."""
    with sqlite_db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

    def full(dbapi_connection: Any, _record: Any) -> None:
        if type(dbapi_connection).__module__ == "sqlite3":
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    url = sqlite_db.url.removeprefix("sqlite:///")
    before = events(sqlite_db)
    with listening(Pool, "connect", full):
        result = invoke(url, "cycle", "fire", "1", "launch", "-i", "plan=" + "x" * 9000,
                        "--as", HEAD)
        message = plain_error(result, 3)
        ok(invoke(url, "cycle", "show", "1"))
    assert "the database is full" in message and "nothing was recorded" in message
    assert events(sqlite_db) == before


# -- A read-only database ---------------------------------------------------------------------

def _unprivileged() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root ignores them otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search")


def test_a_read_only_sqlite_file(sqlite_db: Database) -> None:
    """A database file this account may not write: a change is one line, exit 2, nothing
    recorded and the file unchanged; reading it still works."""
    path = Path(sqlite_db.url.removeprefix("sqlite:///"))
    sqlite_db.close()
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        done = thidua("--db", str(path), "actor", "add", "Người mới", prefix=_unprivileged())
        message = one_line(done, 2)
        assert "cannot be written by this account" in message
        assert "nothing was recorded" in message
        assert thidua("--db", str(path), "cycle", "list", prefix=_unprivileged()).returncode == 0
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before


@pytest.mark.postgres
def test_a_read_only_postgresql_database(pg_url: str) -> None:
    """A PostgreSQL database whose transactions are read-only: a change is one line, exit
    2, nothing recorded; reading still works."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    name = pg_url.rsplit("/", 1)[1]
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    before = events(db)
    db.close()
    try:
        message = plain_error(invoke(pg_url, "actor", "add", "Người mới"), 2)
        assert "cannot be written by this account" in message
        ok(invoke(pg_url, "cycle", "list"))
    finally:
        admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
        admin.dispose()
    check = Database(pg_url)
    assert events(check) == before
    check.close()


# -- A PostgreSQL session terminated by the server --------------------------------------------

class Terminator:
    """Has the server terminate the session that runs a step, from another session, when
    the step reaches ``point``: ``ledgered`` (its event appended) or ``committing``."""

    def __init__(self, point: str) -> None:
        self.point = point
        self.admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"),
                                   isolation_level="AUTOCOMMIT")

    def terminate(self, pid: int) -> None:
        with self.admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    def after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LEDGER"):
            if self.point == "ledgered":
                self.terminate(cursor.connection.info.backend_pid)
            conn.info["ledgered"] = True

    def commit(self, conn: Any) -> None:
        if self.point == "committing" and conn.info.pop("ledgered", False):
            self.terminate(conn.connection.driver_connection.info.backend_pid)


@pytest.mark.postgres
@pytest.mark.parametrize("point", ["ledgered", "committing"])
def test_a_terminated_postgresql_session(pg_url: str, point: str) -> None:
    """The server ends the session in the middle of a step (pg_terminate_backend): one line,
    exit 3, saying the connection was lost and, when it happened during the commit, that the
    step may or may not be recorded; it was not, and the next step goes through."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    cycle = start(db)
    before = events(db)
    terminator = Terminator(point)
    with listening(Engine, "after_cursor_execute", terminator.after), \
            listening(Engine, "commit", terminator.commit):
        result = invoke(pg_url, "cycle", "fire", str(cycle), "launch", "-i", "plan=x",
                        "--as", HEAD)
    terminator.admin.dispose()
    message = plain_error(result, 3)
    assert "the connection to the database was lost" in message
    if point == "committing":
        assert "may or may not be recorded" in message
    else:
        assert "nothing was recorded" in message
    assert events(db) == before
    ok(invoke(pg_url, "cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD))
    db.close()


# The step's document is being written (COPY, past SQLAlchemy) when the server ends the session.
CUT_COPY = """
from sqlalchemy import create_engine, text
from thidua.workflow.engine import inputs

ADMIN, NAME = {admin!r}, {name!r}
read, reads = inputs.Attachment.chunks, []


def chunks(self):
    reads.append(self)
    for number, chunk in enumerate(read(self)):
        if len(reads) == 2 and number == 1:  # the second read is the one being stored
            admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :name AND query LIKE 'COPY documents%'"),
                             {{"name": NAME}})
            admin.dispose()
        yield chunk


inputs.Attachment.chunks = chunks
from thidua.cli.main import main
main()
"""


def _cut_copy(pg_url: str) -> str:
    return CUT_COPY.format(admin=PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"),
                           name=pg_url.rsplit("/", 1)[1])


@pytest.mark.postgres
def test_a_session_terminated_while_a_document_is_written(pg_url: str, tmp_path: Path) -> None:
    """The server ends the session while a step's document is being written: the driver's
    own error, raised past SQLAlchemy, is still one line, exit 3, nothing recorded or stored
    (and not a word of the driver's on standard error); the same step then goes through."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    cycle = start(db)
    advance(db, cycle, until="hold_midyear_review")
    document = tmp_path / "bien-ban.txt"
    document.write_bytes(os.urandom(3 << 20))  # three chunks
    args = ["--db", pg_url, "cycle", "fire", str(cycle), "hold_midyear_review", "--as", HEAD,
            "-i", f"minutes=@{document}", "-i", "place=Bắc Ninh", "-i", "starts_on=2023-01-01",
            "-i", "ends_on=2023-01-01", "-i", f"chaired_by={HEAD}",
            "-i", "second_half_tasks=Tiếp tục kế hoạch"]
    before, stored = events(db), _stored(db)
    done = subprocess.run([sys.executable, "-c", _cut_copy(pg_url), *args], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          timeout=PROCESS_BOUND_S, check=False)
    message = one_line(done, 3)
    assert "the connection to the database was lost" in message
    assert "nothing was recorded" in message
    assert (events(db), _stored(db)) == (before, stored)
    ok(invoke(pg_url, *args[2:]))
    assert (events(db), _stored(db)) == (before + 1, stored + 1)
    db.close()


@pytest.mark.postgres
def test_a_lost_copy_is_a_plain_error_of_the_service(pg_url: str) -> None:
    """The same, called as a library: :func:`fire` raises thidua's own error, not the
    driver's."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    cycle = start(db)
    advance(db, cycle, until="hold_midyear_review")
    name = pg_url.rsplit("/", 1)[1]

    class Cut(Attachment):
        reads = 0

        def chunks(self) -> Iterator[bytes]:
            Cut.reads += 1
            for number, chunk in enumerate(super().chunks()):
                if Cut.reads == 2 and number == 1:
                    admin = create_engine(PG_ADMIN_URL.replace("postgresql://",
                                                               "postgresql+psycopg://"),
                                          isolation_level="AUTOCOMMIT")
                    with admin.connect() as conn:
                        conn.execute(text("SELECT pg_terminate_backend(pid) FROM "
                                          "pg_stat_activity WHERE datname = :name AND "
                                          "query LIKE 'COPY documents%'"), {"name": name})
                    admin.dispose()
                yield chunk

    inputs = {**next(step[3] for step in HAPPY_PATH if step[0] == "hold_midyear_review"),
              "minutes": Cut("bien-ban.txt", os.urandom(3 << 20))}
    before = events(db)
    with pytest.raises(Conflict, match="the connection to the database was lost"):
        fire(db, cycle, "hold_midyear_review", actor=HEAD, inputs=inputs)
    assert events(db) == before
    fire(db, cycle, "hold_midyear_review", actor=HEAD, inputs=inputs)
    assert events(db) == before + 1
    db.close()


def _stored(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM documents")).scalar_one())


# -- Schemas: newer than this thidua, two upgrades at once, a file that is no database --------

def test_a_newer_schema_asks_to_upgrade_thidua(db_url: str, db: Database) -> None:
    """A database upgraded by a newer thidua: every command, `db upgrade` included, is one
    line, exit 2, saying to upgrade thidua (not the database); `db current` shows it."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    for args in (["cycle", "list"], ["audit", "verify"], ["actor", "add", "A"],
                 ["db", "upgrade"]):
        message = plain_error(invoke(db_url, *args), 2)
        assert "newer than this thidua knows" in message and "upgrade thidua" in message
        assert "db upgrade" not in message
    assert parsed(invoke(db_url, "db", "current", json=True))["revision"] == "0999"


@pytest.mark.parametrize("backend", ["sqlite",
                                     pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_upgrades_at_once(backend: str, request: pytest.FixtureRequest) -> None:
    """Two `db upgrade` processes started together on a new database both end well: the
    second waits for the first and finds nothing to do."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment["PYTHONPATH"] = str(ROOT)
    for _ in range(3 if backend == "sqlite" else 1):
        if backend == "sqlite" and Path(url).exists():
            for side in ("", "-wal", "-shm"):
                Path(url + side).unlink(missing_ok=True)
        processes = [subprocess.Popen([sys.executable, "-c",
                                       "from thidua.cli.main import main; main()",
                                       "--db", url, "db", "upgrade"], cwd=ROOT,
                                      env=environment, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE) for _ in range(2)]
        outcomes = [p.communicate(timeout=PROCESS_BOUND_S) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outcomes
        assert parsed(invoke(url, "db", "current", json=True))["up_to_date"] is True


def test_a_file_that_is_no_database(tmp_path: Path) -> None:
    """A file that is not a SQLite database as --db: reading and writing commands are one
    line, exit 2, naming it; the file is left as it was."""
    path = tmp_path / "notes.db"
    path.write_text("Biên bản họp cụm, không phải cơ sở dữ liệu.\n" * 200, encoding="utf-8")
    before = path.read_bytes()
    for args in (["cycle", "list"], ["audit", "verify"], ["actor", "add", "A"],
                 ["db", "upgrade"], ["db", "current"]):
        message = plain_error(invoke(str(path), *args), 2)
        assert "not a SQLite database" in message or "not a database" in message, message
    assert path.read_bytes() == before


# -- Reading never creates a database ---------------------------------------------------------

READERS = [["cycle", "list"], ["cycle", "show", "1"], ["audit", "verify"], ["audit", "log"],
           ["audit", "head"], ["audit", "export"], ["db", "current"], ["def", "versions"],
           ["doc", "show", "0123456789ab"], ["report", "cycle", "1"],
           ["audit", "state-at", "-c", "Cụm 5", "-p", "2023", "2023-06-30"]]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_reading_a_missing_file_creates_nothing(tmp_path: Path, args: list[str]) -> None:
    """A command that reads, given a SQLite file that is not there (a typo), is exit 5,
    `no database at PATH`, and leaves no file behind."""
    path = tmp_path / "typo.db"
    assert f"no database at {path}" in plain_error(invoke(str(path), *args), 5)
    assert list(tmp_path.iterdir()) == []


def test_a_backup_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    """`db backup` of a database that is not there is exit 5, and creates neither file."""
    path, copy = tmp_path / "typo.db", tmp_path / "copy.db"
    assert "no database at" in plain_error(invoke(str(path), "db", "backup", str(copy)), 5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_a_postgresql_server_that_is_down(pg_url: str) -> None:
    """A server that refuses connections is exit 3 (try again when it is up), one line; a
    login the server does not know is still bad input (exit 2)."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    down = url.set(port=1).render_as_string(hide_password=False)
    message = plain_error(invoke(down, "cycle", "list"), 3)
    assert "cannot reach the database server" in message and "try again" in message
    unknown = url.set(username="no_such_login").render_as_string(hide_password=False)
    assert "cannot open the database" in plain_error(invoke(unknown, "cycle", "list"), 2)
