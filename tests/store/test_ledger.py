"""The audit ledger: canonical JSON, the hash chain, append-only triggers, tamper detection."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from tests.ledger_triggers import restore_triggers
from thidua.store import ledger
from thidua.store.ledger import canonical_json, event_hash
from thidua.workflow.audit.verify import verify
from thidua.workflow.errors import IntegrityFailure
from thidua.workflow.language.loader import find
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database

GENESIS = "0" * 64

# The event's fields as docs/architecture.md names them, mapped to the ledger's columns; written
# out here rather than taken from store.ledger so that the chain is checked independently of it.
EVENT_COLUMNS = {
    "seq": "seq", "cycle": "cycle_id", "cycle_version": "cycle_version", "kind": "kind",
    "trigger": "trigger", "from": "from_state", "to": "to_state", "actor": "actor",
    "operator": "operator", "role": "role", "unit": "unit", "at": "at",
    "occurred_at": "occurred_at", "inputs": "inputs", "reason": "reason",
    "documents": "documents", "definition": "definition_hash",
    "idempotency_key": "idempotency_key",
}

DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER ledger_no_update", "DROP TRIGGER ledger_no_delete"],
    "postgresql": ["DROP TRIGGER ledger_no_update ON ledger",
                   "DROP TRIGGER ledger_no_truncate ON ledger"],
}


def _execute(db: Database, sql: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _ledger(db: Database) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        result = conn.execute(text("SELECT * FROM ledger ORDER BY seq"))
        return [dict(row) for row in result.mappings()]


def _year(db: Database, steps: int = 12) -> int:
    """Start Cluster 5's 2023 cycle and take the first ``steps`` steps of the scripted year."""
    cycle_id = start_cycle(db, find("ccb-cluster-annual"), CLUSTER, 2023, actor=SECRETARY,
                           occurred_at="2023-01-05").cycle_id
    for trigger, person, unit, inputs, reason in HAPPY_PATH[:steps]:
        fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    return cycle_id


@pytest.fixture
def year(populated: Database) -> Database:
    """A populated database whose ledger holds the people, a started cycle and its steps."""
    _year(populated)
    return populated


# --- canonical JSON and the hash ----------------------------------------------------------

def test_canonical_json_sorts_keys_compactly_and_keeps_utf8() -> None:
    """Canonical JSON sorts keys at every level, has no spaces and keeps Vietnamese as UTF-8."""
    value = {"b": 1, "a": {"d": [1, "x"], "c": None}, "đơn vị": "Hà Nội", "ok": True}
    assert canonical_json(value) == (
        '{"a":{"c":null,"d":[1,"x"]},"b":1,"ok":true,"đơn vị":"Hà Nội"}')


def test_canonical_json_does_not_escape_non_ascii() -> None:
    """Non-ASCII characters are written as themselves, never as \\u escapes."""
    result = canonical_json({"actor": "Đào Anh Dũng"})
    assert "\\u" not in result
    assert result.encode("utf-8") == '{"actor":"Đào Anh Dũng"}'.encode()


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_canonical_json_refuses_what_json_cannot_hold(number: float) -> None:
    """NaN and infinities are not JSON: canonical JSON refuses them rather than writing a
    `NaN` that no other JSON reader (an offline verifier) would accept."""
    with pytest.raises(ValueError):
        canonical_json({"self_score": number})


def test_event_hash_is_sha256_of_prev_newline_canonical_json() -> None:
    """event_hash is sha256(prev + "\\n" + canonical JSON), hex, over the UTF-8 bytes."""
    prev = "ab" * 32
    event = {"seq": 7, "actor": "Đào Anh Dũng", "inputs": {"z": 1, "a": [2]}}
    expected = hashlib.sha256(
        (prev + "\n" + '{"actor":"Đào Anh Dũng","inputs":{"a":[2],"z":1},"seq":7}')
        .encode("utf-8")).hexdigest()
    assert event_hash(prev, event) == expected


