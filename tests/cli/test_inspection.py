"""Cross-inspection the right way round: the secretariat assigns the inspecting unit, which
records findings and proposed score changes with reasons; the inspected unit answers; the
scores are not published while a proposed change is unanswered."""

from __future__ import annotations

import pytest

from tests.cli.helpers import advance, ok, parsed, plain_error, snapshot, start
from tests.conftest import HAPPY_PATH, MEMBER, SECRETARY, Invoke
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

HN = MEMBER["Hà Nội"]  # the head after the handover; Hà Nội inspects Bắc Giang
BG = MEMBER["Bắc Giang"]


def _inspected(cli: Invoke, db: Database) -> int:
    """A cycle in its second half where Hà Nội was assigned Bắc Giang and proposed a change."""
    cycle_id = start(db)
    advance(db, cycle_id, until="open_self_assessment")
    ok(cli("cycle", "fire", str(cycle_id), "assign_inspection", "--unit", "Hà Nội",
           "-i", "inspects=Bắc Giang", "--as", SECRETARY))
    ok(cli("cycle", "fire", str(cycle_id), "record_cross_inspection", "-i", "inspected=Bắc Giang",
           "-i", "findings=Thiếu minh chứng", "-i", "criterion=organisation", "-i", "points=20",
           "--reason", "thiếu minh chứng", "--as", HN))
    return cycle_id


def test_no_publication_while_a_change_is_unanswered(cli: Invoke, populated: Database) -> None:
    """publish_scores exits 1 naming the unanswered change and records nothing; once Bắc
    Giang answers, the scores are published."""
    cycle_id = _inspected(cli, populated)
    triggers = [step[0] for step in HAPPY_PATH]
    for trigger, person, unit, inputs, reason in HAPPY_PATH[
            triggers.index("open_self_assessment"):triggers.index("publish_scores")]:
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs,
             reason=reason)
    before = snapshot(cli, cycle_id)
    message = plain_error(cli("cycle", "fire", str(cycle_id), "publish_scores", "--as", HN), 1)
    assert ("a proposed score change is unanswered: Hà Nội's proposed change to Bắc Giang "
            "(organisation 20)") in message
    assert snapshot(cli, cycle_id) == before
    why = parsed(cli("cycle", "why", str(cycle_id), "publish_scores", "--as", HN, json=True))
    assert any("unanswered" in r for o in why for r in o["reasons"])
    ok(cli("cycle", "fire", str(cycle_id), "answer_inspection", "-i", "accepted=false",
           "-i", "answer=Đã có minh chứng, đề nghị giữ điểm", "--as", BG))
    ok(cli("cycle", "fire", str(cycle_id), "publish_scores", "--as", HN))
    facts = parsed(cli("cycle", "show", str(cycle_id), json=True))["facts"]
    assert facts["inspection_answer"]["Bắc Giang"][0]["accepted"] is False
    assert facts["cross_inspection"]["Hà Nội"][0]["inspected"] == "Bắc Giang"
    assert "ledger intact" in ok(cli("audit", "verify"))


REFUSED = [
    pytest.param(["record_cross_inspection", "-i", "inspected=Vĩnh Phúc", "-i", "findings=x",
                  "--as", HN], 1, "Hà Nội was assigned to inspect Bắc Giang, not Vĩnh Phúc",
                 id="not-assigned-unit"),
    pytest.param(["record_cross_inspection", "-i", "inspected=Bắc Giang", "-i", "findings=x",
                  "-i", "criterion=organisation", "-i", "points=20", "--as", HN], 1,
                 "a proposed score change needs a written reason", id="no-reason"),
    pytest.param(["record_cross_inspection", "-i", "inspected=Bắc Giang", "-i", "findings=x",
                  "-i", "criterion=nothing", "-i", "points=2", "--reason", "r", "--as", HN], 1,
                 "unknown criterion 'nothing'", id="unknown-criterion"),
    pytest.param(["record_cross_inspection", "-i", "inspected=Bắc Giang", "-i", "findings=x",
                  "-i", "points=2", "--reason", "r", "--as", HN], 1,
                 "gives both the criterion and the points", id="points-alone"),
    pytest.param(["record_cross_inspection", "-i", "inspected=Bắc Giang", "-i", "findings=x",
                  "--as", BG], 1, "Bắc Giang has not been assigned a unit to inspect",
                 id="unassigned-inspector"),
    pytest.param(["record_cross_inspection", "-i", "inspected=Bac Giang", "-i", "findings=x",
                  "--as", HN], 2, "no unit named 'Bac Giang' (did you mean: 'Bắc Giang'?)",
                 id="unknown-unit"),
    pytest.param(["answer_inspection", "-i", "accepted=true", "-i", "answer=x",
                  "--as", MEMBER["Vĩnh Phúc"]], 1,
                 "Vĩnh Phúc has no proposed score change to answer", id="nothing-to-answer"),
    pytest.param(["assign_inspection", "--unit", "Vĩnh Phúc", "-i", "inspects=Vĩnh Phúc",
                  "--as", SECRETARY], 1, "Vĩnh Phúc cannot inspect itself", id="self"),
    pytest.param(["assign_inspection", "--unit", "Vĩnh Phúc", "-i", "inspects=Bắc Giang",
                  "--as", BG], 1, "holds none of the roles", id="member-assigns"),
]


@pytest.mark.parametrize(("args", "code", "message"), REFUSED)
def test_inspection_refusals(cli: Invoke, populated: Database, args: list[str], code: int,
                             message: str) -> None:
    """Each mistake is one plain line, exit 1 (rule) or 2 (input), nothing recorded."""
    cycle_id = _inspected(cli, populated)
    before = snapshot(cli, cycle_id)
    assert message in plain_error(cli("cycle", "fire", str(cycle_id), *args), code)
    assert snapshot(cli, cycle_id) == before
