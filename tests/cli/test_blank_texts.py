"""A reason, a ground, a text or an item of a list that shows nothing once white space and
invisible characters are removed is bad input: one line, exit 2, nothing recorded."""

from __future__ import annotations

import pytest

from tests.cli.helpers import plain_error
from tests.cli.test_rules import advance, snapshot
from tests.conftest import Invoke
from thidua.workflow.services.db import Database

REVOKE = ["revoke", "--as", "Chủ tịch"]
LINE = ["-i", "line=1.1", "-i", "ground=false_declaration"]
BLANKS = ["   ", "\u3164", "\u00a0\u2800", "\u115f\u1160 "]


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("where", ["reason", "recovered"])
def test_a_blank_reason_or_text_is_refused(cli: Invoke, populated: Database, blank: str,
                                           where: str) -> None:
    """--reason and a text input made only of blanks: exit 2, the cycle and ledger unchanged."""
    cycle_id = advance(populated, "close")
    before = snapshot(cli, cycle_id)
    given = (["--reason", blank, "-i", "recovered=Cờ"] if where == "reason"
             else ["--reason", "khai man", "-i", f"recovered={blank}"])
    message = plain_error(cli("cycle", "fire", str(cycle_id), *REVOKE, *LINE, *given), 2)
    assert "empty" in message
    assert snapshot(cli, cycle_id) == before


@pytest.mark.parametrize("ground", ["\u200b", "false_declaration\u200b", "khai man"])
def test_a_ground_outside_the_closed_list_is_refused(cli: Invoke, populated: Database,
                                                     ground: str) -> None:
    """The ground of a revocation is one of the definition's list: anything else, exit 2."""
    cycle_id = advance(populated, "close")
    before = snapshot(cli, cycle_id)
    plain_error(cli("cycle", "fire", str(cycle_id), *REVOKE, "-i", "line=1.1",
                    "-i", f"ground={ground}", "-i", "recovered=Cờ", "--reason", "khai man"), 2)
    assert snapshot(cli, cycle_id) == before


def test_a_blank_candidate_in_a_decision_is_refused(cli: Invoke, populated: Database) -> None:
    """An item of a list that shows nothing: exit 2, nothing recorded."""
    cycle_id = advance(populated, "issue_decision")
    before = snapshot(cli, cycle_id)
    message = plain_error(cli("cycle", "fire", str(cycle_id), "issue_decision", "--as",
                              "Chủ tịch", "-i", "number=1/QĐ", "-i", "date=2024-03-01",
                              "-i", "lines=Vĩnh Phúc,\u3164"), 2)
    assert "none of them empty" in message
    assert snapshot(cli, cycle_id) == before
