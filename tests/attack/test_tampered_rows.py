"""Rows that thidua cannot have written: a document not stored as bytes, a definition not
stored as text, a cycle in a state its definition lacks. Every command that meets one says so
in one line, exit 4; and a fault of thidua itself is one line too (exit 70)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.attack.processes import events
from tests.cli.helpers import advance, error, invoke, plain_error, start
from tests.conftest import SECRETARY, Invoke, populate
from thidua.workflow.services import interrupts
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack


def _document(db: Database, tmp_path: Path) -> str:
    """A document stored from a file and cited by an event, as a step stores it; its hash."""
    from thidua.workflow.engine.inputs import Attachment
    from thidua.workflow.services import documents
    from thidua.workflow.services.db import record

    path = tmp_path / "ke-hoach.txt"
    path.write_text("Kế hoạch thi đua 2023", encoding="utf-8")
    with db.transaction() as session:
        digest = documents.store(session, Attachment.from_path(str(path)))
        record(session, db, kind="admin", trigger="attach", actor=SECRETARY, documents=[digest])
    return digest


def test_a_document_stored_as_text(sqlite_db: Database, tmp_path: Path) -> None:
    """A document whose content was rewritten as TEXT (SQLite keeps any type): `audit
    verify`, `doc show` and `audit bundle` are one line each, exit 4, naming it."""
    digest = _document(sqlite_db, tmp_path)
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET content = CAST(content AS TEXT)"))
    url = sqlite_db.url.removeprefix("sqlite:///")
    assert "stored as text, not as bytes" in plain_error(invoke(url, "audit", "verify"), 4)
    assert "stored as text" in plain_error(invoke(url, "doc", "show", digest[:12]), 4)
    bundle = tmp_path / "b.zip"
    assert "stored as text" in plain_error(invoke(url, "audit", "bundle", str(bundle)), 4)
    assert not bundle.exists()


def test_a_definition_stored_as_bytes(sqlite_db: Database, tmp_path: Path) -> None:
    """A definition version whose source was rewritten as a BLOB: `audit verify`, `cycle
    show` and `audit bundle` are one line each, exit 4."""
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("UPDATE definitions SET source = CAST(source AS BLOB)"))
    from thidua.workflow.engine import judge

    judge._BY_HASH.clear()
    url = sqlite_db.url.removeprefix("sqlite:///")
    assert "stored as bytes, not as text" in plain_error(invoke(url, "audit", "verify"), 4)
    assert "is not text" in plain_error(invoke(url, "cycle", "show", "1"), 4)
    plain_error(invoke(url, "audit", "bundle", str(tmp_path / "b.zip")), 4)


def test_a_cycle_in_an_unknown_state(db_url: str, db: Database) -> None:
    """A cycle row moved to a state its definition does not have: showing, judging and
    reporting it are one line each, exit 4; nothing is recorded."""
    populate(db)
    cycle = start(db)
    advance(db, cycle, until="open_registration")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET state = 'nowhere'"))
    before = events(db)
    for args in (["cycle", "show", str(cycle)], ["cycle", "why", str(cycle)],
                 ["report", "cycle", str(cycle)], ["cycle", "todo", "--as", SECRETARY]):
        assert "state 'nowhere'" in plain_error(invoke(db_url, *args), 4)
    error(invoke(db_url, "cycle", "fire", str(cycle), "open_registration", "--as", SECRETARY), 4)
    assert events(db) == before


# -- What is not the user's fault: one line too, with the truth about what was recorded ------

def test_an_internal_error_is_one_line(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault of thidua itself is one line, exit 70, pointing to THIDUA_DEBUG=1, which
    shows where it happened."""
    from thidua.workflow.services import views

    def broken(*_: Any, **__: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(views, "list_cycles", broken)
    message = plain_error(cli("cycle", "list"), 70)
    assert "internal error of thidua (ZeroDivisionError" in message
    assert "THIDUA_DEBUG=1" in message
    monkeypatch.setenv("THIDUA_DEBUG", "1")
    result = cli("cycle", "list")
    assert result.exit_code == 70 and "Traceback" in result.output
    assert interrupts.recorded() == 0


@pytest.mark.parametrize("column, value", [
    ("inputs", "{"), ("documents", "not json"), ("inputs", '{"a": NaN}')],
    ids=["inputs-not-json", "documents-not-json", "inputs-nan"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_refuses_a_ledger_row_that_no_longer_decodes(
        populated: Database, cli: Invoke, tmp_path: Path, column: str, value: str,
        fmt: str) -> None:
    """An event whose JSON column was rewritten outside thidua into something that does not
    decode (or that JSON cannot hold) is refused by the export in one line, exit 4, naming
    the event; the file asked for is not written."""
    from tests.ledger_triggers import drop_triggers, restore_triggers

    cycle = start(populated)
    drop_triggers(populated)
    with populated.engine.begin() as conn:
        seq = conn.execute(text("SELECT MAX(seq) FROM ledger WHERE cycle_id = :id"),
                           {"id": cycle}).scalar_one()
        conn.execute(text(f"UPDATE ledger SET {column} = :value WHERE seq = :seq"),
                     {"value": value, "seq": seq})
    restore_triggers(populated)
    out = tmp_path / f"events.{fmt}"
    for args in (("audit", "export", "--format", fmt),
                 ("audit", "export", "--format", fmt, "--cycle", str(cycle)),
                 ("audit", "export", "--format", fmt, "-o", str(out))):
        line = error(cli(*args), 4)
        assert f"ledger event {seq} cannot be exported as stored" in line
        assert "changed outside thidua" in line
    assert not out.exists()
