"""Property: whatever steps are asked for, and whoever asks, the ledger replays to the cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.conftest import (
    AUDITOR,
    CHAIRMAN,
    CLUSTER,
    COUNCIL,
    HAPPY_PATH,
    HEAD,
    MEMBER,
    SECRETARY,
    UNITS,
)
from tests.copies import fresh_copy, populated_template
from tests.replay import replayed_matches
from thidua.workflow.audit.verify import log, verify
from thidua.workflow.engine.machine import triggers_from
from thidua.workflow.errors import InvalidInput, TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.views import show

LOADED = find("ccb-cluster-annual")
TRIGGERS = sorted({t.trigger for t in LOADED.definition.transitions})
PEOPLE = [SECRETARY, HEAD, COUNCIL, CHAIRMAN, AUDITOR, *MEMBER.values()]

Step = tuple[str, str, str | None, dict[str, Any], str | None]

# Plausible steps: the scripted year, plus the steps it does not take.
PLAUSIBLE: list[Step] = [
    *HAPPY_PATH,
    *[("assign_inspection", SECRETARY, u, {"inspects": v}, None)
      for u, v in zip(UNITS, [*UNITS[1:], UNITS[0]], strict=True)],
    *[("record_cross_inspection", SECRETARY, u,
       {"inspected": v, "findings": f"kiểm tra {v}", "criterion": "movements", "points": 15},
       "thiếu minh chứng") for u, v in zip(UNITS, [*UNITS[1:], UNITS[0]], strict=True)],
    *[("answer_inspection", SECRETARY, u, {"accepted": True, "answer": "đồng ý"}, None)
      for u in UNITS],
    *[("correct_score", SECRETARY, u, {"criterion": "political_tasks", "points": 30 + i},
       "thiếu minh chứng") for i, u in enumerate(UNITS)],
    *[("register_late", SECRETARY, u, {"targets": "đăng ký bổ sung"}, None) for u in UNITS],
    ("revoke", CHAIRMAN, None, {"line": "2", "ground": "false_declaration",
                                "recovered": "Bằng khen"}, "thu hồi theo kết luận thanh tra"),
]
# What a random step draws from, per trigger: the plausible inputs and people, and any reason.
INPUTS: dict[str, list[dict[str, Any]]] = {}
ACTORS: dict[str, list[str]] = {}
REASONS: list[str | None] = [None, "  "]
for _trigger, _person, _unit, _inputs, _reason in PLAUSIBLE:
    INPUTS.setdefault(_trigger, [])
    if _inputs not in INPUTS[_trigger]:
        INPUTS[_trigger].append(_inputs)
    ACTORS.setdefault(_trigger, [])
    if _person not in ACTORS[_trigger]:
        ACTORS[_trigger].append(_person)
    if _reason not in REASONS:
        REASONS.append(_reason)



def test_tables_cover_every_trigger() -> None:
    """Every trigger of the shipped definition has plausible steps to draw from (a new trigger
    needs a step in HAPPY_PATH or in PLAUSIBLE here)."""
    assert set(TRIGGERS) - {step[0] for step in PLAUSIBLE} == set()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema and Cluster 5's people, copied for each example."""
    return populated_template(tmp_path_factory.mktemp("replay"))


@st.composite
def any_step(draw: st.DrawFn) -> Step:
    """Any trigger of the definition, by anyone, for any unit, with its inputs or none."""
    trigger = draw(st.sampled_from(TRIGGERS))
    person = draw(st.one_of(st.sampled_from(ACTORS.get(trigger, PEOPLE)),
                            st.sampled_from(PEOPLE)))
    unit = draw(st.one_of(st.none(), st.sampled_from(UNITS)))
    inputs = draw(st.sampled_from([*INPUTS.get(trigger, []), {}]))
    reason = draw(st.sampled_from(REASONS))
    return trigger, person, unit, inputs, reason


def steps(state: str, done: set[str]) -> st.SearchStrategy[Step]:
    """A step asked for in ``state``: mostly a plausible one the state allows and that has not
    been taken in it yet (so that cycles get far), otherwise anything at all (so that refusals
    and bad input are exercised)."""
    allowed = set(triggers_from(LOADED, state))
    on_track = [step for step in PLAUSIBLE if step[0] in allowed and repr(step) not in done]
    if not on_track:
        return any_step()
    track = st.sampled_from(on_track)
    return st.one_of(track, track, track, any_step())


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_ledger_replays_to_the_stored_cycle(template: Path, data: st.DataObject) -> None:
    """After any sequence of steps, taken or refused, replaying the ledger gives the stored
    state, version and facts, and the cycle has exactly version - 1 'fire' events."""
    with fresh_copy(template) as db:
        started = start_cycle(db, LOADED, CLUSTER, 2023, actor=SECRETARY)
        state, taken, done = started.to_state, 0, set[str]()
        assert state is not None
        for _ in range(data.draw(st.integers(0, 60), label="number of steps")):
            step = data.draw(steps(state, done), label="step")
            trigger, person, unit, inputs, reason = step
            try:
                fired = fire(db, started.cycle_id, trigger, actor=person, unit=unit,
                             inputs=inputs, reason=reason)
            except (TransitionRefused, InvalidInput):
                continue
            assert fired.version == taken + 2
            done = set() if fired.to_state != state else done | {repr(step)}
            state, taken = fired.to_state or state, taken + 1
        event(f"reached {state}")
        view = show(db, started.cycle_id)
        assert (view.state, view.version) == (state, taken + 1)
        assert replayed_matches(db, started.cycle_id)
        fires = [e for e in log(db, cycle_id=started.cycle_id) if e["kind"] == "fire"]
        assert len(fires) == view.version - 1
        verify(db)
