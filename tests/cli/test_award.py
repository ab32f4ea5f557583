"""``thidua award``: the register of award lines, read from the cycles' decisions, equal to its
ledger replay, and a forged line caught by ``audit verify``; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from tests.cli.helpers import ok, parsed, plain_error
from tests.conftest import Invoke
from thidua.workflow.services import awards, demo
from thidua.workflow.services.db import Database

HN = demo.HN


@pytest.fixture
def recorded(db: Database) -> Database:
    """The demo's year: a flag for Hà Nội and a certificate for a person, the latter revoked."""
    demo.run(db)
    return db


def test_history_lists_every_line_with_its_decision_and_revocation(
        recorded: Database, cli: Invoke) -> None:
    """A unit's history shows its own line and its people's, each with the decision's number,
    date and signer; the revoked line says so, the other stays in force."""
    out = ok(cli("award", "history", HN))
    rows = [line for line in out.splitlines() if line.startswith("1.")]
    assert len(rows) == 2, out
    for row in rows:
        assert demo.DECISION in row and "2024-03-01" in row and demo.CHAIRMAN in row
    flag, merit = rows
    assert "Emulation flag" in flag and "false_declaration" not in flag
    assert demo.MEMBER_A in merit and "2024-06-10: false_declaration" in merit


def test_json_and_csv_carry_the_whole_line(recorded: Database, cli: Invoke) -> None:
    """--json gives each line with its grounds and revocation; CSV one row per line."""
    lines = parsed(cli("award", "history", demo.MEMBER_A, json=True))
    assert [line["id"] for line in lines] == ["1.2"]
    revoked = lines[0]["revoked"]
    assert revoked["ground"] == "false_declaration" and revoked["day"] == "2024-06-10"
    assert revoked["recovered"] == "Bằng khen và tiền thưởng kèm theo"
    assert lines[0]["grounds"]["council"] == "8/11"
    table = list(csv.DictReader(io.StringIO(ok(cli("award", "list", "--format", "csv")))))
    assert [(r["id"], r["candidate"], r["kind"], r["revoked_ground"]) for r in table] == [
        ("1.1", HN, "unit", ""), ("1.2", demo.MEMBER_A, "person", "false_declaration")]


@pytest.mark.parametrize(("args", "ids"), [
    (["--year", "2023"], ["1.1", "1.2"]),
    (["--year", "2022"], []),
    (["--award", "co_thi_dua"], ["1.1"]),
    (["--person", demo.MEMBER_A], ["1.2"]),
    (["--person", demo.MEMBER_B], []),
    (["--unit", HN], ["1.1", "1.2"]),
    (["--cluster", demo.CLUSTER, "--award", "bang_khen"], ["1.2"]),
])
def test_list_filters(recorded: Database, cli: Invoke, args: list[str], ids: list[str]) -> None:
    """Filters by year, award, person, unit and cluster combine."""
    assert [line["id"] for line in parsed(cli("award", "list", *args, json=True))] == ids


@pytest.mark.parametrize("args", [
    ["history", "Hội CCB TP Hà Noi"],
    ["list", "--unit", "Hội CCB Hà Nội"],
    ["list", "--cluster", "Cụm 6"],
    ["list", "--person", "Không Có"],
])
def test_a_name_that_is_not_there_is_not_found(recorded: Database, cli: Invoke,
                                               args: list[str]) -> None:
    """A unit, person or cluster that does not exist: one line, exit 5."""
    plain_error(cli("award", *args), 5)


def test_the_register_is_its_ledger_replay(recorded: Database, cli: Invoke) -> None:
    """Every line read from the cycles is the line replaying the ledger gives; verify passes."""
    ok(cli("audit", "verify"))
    stored = [{k: v for k, v in line.items()} for line in awards.award_lines(recorded)]
    for line in stored:
        if line["revoked"]:
            line["revoked"] = {k: v for k, v in line["revoked"].items() if k != "day"}
    assert stored == awards.replayed_lines(recorded)
    assert len(stored) == 2


def test_a_forged_award_line_fails_verify(recorded: Database, cli: Invoke) -> None:
    """An award line slipped into a decision's facts (or a revocation removed) makes audit
    verify exit 4 naming the cycles table, the cycle and the fact."""
    with recorded.transaction(write=False) as session:
        facts = json.loads(session.execute(text("SELECT facts FROM cycles WHERE id = 1"))
                           .scalar_one())
    facts["awards"]["lines"][1].pop("revoked")
    facts["awards"]["lines"].append({**facts["awards"]["lines"][0], "line": 3,
                                     "candidate": demo.MEMBER_B, "kind": "person"})
    with recorded.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET facts = :facts WHERE id = 1"),
                     {"facts": json.dumps(facts, ensure_ascii=False)})
    assert demo.MEMBER_B in ok(cli("award", "list", "--person", demo.MEMBER_B))
    message = plain_error(cli("audit", "verify"), 4)
    assert "cycles 1: fact 'awards" in message
