"""Readers never lock writers out: while an auditor exports or lists a long ledger, a step in
another process goes through at once; every command that reads runs in a read transaction
(on SQLite it never asks for the write lock); `audit log` streams a long ledger in memory that
does not grow with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text

from tests.cli.helpers import advance, invoke, ok, parsed, start
from tests.conftest import SECRETARY, populate
from thidua.store.ledger import GENESIS, canonical_json, event_hash
from thidua.store.models import LedgerRow
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

ROOT = Path(__file__).resolve().parents[2]
PROCESS_BOUND_S = 300  # a bound on a hung process, not a measure of speed
PROMPT_S = 15.0  # a step waits for no reader: far under the 30 s a writer would hold it


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def _process(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from thidua.cli.main import main; main()",
                             "--db", url, *args], cwd=ROOT, env=_environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def notes(db: Database, count: int) -> None:
    """Append ``count`` administrative events to the ledger at once, chained as thidua
    chains them (a long ledger in seconds)."""
    with db.engine.begin() as conn:
        seq, prev = conn.execute(text(
            "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")).first() or (0, GENESIS)
        rows = []
        for n in range(count):
            seq += 1
            event = {"seq": seq, "cycle": None, "cycle_version": None, "kind": "admin",
                     "trigger": "note", "from": None, "to": None, "actor": SECRETARY,
                     "operator": "kiem-toan", "role": None, "unit": None,
                     "at": "2023-06-01T00:00:00.000000Z",
                     "occurred_at": "2023-06-01T00:00:00.000000Z",
                     "inputs": {"n": n, "note": "ghi chú kiểm tra " * 4}, "reason": None,
                     "documents": [], "definition": None, "idempotency_key": None}
            digest = event_hash(prev, event)
            rows.append({"seq": seq, "cycle_id": None, "cycle_version": None, "kind": "admin",
                         "trigger": "note", "from_state": None, "to_state": None,
                         "actor": SECRETARY, "operator": "kiem-toan", "role": None,
                         "unit": None, "at": event["at"], "occurred_at": event["occurred_at"],
                         "inputs": canonical_json(event["inputs"]), "reason": None,
                         "documents": "[]", "definition_hash": None, "idempotency_key": None,
                         "prev_hash": prev, "hash": digest})
            prev = digest
            if len(rows) == 5000:
                conn.execute(insert(LedgerRow.__table__), rows)
                rows = []
        if rows:
            conn.execute(insert(LedgerRow.__table__), rows)


@pytest.fixture
def long_ledger(populated: Database) -> Iterator[tuple[Database, int]]:
    """A cycle under way in a ledger of some 3,000 events (a megabyte of export)."""
    cycle = start(populated)
    advance(populated, cycle, until="open_registration")
    notes(populated, 3000)
    yield populated, cycle


@pytest.mark.parametrize("reader", [["audit", "export"], ["audit", "log"],
                                    ["--json", "audit", "log"]], ids=" ".join)
def test_a_step_goes_through_while_a_reader_is_stopped(long_ledger: tuple[Database, int],
                                                       db_url: str, reader: list[str]) -> None:
    """A reader stopped in the middle of a long ledger (its output not read: it waits on a
    full pipe, inside its transaction) holds up no step: `cycle fire` in another process
    finishes at once; the reader then finishes whole, without the new event."""
    _, cycle = long_ledger
    head = parsed(invoke(db_url, "audit", "head", json=True))["seq"]
    reading = _process(db_url, *reader)
    try:
        assert reading.stdout is not None
        first = os.read(reading.stdout.fileno(), 4096)  # it has begun; the pipe fills behind
        time.sleep(0.5)
        assert reading.poll() is None, "the reader finished: the ledger is too short to stop it"
        began = time.perf_counter()
        step = _process(db_url, "cycle", "fire", str(cycle), "open_registration",
                        "--as", SECRETARY)
        _, err = step.communicate(timeout=PROCESS_BOUND_S)
        took = time.perf_counter() - began
        assert step.returncode == 0, err.decode()
        assert took < PROMPT_S, f"the step waited {took:.1f} s for the reader"
        rest, err = reading.communicate(timeout=PROCESS_BOUND_S)
    finally:
        if reading.poll() is None:
            reading.kill()
    assert reading.returncode == 0, err.decode()
    output = (first + rest).decode("utf-8")
    assert str(head) in output  # every event up to the head when it began ...
    assert "open_registration" not in output  # ... and not the step taken meanwhile


READ_COMMANDS = [
    ["cycle", "show", "1"], ["cycle", "list"], ["cycle", "history", "1"], ["cycle", "why", "1"],
    ["cycle", "todo", "--as", SECRETARY], ["cycle", "state-at", "1", "2023-06-30"],
    ["audit", "log"], ["audit", "head"], ["audit", "verify"], ["audit", "export"],
    ["audit", "state-at", "-c", "Cụm 5", "-p", "2023", "2023-06-30"],
    ["def", "versions"], ["def", "graph", "ccb-cluster-annual", "--cycle", "1"],
    ["report", "cycle", "1"], ["cluster", "show"], ["db", "current"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_reading_never_asks_for_the_write_lock(sqlite_url: str, args: list[str]) -> None:
    """With another connection holding SQLite's write lock (a step under way), every command
    that reads still answers at once: it never asks for the lock."""
    db = Database(sqlite_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    advance(db, start(db), until="open_registration")
    with db.engine.connect() as holder:
        holder.exec_driver_sql("SELECT 1")  # begun IMMEDIATE: the write lock is held
        began = time.perf_counter()
        result = invoke(sqlite_url, *args)
        took = time.perf_counter() - began
        holder.rollback()
    db.close()
    assert result.exit_code == 0, result.output
    assert took < PROMPT_S, f"{' '.join(args)} waited {took:.1f} s for the write lock"


def test_the_log_of_a_long_ledger_streams(populated: Database, db_url: str) -> None:
    """`audit log` of 60,000 events, as a table and as JSON, peaks within 40 MB of a command
    that reads one event (it held them all: 690 MB for 203,000), and prints every one."""
    notes(populated, 60_000)
    measure = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('MAXRSS ' + next("
               "line.split()[1] for line in open('/proc/self/status') if line.startswith("
               "'VmHWM:')) + '\\n')); from thidua.cli.main import main; main()")

    def peak(*args: str) -> tuple[int, bytes]:
        done = subprocess.run([sys.executable, "-c", measure, "--db", db_url, *args],
                              cwd=ROOT, env=_environment(), capture_output=True,
                              timeout=PROCESS_BOUND_S, check=False)
        assert done.returncode == 0, done.stderr.decode()
        line = next(x for x in done.stderr.decode().splitlines() if x.startswith("MAXRSS "))
        return int(line.split()[1]) // 1024, done.stdout

    floor, _ = peak("audit", "log", "--limit", "1")
    table_peak, table = peak("audit", "log")
    json_peak, listed = peak("--json", "audit", "log")
    print(f"peak memory: {floor} MB for one event, {table_peak} MB (table) and {json_peak} MB "
          "(JSON) for 60,000")
    total = parsed(invoke(db_url, "audit", "head", json=True))["seq"]
    assert total > 60_000
    assert table.count(b"\n") == total + 2  # with the header and its rule
    events: list[dict[str, Any]] = json.loads(listed)
    assert [e["seq"] for e in events] == list(range(1, total + 1))
    assert table_peak < floor + 40 and json_peak < floor + 40


def test_the_streamed_log_is_the_listed_one(populated: Database, cli: Any) -> None:
    """The streamed JSON of `audit log` is the indented list it always was, with --limit and
    --cycle as before."""
    cycle = start(populated)
    advance(populated, cycle, until="open_registration")
    from thidua.cli.output import plain
    from thidua.workflow.audit.log import log

    everything = log(populated)
    out = ok(cli("audit", "log", json=True))
    assert out == json.dumps(plain(everything), ensure_ascii=False, indent=2) + "\n"
    assert parsed(cli("audit", "log", "--limit", "2", json=True)) == everything[-2:]
    assert parsed(cli("audit", "log", "--cycle", str(cycle), "--limit", "1",
                      json=True)) == [e for e in everything if e["cycle"] == cycle][-1:]
    assert ok(cli("audit", "log", "--limit", "0", json=True)) == "[]\n"
