"""Crash safety: a `thidua cycle fire` process killed with SIGKILL anywhere in its transaction
leaves the store consistent, the step wholly there or wholly absent, and no lock behind.

The process is killed at pause points inside the transaction, which the test puts into it from
outside (:mod:`tests.stress.pause`: after the cycle is read and locked, after the cycle is
written, after the ledger event is appended — nothing committed yet) and at random times around
its end. One prepared database per backend takes every kill.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import pytest
from sqlalchemy import text

from tests.stress import harness, pause
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

ROOT = Path(__file__).resolve().parents[2]
RUNS = {"sqlite": 60, "postgresql": 45}
SEEDS = {"sqlite": 60, "postgresql": 45}  # fixed: a failing run can be replayed
CALIBRATION = 3  # whole, unkilled runs that measure how long a fire process lives
PROCESS_BOUND_S = 120  # a bound on a hung process, not a measure of speed
RELEASE_BOUND_S = 60  # how long the server may take to abort a killed client's transaction

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Step:
    """A step that the rules allow now, as a command line and as a call."""

    cycle_id: int
    trigger: str
    actor: str
    token: str
    unit: str | None
    request_id: str | None

    def argv(self, url: str, pause_at: str | None = None) -> list[str]:
        """`thidua --db URL cycle fire ...`, run from this checkout; with ``pause_at``, the
        process stops at that pause point (see :mod:`tests.stress.pause`)."""
        prelude = f"from tests.stress import pause; pause.at({pause_at!r}); " if pause_at else ""
        args = [sys.executable, "-c", prelude + "from thidua.cli.main import main; main()",
                "--db", url, "cycle", "fire", str(self.cycle_id), self.trigger,
                "--as", self.actor, "--reason", self.token]
        if self.unit:
            args += ["--unit", self.unit, "-i", f"text={self.token}"]
        if self.request_id:
            args += ["--request-id", self.request_id]
        return args

    def fire(self, db: Database) -> tuple[int, bool]:
        """Take it in this process; (seq, repeated)."""
        fired = fire(db, self.cycle_id, self.trigger, actor=self.actor, unit=self.unit,
                     inputs={"text": self.token} if self.unit else {}, reason=self.token,
                     request_id=self.request_id)
        return fired.seq, fired.repeated


def _allowed(db: Database, rng: random.Random, cycle_id: int, token: str) -> Step:
    state, _ = harness.versions(db)[cycle_id]
    request_id = f"req-{token}" if rng.random() < 0.5 else None
    if rng.random() < 0.3:
        unit = rng.choice(harness.UNITS)
        return Step(cycle_id, "note", harness.MEMBER[unit], token, unit, request_id)
    trigger = "flip" if state == "even" else "flop"
    return Step(cycle_id, trigger, harness.SECRETARY, token, None, request_id)


def _start(step: Step, url: str, pause_at: str | None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(step.argv(url, pause_at), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _kill_when_paused(process: subprocess.Popen[str], point: str) -> None:
    """Kill ``process`` as soon as it says it paused at ``point``."""
    watchdog = threading.Timer(PROCESS_BOUND_S, process.kill)
    watchdog.start()
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.strip() == f"{pause.ANNOUNCE} {point}":
                process.send_signal(signal.SIGKILL)
                break
        else:
            pytest.fail(f"the process never paused at {point}: {''.join(seen)}")
        process.communicate()
    finally:
        watchdog.cancel()
    assert process.returncode == -signal.SIGKILL


def _kill_after(process: subprocess.Popen[str], delay: float) -> bool:
    """Kill ``process`` after ``delay`` seconds; False when it had already finished."""
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=PROCESS_BOUND_S)
    if process.returncode == -signal.SIGKILL:
        return True
    assert process.returncode == 0, err
    return False


def _wait_for_release(db: Database) -> None:
    """On PostgreSQL, wait (bounded) until the server has aborted the killed client's open
    transaction and so released its row and advisory locks."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's file locks go with the process
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                 "AND xact_start IS NOT NULL")
    deadline = time.monotonic() + RELEASE_BOUND_S
    while True:
        with db.engine.connect() as conn:
            if conn.execute(query).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, "a killed client's transaction is still open"
        time.sleep(0.02)


def _traces(db: Database, token: str) -> int:
    return sum(1 for row in harness.read_ledger(db).rows if row.reason == token)


