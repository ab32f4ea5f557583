"""Migration: the plan says what changes; apply moves the cycle, in the ledger, replayably."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import advance, start
from tests.conftest import SECRETARY
from tests.replay import replayed_matches
from tests.revisions import V1, revise, version_2
from thidua.workflow.audit.verify import log, verify
from thidua.workflow.errors import Conflict, InvalidInput, NotFound, TransitionRefused
from thidua.workflow.language.loader import Loaded, load_file
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire, store_definition
from thidua.workflow.services.db import Database, record
from thidua.workflow.services.migrate import apply, plan
from thidua.workflow.services.publish import publish
from thidua.workflow.services.views import show

V2 = "ccb-cluster-annual@2024.1"


@pytest.fixture
def v2(populated: Database, tmp_path: Path) -> Loaded:
    """Version 2024.1 published: `first_half` is called `implementation` there."""
    path = version_2(tmp_path)
    publish(populated, path)
    return load_file(path)


def _running(db: Database, until: str) -> int:
    cycle_id = start(db)
    advance(db, cycle_id, until=until)
    return cycle_id


def test_plan_keeps_a_state_of_the_same_name(populated: Database, v2: Loaded) -> None:
    """A cycle in registration_open keeps its state; the plan lists steps and facts and
    writes nothing."""
    cycle_id = _running(populated, "sign_compact")
    before, events = show(populated, cycle_id), len(log(populated))
    p = plan(populated, cycle_id, "2024.1")
    assert p.ok and p.problems == []
    assert (p.from_definition, p.to_definition, p.to_hash) == (V1, V2, v2.hash)
    assert (p.from_state, p.to_state, p.mapped) == ("registration_open", "registration_open",
                                                    False)
    assert p.steps == ["register", "sign_compact"]
    assert (p.steps_added, p.steps_removed) == ([], [])
    assert p.facts == ["plan", "registration"]
    assert show(populated, cycle_id) == before
    assert len(log(populated)) == events


def test_plan_refuses_a_state_without_counterpart(populated: Database, v2: Loaded) -> None:
    """A state the new version does not have, and no mapping: the plan says so and apply
    refuses, changing nothing."""
    cycle_id = _running(populated, "open_midyear_review")
    p = plan(populated, cycle_id, V2)
    assert not p.ok
    assert p.problems == [f"state 'first_half' has no counterpart in {V2}: name one with "
                          "--map first_half=STATE"]
    assert p.to_state is None
    before = show(populated, cycle_id)
    with pytest.raises(TransitionRefused) as refused:
        apply(populated, cycle_id, V2)
    assert refused.value.exit_code == 1
    assert show(populated, cycle_id) == before


def test_mapping_problems_are_named(populated: Database, v2: Loaded) -> None:
    """A mapping from a state the old version lacks, or to one the new lacks, is a problem."""
    cycle_id = _running(populated, "open_midyear_review")
    p = plan(populated, cycle_id, V2, {"first_half": "middle", "nowhere": "implementation"})
    assert p.problems == [f"--map first_half=middle: {V2} has no state 'middle'",
                          f"--map nowhere=implementation: {V1} has no state 'nowhere'"]


def test_apply_moves_the_cycle_in_the_ledger(populated: Database, v2: Loaded) -> None:
    """Applied with a mapping: new version and state, version + 1, one `migrate` event naming
    both versions; the ledger verifies and replays, before and after the next step."""
    cycle_id = _running(populated, "open_midyear_review")
    mapping = {"first_half": "implementation"}
    p = plan(populated, cycle_id, V2, mapping)
    assert (p.ok, p.to_state, p.mapped) == (True, "implementation", True)
    before = show(populated, cycle_id)
    done = apply(populated, cycle_id, V2, mapping, reason="Quy chế mới 2024")
    after = show(populated, cycle_id)
    assert (after.definition, after.definition_hash, after.state, after.version) == (
        V2, v2.hash, "implementation", before.version + 1)
    assert (done.from_state, done.to_state, done.version) == ("first_half", "implementation",
                                                              after.version)
    event = log(populated)[-1]
    assert (event["seq"], event["kind"], event["trigger"], event["from"], event["to"]) == (
        done.seq, "migrate", "migrate", "first_half", "implementation")
    assert (event["actor"], event["reason"], event["definition"]) == (
        populated.operator, "Quy chế mới 2024", v2.hash)
    assert event["inputs"] == {"from_definition": before.definition_hash,
                               "to_definition": v2.hash, "from_version": V1, "to_version": V2,
                               "map": mapping}
    verify(populated)
    assert replayed_matches(populated, cycle_id)
    fire(populated, cycle_id, "open_midyear_review", actor=SECRETARY)
    assert show(populated, cycle_id).state == "midyear_review"
    assert replayed_matches(populated, cycle_id)


def test_the_target_must_be_another_published_version(populated: Database,
                                                       v2: Loaded) -> None:
    """Unknown or unpublished versions are not found; the cycle's own version is bad input."""
    cycle_id = _running(populated, "sign_compact")
    with pytest.raises(NotFound, match="no published version"):
        plan(populated, cycle_id, "2099.1")
    with pytest.raises(NotFound):
        plan(populated, cycle_id, V1)  # stored by the start, never published
    apply(populated, cycle_id, "2024.1")
    with pytest.raises(InvalidInput, match="already runs on"):
        plan(populated, cycle_id, v2.hash[:12])