def test_event_hash_changes_with_any_field_and_with_prev() -> None:
    """Changing one field of the event, or the previous hash, changes the hash."""
    event = {"seq": 1, "actor": "A", "reason": None}
    base = event_hash(GENESIS, event)
    assert event_hash(GENESIS, {**event, "actor": "B"}) != base
    assert event_hash(GENESIS, {**event, "reason": ""}) != base
    assert event_hash("1" * 64, event) != base


def test_stored_chain_recomputes_independently(year: Database) -> None:
    """Every stored event hashes, by the formula of docs/architecture.md, to its stored hash and
    chains to the one before; the first event's prev_hash is 64 zeros."""
    rows = _ledger(year)
    assert len(rows) > 10
    assert rows[0]["seq"] == 1
    assert rows[0]["prev_hash"] == GENESIS
    prev = GENESIS
    for row in rows:
        event = {name: row[column] for name, column in EVENT_COLUMNS.items()}
        event["inputs"] = json.loads(event["inputs"])
        event["documents"] = json.loads(event["documents"])
        body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row["prev_hash"] == prev, f"event {row['seq']}"
        assert row["hash"] == hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest(), \
            f"event {row['seq']}"
        prev = row["hash"]


def test_stored_event_keeps_vietnamese_as_utf8(year: Database) -> None:
    """Inputs are stored as canonical JSON, Vietnamese text unescaped."""
    launch = next(row for row in _ledger(year) if row["trigger"] == "launch")
    assert launch["inputs"] == '{"plan":"Kế hoạch 2023"}'


# --- append-only at the database level ----------------------------------------------------

REFUSED_EVERYWHERE = [
    "UPDATE ledger SET actor = 'Mallory' WHERE seq = 3",
    "UPDATE ledger SET reason = 'rewritten'",
    "UPDATE ledger SET hash = prev_hash WHERE seq = (SELECT MAX(seq) FROM ledger)",
    "DELETE FROM ledger WHERE seq = 3",
    "DELETE FROM ledger WHERE seq = (SELECT MAX(seq) FROM ledger)",
    "DELETE FROM ledger",
]


@pytest.mark.parametrize("statement", REFUSED_EVERYWHERE)
def test_database_refuses_update_and_delete(year: Database, statement: str) -> None:
    """With the migrations' triggers in place the database itself refuses to rewrite the ledger,
    and the ledger is unchanged afterwards."""
    before = _ledger(year)
    with pytest.raises(DBAPIError, match="append-only"):
        _execute(year, statement)
    assert _ledger(year) == before
    assert verify(year).events == len(before)


ON_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@ON_POSTGRES
def test_postgresql_refuses_truncate(year: Database) -> None:
    """On PostgreSQL, TRUNCATE of the ledger is refused too."""
    before = _ledger(year)
    with pytest.raises(DBAPIError, match="append-only"):
        _execute(year, "TRUNCATE ledger")
    assert _ledger(year) == before


def _insert_over_an_event(db: Database, statement: str) -> None:
    """Run ``statement`` (an INSERT) with the values of event 3 but another actor, and check
    that it is refused and leaves the ledger as it was."""
    before = _ledger(db)
    forged = {**before[2], "actor": "Mallory"}
    sql = statement.format(cols=", ".join(forged), values=", ".join(f":{c}" for c in forged))
    with pytest.raises(DBAPIError, match="append-only"):
        _execute(db, sql, **forged)
    assert _ledger(db) == before


_INSERT = "INSERT INTO ledger ({cols}) VALUES ({values})"
_UPSERT = _INSERT + " ON CONFLICT (seq) DO UPDATE SET actor = excluded.actor"


@ON_SQLITE
@pytest.mark.parametrize("statement", [_INSERT.replace("INSERT", "INSERT OR REPLACE"),
                                       _INSERT.replace("INSERT", "REPLACE"), _UPSERT],
                         ids=["insert-or-replace", "replace", "upsert"])