class Crashes:
    """One prepared database taking kill after kill, with what each run found."""

    def __init__(self, url: str, db: Database, cycle_ids: list[int], seed: int) -> None:
        self.url, self.db, self.cycle_ids = url, db, cycle_ids
        self.rng = random.Random(seed)
        self.outcomes: Counter[str] = Counter()
        self.lifetimes: list[float] = []  # how long a whole fire process lived
        self.to_transaction: list[float] = []  # how long one took to reach its transaction
        self.runs = 0

    def step(self) -> Step:
        """A fresh allowed step on one of the cycles."""
        self.runs += 1
        return _allowed(self.db, self.rng, self.rng.choice(self.cycle_ids), f"run-{self.runs}")

    def calibrate(self) -> None:
        """A whole run, not killed: it records its step, and times a fire process's life."""
        step = self.step()
        began = time.perf_counter()
        process = _start(step, self.url, None)
        out, err = process.communicate(timeout=PROCESS_BOUND_S)
        assert process.returncode == 0, err
        self.lifetimes.append(time.perf_counter() - began)
        assert _traces(self.db, step.token) == 1, out

    def kill(self, point: str | None) -> None:
        """Run one step, kill it at ``point`` (or at a random time), check the store, retry
        the step, then take a normal one."""
        step = self.step()
        before = harness.versions(self.db)[step.cycle_id][1]
        began = time.perf_counter()
        process = _start(step, self.url, point)
        if point is not None:
            _kill_when_paused(process, point)
            self.to_transaction.append(time.perf_counter() - began)
            outcome = f"{point}: killed"
        else:
            # Around the moment recent processes reached their transaction (start-up, mostly
            # imports, is most of a process's life), as the machine's load goes now.
            reach = median(self.to_transaction[-8:] or self.lifetimes)
            killed = _kill_after(process, self.rng.uniform(0.8 * reach, 1.3 * reach))
            outcome = "random: killed" if killed else "random: finished first"
        _wait_for_release(self.db)
        traces = _traces(self.db, step.token)
        assert traces in (0, 1)
        if point is not None:
            assert traces == 0, "a step killed before its commit was recorded"
        self.outcomes[outcome + (", step recorded" if traces else ", step absent")] += 1
        assert harness.versions(self.db)[step.cycle_id][1] == before + traces
        harness.assert_consistent(self.db)
        self._afterwards(step, traces)

    def _afterwards(self, step: Step, traces: int) -> None:
        if step.request_id:  # the client retries the request: once recorded, never twice
            _, repeated = step.fire(self.db)
            assert repeated == bool(traces)
            assert _traces(self.db, step.token) == 1
        follow = _allowed(self.db, self.rng, step.cycle_id, f"after-{self.runs}")
        before = harness.versions(self.db)[step.cycle_id][1]
        follow.fire(self.db)
        assert harness.versions(self.db)[step.cycle_id][1] == before + 1


def test_killed_fire_processes_leave_the_store_consistent(
        db_url: str, report: Callable[[str], None]) -> None:
    """SIGKILL at each pause point and at random times: the store always verifies and
    replays, a killed step is wholly there or absent, and the next step goes through."""
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    db = Database(db_url, check_schema=False)
    upgrade_db(db)
    crashes = Crashes(db_url, db, harness.prepare(db, 2), SEEDS[backend])
    began = time.perf_counter()
    for _ in range(CALIBRATION):
        crashes.calibrate()
    # Each pause point a fifth of the runs, the rest at random times; the pauses come first
    # so that the random kills know when a process reaches its transaction.
    paused = pause.POINTS * (RUNS[backend] // 5)
    rest: list[str | None] = [*paused[len(pause.POINTS):]]
    rest += [None] * (RUNS[backend] - len(paused))
    crashes.rng.shuffle(rest)
    plan = [*pause.POINTS, *rest]
    for point in plan:
        crashes.kill(point)
    elapsed = time.perf_counter() - began
    ledger = harness.assert_consistent(db)

    by_point = Counter(o.split(":")[0] for o in crashes.outcomes.elements())
    assert all(by_point[p] >= RUNS[backend] // 5 for p in pause.POINTS)
    assert sum(crashes.outcomes.values()) == RUNS[backend]
    report(f"crash[{backend}]: {RUNS[backend]} runs with SIGKILL in {elapsed:.1f} s "
           f"(+{CALIBRATION} whole runs, a fire process lives ~{median(crashes.lifetimes):.2f} s): "
           + "; ".join(f"{k} {v}" for k, v in sorted(crashes.outcomes.items()))
           + f"; ledger {len(ledger.rows)} events verified, every cycle replays")
    db.close()
