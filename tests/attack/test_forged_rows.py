"""Rows forged directly in the database: a step refuses a cycle that no longer matches its
ledger, and nothing is recorded."""

from __future__ import annotations

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
