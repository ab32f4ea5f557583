"""The year beyond single steps: membership over time, handover, next year, to-do, report."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import CLUSTER, HAPPY_PATH, MEMBER, SECRETARY
from thidua.store import directory as queries
from thidua.workflow.engine import roster
from thidua.workflow.errors import InvalidInput, NotFound, TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services import membership
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.report import cycle_report
from thidua.workflow.services.succession import start_next
from thidua.workflow.services.views import show, todo, why

HANOI = MEMBER["Hà Nội"]


def run_year(db: Database, definition: str = "ccb-cluster-annual",
             steps: list[tuple[str, str, str | None, dict[str, object], str | None]] | None = None,
             ) -> int:
    """Start Cluster 5's 2023 cycle and take every scripted step."""
    cycle_id = start_cycle(db, find(definition), CLUSTER, 2023, actor=SECRETARY).cycle_id
    for trigger, person, unit, inputs, reason in steps or HAPPY_PATH:
        fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    return cycle_id


def test_members_on_a_date_follow_joins_leaves_and_mergers(populated: Database) -> None:
    """A cluster's members on any date follow the recorded joins, leaves and mergers."""
    membership.add_member(populated, CLUSTER, "Phú Thọ", dt.date(2024, 1, 1))
    membership.leave(populated, CLUSTER, "Vĩnh Phúc", dt.date(2024, 1, 1))
    membership.merge(populated, "Bắc Giang", "Bắc Ninh", dt.date(2025, 7, 1))
    with populated.transaction() as session:
        cluster_id = roster.cluster(session, CLUSTER).id

        def on(day: str) -> list[str]:
            return queries.members_on(session, cluster_id, dt.date.fromisoformat(day))

        assert on("2023-06-01") == ["Bắc Giang", "Bắc Ninh", "Hà Nội", "Vĩnh Phúc"]
        assert on("2024-06-01") == ["Bắc Giang", "Bắc Ninh", "Hà Nội", "Phú Thọ"]
        assert on("2025-07-01") == ["Bắc Ninh", "Hà Nội", "Phú Thọ"]


def test_membership_mistakes_are_refused(populated: Database) -> None:
    """Leaving twice, joining twice or merging into itself is a plain input error."""
    with pytest.raises(NotFound, match="Phú Thọ"):
        membership.leave(populated, CLUSTER, "Phú Thọ", dt.date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="is not a member on 2030-01-01"):
        membership.leave(populated, CLUSTER, "Hà Nội", dt.date(2024, 1, 1))
        membership.leave(populated, CLUSTER, "Hà Nội", dt.date(2030, 1, 1))
    with pytest.raises(InvalidInput, match="already a member"):
        membership.add_member(populated, CLUSTER, "Bắc Ninh", dt.date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="itself"):
        membership.merge(populated, "Hà Nội", "Hà Nội", dt.date(2025, 1, 1))


def test_handover_moves_the_head_role_and_applies_membership_changes(
        populated: Database) -> None:
    """After the handover the incoming head holds the head's role; leaving units are gone."""
    steps = [s if s[0] != "hand_over" else
             ("hand_over", s[1], None, {**s[3], "joining": ["Phú Thọ"]}, None)
             for s in HAPPY_PATH]
    cut = next(i for i, s in enumerate(steps) if s[0] == "hand_over") + 1
    cycle_id = run_year(populated, steps=steps[:cut])
    view = show(populated, cycle_id)
    assert view.head == "Hà Nội"
    assert view.members == ["Bắc Giang", "Bắc Ninh", "Hà Nội", "Phú Thọ", "Vĩnh Phúc"]
    with pytest.raises(TransitionRefused, match="holds none of the roles"):
        fire(populated, cycle_id, "open_self_assessment", actor="Đào Anh Dũng")
    fire(populated, cycle_id, "open_self_assessment", actor=HANOI)


def test_next_year_opens_from_a_closed_cycle_with_the_elected_head(populated: Database) -> None:
    """`start --from` opens N+1 for the same cluster with the head and deputy elected."""
    cycle_id = run_year(populated)
    with pytest.raises(TransitionRefused, match="close it"):
        start_next(populated, start_cycle(populated, find("ccb-cluster-annual-handover-at-summary"),
                                          CLUSTER, 2024, actor=SECRETARY).cycle_id,
                   actor=SECRETARY)
    nxt = start_next(populated, cycle_id, actor=SECRETARY)
    view = show(populated, nxt.cycle_id)
    assert (view.period, view.state, view.head, view.deputy) == (
        2024, "constituted", "Hà Nội", "Bắc Giang")


