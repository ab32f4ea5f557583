"""Two offices firing on one cycle at once: exactly one wins, the other gets a conflict and
changes nothing; a repeated request id is a no-op; the ledger never forks."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.cli.helpers import at_once, start
from tests.conftest import CLUSTER, HEAD, SECRETARY, populate
from tests.replay import replayed_matches
from tests.stress.harness import chain_problems, read_ledger
from thidua.store import engine as store_engine
from thidua.workflow.audit import verify as audit
from thidua.workflow.errors import Conflict, InvalidInput, TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services import cycles
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.cycles import Fired, fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import list_cycles, show

ROOT = Path(__file__).resolve().parents[2]
PLAN = {"plan": "Kế hoạch 2023"}
BOUND_S = 60  # a bound on a hung thread or process, not a measure of speed
RENDEZVOUS_S = 3  # how long one start waits for the other to have checked too


@pytest.fixture
def cycle(populated: Database) -> int:
    """Cluster 5's 2023 cycle, just started (version 1, `launch` is next)."""
    return start(populated)




@pytest.fixture
def rendezvous(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make two concurrent :func:`fire` calls both read the cycle before either takes its
    step: the interleaving in which two offices looked at the same version."""
    barrier = threading.Barrier(2, timeout=BOUND_S)
    original = cycles._fire

    def after_both_looked(*args: Any, **kwargs: Any) -> Fired:
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(cycles, "_fire", after_both_looked)
    yield


def _launch(db: Database, cycle_id: int, **kwargs: Any) -> Callable[[], Fired]:
    return lambda: fire(db, cycle_id, "launch", actor=HEAD, inputs=PLAN, **kwargs)


def _one_won(results: list[Fired | BaseException]) -> tuple[Fired, Conflict]:
    won = [r for r in results if isinstance(r, Fired)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert (len(won), len(lost)) == (1, 1), results
    return won[0], lost[0]


def test_two_offices_fire_the_same_step_at_once(populated: Database, cycle: int,
                                                rendezvous: None) -> None:
    """Both looked at version 1: one launch is recorded, the other is a conflict (exit 3)."""
    events = len(read_ledger(populated).rows)
    won, lost = _one_won(at_once([_launch(populated, cycle), _launch(populated, cycle)]))
    assert (won.version, won.repeated) == (2, False)
    assert lost.exit_code == 3
    assert "changed by someone else since you looked; nothing was recorded" in str(lost)
    ledger = read_ledger(populated)
    assert len(ledger.rows) == events + 1
    assert [r.trigger for r in ledger.fires(cycle)] == ["launch"]
    assert show(populated, cycle).version == 2
    assert replayed_matches(populated, cycle)


def test_two_offices_expecting_the_same_version(populated: Database, cycle: int) -> None:
    """With --expect-version 1 from both, whatever the interleaving, exactly one wins."""
    results = at_once([_launch(populated, cycle, expected_version=1),
                        _launch(populated, cycle, expected_version=1)])
    won, lost = _one_won(results)
    assert won.version == 2 and lost.exit_code == 3
    assert len(read_ledger(populated).fires(cycle)) == 1


def test_two_processes_fire_at_once(db_url: str, populated: Database, cycle: int) -> None:
    """Two `thidua cycle fire` processes at once: one exits 0, the other 3 with one line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", "from thidua.cli.main import main; main()", "--db", db_url,
            "cycle", "fire", str(cycle), "launch", "-i", f"plan={PLAN['plan']}", "--as", HEAD,
            "--expect-version", "1"]
    processes = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=BOUND_S) for p in processes]
    codes = sorted(p.returncode for p in processes)
    assert codes == [0, 3], outputs
    loser = next(err for p, (_, err) in zip(processes, outputs, strict=True) if p.returncode)
    assert loser.startswith("Error: ") and loser.count("\n") == 1, loser
    assert "look again" in loser
    assert len(read_ledger(populated).fires(cycle)) == 1
    assert show(populated, cycle).version == 2


def test_repeated_request_id_returns_the_first_result(populated: Database, cycle: int) -> None:
    """A retried command with the same request id returns the first result, writes nothing."""
    first = fire(populated, cycle, "launch", actor=HEAD, inputs=PLAN, request_id="req-1")
    events = len(read_ledger(populated).rows)
    before = show(populated, cycle)
    again = fire(populated, cycle, "launch", actor=HEAD, inputs=PLAN, request_id="req-1")
    assert again.repeated and not first.repeated
    assert (again.seq, again.version, again.to_state) == (first.seq, first.version,
                                                          first.to_state)
    assert len(read_ledger(populated).rows) == events
    assert show(populated, cycle) == before


def test_repeated_request_id_at_once(populated: Database, cycle: int,
                                     rendezvous: None) -> None:
    """The same request sent twice at once is recorded once; both calls get its result."""
    results = at_once([_launch(populated, cycle, request_id="req-2"),
                        _launch(populated, cycle, request_id="req-2")])
    assert all(isinstance(r, Fired) for r in results), results
    fired = [r for r in results if isinstance(r, Fired)]
    assert sorted(f.repeated for f in fired) == [False, True]
    assert len({(f.seq, f.version) for f in fired}) == 1
    assert len(read_ledger(populated).fires(cycle)) == 1