def test_sqlite_refuses_rewrite_through_insert(year: Database, statement: str) -> None:
    """On SQLite an INSERT that would replace a recorded event (REPLACE, upsert) is refused:
    append-only means that no statement can change a recorded event."""
    _insert_over_an_event(year, statement)


@ON_POSTGRES
def test_postgresql_refuses_rewrite_through_upsert(year: Database) -> None:
    """On PostgreSQL an INSERT ... ON CONFLICT DO UPDATE over a recorded event is refused."""
    _insert_over_an_event(year, _UPSERT)


# --- tamper detection ---------------------------------------------------------------------

def _drop_triggers(db: Database) -> None:
    for statement in DROP_TRIGGERS[db.engine.dialect.name]:
        _execute(db, statement)


def _swap(db: Database, rows: list[dict[str, Any]], a: int, b: int) -> None:
    """Give row ``a`` the content of row ``b`` and the other way round (seq stays)."""
    by_seq = {row["seq"]: row for row in rows}
    columns = [c for c in rows[0] if c != "seq"]
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    with db.engine.begin() as conn:
        for target, source in ((a, b), (b, a)):
            values = {c: by_seq[source][c] for c in columns}
            conn.execute(text(f"UPDATE ledger SET {assignments} WHERE seq = :target"),
                         {**values, "target": target})


Tamper = Callable[[Database, list[dict[str, Any]], int], int]


def _update(sql: str) -> Tamper:
    def tamper(db: Database, rows: list[dict[str, Any]], mid: int) -> int:
        _execute(db, sql, seq=mid)
        return mid
    return tamper


def _delete_middle(db: Database, rows: list[dict[str, Any]], mid: int) -> int:
    _execute(db, "DELETE FROM ledger WHERE seq = :seq", seq=mid)
    return mid + 1  # the first remaining event that does not verify


def _delete_first(db: Database, rows: list[dict[str, Any]], mid: int) -> int:
    _execute(db, "DELETE FROM ledger WHERE seq = 1")
    return 2


def _swap_adjacent(db: Database, rows: list[dict[str, Any]], mid: int) -> int:
    _swap(db, rows, mid, mid + 1)
    return mid


def _swap_apart(db: Database, rows: list[dict[str, Any]], mid: int) -> int:
    _swap(db, rows, mid - 2, mid + 3)
    return mid - 2


# How the ledger is changed behind thidua's back -> the kind of damage verify must report.
TAMPERS: dict[str, tuple[Tamper, str]] = {
    "actor": (_update("UPDATE ledger SET actor = 'Mallory' WHERE seq = :seq"), "altered"),
    "inputs": (_update("""UPDATE ledger SET inputs = '{"plan":"khác"}' WHERE seq = :seq"""),
               "altered"),
    "inputs not JSON": (_update("UPDATE ledger SET inputs = '{\"plan\":' WHERE seq = :seq"),
                        "altered"),
    "documents not a list": (_update("UPDATE ledger SET documents = 'null' WHERE seq = :seq"),
                             "altered"),
    "reason": (_update("UPDATE ledger SET reason = 'sửa lại' WHERE seq = :seq"), "altered"),
    "to_state": (_update("UPDATE ledger SET to_state = 'closed' WHERE seq = :seq"), "altered"),
    "occurred_at": (_update("UPDATE ledger SET occurred_at = '2023-01-01T00:00:00.000000Z' "
                            "WHERE seq = :seq"), "altered"),
    "hash rewritten": (_update("UPDATE ledger SET hash = prev_hash WHERE seq = :seq"),
                       "altered"),
    "prev_hash rewritten": (_update("UPDATE ledger SET prev_hash = hash WHERE seq = :seq"),
                            "reordered"),
    "middle row deleted": (_delete_middle, "missing"),
    "first row deleted": (_delete_first, "missing"),
    "adjacent rows swapped": (_swap_adjacent, "reordered"),
    "distant rows swapped": (_swap_apart, "reordered"),
}


