"""Each rule of the year refuses what it must, through the CLI, naming units and figures,
and a refusal changes nothing: not the state, not the facts, not the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CLUSTER, HAPPY_PATH, MEMBER, SECRETARY, Invoke
from thidua.workflow.language.loader import find, load_file, shipped_dir
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database

NEW_HEAD = MEMBER["Hà Nội"]  # Hà Nội heads the cluster after the handover


def advance(db: Database, before: str, *, definition: str = "ccb-cluster-annual",
            occurrence: int = 1) -> int:
    """Start a cycle and take the scripted steps up to the n-th `before` (not taken)."""
    loaded = find(definition) if "/" not in definition else load_file(definition)
    cycle_id = start_cycle(db, loaded, CLUSTER, 2023, actor=SECRETARY,
                           draft="/" in definition).cycle_id
    seen = 0
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        if trigger == before:
            seen += 1
            if seen == occurrence:
                return cycle_id
        fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    return cycle_id


def snapshot(cli: Invoke, cycle_id: int) -> tuple[object, int]:
    """The cycle as shown (state, version, facts) and the length of the ledger."""
    shown = json.loads(cli("cycle", "show", str(cycle_id), json=True).output)
    log = json.loads(cli("audit", "log", json=True).output)
    return shown, len(log)


REFUSALS = [
    ("compact-before-registration", "register", [],
     ["sign_compact", "--as", SECRETARY],
     "member units without registration: Bắc Giang, Bắc Ninh, Hà Nội, Vĩnh Phúc"),
    ("unit-adjusts-own-score", "adjust_score", [],
     ["adjust_score", "--unit", "Hà Nội", "-i", "criterion=movements", "-i", "points=10",
      "--reason", "tự điều chỉnh", "--as", NEW_HEAD],
     f"{NEW_HEAD} belongs to Hà Nội: a unit never acts on its own score or proposal"),
    ("edit-published-score", "record_ballot", [],
     ["adjust_score", "--unit", "Bắc Giang", "-i", "criterion=movements", "-i", "points=10",
      "--reason", "sửa điểm", "--as", NEW_HEAD],
     "the scores were published on"),
    ("ballot-below-quorum", "record_ballot", [],
     ["record_ballot", "-i", "ballots_issued=4", "-i", "ballots_returned=2",
      "-i", "ballots_valid=2", "-i", "votes=Bắc Ninh=2", "--as", SECRETARY],
     "ballot below quorum: 2 of 4 member units voted, at least 3 needed"),
    ("candidate-under-threshold", "propose", [],
     ["propose", "--unit", "Bắc Giang", "-i", "award=bang_khen", "--as", SECRETARY],
     "Bắc Giang received 0 of 4 votes; more than 50% of the 4 member units (3) is needed"),
    ("flag-over-quota", "submit_proposal", [],
     ["propose", "--unit", "Bắc Ninh", "-i", "award=co_thi_dua", "--as", SECRETARY],
     "Emulation flag over the quota: at most 1 for a cluster of 4 member units, "
     "already proposed: Vĩnh Phúc"),
    ("decision-without-council-vote", "council_vote", [],
     ["issue_decision", "-i", "number=1/QĐ", "-i", "date=2024-03-01", "-i", "lines=Vĩnh Phúc",
      "--as", "Chủ tịch"],
     "no council votes has been recorded"),
    ("council-cannot-sign", "issue_decision", [],
     ["issue_decision", "-i", "number=1/QĐ", "-i", "date=2024-03-01", "-i", "lines=Vĩnh Phúc",
      "--as", "Hội đồng"],
     "Hội đồng holds none of the roles chairman in Cụm 5 2023"),
    ("decision-lists-candidate-not-accepted", "issue_decision", [],
     ["issue_decision", "-i", "number=1/QĐ", "-i", "date=2024-03-01",
      "-i", "lines=Vĩnh Phúc,Bắc Ninh", "--as", "Chủ tịch"],
     "Bắc Ninh: the council has not voted on this candidate; a decision lists accepted "
     "candidates only"),
    ("person-of-no-member-unit", "submit_proposal", [],
     ["propose_person", "-i", "person=Chủ tịch", "-i", "award=bang_khen",
      "-i", "achievements=x", "--as", SECRETARY],
     "Chủ tịch belongs to no unit: a person is proposed with their unit"),
    ("flag-to-a-person", "submit_proposal", [],
     ["propose_person", "-i", "person=Người Hà Nội", "-i", "award=co_thi_dua",
      "-i", "achievements=x", "--as", SECRETARY],
     "Người Hà Nội: Emulation flag is not given to individuals"),
    ("person-proposed-twice", "submit_proposal", [],
     ["propose_person", "-i", "person=Người Bắc Giang", "-i", "award=bang_khen",
      "-i", "achievements=x", "--as", SECRETARY],
     "Người Bắc Giang already has a recorded person proposal"),
    ("return-without-reason", "return_dossier", [],
     ["return_dossier", "--as", "Hội đồng"], "return_dossier needs a written reason"),
    ("revoke-without-reason", "close", [],
     ["revoke", "-i", "line=1.1", "-i", "ground=false_declaration", "-i", "recovered=Cờ",
      "--as", "Chủ tịch"],
     "revoke needs a written reason"),
    ("revoke-unknown-line", "close", [],
     ["revoke", "-i", "line=1.9", "-i", "ground=false_declaration", "-i", "recovered=Cờ",
      "--reason", "khai man", "--as", "Chủ tịch"],
     "1.9 is not an award line of decision 12/QĐ (its lines: 1.1, 1.2"),
    ("council-vote-not-quorate", "council_vote", [],
     ["council_vote", "-i", "candidate=Vĩnh Phúc", "-i", "votes_for=5", "-i", "votes_against=1",
      "-i", "abstaining=0", "-i", "members_total=11", "--as", "Hội đồng"],
     "Vĩnh Phúc: the council's vote is not quorate: 6 of 11 members took part, at least 8 "
     "needed"),
    ("council-votes-on-one-not-proposed", "council_vote", [],
     ["council_vote", "-i", "candidate=Bắc Ninh", "-i", "votes_for=9", "-i", "votes_against=1",
      "-i", "abstaining=0", "-i", "members_total=11", "--as", "Hội đồng"],
     "Bắc Ninh was not proposed: the council votes only on proposed candidates"),
]


@pytest.mark.parametrize(("before", "extra", "args", "message"),
                         [pytest.param(*case[1:], id=case[0]) for case in REFUSALS])
def test_rule_refuses_and_changes_nothing(cli: Invoke, populated: Database, before: str,
                                          extra: list[str], args: list[str],
                                          message: str) -> None:
    """The refusal exits 1, names what blocks it, and leaves cycle and ledger as they were."""
    cycle_id = advance(populated, before)
    before_snapshot = snapshot(cli, cycle_id)
    result = cli("cycle", "fire", str(cycle_id), *args, *extra)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert snapshot(cli, cycle_id) == before_snapshot


def test_quorum_is_a_parameter_of_the_definition(cli: Invoke, populated: Database,
                                                 tmp_path: Path) -> None:
    """The same ballot passes once a copy of the definition lowers the quorum: no code change."""
    text = (shipped_dir() / "ccb-cluster-annual.yaml").read_text(encoding="utf-8")
    assert '    value: "2/3"\n' in text
    copy = tmp_path / "lower-quorum.yaml"
    copy.write_text(text.replace('    value: "2/3"\n', '    value: "1/2"\n', 1), encoding="utf-8")
    cycle_id = advance(populated, "record_ballot", definition=str(copy))
    result = cli("cycle", "fire", str(cycle_id), "record_ballot", "-i", "ballots_issued=4",
                 "-i", "ballots_returned=2", "-i", "ballots_valid=2", "-i", "votes=Bắc Ninh=2",
                 "--as", SECRETARY)
    assert result.exit_code == 0, result.output
