"""Rows forged directly in the database: a step refuses a cycle that no longer matches its
ledger, and nothing is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.cli.helpers import advance, start
from tests.conftest import SECRETARY, Invoke
from thidua.workflow.errors import IntegrityFailure
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

FORGERIES = [
    pytest.param("UPDATE cycles SET state = 'decision_issued'", id="state"),
    pytest.param("UPDATE cycles SET version = version + 1", id="version"),
    pytest.param("UPDATE cycles SET last_hash = '" + "0" * 64 + "'", id="last-hash"),
]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_step_refuses_a_forged_cycle(populated: Database, cli: Invoke, forgery: str) -> None:
    """A cycle row edited outside thidua is refused (exit 4, integrity), nothing recorded."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    with populated.engine.begin() as conn:
        conn.execute(text(forgery + " WHERE id = :id"), {"id": cycle})
        events = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar()
    with pytest.raises(IntegrityFailure, match="does not match its last ledger event"):
        fire(populated, cycle, "sign_compact", actor=SECRETARY,
             expected_version=None)
    result = cli("cycle", "fire", str(cycle), "sign_compact", "--as", SECRETARY)
    assert result.exit_code == 4, result.output
    assert "changed outside thidua" in result.output
    with populated.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar() == events


def _forge_facts(db: Database, cycle: int) -> None:
    """Rewrite one unit's registration in the cycle's facts, as a forger with the database's
    rights would (the row's state, version and last event are left as they were)."""
    import json

    with db.engine.begin() as conn:
        facts = json.loads(conn.execute(text("SELECT facts FROM cycles WHERE id = :id"),
                                        {"id": cycle}).scalar_one())
        unit = next(iter(facts["registration"]))
        facts["registration"][unit]["targets"] = "forged"
        conn.execute(text("UPDATE cycles SET facts = :facts WHERE id = :id"),
                     {"facts": json.dumps(facts, ensure_ascii=False), "id": cycle})


def _forge_definition(db: Database, cycle: int) -> None:
    """Point the cycle at another stored definition version, rightly hashed."""
    from thidua.workflow.language.loader import find
    from thidua.workflow.services.cycles import store_definition

    other = find("ccb-cluster-annual-handover-at-summary")
    with db.transaction() as session:
        store_definition(session, db, other, SECRETARY, "shipped")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET definition_hash = :h WHERE id = :id"),
                     {"h": other.hash, "id": cycle})


def _forge_cluster(db: Database, cycle: int) -> None:
    """Move the cycle to another cluster."""
    import datetime as dt

    from thidua.workflow.services import directory

    directory.add_cluster(db, "Cụm 6", members=["Lào Cai"], head="Lào Cai", deputy=None,
                          period=2023, joined_on=dt.date(2023, 1, 1))
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET cluster_id = (SELECT id FROM clusters WHERE "
                          "name = 'Cụm 6') WHERE id = :id"), {"id": cycle})