def test_migrating_is_an_administrators_step(populated: Database, v2: Loaded) -> None:
    """Once an administrator exists, another login may plan but not apply."""
    cycle_id = _running(populated, "sign_compact")
    directory.add_actor(populated, "Quản trị", unit_name=None, login="someone-else")
    identity.grant(populated, "Quản trị", "administrator", cluster_name=None)
    assert plan(populated, cycle_id, V2).ok
    with pytest.raises(TransitionRefused):
        apply(populated, cycle_id, V2)
    assert show(populated, cycle_id).definition == V1


def test_a_stale_expected_version_is_a_conflict(populated: Database, v2: Loaded) -> None:
    """--expect-version that is not the cycle's version: conflict, nothing recorded."""
    cycle_id = _running(populated, "sign_compact")
    with pytest.raises(Conflict):
        apply(populated, cycle_id, V2, expected_version=1)
    assert show(populated, cycle_id).definition == V1


def _force_publish(db: Database, path: Path) -> Loaded:
    """Store and ledger a version as published without its checks (to plan against it)."""
    loaded = load_file(path)
    with db.transaction() as session:
        store_definition(session, db, loaded, "test", "published")
        record(session, db, kind="definition", trigger="publish", actor="test",
               definition=loaded.hash, inputs={})
    return loaded


def test_plan_warns_of_facts_no_step_can_record(populated: Database, tmp_path: Path) -> None:
    """A guard ahead needing a fact whose step lies behind, and a fact no step records any
    more: both are warned of."""
    path = version_2(tmp_path, rename=False, label="2023.9")
    text = revise(path.read_text(encoding="utf-8"),
                  ("      - all_members: {fact: year_report}\n",
                   "      - all_members: {fact: year_report}\n"
                   "      - fact_recorded: {fact: cross_inspection}\n"),
                  ("    source: [second_half, self_assessment, score_validation]\n"
                   "    roles: [member_unit, secretariat]\n"
                   "    label: {vi: \"Kiểm tra chéo\"",
                   "    source: second_half\n"
                   "    roles: [member_unit, secretariat]\n"
                   "    label: {vi: \"Kiểm tra chéo\""),
                  ("    records: compact\n", ""))
    path.write_text(text, encoding="utf-8")
    _force_publish(populated, path)
    cycle_id = _running(populated, "close_self_assessment")
    p = plan(populated, cycle_id, "2023.9")
    assert p.ok
    assert p.facts_unrecorded == ["compact"]
    assert p.warnings == [
        "fact 'compact' is kept, but no step of ccb-cluster-annual@2023.9 records it",
        "close_self_assessment needs cross inspection, which is not recorded and no step "
        "from 'self_assessment' onwards records it"]
