"""A backup or a bundle whose process is killed in the middle of writing leaves its partial
file in plain sight beside the target (never a hidden one, never a half target), and the next
run for the same target removes it; a run while another is writing is refused (exit 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli.helpers import advance, invoke, ok, plain_error, start
from tests.conftest import populate
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

ROOT = Path(__file__).resolve().parents[2]
PROCESS_BOUND_S = 120  # a bound on a hung process, not a measure of speed
ANNOUNCE = "THIDUA_PAUSED writing"

# Preludes that stop the process for good in the middle of writing its file.
PAUSE_BACKUP = f"""
import sqlite3, sys, time
from thidua.store import backup
def _copy(engine, temporary):
    source = engine.raw_connection()
    def paused(status, remaining, total):
        print({ANNOUNCE!r}, file=sys.stderr, flush=True)
        time.sleep(3600)
    source.driver_connection.backup(sqlite3.connect(temporary), pages=1, progress=paused)
backup._copy = _copy
"""
PAUSE_BUNDLE = f"""
import sys, time
from thidua.workflow.audit import storedzip
_write = storedzip.Sink.write
def write(self, data):
    _write(self, data)
    self.file.flush()
    print({ANNOUNCE!r}, file=sys.stderr, flush=True)
    time.sleep(3600)
storedzip.Sink.write = write
"""


def _paused(prelude: str, url: str, *args: str) -> subprocess.Popen[str]:
    """A thidua process stopped in the middle of writing (announced on standard error)."""
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-c", prelude + "\nfrom thidua.cli.main import main; main()",
         "--db", url, *args], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(PROCESS_BOUND_S, process.kill)
    watchdog.start()
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.strip() == ANNOUNCE:
                return process
        pytest.fail(f"the process never paused: {''.join(seen)}")
    finally:
        watchdog.cancel()


def _killed(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=PROCESS_BOUND_S)
    assert process.returncode == -signal.SIGKILL


def _in_sight(folder: Path) -> list[str]:
    """The names in ``folder``, hidden ones included."""
    return sorted(p.name for p in folder.iterdir())


def test_a_killed_backup(sqlite_url: str, tmp_path: Path) -> None:
    """A backup killed while it copies leaves FILE.partial (not hidden, with SQLite's journal
    of it) and no FILE; a
    second one meanwhile is refused (exit 3); the next one after the kill removes it and
    writes the whole backup."""
    db = Database(sqlite_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    advance(db, start(db), until="sign_compact")
    db.close()
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "thidua-2024-06-30.db"
    process = _paused(PAUSE_BACKUP, sqlite_url, "db", "backup", str(target))
    try:
        assert "being written by another thidua" in plain_error(
            invoke(sqlite_url, "db", "backup", str(target)), 3)
    finally:
        _killed(process)
    left = _in_sight(folder)  # the partial copy, and SQLite's journal of it
    assert "thidua-2024-06-30.db.partial" in left
    assert set(left) <= {"thidua-2024-06-30.db.partial", "thidua-2024-06-30.db.partial-journal"}
    assert "backed up to" in ok(invoke(sqlite_url, "db", "backup", str(target)))
    assert _in_sight(folder) == ["thidua-2024-06-30.db"]
    ok(invoke(str(target), "audit", "verify"))


def test_a_killed_bundle(populated: Database, db_url: str, tmp_path: Path) -> None:
    """A bundle killed while it writes leaves FILE.partial (not hidden) and no FILE; a
    second one meanwhile is refused (exit 3); the next one after the kill removes it and
    writes the whole bundle, which verifies."""
    advance(populated, start(populated), until="sign_compact")
    folder = tmp_path / "bundles"
    folder.mkdir()
    target = folder / "cum5-2023.zip"
    process = _paused(PAUSE_BUNDLE, db_url, "audit", "bundle", str(target))
    try:
        assert "being written by another thidua" in plain_error(
            invoke(db_url, "audit", "bundle", str(target)), 3)
    finally:
        _killed(process)
    assert _in_sight(folder) == ["cum5-2023.zip.partial"]
    assert (folder / "cum5-2023.zip.partial").stat().st_size > 0
    ok(invoke(db_url, "audit", "bundle", str(target)))
    assert _in_sight(folder) == ["cum5-2023.zip"]
    ok(invoke(db_url, "audit", "verify", "--bundle", str(target)))



# -- planted files and existing targets ----------------------------------------------------

def test_a_planted_partial_link_is_never_written_through(db_url: str, populated: Database,
                                                         tmp_path: Path) -> None:
    """A symbolic link (or a folder) planted at FILE.partial, pointing at a file of the
    operator's: `db backup` (SQLite) and `audit bundle` refuse it (exit 2, naming it), the
    file it points at keeps its content and no FILE is written."""
    precious = tmp_path / "precious.txt"
    precious.write_text("precious", encoding="utf-8")
    cases = [(["audit", "bundle"], tmp_path / "nb.zip")]
    if populated.engine.dialect.name == "sqlite":
        cases.append((["db", "backup"], tmp_path / "bk.db"))
    for args, target in cases:
        planted = tmp_path / (target.name + ".partial")
        planted.symlink_to(precious)
        message = plain_error(invoke(db_url, *args, str(target)), 2)
        assert f"{planted} is a symbolic link" in message
        assert precious.read_text(encoding="utf-8") == "precious"
        assert not target.exists() and planted.is_symlink()
        planted.unlink()
        planted.mkdir()
        assert f"{planted} is not a regular file" in plain_error(
            invoke(db_url, *args, str(target)), 2)
        planted.rmdir()


def test_an_existing_export_or_bundle_is_replaced_only_with_force(
        populated: Database, db_url: str, tmp_path: Path) -> None:
    """`audit export -o FILE` and `audit bundle FILE` refuse an existing FILE (exit 2) and
    leave it as it was; with --force they replace it whole, and a symbolic link at FILE is
    replaced, never written through."""
    folder = tmp_path / "exports"
    folder.mkdir()
    precious = folder / "precious.txt"
    precious.write_text("secret", encoding="utf-8")
    for args in (["audit", "export", "-o"], ["audit", "bundle"]):
        target = folder / "out"
        target.symlink_to(precious)
        message = plain_error(invoke(db_url, *args, str(target)), 2)
        assert f"{target} already exists: give --force to replace it" in message
        ok(invoke(db_url, *args, str(target), "--force"))
        assert precious.read_text(encoding="utf-8") == "secret"
        assert not target.is_symlink() and target.stat().st_size > 0
        assert _in_sight(folder) == ["out", "precious.txt"]
        target.unlink()


# -- a full disk ----------------------------------------------------------------------------

LIMIT = 33_000  # bytes a file may grow to: more than SQLite's shared-memory file needs


def test_a_full_disk_is_exit_3_and_leaves_no_file(tmp_path: Path) -> None:
    """With the files it may write limited in size (as on a full disk), `audit export -o`,
    `audit bundle` and `db backup` fail with one line, exit 3, and leave neither FILE nor
    FILE.partial."""
    from tests.attack.processes import one_line, thidua

    database = tmp_path / "demo.db"
    assert thidua("--db", str(database), "demo").returncode == 0
    exported = thidua("--db", str(database), "audit", "export")
    assert len(exported.stdout) > LIMIT  # so that the export cannot fit
    folder = tmp_path / "out"
    folder.mkdir()
    limited = ("prlimit", f"--fsize={LIMIT}", "--")
    for args, what in ((["audit", "export", "-o", str(folder / "e.jsonl")], "its disk is full"),
                       (["audit", "bundle", str(folder / "b.zip")], "its disk is full"),
                       (["db", "backup", str(folder / "bk.db")], "its disk")):
        line = one_line(thidua("--db", str(database), *args, prefix=limited), 3)
        assert what in line and "nothing was written" in line
        assert _in_sight(folder) == []
