"""A database this account may read but not write — a root-owned file in a root-owned folder,
an auditor's read-only access, a backup on read-only media — is read and verified as it is,
without a byte written beside it; a command that records says plainly that the database is
read-only for this account (exit 2).

The account that may not write is ``nobody``: as root, the command runs in a child process
that first runs it once on a writable copy (so that everything it imports is loaded while the
interpreter's own files can still be read), then drops to ``nobody``. Run as another account,
the files are simply made read-only for it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.attack.processes import events
from tests.cli.helpers import invoke
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

NOBODY = 65534


def _run(db: Path, args: tuple[str, ...]) -> tuple[int, str]:
    result = invoke(str(db), *args)
    return result.exit_code, result.output


def as_reader(db: Path, warm: Path, *args: str) -> tuple[int, str]:
    """``thidua --db DB ARGS`` as an account that may read ``db`` but not write it (``warm``
    is a writable copy to run the command on first, as root)."""
    if os.geteuid() != 0:
        return _run(db, args)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's outcome is read by the parent
        code = 70
        try:
            os.close(reading)
            _run(warm, args)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            outcome = _run(db, args)
            os.write(writing, json.dumps(outcome).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        received = pipe.read()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and received, "the reader's process failed"
    code, output = json.loads(received)
    return int(code), str(output)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def shared() -> Iterator[Path]:
    """A new folder that every account can reach (pytest's own are for their owner only)."""
    folder = Path(tempfile.mkdtemp(prefix="thidua-ro-"))
    folder.chmod(0o755)
    yield folder
    for inner in folder.rglob("*"):
        if inner.is_dir():
            inner.chmod(0o755)
    shutil.rmtree(folder)


@pytest.fixture
def read_only(sqlite_db: Database, shared: Path) -> Iterator[tuple[Path, Path]]:
    """A copy of a populated database with a cycle, in a folder, both not writable by the
    reader (root-owned 0644 file in a 0755 folder, or 0444 in 0555), and a writable copy."""
    sqlite_db.close()
    source = Path(sqlite_db.url.removeprefix("sqlite:///"))
    folder = shared / "ro"
    folder.mkdir()
    shutil.copy(source, folder / "r.db")
    warm = shared / "warm.db"
    shutil.copy(source, warm)
    own = os.geteuid() != 0
    (folder / "r.db").chmod(0o444 if own else 0o644)
    folder.chmod(0o555 if own else 0o755)
    yield folder / "r.db", warm
    folder.chmod(0o755)


@pytest.mark.parametrize("args", [("audit", "verify"), ("cycle", "list"), ("cycle", "show", "1"),
                                  ("audit", "log", "--limit", "3"), ("db", "current")],
                         ids=" ".join)
def test_reads_work_and_write_nothing(read_only: tuple[Path, Path], args: tuple[str, ...]) -> None:
    """Reading commands and `audit verify` work (exit 0) and leave the folder as it was: no
    -wal or -shm file, the database unchanged."""
    db, warm = read_only
    before = _digest(db.parent)
    code, output = as_reader(db, warm, *args)
    assert code == 0, output
    if args == ("audit", "verify"):
        assert "ledger intact" in output and "records match" in output
    assert _digest(db.parent) == before


def test_a_step_is_refused_plainly(read_only: tuple[Path, Path]) -> None:
    """A command that records says the database is read-only for this account (exit 2), in
    one line, and changes nothing."""
    db, warm = read_only
    before = _digest(db.parent)
    code, output = as_reader(db, warm, "actor", "add", "Nguyễn Văn Mới")
    assert code == 2, output
    assert output.startswith("Error: the database") and "cannot be written by this account" \
        in output and "commands that only read it work" in output
    assert len(output.strip().splitlines()) == 1
    assert _digest(db.parent) == before


def test_recent_steps_in_the_wal_are_read(sqlite_db: Database, shared: Path) -> None:
    """With -wal and -shm files beside the database (another connection holds them open),
    a reader who may write none of them reads the latest steps too."""
    folder = shared / "live"
    folder.mkdir()
    path = folder / "r.db"
    sqlite_db.close()
    shutil.copy(sqlite_db.url.removeprefix("sqlite:///"), path)
    warm = shared / "warm.db"
    shutil.copy(path, warm)
    holder = sqlite3.connect(path)  # keeps the -wal and -shm files after thidua's step
    try:
        holder.execute("SELECT 1 FROM ledger LIMIT 1").fetchall()
        assert invoke(str(path), "actor", "add", "Người Mới").exit_code == 0
        live = Database(str(path), create=False)
        expected = events(live)
        live.close()
        assert (folder / "r.db-wal").stat().st_size > 0
        for name in ("r.db", "r.db-wal", "r.db-shm"):
            (folder / name).chmod(0o444)
        folder.chmod(0o555)
        code, output = as_reader(path, warm, "--json", "audit", "verify", "--fast")
        assert code == 0, output
        assert json.loads(output)["events"] == expected
    finally:
        folder.chmod(0o755)
        holder.close()


def test_unreadable_recent_steps_are_named(sqlite_db: Database, shared: Path) -> None:
    """A -wal file that holds steps, without the -shm file a reader would have to make:
    exit 2 naming the -wal file, rather than reading an older state."""
    folder = shared / "stale"
    folder.mkdir()
    sqlite_db.close()
    source = Path(sqlite_db.url.removeprefix("sqlite:///"))
    shutil.copy(source, folder / "r.db")
    warm = shared / "warm.db"
    shutil.copy(source, warm)
    (folder / "r.db-wal").write_bytes(b"\0" * 4096)  # steps not yet in the file
    folder.chmod(0o555)
    try:
        code, output = as_reader(folder / "r.db", warm, "audit", "verify")
    finally:
        folder.chmod(0o755)
    assert code == 2, output
    assert f"{folder}/r.db-wal" in output and "cannot be read without writing" in output
