"""The council votes on each candidate and may return the dossier; the decision-maker signs a
decision of accepted candidates only; a person proposed must be registered. Each refusal is
one line, with its exit code, and records nothing."""

from __future__ import annotations

from tests.cli.helpers import ok, plain_error
from tests.cli.test_rules import advance, snapshot
from tests.conftest import COUNCIL, MEMBER, SECRETARY, Invoke
from thidua.workflow.services.db import Database

PERSON = MEMBER["Bắc Giang"]


def vote(cli: Invoke, cycle_id: int, candidate: str, yes: int) -> object:
    """The council's vote on ``candidate``: ``yes`` of 11 for, the others against."""
    return cli("cycle", "fire", str(cycle_id), "council_vote", "--as", COUNCIL,
               "-i", f"candidate={candidate}", "-i", f"votes_for={yes}",
               "-i", f"votes_against={11 - yes}", "-i", "abstaining=0", "-i", "members_total=11")


def decide(cli: Invoke, cycle_id: int, *lines: str) -> object:
    """The chairman's decision listing ``lines``."""
    return cli("cycle", "fire", str(cycle_id), "issue_decision", "--as", "Chủ tịch",
               "-i", "number=12/QĐ", "-i", "date=2024-03-01", "-i", f"lines={','.join(lines)}")


def test_a_candidate_the_council_rejected_is_not_decided(cli: Invoke,
                                                         populated: Database) -> None:
    """A vote short of the threshold is recorded as not accepted; a decision listing that
    candidate is refused naming it; without it the decision is signed."""
    cycle_id = advance(populated, "council_vote")
    ok(vote(cli, cycle_id, "Vĩnh Phúc", 9))
    ok(vote(cli, cycle_id, PERSON, 5))
    before = snapshot(cli, cycle_id)
    message = plain_error(decide(cli, cycle_id, "Vĩnh Phúc", PERSON), 1)
    assert (f"{PERSON}: the council did not accept this candidate (5 of 11 for, 6 needed)"
            in message)
    assert snapshot(cli, cycle_id) == before
    ok(decide(cli, cycle_id, "Vĩnh Phúc"))


def test_returning_the_dossier_sets_the_votes_aside(cli: Invoke, populated: Database) -> None:
    """After a return (with a reason) the council votes again; the earlier votes stay in the
    ledger and under superseded, and no longer count for the decision."""
    cycle_id = advance(populated, "council_vote")
    ok(vote(cli, cycle_id, "Vĩnh Phúc", 9))
    plain_error(cli("cycle", "fire", str(cycle_id), "return_dossier", "--as", COUNCIL), 1)
    ok(cli("cycle", "fire", str(cycle_id), "return_dossier", "--as", COUNCIL,
           "--reason", "thiếu báo cáo thành tích"))
    ok(cli("cycle", "fire", str(cycle_id), "start_council_review", "--as", COUNCIL))
    assert "no council votes has been recorded" in plain_error(
        decide(cli, cycle_id, "Vĩnh Phúc"), 1)
    ok(vote(cli, cycle_id, "Vĩnh Phúc", 10))
    ok(decide(cli, cycle_id, "Vĩnh Phúc"))


def test_a_person_not_registered_is_not_found(cli: Invoke, populated: Database) -> None:
    """Proposing a person the directory does not hold: bad input (exit 2), naming the closest
    names."""
    cycle_id = advance(populated, "propose_person")
    before = snapshot(cli, cycle_id)
    message = plain_error(cli("cycle", "fire", str(cycle_id), "propose_person",
                              "--as", SECRETARY, "-i", "person=Người Bắc Gian",
                              "-i", "award=bang_khen", "-i", "achievements=x"), 2)
    assert "no person named 'Người Bắc Gian' (did you mean: 'Người Bắc Giang'" in message
    assert snapshot(cli, cycle_id) == before