def _forge_period(db: Database, cycle: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET period = period + 1 WHERE id = :id"), {"id": cycle})


@pytest.mark.parametrize("forge", [_forge_facts, _forge_definition, _forge_cluster,
                                   _forge_period], ids=["facts", "definition", "cluster",
                                                        "period"])
def test_a_step_refuses_a_cycle_forged_behind_its_last_event(
        populated: Database, cli: Invoke, forge: Any) -> None:
    """A cycle row whose facts, definition, cluster or period were changed outside thidua
    (state, version and last event left intact) is refused before anything is written: exit
    4, naming what differs, the ledger unchanged."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    forge(populated, cycle)
    with populated.engine.connect() as conn:
        events = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar()
    result = cli("cycle", "fire", str(cycle), "sign_compact", "--as", SECRETARY)
    assert result.exit_code == 4, result.output
    assert "does not match its ledger events" in result.output
    assert "changed outside thidua" in result.output
    with populated.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar() == events


@pytest.mark.parametrize("recorded", [None, "UTC"], ids=["default", "recorded"])
def test_a_forged_time_zone_is_refused(populated: Database, cli: Invoke,
                                       recorded: str | None) -> None:
    """The settings row of the business time zone changed outside thidua (from the default,
    or from a zone `db timezone` recorded): a step, every command that shows a date, and an
    export are refused (exit 4, naming the setting and what the ledger gives); nothing is recorded;
    verify names it too."""
    if recorded:
        assert cli("db", "timezone", recorded).exit_code == 0
    cycle = start(populated)
    given = recorded or "Asia/Ho_Chi_Minh"
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = 'America/New_York' "
                          "WHERE key = 'time_zone'"))
        events = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar()
    for args in (["cycle", "fire", str(cycle), "open_registration", "--as", SECRETARY],
                 ["cycle", "history", str(cycle)], ["audit", "export"],
                 ["audit", "export", "--format", "csv", "--until", "2023-12-31"]):
        result = cli(*args)
        assert result.exit_code == 4, result.output
        assert (f"the setting time_zone is 'America/New_York', the ledger gives {given!r}"
                in result.output)
    assert f"settings time_zone: value is 'America/New_York', the ledger gives {given!r}" \
        in cli("audit", "verify").output
    with populated.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar() == events


def test_a_forged_document_limit_is_refused(populated: Database, tmp_path: Any) -> None:
    """The document limit raised outside thidua: a step with a document is refused (exit 4)
    before the document is read."""
    from thidua.workflow.services import documents

    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = '1073741824' "
                          "WHERE key = 'document_limit'"))
    with pytest.raises(IntegrityFailure, match="document_limit is '1073741824', the ledger "
                                               "gives '52428800'"), \
            populated.transaction(write=False) as session:
        documents.limit(session)


@pytest.mark.parametrize("forge", [_forge_facts, _forge_definition, _forge_cluster,
                                   _forge_period], ids=["facts", "definition", "cluster",
                                                        "period"])
def test_a_handle_that_wrote_the_row_still_refuses_it_forged(
        populated: Database, forge: Any) -> None:
    """The handle that took the last step keeps the row it wrote and skips replaying an
    unchanged row; a row forged since (its last event left intact) is no longer that row, so
    it is replayed and refused, nothing recorded."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    assert cycle in populated.checked_cycles  # the same handle fired the steps
    forge(populated, cycle)
    with populated.engine.connect() as conn:
        events = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar()
    with pytest.raises(IntegrityFailure, match="does not match its ledger events"):
        fire(populated, cycle, "sign_compact", actor=SECRETARY)
    with populated.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar() == events


def test_a_row_restored_to_what_the_handle_wrote_is_refused_once_it_moved_on(
        populated: Database) -> None:
    """A row put back to the very content the handle wrote earlier, after the cycle moved on
    (its last event is a later one), is refused: the row no longer names its last event."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    with populated.engine.connect() as conn:
        old = conn.execute(text("SELECT * FROM cycles WHERE id = :id"), {"id": cycle}).one()
    fire(populated, cycle, "sign_compact", actor=SECRETARY)
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET state = :state, version = :version, facts = :facts,"
                          " last_seq = :last_seq, last_hash = :last_hash WHERE id = :id"),
                     {**old._asdict(), "id": cycle})
    with populated.engine.connect() as conn:
        cluster_name = conn.execute(text("SELECT name FROM clusters WHERE id = :id"),
                                    {"id": old.cluster_id}).scalar_one()
    populated.checked_cycles[cycle] = tuple(
        cluster_name if name == "cluster_name" else getattr(old, name) for name in (
            "definition_hash", "cluster_id", "cluster_name", "period", "state", "version",
            "facts", "last_seq", "last_hash"))  # as if this handle had found the old row
    # consistent
    with pytest.raises(IntegrityFailure, match="does not match its last ledger event"):
        fire(populated, cycle, "sign_compact", actor=SECRETARY, expected_version=old.version)


def test_a_handle_that_wrote_the_row_still_refuses_its_cluster_renamed(
        populated: Database, cli: Invoke) -> None:
    """The cycle's row left as the handle wrote it, but its cluster renamed outside thidua:
    the handle that took the last step refuses the next one as a fresh process does (exit 4,
    the cluster named), nothing recorded."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    assert cycle in populated.checked_cycles
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE clusters SET name = 'Cụm 55' WHERE id = "
                          "(SELECT cluster_id FROM cycles WHERE id = :id)"), {"id": cycle})
        events = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar()
    result = cli("cycle", "fire", str(cycle), "sign_compact", "--as", SECRETARY)
    assert result.exit_code == 4, result.output
    assert "cluster is 'Cụm 55'" in result.output
    with pytest.raises(IntegrityFailure, match="cluster is 'Cụm 55'"):
        fire(populated, cycle, "sign_compact", actor=SECRETARY)
    with populated.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar() == events