def test_request_id_of_another_step_is_refused(populated: Database, cycle: int) -> None:
    """A request id already used for another step is bad input, and nothing is written."""
    fire(populated, cycle, "launch", actor=HEAD, inputs=PLAN, request_id="req-3")
    events = len(read_ledger(populated).rows)
    with pytest.raises(InvalidInput, match="already used for another step"):
        fire(populated, cycle, "open_registration", actor=SECRETARY, request_id="req-3")
    assert len(read_ledger(populated).rows) == events


@pytest.mark.parametrize("expected", [0, 2], ids=["outdated", "ahead"])
def test_stale_expected_version_changes_nothing(populated: Database, cycle: int,
                                                expected: int) -> None:
    """An expected version other than the cycle's is a conflict (exit 3); nothing changes."""
    before = show(populated, cycle)
    events = len(read_ledger(populated).rows)
    with pytest.raises(Conflict) as conflict:
        fire(populated, cycle, "launch", actor=HEAD, inputs=PLAN, expected_version=expected)
    assert conflict.value.exit_code == 3
    assert show(populated, cycle) == before
    assert len(read_ledger(populated).rows) == events


@pytest.mark.postgres
def test_appends_in_flight_together_do_not_fork(pg_url: str) -> None:
    """Two steps on two cycles, both judged and about to append at once (PostgreSQL lets
    both transactions run): both are recorded, one after the other, the chain whole."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    first, second = start(db), start(db, period=2024)
    barrier = threading.Barrier(2, timeout=BOUND_S)

    def both_judged(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "pg_advisory_xact_lock" in statement:
            barrier.wait()

    event.listen(db.engine, "before_cursor_execute", both_judged)
    try:
        results = at_once([
            _launch(db, first),
            lambda: fire(db, second, "launch", actor=SECRETARY, inputs=PLAN)])
    finally:
        event.remove(db.engine, "before_cursor_execute", both_judged)
    try:
        assert all(isinstance(r, Fired) for r in results), results
        seqs = sorted(r.seq for r in results if isinstance(r, Fired))
        assert seqs[1] == seqs[0] + 1
        assert chain_problems(read_ledger(db)) == []
        audit.verify(db)
    finally:
        db.close()


@pytest.mark.postgres
def test_two_offices_start_the_same_cycle_at_once(pg_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two starts of one cluster's cycle for one year at once open one cycle; the other is
    refused."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    start(db, period=2023)  # the definition is stored: both starts pass that step alike
    barrier = threading.Barrier(2)
    original = cycles._no_open_cycle

    def both_checked(*args: Any) -> None:
        original(*args)
        # Wait for the other start to have checked too; when it cannot (a lock serialises
        # the starts, as it should), go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=RENDEZVOUS_S)

    monkeypatch.setattr(cycles, "_no_open_cycle", both_checked)
    results = at_once([lambda: start_cycle(db, find("ccb-cluster-annual"), CLUSTER, 2024,
                                            actor=SECRETARY)] * 2)
    try:
        assert all(isinstance(r, Fired | TransitionRefused | Conflict) for r in results), results
        assert len(list_cycles(db, period=2024)) == 1
        assert sum(isinstance(r, Fired) for r in results) == 1
    finally:
        db.close()


@pytest.fixture
def writer_busy(sqlite_url: str,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Callable[[], None]]]:
    """A SQLite database with a started cycle, busy timeout shortened to 1 s; the cycle and a
    function that makes another process take the write lock, as in the middle of a step."""
    db = Database(sqlite_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    cycle_id = start(db)
    db.close()
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_S", 1)
    other = sqlite3.connect(sqlite_url, isolation_level=None)

    def hold() -> None:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE cycles SET updated_at = updated_at")

    try:
        yield cycle_id, hold
    finally:
        if other.in_transaction:
            other.rollback()
        other.close()


def test_reading_does_not_wait_for_a_writer_on_sqlite(
        sqlite_url: str, writer_busy: tuple[int, Callable[[], None]]) -> None:
    """On SQLite (WAL) a reader sees the last committed state while a step is being written."""
    cycle_id, hold = writer_busy
    reader = Database(sqlite_url)
    try:
        hold()
        assert show(reader, cycle_id).version == 1
    finally:
        reader.close()


def test_opening_does_not_wait_for_a_writer_on_sqlite(
        sqlite_url: str, writer_busy: tuple[int, Callable[[], None]]) -> None:
    """On SQLite a database can be opened (its schema checked) while a step is being written."""
    _, hold = writer_busy
    hold()
    Database(sqlite_url).close()


def test_a_busy_database_is_a_conflict(sqlite_url: str,
                                       writer_busy: tuple[int, Callable[[], None]]) -> None:
    """A step that cannot get the write lock within the busy timeout is a conflict (exit 3)
    and records nothing."""
    cycle_id, hold = writer_busy
    office = Database(sqlite_url)
    try:
        hold()
        with pytest.raises(Conflict):
            fire(office, cycle_id, "launch", actor=HEAD, inputs=PLAN, expected_version=1)
    finally:
        office.close()
