"""Test helpers: whether a cycle's ledger replays to its stored row."""

from __future__ import annotations

from thidua.workflow.engine.facts import replay
from thidua.workflow.engine.judge import definition_of
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.services.cycles import events_of, stored_facts
from thidua.workflow.services.db import Database


def replayed_matches(db: Database, cycle_id: int) -> bool:
    """True when replaying the cycle's ledger gives its stored state, version and facts."""
    with db.transaction(write=False) as session:
        cycle = load_cycle(session, cycle_id)
        loaded = definition_of(session, cycle.definition_hash)
        result = replay(loaded, events_of(session, cycle_id),
                        lambda content_hash: definition_of(session, content_hash))
        return (result.state, result.version, result.facts) == (
            cycle.state, cycle.version, stored_facts(cycle))
