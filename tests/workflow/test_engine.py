"""The machine runs the step: conditions, before, after; validators apart from conditions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, func, select

from tests.conftest import CLUSTER, HAPPY_PATH, MEMBER, SECRETARY
from thidua.store.models import Cycle, LedgerRow
from thidua.workflow.engine import machine
from thidua.workflow.errors import TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.rules.library import GUARDS
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show, why

BALLOT = next(step for step in HAPPY_PATH if step[0] == "record_ballot")


def _until(db: Database, trigger: str, skip: str | None = None) -> int:
    """A cycle whose happy path has run up to (not including) the first ``trigger``, without
    the steps ``skip`` takes."""
    cycle_id = start_cycle(db, find("ccb-cluster-annual"), CLUSTER, 2023,
                           actor=SECRETARY).cycle_id
    for name, person, unit, inputs, reason in HAPPY_PATH:
        if name == trigger:
            break
        if person != skip:
            fire(db, cycle_id, name, actor=person, unit=unit, inputs=inputs, reason=reason)
    return cycle_id


def _stored(db: Database, cycle_id: int) -> tuple[str, int, str, int]:
    with db.transaction(write=False) as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        events = session.scalar(select(func.count()).select_from(LedgerRow))
        return cycle.state, cycle.version, cycle.facts, int(events or 0)


def test_every_transition_carries_the_three_callbacks() -> None:
    """The shipped definitions' machines judge, apply and persist through their callbacks."""
    loaded = find("ccb-cluster-annual")
    built = machine.machine_for(loaded)
    for event_ in built.events.values():
        for transitions in event_.transitions.values():
            for t in transitions:
                assert [c.func for c in t.conditions] == [machine.CONDITION]
                assert (t.before, t.after) == ([machine.BEFORE], [machine.AFTER])


def test_why_judges_conditions_only(populated: Database) -> None:
    """In the year-end summary, record_ballot is ready with the inputs it needs: no reason
    about ballots nobody has given yet (a validator), only the state (conditions)."""
    cycle_id = _until(populated, "record_ballot")
    options = {o.trigger: o for o in why(populated, cycle_id, actor=SECRETARY)}
    ballot = options["record_ballot"]
    assert ballot.reasons == []
    assert ballot.inputs == ["ballots_issued", "ballots_returned", "ballots_valid", "votes"]
    assert not any("own" in r for r in options["adjust_score"].reasons)


def test_fire_still_judges_validators(populated: Database) -> None:
    """Firing record_ballot with too few ballots is refused with the quorum's reason."""
    cycle_id = _until(populated, "record_ballot")
    _, person, _, inputs, _ = BALLOT
    before = _stored(populated, cycle_id)
    with pytest.raises(TransitionRefused) as refused:
        fire(populated, cycle_id, "record_ballot", actor=person,
             inputs={**inputs, "ballots_returned": 2, "ballots_valid": 2,
                     "votes": {"Bắc Ninh": 2}})
    assert refused.value.reasons == [
        "ballot below quorum: 2 of 4 member units voted, at least 3 needed "
        "(vote_quorum 2/3)"]
    assert _stored(populated, cycle_id) == before


def test_a_condition_still_blocks_why(populated: Database) -> None:
    """A condition that fails shows in why: the compact waits for every unit's registration."""
    cycle_id = _until(populated, "sign_compact", skip=MEMBER["Vĩnh Phúc"])
    options = {o.trigger: o for o in why(populated, cycle_id, actor=SECRETARY)}
    assert options["sign_compact"].reasons == ["member units without registration: Vĩnh Phúc"]


def test_an_error_after_the_move_leaves_nothing(populated: Database) -> None:
    """An exception raised after the machine moved (in the after callback, while appending the
    ledger event) leaves the stored state, version, facts and ledger as they were."""
    cycle_id = start_cycle(populated, find("ccb-cluster-annual"), CLUSTER, 2023,
                           actor=SECRETARY).cycle_id
    before = _stored(populated, cycle_id)

    def fail(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LEDGER"):
            raise RuntimeError("the disk went away")

    event.listen(populated.engine, "before_cursor_execute", fail)
    try:
        with pytest.raises(Exception, match="the disk went away"):
            fire(populated, cycle_id, "launch", actor=SECRETARY, inputs={"plan": "Kế hoạch"})
    finally:
        event.remove(populated.engine, "before_cursor_execute", fail)
    assert _stored(populated, cycle_id) == before
    assert show(populated, cycle_id).state == "constituted"
    fire(populated, cycle_id, "launch", actor=SECRETARY, inputs={"plan": "Kế hoạch"})
    state, version, facts, _ = _stored(populated, cycle_id)
    assert (state, version, list(json.loads(facts))) == ("launched", 2, ["plan"])


def test_guards_are_conditions_or_validators() -> None:
    """Every guard of the library says which kind it is; the ones that read a step's inputs
    are validators."""
    kinds = {name: entry.kind for name, entry in GUARDS.items()}
    assert set(kinds.values()) == {"condition", "validator"}
    for name in ("ballot_quorum", "ballot_consistent", "criterion_known", "council_threshold",
                 "handover_heads", "within_quota", "not_own_unit", "eligible"):
        assert kinds[name] == "validator", name
    for name in ("all_members", "fact_recorded", "fact_absent", "scores_open"):
        assert kinds[name] == "condition", name
