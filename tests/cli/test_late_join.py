"""Membership on a date: a unit that joins the cluster on 1 July is made deputy from that
day (`cluster head --deputy X --on DATE`), registers late by the step's own due date, and
can be proposed at the year-end summary; the ledger replays the change."""

from __future__ import annotations

import datetime as dt

from tests.cli.helpers import ok, parsed, plain_error, snapshot, start
from tests.conftest import CLUSTER, HAPPY_PATH, MEMBER, SECRETARY, Invoke
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.timetravel import state_at

NEW_UNIT, NEWCOMER = "Phú Thọ", "Người Phú Thọ"
TRIGGERS = [step[0] for step in HAPPY_PATH]


def _steps(db: Database, cycle_id: int, first: str, stop: str, day: dt.date) -> None:
    """Fire the happy path's steps from ``first`` up to ``stop`` (not taken), a day apart."""
    for i, (trigger, person, unit, inputs, reason) in enumerate(
            HAPPY_PATH[TRIGGERS.index(first):TRIGGERS.index(stop)]):
        fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason,
             occurred_at=(day + dt.timedelta(days=i)).isoformat())


def _joined(cli: Invoke, db: Database) -> int:
    """Cluster 5's cycle in its second half, and Phú Thọ joining it on 1 July 2023."""
    cycle_id = start(db)
    _steps(db, cycle_id, "launch", "open_self_assessment", dt.date(2023, 1, 10))
    ok(cli("cluster", "member", "add", CLUSTER, NEW_UNIT, "--on", "2023-07-01"))
    ok(cli("actor", "add", NEWCOMER, "--unit", NEW_UNIT))
    return cycle_id


def test_a_unit_that_joined_leads_registers_late_and_is_proposed(cli: Invoke,
                                                                 populated: Database) -> None:
    """Deputy from 1 July, late registration on 5 July, year report, five-unit ballot,
    proposed for the flag; `audit verify` replays it all."""
    cycle_id = _joined(cli, populated)
    out = ok(cli("cluster", "head", CLUSTER, "--period", "2023", "--deputy", NEW_UNIT,
                 "--on", "2023-07-01"))
    assert f"{CLUSTER} 2023 from 2023-07-01: head Hà Nội, deputy {NEW_UNIT}" in out
    view = state_at(populated, cycle_id, "2023-07-02")
    assert (view.head, view.deputy) == ("Hà Nội", NEW_UNIT)
    ok(cli("cycle", "fire", str(cycle_id), "register_late", "-i", "targets=Hoàn thành tốt",
           "--as", NEWCOMER, "--at", "2023-07-05"))
    assert "already recorded registration" in plain_error(cli(
        "cycle", "fire", str(cycle_id), "register_late", "-i", "targets=Lần hai",
        "--as", NEWCOMER, "--at", "2023-07-06"), 1)
    _steps(populated, cycle_id, "open_self_assessment", "close_self_assessment",
           dt.date(2023, 11, 1))
    fire(populated, cycle_id, "submit_year_report", actor=NEWCOMER, occurred_at="2023-11-20",
         inputs={"report": "Báo cáo năm", "self_scores": {
             "political_tasks": 40, "organisation": 24, "movements": 19, "propaganda": 14}})
    _steps(populated, cycle_id, "close_self_assessment", "record_ballot", dt.date(2023, 12, 1))
    fire(populated, cycle_id, "record_ballot", actor=SECRETARY, occurred_at="2023-12-12",
         inputs={"ballots_issued": 5, "ballots_returned": 5, "ballots_valid": 5,
                 "votes": {NEW_UNIT: 5, "Bắc Ninh": 2}})
    ok(cli("cycle", "fire", str(cycle_id), "propose", "--unit", NEW_UNIT, "-i",
           "award=co_thi_dua", "--as", SECRETARY, "--at", "2023-12-13"))
    facts = parsed(cli("cycle", "show", str(cycle_id), json=True))["facts"]
    assert facts["proposal"][NEW_UNIT]["award"] == "co_thi_dua"
    assert "records match" in ok(cli("audit", "verify"))


def test_leadership_on_a_date_refusals(cli: Invoke, populated: Database) -> None:
    """A deputy who is not yet a member on the date, a date outside the period, no head:
    one plain line, exit 2, nothing recorded."""
    cycle_id = _joined(cli, populated)
    before = snapshot(cli, cycle_id)
    head = ["cluster", "head", CLUSTER, "--period", "2023"]
    assert f"the deputy {NEW_UNIT} is not a member unit on 2023-06-30" in plain_error(
        cli(*head, "--deputy", NEW_UNIT, "--on", "2023-06-30"), 2)
    assert "--on 2025-01-01 is not in 2023" in plain_error(
        cli(*head, "--deputy", NEW_UNIT, "--on", "2025-01-01"), 2)
    assert "the head and the deputy must be different units" in plain_error(
        cli(*head, "--head", NEW_UNIT, "--deputy", NEW_UNIT, "--on", "2023-07-01"), 2)
    assert "give --head" in cli(*head, "--deputy", NEW_UNIT).output
    assert snapshot(cli, cycle_id) == before


def test_late_registration_has_its_own_due_date(cli: Invoke, populated: Database) -> None:
    """After 30 September the late registration is refused (exit 1, naming its due date);
    a unit that registered before the compact cannot register again."""
    cycle_id = _joined(cli, populated)
    before = snapshot(cli, cycle_id)
    assert "register_late was due by 2023-09-30: it is 2023-10-01" in plain_error(cli(
        "cycle", "fire", str(cycle_id), "register_late", "-i", "targets=Muộn",
        "--as", NEWCOMER, "--at", "2023-10-01"), 1)
    assert "Bắc Giang has already recorded registration" in plain_error(cli(
        "cycle", "fire", str(cycle_id), "register_late", "-i", "targets=Lần hai",
        "--as", MEMBER["Bắc Giang"], "--at", "2023-07-05"), 1)
    assert snapshot(cli, cycle_id) == before
