"""Documents too large for the database, or large enough to exhaust memory: refused before
they are read, and otherwise hashed, stored, checked and bundled a chunk at a time, in memory
that does not grow with them; on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import advance, error, invoke, ok, parsed, plain_error, start
from tests.conftest import HEAD, SECRETARY
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.errors import InvalidInput
from thidua.workflow.services import documents
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

ROOT = Path(__file__).resolve().parents[2]
PROCESS_BOUND_S = 300  # a bound on a hung process, not a measure of speed
# Peak memory from the kernel's high-water mark of this process's own memory (VmHWM: unlike
# ru_maxrss, it does not carry over the peak of the process that forked it).
MEASURED = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('MAXRSS ' + next("
            "line.split()[1] for line in open('/proc/self/status') if line.startswith("
            "'VmHWM:')) + '\\n')); from thidua.cli.main import main; main()")
LARGE = 40 << 20  # a document of 40 MB: under the default limit, and plain to see in memory


def measured(url: str, *args: str) -> tuple[int, str, int]:
    """Run ``thidua --db URL ARGS`` as its own process: (exit code, standard error without
    the measure, peak memory in MB)."""
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", MEASURED, "--db", url, *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True,
                          timeout=PROCESS_BOUND_S, check=False)
    lines = done.stderr.splitlines()
    peak = next(int(line.split()[1]) for line in lines if line.startswith("MAXRSS "))
    rest = "\n".join(line for line in lines if not line.startswith("MAXRSS "))
    return done.returncode, rest, peak // 1024


def _events(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar_one())


def _dossier_ready(db: Database) -> int:
    """A cycle at the step that attaches the dossier (submit_proposal)."""
    cycle = start(db)
    advance(db, cycle, until="submit_proposal")
    return cycle


def _dossier_args(cycle: int, submission: Path) -> list[str]:
    return ["cycle", "fire", str(cycle), "submit_proposal", "-i", f"submission=@{submission}",
            "-i", f"minutes=@{submission}", "-i", f"achievement_reports=@{submission}",
            "--as", SECRETARY]


def test_a_huge_document_is_refused_before_it_is_read(populated: Database, db_url: str,
                                                      tmp_path: Path) -> None:
    """A 1.1 GB document is refused by its size alone: one line, exit 2, in moments and
    little memory; nothing recorded."""
    cycle = start(populated)
    huge = tmp_path / "ho-so.pdf"
    with huge.open("wb") as file:
        file.truncate(1100 << 20)  # sparse: nothing is written to disk
    before = _events(populated)
    began = time.perf_counter()
    code, err, peak = measured(db_url, "cycle", "fire", str(cycle), "launch", "-i",
                               f"plan=@{huge}", "--as", HEAD)
    took = time.perf_counter() - began
    assert code == 2, err
    assert err.startswith("Error: the document 'ho-so.pdf' is 1.074 GB, more than this "
                          "database's limit of 50 MB"), err
    assert peak < 200, f"{peak} MB"
    assert took < 60
    assert _events(populated) == before


def test_the_limit_is_the_databases(populated: Database, db_url: str, tmp_path: Path) -> None:
    """An administrator sets the limit (`db set document-limit`), in the ledger; a document
    over it is refused, one under it is stored; bad values are refused."""
    cycle = _dossier_ready(populated)
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_bytes(b"x" * 900)
    large.write_bytes(b"y" * 2000)
    assert "document-limit set to 1024 bytes (was 52428800)" in ok(
        invoke(db_url, "db", "set", "document-limit", "1KB"))
    [setting] = [e for e in parsed(invoke(db_url, "audit", "log", json=True))
                 if e["trigger"] == "setting"]
    assert setting["inputs"] == {"key": "document_limit", "value": 1024, "before": "52428800"}
    message = plain_error(invoke(db_url, *_dossier_args(cycle, large)), 2)
    assert "more than this database's limit of 1 KB" in message
    ok(invoke(db_url, *_dossier_args(cycle, small)))
    for bad in ("abc", "12XB", "0", "2GB", "1.5MB", "１MB"):
        message = plain_error(invoke(db_url, "db", "set", "document-limit", bad), 2)
        assert "is not a size" in message or "the document limit must be from" in message


def test_only_an_administrator_sets_the_limit(populated: Database, db_url: str) -> None:
    """Once an administrator exists, another login changing the limit is refused (exit 1)."""
    ok(invoke(db_url, "actor", "add", "Quản trị", "--login", "someone-else"))
    ok(invoke(db_url, "actor", "grant", "Quản trị", "administrator"))
    assert "only an administrator" in plain_error(
        invoke(db_url, "db", "set", "document-limit", "20MB"), 1)


def test_a_damaged_limit_is_an_integrity_failure(populated: Database, db_url: str,
                                                 tmp_path: Path) -> None:
    """A limit changed outside thidua to something that is not a number is exit 4 when a
    document is given."""
    cycle = start(populated)
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = 'lots' WHERE key = 'document_limit'"))
    note = tmp_path / "note.txt"
    note.write_text("x", encoding="utf-8")
    assert "changed outside thidua" in plain_error(invoke(
        db_url, "cycle", "fire", str(cycle), "launch", "-i", f"plan=@{note}", "--as", HEAD), 4)


@pytest.mark.slow
def test_large_documents_stream(populated: Database, db_url: str, tmp_path: Path) -> None:
    """A 40 MB document is stored, shown, verified and bundled in memory that does not grow
    with it (each process peaks within 25 MB of one that reads no document), and comes back
    byte for byte."""
    cycle = _dossier_ready(populated)
    content = os.urandom(LARGE)
    submission = tmp_path / "to-trinh.pdf"
    submission.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    code, err, floor = measured(db_url, "cycle", "list")
    assert code == 0, err
    bundle = tmp_path / "cum5.zip"
    peaks = {}
    for name, args in [("fire", _dossier_args(cycle, submission)),
                       ("doc show", ["doc", "show", digest[:16]]),
                       ("audit verify", ["audit", "verify"]),
                       ("audit bundle", ["audit", "bundle", str(bundle), "--with-documents"]),
                       ("verify bundle", ["audit", "verify", "--bundle", str(bundle)])]:
        code, err, peaks[name] = measured(db_url, *args)
        assert code == 0, (name, err)
    print(f"peak memory: {floor} MB reading no document; {peaks}")
    assert all(peak < floor + 25 for peak in peaks.values()), (floor, peaks)
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read(f"documents/{digest}") == content


def test_a_file_changed_while_it_is_stored(populated: Database, tmp_path: Path) -> None:
    """A file rewritten between being hashed and being stored is bad input: nothing is
    recorded, nothing stored."""
    cycle = _dossier_ready(populated)
    path = tmp_path / "to-trinh.txt"
    path.write_bytes(b"A" * 5000)
    attachment = Attachment.from_path(str(path))
    documents.admit(populated, [attachment])  # measured and hashed
    path.write_bytes(b"B" * 5000)  # same size, other content
    before, stored = _events(populated), _documents(populated)  # the review's minutes
    with pytest.raises(InvalidInput, match="changed while it was stored"):
        fire(populated, cycle, "submit_proposal", actor=SECRETARY,
             inputs={"submission": attachment, "minutes": attachment,
                     "achievement_reports": [attachment]})
    assert _events(populated) == before
    assert _documents(populated) == stored


def _documents(db: Database) -> int:
    with db.engine.connect() as conn:
        count: int = conn.execute(text("SELECT COUNT(*) FROM documents")).scalar_one()
    return count


def test_a_file_that_grew_is_refused(populated: Database, tmp_path: Path) -> None:
    """A file that grew after it was measured is bad input, nothing recorded."""
    cycle = start(populated)
    path = tmp_path / "ke-hoach.txt"
    path.write_bytes(b"A" * 5000)
    attachment = Attachment.from_path(str(path))
    path.write_bytes(b"A" * 9000)
    with pytest.raises(InvalidInput, match="changed while it was read"):
        fire(populated, cycle, "launch", actor=HEAD, inputs={"plan": attachment})


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (3 << 20) + 7])
def test_chunk_boundaries_and_odd_names(db: Database, tmp_path: Path, size: int) -> None:
    """Documents of any size around the chunk, with names holding tabs, backslashes and
    newlines, are stored and read back exactly."""
    content = os.urandom(size)
    path = tmp_path / "tệp"
    path.write_bytes(content)
    name = "biên\tbản\\họp\nngày 1.txt"
    attachment = Attachment.from_path(str(path))
    attachment.name = name
    with db.transaction() as session:
        digest = documents.store(session, attachment)
    from thidua.store import documents as stored

    with db.transaction(write=False) as session:
        [row] = stored.starting(session, digest)
        assert (row.name, row.size, row.kind) == (name, size, "blob")
        assert b"".join(stored.chunks(session, digest)) == content
    assert documents.show(db, digest[:12]).intact


def test_not_a_regular_file(populated: Database, db_url: str, tmp_path: Path) -> None:
    """A folder or a device given as a document is one line, exit 2."""
    cycle = start(populated)
    for path in (str(tmp_path), "/dev/zero"):
        result = invoke(db_url, "cycle", "fire", str(cycle), "launch", "-i", f"plan=@{path}",
                        "--as", HEAD)
        assert "not a regular file" in error(result, 2)
