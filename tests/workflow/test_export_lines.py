"""`audit export` as JSON lines takes the verifier's path — raw rows, re-hashed, not decoded —
and writes exactly what decoding and encoding each event writes, whatever the row holds."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from tests.cli.helpers import advance, start
from tests.conftest import SECRETARY
from thidua.store import ledger
from thidua.workflow.audit.export import CSV_FIELDS, Filters, export_to
from thidua.workflow.services.db import Database, record

# Inputs whose keys are those the exported line adds and splices around.
AWKWARD = [
    {"a": 1, "reason": "x", "idempotency_key": "y", "hash": "z", "prev_hash": "w"},
    {"reason": {"reason": [",\"reason\":", ",\"idempotency_key\":"]}, "kind": "k"},
    {"text": "Cờ thi đua \u200b \"quoted\" \\ \n", "n": 1.5, "big": 2**62, "none": None},
]


def _exact(db: Database, filters: Filters) -> list[str]:
    """Every exported line as decoding each event and encoding it again gives it."""
    with db.engine.connect() as conn:
        return [ledger.canonical_json({**ledger.as_event(row), "prev_hash": row.prev_hash,
                                       "hash": row.hash})
                for row in ledger.rows(conn, cycle_id=filters.cycle_id)]


def _exported(db: Database, filters: Filters) -> list[str]:
    out = io.StringIO()
    done = export_to(db, out, fmt="jsonl", filters=filters)
    lines = out.getvalue().splitlines()
    assert done.events == len(lines)
    return lines


def _with_notes(db: Database, reason: str) -> int:
    """A cycle of the reference year up to the compact, and a note with each of the awkward
    inputs and ``reason`` recorded on it; the cycle's id."""
    cycle = start(db)
    advance(db, cycle, until="sign_compact")
    with db.transaction() as session:
        for inputs in AWKWARD:
            record(session, db, kind="admin", trigger="note", actor=SECRETARY,
                   inputs=inputs, reason=reason, cycle_id=cycle)
    return cycle


@pytest.mark.usefixtures("scaffold_events")
@pytest.mark.parametrize("filters", [Filters(), Filters(cycle_id=1)], ids=["all", "cycle"])
def test_exported_lines_are_the_events_as_hashed(populated: Database, filters: Filters) -> None:
    """Steps of the reference year, and events with awkward inputs, export byte for byte as
    their decoded events would, each line a JSON object with its hash."""
    _with_notes(populated, "ghi chú, \"reason\"")
    lines = _exported(populated, filters)
    assert lines == _exact(populated, filters)
    assert len(lines) > len(AWKWARD)
    assert all(json.loads(line)["hash"] for line in lines)


@pytest.mark.usefixtures("scaffold_events")
def _rewrite_second_event(db: Database) -> None:
    """Change event 2's inputs outside thidua (its update trigger set aside first), so that
    its hash no longer matches."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS ledger_no_update"))
        else:
            conn.execute(text("ALTER TABLE ledger DISABLE TRIGGER ledger_no_update"))
        conn.execute(text("""UPDATE ledger SET inputs = '{ "plan" : "sửa" }' WHERE seq = 2"""))


def test_a_row_that_does_not_verify_is_exported_as_it_reads(populated: Database) -> None:
    """A row changed outside thidua (its hash no longer matches) is exported as decoding it
    gives, not spliced: export shows what is there, verify judges it."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    _rewrite_second_event(populated)
    lines = _exported(populated, Filters())
    assert lines == _exact(populated, Filters())
    assert '"inputs":{"plan":"sửa"}' in lines[1]


def _decoded_csv(db: Database, excel: bool) -> str:
    """The CSV export as decoding every event and writing it with the csv module gives it."""
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    table.writerow(CSV_FIELDS)
    with db.engine.connect() as conn:
        for row in ledger.rows(conn):
            event = {**ledger.as_event(row), "prev_hash": row.prev_hash, "hash": row.hash}
            cells = [ledger.canonical_json(event[k]) if k in ledger.JSON_FIELDS else event[k]
                     for k in CSV_FIELDS]
            if excel:
                cells = [f"'{c}" if isinstance(c, str) and len(c) > 1
                         and c[0] in "=+-@\t\r" else c for c in cells]
            table.writerow(cells)
    return ("\ufeff" if excel else "") + out.getvalue()


@pytest.mark.usefixtures("scaffold_events")
@pytest.mark.parametrize("excel", [False, True], ids=["csv", "excel"])
def test_csv_is_every_event_decoded_whatever_the_row_holds(populated: Database,
                                                           excel: bool) -> None:
    """CSV, read from the same raw rows, is each event decoded, a row that no longer verifies
    too: awkward inputs, a formula-like reason (prefixed for Excel), a row changed outside
    thidua."""
    _with_notes(populated, "=HYPERLINK(\"x\"), \"reason\"")
    _rewrite_second_event(populated)
    out = io.StringIO()
    done = export_to(populated, out, fmt="csv", excel=excel)
    assert out.getvalue() == _decoded_csv(populated, excel)
    with populated.engine.connect() as conn:
        assert done.events == ledger.head(conn)[0] > len(AWKWARD)
    assert '"{""plan"":""sửa""}"' in out.getvalue()
    assert ("'=HYPERLINK" in out.getvalue()) is excel
