"""Tampering, one kind at a time, as an attacker with database access would do it: each is
caught by `thidua audit verify` (with the anchor an auditor kept, where the ledger alone cannot
tell), with exit code 4 and the first bad event named; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import types
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.cli.helpers import advance, ok, parsed, plain_error, start
from tests.conftest import SECRETARY, Invoke, populate
from tests.ledger_triggers import drop_triggers, restore_triggers
from thidua.store.ledger import as_event, event_hash
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.services import documents
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database, record


@pytest.fixture
def year(populated: Database, scaffold_events: None) -> Database:
    """Cluster 5's 2023 cycle taken up to its compact: about twenty events."""
    advance(populated, start(populated), until="begin_first_half")
    return populated


def _raw(db: Database, *statements: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _ledger(db: Database) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text("SELECT * FROM ledger ORDER BY seq"))
                .mappings()]


def _insert(db: Database, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    sql = (f"INSERT INTO ledger ({', '.join(columns)}) "
           f"VALUES ({', '.join(':' + c for c in columns)})")
    with db.engine.begin() as conn:
        for row in rows:
            conn.execute(text(sql), row)


def _rechain(rows: list[dict[str, Any]], first_seq: int, prev: str) -> list[dict[str, Any]]:
    """``rows`` renumbered from ``first_seq`` and re-hashed from ``prev``: what an attacker
    who knows the formula does to make a changed ledger verify on its own."""
    chained = []
    for offset, row in enumerate(rows):
        row = {**row, "seq": first_seq + offset, "prev_hash": prev}
        row["hash"] = prev = event_hash(prev, as_event(types.SimpleNamespace(**row)))
        chained.append(row)
    return chained


def _failure(cli: Invoke, *args: str) -> str:
    return plain_error(cli("audit", "verify", *args), 4)


def test_raw_update_and_delete_are_refused_while_the_triggers_stand(year: Database) -> None:
    """With the triggers in place the database itself refuses UPDATE and DELETE."""
    before = _ledger(year)
    for statement in ("UPDATE ledger SET actor = 'Kẻ gian' WHERE seq = 5",
                      "DELETE FROM ledger WHERE seq = 5", "DELETE FROM ledger"):
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(year, statement)
    assert _ledger(year) == before


def _bypass_and_edit(db: Database, seq: int) -> None:
    """Change a field of event ``seq`` behind the triggers' back: below SQL on SQLite (the
    bytes of the file); on PostgreSQL, where the triggers fire even for a session in replica
    mode, by dropping them for the edit and putting them back."""
    if db.engine.dialect.name == "postgresql":
        _raw(db, "ALTER TABLE ledger DISABLE TRIGGER ledger_no_update",
             "UPDATE ledger SET actor = 'Kẻ gian' WHERE seq = :seq",
             "ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_update", seq=seq)
        return
    at = next(r["at"] for r in _ledger(db) if r["seq"] == seq)
    db.engine.dispose()
    path = Path(db.engine.url.database or "")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    content = path.read_bytes()
    assert at.encode() in content  # (also in stale copies of pages, changed alike)
    forged = at[:-2] + ("0" if at[-2] != "0" else "1") + "Z"
    path.write_bytes(content.replace(at.encode(), forged.encode()))


@pytest.mark.postgres
def test_replica_mode_does_not_switch_the_triggers_off(pg_url: str) -> None:
    """A session in replica mode (which skips ordinary triggers) is still refused an UPDATE
    or DELETE of the ledger: the append-only triggers fire ALWAYS."""
    db = Database(pg_url, check_schema=False)
    upgrade_db(db)
    populate(db)
    try:
        for statement in ("UPDATE ledger SET actor = 'Kẻ gian' WHERE seq = 1",
                          "DELETE FROM ledger WHERE seq = 1"):
            with pytest.raises(Exception, match="append-only"):
                _raw(db, "SET LOCAL session_replication_role = replica", statement)
    finally:
        db.close()


def test_changed_field_is_caught(year: Database, cli: Invoke) -> None:
    """A field changed behind the triggers' back: altered, at that event."""
    target = len(_ledger(year)) // 2
    _bypass_and_edit(year, target)
    assert f"damaged at event {target} (altered)" in _failure(cli)


def test_deleted_middle_row_is_caught(year: Database, cli: Invoke) -> None:
    """An event deleted from the middle: missing, named by the event after the gap."""
    target = len(_ledger(year)) // 2
    drop_triggers(year)
    _raw(year, "DELETE FROM ledger WHERE seq = :seq", seq=target)
    message = _failure(cli)
    assert f"damaged at event {target + 1} (missing)" in message
    assert f"event {target} is missing before event {target + 1}" in message


def test_deleted_last_rows_are_caught_by_the_anchor(year: Database, cli: Invoke) -> None:
    """The last rows removed (and the triggers put back): the chain verifies on its own, not
    against the anchor kept; the replay finds the cycle those rows had moved."""
    anchor = ok(cli("audit", "head")).strip()
    head = int(anchor.split(":")[0])
    drop_triggers(year)
    _raw(year, "DELETE FROM ledger WHERE seq > :seq", seq=head - 3)
    restore_triggers(year)
    ok(cli("audit", "verify", "--fast"))
    assert "records differ from the ledger: cycles 1: state is" in _failure(cli)
    message = _failure(cli, "--anchor", anchor)
    assert f"damaged at event {head - 2} (missing)" in message
    assert f"events {head - 2}..{head} are missing from the end" in message


def test_forged_row_inserted_with_recomputed_hashes_is_caught_by_the_anchor(
        year: Database, cli: Invoke) -> None:
    """A forged event slipped in before the anchor, the rest renumbered and re-hashed: the
    ledger verifies on its own; against the anchor the forged event is found and named."""
    anchor = ok(cli("audit", "head")).strip()
    rows = _ledger(year)
    target = len(rows) - 6
    forged = {**rows[target - 1], "actor": "Kẻ gian", "reason": "giả mạo",
              "idempotency_key": None}
    drop_triggers(year)
    _raw(year, "DELETE FROM ledger WHERE seq >= :seq", seq=target)
    _insert(year, _rechain([forged, *rows[target - 1:]], target, rows[target - 2]["hash"]))
    restore_triggers(year)
    ok(cli("audit", "verify", "--fast"))
    message = _failure(cli, "--anchor", anchor)
    assert f"damaged at event {target} (inserted)" in message


def test_rebuilt_ledger_is_caught_by_the_anchor_before_it(year: Database, cli: Invoke) -> None:
    """An event altered and every hash after it recomputed: an anchor taken before the change
    still holds, the one after it names the rewrite."""
    rows = _ledger(year)
    early, late = rows[4], rows[-1]
    target = len(rows) - 4
    drop_triggers(year)
    _raw(year, "DELETE FROM ledger WHERE seq >= :seq", seq=target)
    changed = [{**rows[target - 1], "actor": "Kẻ gian"}, *rows[target:]]
    _insert(year, _rechain(changed, target, rows[target - 2]["hash"]))
    restore_triggers(year)
    ok(cli("audit", "verify", "--fast"))
    ok(cli("audit", "verify", "--fast", "--anchor", f"{early['seq']}:{early['hash']}"))
    message = _failure(cli, "--anchor", f"{early['seq']}:{early['hash']}",
                       "--anchor", f"{late['seq']}:{late['hash']}")
    assert f"damaged at event {late['seq']} (rewritten)" in message


def test_swapped_rows_are_caught(year: Database, cli: Invoke) -> None:
    """Two events' contents swapped (their numbers kept): reordered, at the first of them."""
    rows = _ledger(year)
    a, b = rows[5], rows[8]
    drop_triggers(year)
    columns = [c for c in a if c != "seq"]
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    for target in (a, b):  # out of the way of the unique index while the rows trade places
        _raw(year, "UPDATE ledger SET idempotency_key = NULL WHERE seq = :seq", seq=target["seq"])
    for target, source in ((a, b), (b, a)):
        values = {c: source[c] for c in columns}
        _raw(year, f"UPDATE ledger SET {assignments} WHERE seq = :target", **values,
             target=target["seq"])
    assert f"damaged at event {a['seq']} (reordered)" in _failure(cli)


@pytest.mark.parametrize(("column", "value"), [
    ("inputs", json.dumps({"plan": "Kế hoạch khác"}, ensure_ascii=False)),
    ("occurred_at", "2023-01-02T00:00:00.000000Z"),
    ("reason", "sửa lại"),
])
def test_edit_after_dropping_the_triggers_is_caught(year: Database, cli: Invoke, column: str,
                                                    value: str) -> None:
    """Dropping the triggers is caught by itself, naming them; an edit afterwards is caught
    at its event first."""
    ok(cli("audit", "verify"))
    drop_triggers(year)
    assert "the ledger is no longer append-only: trigger ledger_no_update is missing" in \
        _failure(cli)
    target = next(r["seq"] for r in _ledger(year) if r["trigger"] == "launch")
    _raw(year, f"UPDATE ledger SET {column} = :value WHERE seq = :seq", value=value, seq=target)
    assert f"damaged at event {target} (altered)" in _failure(cli)


def _cite_document(db: Database, name: str, content: bytes) -> tuple[str, int]:
    """Store a document and append an event citing it, as a step with an attachment does."""
    with db.transaction() as session:
        digest = documents.store(session, Attachment(name, content))
        row = record(session, db, kind="admin", trigger="attach", actor=SECRETARY,
                     documents=[digest])
    return digest, row.seq


def test_changed_document_is_caught(year: Database, cli: Invoke) -> None:
    """A stored document whose content changed: exit 4 naming it and the event citing it."""
    digest, seq = _cite_document(year, "biên bản.txt", "Biên bản họp".encode())
    assert parsed(cli("audit", "verify", json=True))["documents"] == 1
    _raw(year, "UPDATE documents SET content = :content WHERE sha256 = :digest",
         content="Biên bản đã sửa".encode(), digest=digest)
    message = _failure(cli)
    assert f"'biên bản.txt' ({digest[:12]}) cited by event {seq} was changed" in message


def test_missing_document_is_caught(year: Database, cli: Invoke) -> None:
    """A cited document removed from the database: exit 4, missing, with the citing event."""
    digest, seq = _cite_document(year, "tờ trình.txt", b"to trinh")
    _raw(year, "DELETE FROM documents WHERE sha256 = :digest", digest=digest)
    assert f"document {digest[:12]} cited by event {seq} is missing" in _failure(cli)


def test_changed_definition_source_is_caught(year: Database, cli: Invoke) -> None:
    """A stored definition version whose source text changed no longer hashes to its key."""
    _raw(year, "UPDATE definitions SET source = source || ' '")
    assert "was changed: its source text no longer hashes to it" in _failure(cli)


def test_a_malformed_anchor_is_bad_input(year: Database, cli: Invoke) -> None:
    """An anchor that is not SEQ:HASH is a usage error (exit 2), not an integrity failure."""
    assert "SEQ:HASH" in plain_error(cli("audit", "verify", "--anchor", "12:abc"), 2)



# --- the fast path of verify and where it hands over to the exact one ------------------------

def _note(db: Database, inputs: dict[str, Any]) -> int:
    with db.transaction() as session:
        return record(session, db, kind="admin", trigger="note", actor=SECRETARY,
                      inputs=inputs).seq


def test_inputs_that_look_like_the_next_field_verify_and_still_catch_changes(
        year: Database, cli: Invoke) -> None:
    """Inputs holding `,"kind":` themselves are checked the slow, exact way: they verify, and
    moving text between them and the next field is caught."""
    seq = _note(year, {"a": {"b": 1, "kind": "fire", "occurred_at": "x"}})
    ok(cli("audit", "verify"))
    drop_triggers(year)
    _raw(year, "UPDATE ledger SET inputs = :inputs, kind = :kind WHERE seq = :seq",
         inputs='{"a":{"b":1', kind='fire","occurred_at":"x"}}', seq=seq)
    assert f"damaged at event {seq} (altered)" in _failure(cli)


def test_inputs_stored_in_another_form_are_the_same_event(year: Database, cli: Invoke) -> None:
    """An inputs column rewritten with spaces holds the same event: it verifies (the event, not
    its storage, is what the hash proves); any change of value does not."""
    seq = next(r["seq"] for r in _ledger(year) if r["trigger"] == "launch")
    drop_triggers(year)
    _raw(year, "UPDATE ledger SET inputs = :inputs WHERE seq = :seq",
         inputs='{ "plan": "Kế hoạch 2023" }', seq=seq)
    restore_triggers(year)
    ok(cli("audit", "verify"))
    drop_triggers(year)
    _raw(year, "UPDATE ledger SET inputs = :inputs WHERE seq = :seq",
         inputs='{ "plan": "Kế hoạch 2024" }', seq=seq)
    assert f"damaged at event {seq} (altered)" in _failure(cli)


def test_a_value_of_another_type_is_caught(year: Database, cli: Invoke) -> None:
    """A text column given bytes instead of text (SQLite keeps what it is given): altered."""
    if year.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL columns hold only their own type")
    drop_triggers(year)
    _raw(year, "UPDATE ledger SET actor = CAST(actor AS BLOB) WHERE seq = 7")
    assert "damaged at event 7 (altered)" in _failure(cli)


def test_many_distinct_values_verify(year: Database, cli: Invoke,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With room to remember only a few values, verify forgets and relearns: same verdict."""
    from thidua.store import rehash

    monkeypatch.setattr(rehash, "_ENCODED_MAX", 3)
    for n in range(5):
        _note(year, {"n": n})
    ok(cli("audit", "verify"))
