"""What a step sends to the database: a bounded number of statements, in one write
transaction after one bare read of the version, and a cycle whose row this handle wrote is
not read back event by event (see workflow.services.cycles.matches_its_ledger)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

from tests.cli.helpers import advance, start
from tests.conftest import SECRETARY
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

# The most a step of the reference year sends on either database, BEGIN and COMMIT left out:
# the version (read outside the transaction); then the cycle with its cluster and its last
# event, the person with whether the login may enter for them, the members with the head and
# deputy and the person's grants, the ledger's head, the event and the cycle's UPDATE
# (PostgreSQL adds the chain's lock).
MOST = 8


@contextmanager
def sent() -> Iterator[list[str]]:
    """The statements every engine sends meanwhile."""
    statements: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", capture)


def _whole_ledger(statement: str) -> bool:
    """The statement reads every event of a cycle, oldest first (the replay's read)."""
    flat = " ".join(statement.split())
    return flat.startswith("SELECT ledger.seq, ledger.cycle_id") and flat.endswith(
        "ORDER BY ledger.seq")


def test_a_step_sends_a_bounded_number_of_statements(populated: Database) -> None:
    """The step after several others on the same handle: at most MOST statements, none of
    them reading the cycle's whole ledger."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    with sent() as statements:
        fire(populated, cycle, "sign_compact", actor=SECRETARY)
    assert len(statements) <= MOST, "\n".join(statements)
    assert not [s for s in statements if _whole_ledger(s)]


def test_a_new_handle_replays_the_cycle_once(populated: Database) -> None:
    """A handle that never saw the cycle reads its events (the replay) for its first step
    only."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    fresh = Database(populated.url if "://" in populated.url else str(populated.engine.url))
    try:
        with sent() as statements:
            fire(fresh, cycle, "sign_compact", actor=SECRETARY)
        assert any(_whole_ledger(s) for s in statements)
    finally:
        fresh.close()


def test_the_step_asked_for_is_judged_before_the_person(populated: Database) -> None:
    """An unknown trigger is bad input, and a trigger the state does not offer is refused,
    before the person it is entered for is looked up (an unknown one is not found)."""
    import pytest

    from thidua.workflow.errors import InvalidInput, NotFound, TransitionRefused

    cycle = start(populated)
    with pytest.raises(InvalidInput, match="unknown trigger 'nosuch'"):
        fire(populated, cycle, "nosuch", actor="Nobody")
    with pytest.raises(TransitionRefused, match="cannot be fired from state"):
        fire(populated, cycle, "sign_compact", actor="Nobody")
    with pytest.raises(NotFound, match="no person 'Nobody'"):
        fire(populated, cycle, "launch", actor="Nobody")
