"""Two offices attaching the same document at once, on different cycles: on PostgreSQL both
found it missing and both write it; the second one's row waits on the first one's key until
that commits. Both steps are recorded, both cite the one stored document."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.cli.helpers import at_once
from tests.conftest import PG_ADMIN_URL, SECRETARY, populate
from tests.replay import replayed_matches
from tests.stress.harness import CLUSTER, PERIOD, UNITS, chain_problems, read_ledger
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.language.loader import load_file
from thidua.workflow.services import directory, documents, identity
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.cycles import Fired, fire, start_cycle
from thidua.workflow.services.db import Database, record
from thidua.workflow.services.views import show

DEFINITION = Path(__file__).with_name("attaching.yaml")
BOUND_S = 60  # a bound on a hung thread, not a measure of speed
CONTENT = "Kế hoạch thi đua năm 2023, gửi chung cho các cụm".encode()


def _blocked(url: str) -> bool:
    """Whether a session of the database at ``url`` waits on a lock (within the bound)."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    try:
        deadline = time.monotonic() + BOUND_S
        while time.monotonic() < deadline:
            with admin.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                     ":name AND wait_event_type = 'Lock'"),
                                {"name": name}).scalar_one():
                    return True
            time.sleep(0.02)
        return False
    finally:
        admin.dispose()




def _documents(db: Database) -> list[tuple[str, str, int]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT sha256, name, size FROM documents ORDER BY sha256"))]


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    """An upgraded PostgreSQL database with Cluster 5 and its people."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    yield db
    db.close()


@pytest.mark.postgres
@pytest.mark.usefixtures("scaffold_events")
@pytest.mark.parametrize("first", ["commits", "rolls back"])
def test_one_document_stored_by_two_transactions_at_once(pg_url: str, pg_db: Database,
                                                         first: str) -> None:
    """A stores the document and holds before its commit; B stores it too and waits on A's
    row. A commits: B goes on, citing the stored document, and commits. A rolls back: B's
    row is written. One row either way, the content read back whole."""
    db = pg_db
    held, release = threading.Event(), threading.Event()

    def attach(hold: bool) -> str:
        with db.transaction() as session:
            digest = documents.store(session, Attachment("ke-hoach.txt", CONTENT))
            if hold:
                held.set()
                assert release.wait(BOUND_S)
                if first == "rolls back":
                    raise LookupError("A gives up")
            record(session, db, kind="admin", trigger="attach", actor=SECRETARY,
                   documents=[digest])
        return digest

    def second() -> str:
        assert held.wait(BOUND_S)
        return attach(False)

    events = len(read_ledger(db).rows)
    threads: list[Any] = []
    waited: list[bool] = []

    def a_then_release() -> str:
        try:
            return attach(True)
        finally:
            release.set()

    def watch() -> None:
        held.wait(BOUND_S)
        waited.append(_blocked(pg_url))
        release.set()

    threads.append(threading.Thread(target=watch))
    threads[0].start()
    results = at_once([a_then_release, second])
    threads[0].join(BOUND_S)
    assert waited == [True]  # B did wait on A's row: the race took place
    digest = Attachment("x", CONTENT).sha256
    if first == "commits":
        assert results == [digest, digest]
    else:
        assert isinstance(results[0], LookupError) and results[1] == digest
    assert _documents(db) == [(digest, "ke-hoach.txt", len(CONTENT))]
    ledger = read_ledger(db)
    cited = [json.loads(row.documents) for row in ledger.rows[events:]]
    assert cited == [[digest]] * (2 if first == "commits" else 1)
    assert not chain_problems(ledger)
    view = documents.show(db, digest)
    assert view.intact and len(view.cited_by) == len(cited)


@pytest.fixture
def two_cycles(db: Database) -> tuple[int, int]:
    """A cluster and two started cycles of the test-only filing definition (two years), its
    `file` step next on both."""
    directory.add_cluster(db, CLUSTER, members=UNITS, head=UNITS[0], deputy=UNITS[1],
                          period=PERIOD, joined_on=dt.date(PERIOD - 2, 1, 1))
    directory.add_actor(db, SECRETARY, unit_name=None)
    identity.grant(db, SECRETARY, "secretariat", cluster_name=CLUSTER)
    loaded = load_file(DEFINITION)
    first, second = (start_cycle(db, loaded, CLUSTER, PERIOD - k, actor=SECRETARY,
                                 draft=True).cycle_id for k in range(2))
    return first, second


def _file(db: Database, cycle: int) -> Callable[[], Fired]:
    document = Attachment("ke-hoach.txt", CONTENT)
    return lambda: fire(db, cycle, "file", actor=SECRETARY, inputs={"document": document})


def test_two_cycles_filed_at_once_with_one_document(db_url: str, db: Database,
                                                    two_cycles: tuple[int, int],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Two offices take a step on two cycles at once, attaching the same document. On
    PostgreSQL the first to store it holds until the other waits on its row, then commits:
    both steps are recorded, each citing the one stored document."""
    if db_url.startswith("postgresql"):
        real, holding, waited = documents.store, threading.Lock(), []

        def store_then_hold(session: Any, attachment: Attachment) -> str:
            digest = real(session, attachment)
            if holding.acquire(blocking=False):  # the first step to store it holds
                waited.append(_blocked(db_url))
            return digest

        monkeypatch.setattr(documents, "store", store_then_hold)
    results = at_once([_file(db, cycle) for cycle in two_cycles])
    assert all(isinstance(result, Fired) for result in results), results
    if db_url.startswith("postgresql"):
        assert waited == [True]  # the second step did wait on the first one's row
    digest = Attachment("x", CONTENT).sha256
    assert _documents(db) == [(digest, "ke-hoach.txt", len(CONTENT))]
    ledger = read_ledger(db)
    for cycle in two_cycles:
        assert [json.loads(row.documents) for row in ledger.fires(cycle)] == [[digest]]
        assert show(db, cycle).state == "filed"
        assert replayed_matches(db, cycle)
    assert not chain_problems(ledger)
    assert len(documents.show(db, digest).cited_by) == 2
