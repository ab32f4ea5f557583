"""``thidua audit``: read the ledger and verify its hash chain, also after tampering."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.cli.helpers import advance, error, ok, parsed, plain_error, start
from tests.conftest import Invoke
from thidua.workflow.services.db import Database


@pytest.fixture
def cycle(populated: Database) -> int:
    """Cluster 5's 2023 cycle, advanced to registration with Hà Nội registered."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="register", occurrence=2)
    return cycle_id


def _drop_append_only_triggers(db: Database) -> None:
    """What an attacker with database access does first: remove the append-only triggers."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER ledger_no_update ON ledger"))
        else:
            conn.execute(text("DROP TRIGGER ledger_no_update"))
            conn.execute(text("DROP TRIGGER ledger_no_delete"))


def _raw(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_log_text(cli: Invoke, cycle: int) -> None:
    """`audit log` prints one row per event with its kind, actor, operator and hash."""
    lines = ok(cli("audit", "log")).splitlines()
    assert lines[0].split() == ["seq", "recorded", "cycle", "event", "actor", "operator",
                                "details", "hash"]
    events = parsed(cli("audit", "log", json=True))
    assert len(lines) == 2 + len(events)
    assert "cluster_add" in lines[2]
    assert "launch constituted->launched" in ok(cli("audit", "log"))
    assert events[-1]["hash"][:12] in lines[-1]


def test_log_json_is_a_chain(cli: Invoke, cycle: int) -> None:
    """`--json audit log` lists events oldest first, each chained to the one before."""
    events = parsed(cli("audit", "log", json=True))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["prev_hash"] == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after["prev_hash"] == before["hash"]
    assert {"seq", "cycle", "kind", "trigger", "from", "to", "actor", "operator", "role",
            "unit", "at", "occurred_at", "inputs", "reason", "hash"} <= set(events[0])


def test_log_cycle_filter(populated: Database, cli: Invoke, cycle: int) -> None:
    """`audit log --cycle` shows only that cycle's events, the same as its history."""
    other = start(populated, period=2024)
    events = parsed(cli("audit", "log", "--cycle", str(cycle), json=True))
    assert {e["cycle"] for e in events} == {cycle}
    history = parsed(cli("cycle", "history", str(cycle), json=True))
    assert [e["seq"] for e in events] == [e["seq"] for e in history]
    assert [e["trigger"] for e in parsed(cli("audit", "log", "--cycle", str(other),
                                             json=True))] == ["start"]


def test_log_limit(cli: Invoke, cycle: int) -> None:
    """`audit log --limit N` shows the last N events, oldest first."""
    everything = parsed(cli("audit", "log", json=True))
    assert parsed(cli("audit", "log", "--limit", "3", json=True)) == everything[-3:]
    assert len(ok(cli("audit", "log", "--limit", "2")).splitlines()) == 4
    assert parsed(cli("audit", "log", "--limit", "0", json=True)) == []


def test_log_cycle_and_limit(cli: Invoke, cycle: int) -> None:
    """--cycle and --limit together give the cycle's last N events."""
    events = parsed(cli("audit", "log", "--cycle", str(cycle), "--limit", "2", json=True))
    assert [e["trigger"] for e in events] == ["open_registration", "register"]


def test_log_negative_limit(cli: Invoke, cycle: int) -> None:
    """A negative --limit is a usage error (exit 2) on every backend."""
    assert "--limit" in error(cli("audit", "log", "--limit", "-1"), 2)


def test_log_empty(cli: Invoke) -> None:
    """On an empty ledger `audit log` prints only the header (JSON: [])."""
    assert parsed(cli("audit", "log", json=True)) == []
    assert len(ok(cli("audit", "log")).splitlines()) == 2


def test_verify_intact(populated: Database, cli: Invoke, cycle: int) -> None:
    """`audit verify` on an untouched ledger exits 0 with the count, the head hash and the
    records it replayed (none with --fast); --json names the triggers it found in place."""
    events = parsed(cli("audit", "log", json=True))
    out = ok(cli("audit", "verify")).strip()
    assert out == (f"ledger intact: {len(events)} events, head {events[-1]['seq']} "
                   f"{events[-1]['hash'][:16]}; records match: 1 cycle, 23 directory rows")
    triggers = (["ledger_no_update", "ledger_no_truncate"] if populated.engine.dialect.name
                == "postgresql" else ["ledger_no_update", "ledger_no_delete", "ledger_no_replace"])
    assert parsed(cli("audit", "verify", json=True)) == {
        "ok": True, "events": len(events), "head_seq": events[-1]["seq"],
        "head_hash": events[-1]["hash"], "triggers": triggers, "replayed": True, "cycles": 1,
        "directory_rows": 23}
    assert ok(cli("audit", "verify", "--fast")).strip().endswith(
        "; records not replayed (--fast)")
    fast = parsed(cli("audit", "verify", "--fast", json=True))
    assert (fast["replayed"], fast["cycles"], fast["directory_rows"]) == (False, 0, 0)


def test_verify_empty(cli: Invoke) -> None:
    """An empty ledger verifies (exit 0, no events)."""
    assert parsed(cli("audit", "verify", json=True))["events"] == 0


def test_ledger_refuses_update(populated: Database, cli: Invoke, cycle: int) -> None:
    """While the triggers stand, the database itself refuses to alter the ledger."""
    with pytest.raises(DBAPIError):
        _raw(populated, "UPDATE ledger SET reason = 'sửa' WHERE seq = 3")
    with pytest.raises(DBAPIError):
        _raw(populated, "DELETE FROM ledger WHERE seq = 3")
    ok(cli("audit", "verify"))


def test_verify_detects_an_altered_event(populated: Database, cli: Invoke, cycle: int) -> None:
    """With the triggers dropped and one event altered, `audit verify` exits 4 naming it."""
    target = parsed(cli("audit", "log", "--cycle", str(cycle), json=True))[1]["seq"]
    _drop_append_only_triggers(populated)
    _raw(populated, "UPDATE ledger SET actor = 'Kẻ gian' WHERE seq = :seq", seq=target)
    message = plain_error(cli("audit", "verify"), 4)
    assert f"event {target}" in message
    assert "altered" in message
    assert f"{target - 1} events before it verify" in message
    assert f"event {target}" in plain_error(cli("audit", "verify", json=True), 4)


def test_verify_detects_altered_inputs(populated: Database, cli: Invoke, cycle: int) -> None:
    """Changing only an event's inputs (JSON text) is also caught (exit 4)."""
    last = parsed(cli("audit", "log", "--limit", "1", json=True))[0]["seq"]
    _drop_append_only_triggers(populated)
    _raw(populated, "UPDATE ledger SET inputs = :inputs WHERE seq = :seq",
         inputs='{"targets":"khác"}', seq=last)
    assert f"event {last}" in plain_error(cli("audit", "verify"), 4)


def test_verify_detects_a_removed_event(populated: Database, cli: Invoke, cycle: int) -> None:
    """With an event deleted from the middle, `audit verify` exits 4 naming the gap."""
    _drop_append_only_triggers(populated)
    _raw(populated, "DELETE FROM ledger WHERE seq = 5")
    message = plain_error(cli("audit", "verify"), 4)
    assert "event 6" in message
    assert "missing" in message