def test_intact_ledger_verifies_with_its_count(year: Database) -> None:
    """An untouched ledger verifies: every event counted, the head is the last event's hash."""
    rows = _ledger(year)
    verified = verify(year)
    assert verified.events == len(rows)
    assert verified.head_seq == rows[-1]["seq"]
    assert verified.head_hash == rows[-1]["hash"]


def test_empty_ledger_verifies(db: Database) -> None:
    """A database with no events verifies with zero events and the genesis hash."""
    verified = verify(db)
    assert (verified.events, verified.head_hash) == (0, GENESIS)


@pytest.mark.parametrize(("tamper", "kind"), list(TAMPERS.values()), ids=list(TAMPERS))
def test_verify_finds_the_first_damaged_event(year: Database, tamper: Tamper,
                                              kind: str) -> None:
    """Once the triggers are dropped and the ledger is changed behind thidua's back, verify
    raises IntegrityFailure (exit code 4) naming the first event that does not verify."""
    rows = _ledger(year)
    steps = [row["seq"] for row in rows if row["kind"] == "fire"]
    mid = steps[len(steps) // 2]  # a step in the middle of the cycle, with inputs
    assert rows[0]["seq"] < mid - 2 and mid + 3 <= rows[-1]["seq"]
    _drop_triggers(year)
    bad = tamper(year, rows, mid)
    with pytest.raises(IntegrityFailure) as failure:
        verify(year)
    assert failure.value.exit_code == 4
    assert failure.value.seq == bad
    assert failure.value.kind == kind
    assert re.search(rf"\bevent {bad}\b", str(failure.value)), str(failure.value)


def test_dropping_the_triggers_alone_is_caught(year: Database) -> None:
    """Dropping the triggers changes no event, but verify names them (exit 4), also --fast;
    put back as they were, the ledger verifies again."""
    count = len(_ledger(year))
    _drop_triggers(year)
    for fast in (False, True):
        with pytest.raises(IntegrityFailure, match="trigger ledger_no_update is missing") as got:
            verify(year, fast=fast)
        assert got.value.kind == "unprotected"
    restore_triggers(year)
    assert verify(year).events == count


# --- reading in batches -------------------------------------------------------------------

@pytest.mark.parametrize("batch", [1, 2, 3, 7])
def test_verify_walks_every_event_in_small_batches(year: Database,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   batch: int) -> None:
    """With a small BATCH, rows() fetches batch after batch and verify counts every event."""
    rows = _ledger(year)
    monkeypatch.setattr(ledger, "BATCH", batch)
    assert len(rows) > 3 * batch
    verified = verify(year)
    assert verified.events == len(rows)
    assert verified.head_hash == rows[-1]["hash"]


def test_batch_size_equal_to_the_ledger_still_ends(year: Database,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger that is an exact multiple of BATCH is read to its end, no event twice."""
    rows = _ledger(year)
    monkeypatch.setattr(ledger, "BATCH", len(rows))
    with year.engine.connect() as conn:
        assert [row.seq for row in ledger.rows(conn)] == [row["seq"] for row in rows]


def test_rows_of_one_cycle_in_batches(populated: Database,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """rows(cycle_id=...) in small batches returns exactly that cycle's events, in order."""
    cycle_id = _year(populated, steps=9)
    expected = [row["seq"] for row in _ledger(populated) if row["cycle_id"] == cycle_id]
    monkeypatch.setattr(ledger, "BATCH", 2)
    with populated.engine.connect() as conn:
        assert [row.seq for row in ledger.rows(conn, cycle_id=cycle_id)] == expected
    assert len(expected) == 10


def test_damage_in_a_later_batch_is_found(year: Database,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Tampering with an event beyond the first batches is still found, at that event."""
    rows = _ledger(year)
    late = rows[-2]["seq"]
    monkeypatch.setattr(ledger, "BATCH", 2)
    _drop_triggers(year)
    _execute(year, "UPDATE ledger SET actor = 'Mallory' WHERE seq = :seq", seq=late)
    with pytest.raises(IntegrityFailure) as failure:
        verify(year)
    assert failure.value.seq == late
