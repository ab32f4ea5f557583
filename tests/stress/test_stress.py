"""Many offices at once: 8 processes × 120 fires on shared cycles lose, double and forge
nothing, on SQLite and on PostgreSQL. Run alone with ``python -m pytest tests/stress -q``."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable

import pytest

from tests.stress import harness
from tests.stress.workload import Tally, work_to_queue
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database

PROCESSES = 8
FIRES = 120  # each step replays its cycle (forged rows refused): its cost grows with the cycle
CYCLES = 3
RESULT_WAIT_S = 600  # a bound on a hung worker, not a measure of speed

pytestmark = pytest.mark.slow


def _run_workers(url: str, cycle_ids: list[int]) -> list[Tally]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start = ctx.Barrier(PROCESSES)
    workers = [ctx.Process(target=work_to_queue,
                           args=(queue, url, n, cycle_ids, FIRES, 1000 + n, cycle_ids[-1], start))
               for n in range(PROCESSES)]
    for process in workers:
        process.start()
    results = [queue.get(timeout=RESULT_WAIT_S) for _ in workers]
    for process in workers:
        process.join(timeout=RESULT_WAIT_S)
    failed = [r for r in results if not isinstance(r, Tally)]
    assert failed == [], failed[0] if failed else ""
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    return sorted((r for r in results if isinstance(r, Tally)), key=lambda t: t.worker)


def test_concurrent_fires_lose_double_and_forge_nothing(
        db_url: str, report: Callable[[str], None]) -> None:
    """Afterwards state changes = successful commands; refused and conflicting ones left no
    trace; the chain has no gap or fork, verifies, and every cycle replays."""
    db = Database(db_url, check_schema=False)
    upgrade_db(db)
    cycle_ids = harness.prepare(db, CYCLES)
    before = len(harness.read_ledger(db).rows)
    began = time.perf_counter()
    tallies = _run_workers(db_url, cycle_ids)
    elapsed = time.perf_counter() - began

    unexpected = [u for t in tallies for u in t.unexpected]
    assert unexpected == [], "\n".join(unexpected[:5])
    fired = [f for t in tallies for f in t.fired]
    refused = {token for t in tallies for token in t.refused}
    conflicts = {token for t in tallies for token in t.conflicts}
    assert len(fired) + len(refused) + len(conflicts) == PROCESSES * FIRES

    ledger = harness.assert_consistent(db)
    events = ledger.fires()
    states = harness.versions(db)
    assert sum(version - 1 for _, version in states.values()) == len(fired)
    assert len(events) == len(fired)
    assert len(ledger.rows) == before + len(fired)
    # Each event is the trace of exactly one successful command, and of no other.
    assert sorted((r.seq, r.cycle_id, r.trigger, r.cycle_version, r.reason) for r in events) \
        == sorted(fired)
    assert {r.reason for r in events}.isdisjoint(refused | conflicts)
    keys = {r.idempotency_key for r in events if r.idempotency_key}
    succeeded = {token for *_, token in fired}
    requested = {key for t in tallies for key in t.request_ids}
    assert keys == {key for key in requested if key.removeprefix("req-") in succeeded}
    # There was contention to survive, and retries to absorb.
    stale = sum(t.stale for t in tallies)
    repeats = sum(t.repeats for t in tallies)
    assert stale > 0 and repeats > 0 and refused

    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    by_trigger = Counter(r.trigger for r in events)
    report(f"stress[{backend}]: {PROCESSES} processes x {FIRES} fires on {CYCLES} cycles in "
           f"{elapsed:.1f} s: {len(fired)} succeeded ({dict(sorted(by_trigger.items()))}), "
           f"{len(refused)} refused, {len(conflicts)} conflicts ({stale} stale on purpose, "
           f"{len(conflicts) - stale} races), {repeats} retried request ids repeated; "
           f"state changes {sum(v - 1 for _, v in states.values())} = fire events "
           f"{len(events)}; ledger {len(ledger.rows)} events verified; states "
           f"{ {c: s for c, (s, _) in sorted(states.items())} }")
    db.close()