def test_rotation_rule_names_the_head_when_no_one_was_elected() -> None:
    """Without an election, this year's deputy is next year's head."""
    from thidua.workflow.services.succession import next_leadership

    assert next_leadership({}, "deputy_becomes_head", "Bắc Ninh", "Hà Nội") == ("Hà Nội", None)
    assert next_leadership({"ballot": {"next_head": "Bắc Giang", "next_deputy": "Vĩnh Phúc"}},
                           "deputy_becomes_head", "Bắc Ninh", "Hà Nội") == (
        "Bắc Giang", "Vĩnh Phúc")
    assert next_leadership({}, "elected", "Bắc Ninh", "Hà Nội") is None


def test_second_definition_hands_over_at_the_year_end_summary(populated: Database) -> None:
    """The variant definition runs the same year with the handover moved: no code changed."""
    order = ["record_ballot", "propose", "hand_over", "submit_proposal"]
    steps = [s for s in HAPPY_PATH if s[0] != "hand_over"]
    handover = next(s for s in HAPPY_PATH if s[0] == "hand_over")
    # Before the handover the old head (Bắc Ninh) still leads: its people adjust and publish.
    steps = [(t, "Đào Anh Dũng", "Hà Nội", i, r) if t == "adjust_score" else
             (t, "Đào Anh Dũng", u, i, r) if t == "publish_scores" else (t, p, u, i, r)
             for t, p, u, i, r in steps]
    at = steps.index(next(s for s in steps if s[0] == order[3]))
    steps.insert(at, handover)
    cycle_id = run_year(populated, "ccb-cluster-annual-handover-at-summary", steps)
    view = show(populated, cycle_id)
    assert view.state == "closed"
    events = [s[0] for s in steps]
    assert events.index("hand_over") > events.index("record_ballot")


def test_todo_lists_what_a_person_can_do_and_what_blocks(populated: Database) -> None:
    """`todo` shows ready steps and the reasons others are blocked, with the due date."""
    cycle_id = run_year(populated, steps=HAPPY_PATH[:3])
    rows = todo(populated, actor=SECRETARY, today=dt.date(2023, 4, 1))
    assert rows == [{
        "cycle": cycle_id, "cluster": CLUSTER, "period": 2023, "state": "registration_open",
        "due": "2023-03-31", "overdue": True, "ready": ["register"],
        "blocked": {"sign_compact": [
            "member units without registration: Bắc Giang, Bắc Ninh, Vĩnh Phúc"]}}]
    assert [o.trigger for o in why(populated, cycle_id, actor=SECRETARY)] == [
        "register", "sign_compact"]
    # A member unit's person may never sign the compact: it is not on their list at all.
    member = todo(populated, actor=MEMBER["Bắc Giang"], today=dt.date(2023, 4, 1))[0]
    assert (member["ready"], member["blocked"]) == (["register"], {})
    refused = why(populated, cycle_id, actor=MEMBER["Bắc Giang"], trigger="sign_compact")[0]
    assert not refused.role_held and not refused.allowed


def test_report_has_every_section(populated: Database) -> None:
    """The report's scoreboard, ballot and awards follow the recorded facts."""
    cycle_id = run_year(populated)
    report = cycle_report(populated, cycle_id)
    # Vĩnh Phúc 39+22+18+13 = 92, Bắc Ninh 90, Bắc Giang 38+20 (adjusted)+18+13 = 89 ties
    # with Hà Nội 36+22+18+13 = 89 and wins on the first criterion.
    assert [(r["unit"], r["total"]) for r in report["scoreboard"]] == [
        ("Vĩnh Phúc", 92), ("Bắc Ninh", 90), ("Bắc Giang", 89), ("Hà Nội", 89)]
    assert report["ballot"]["candidates"][0] == {"unit": "Bắc Ninh", "votes": 4, "passed": True}
    assert [(p["candidate"], p["kind"], p["of_unit"], p["label"], p["council"]["accepted"])
            for p in report["proposals"]] == [
        ("Vĩnh Phúc", "unit", "Vĩnh Phúc", "Emulation flag", True),
        (MEMBER["Bắc Giang"], "person", "Bắc Giang", "Certificate of merit", True)]
    assert [(a["id"], a["candidate"], a["award"], a["signer"]) for a in report["awards"]] == [
        (f"{cycle_id}.1", "Vĩnh Phúc", "co_thi_dua", "Chủ tịch"),
        (f"{cycle_id}.2", MEMBER["Bắc Giang"], "bang_khen", "Chủ tịch")]
    assert report["matrix"]["units"]["Hà Nội"]["registration"] is True
    assert report["timeline"][-1]["state"] == "closed"
