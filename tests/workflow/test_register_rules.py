"""Rules over the award register look back over years and cycles: a flag in each of the
previous years, never twice for one achievement; a revoked line counts for nothing. A refusal
names the candidate and the years it lacks, and records nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import CLUSTER, COUNCIL, SECRETARY, UNITS
from thidua.workflow.errors import TransitionRefused
from thidua.workflow.language.loader import Loaded, load_file
from thidua.workflow.services import directory, identity
from thidua.workflow.services.awards import award_lines
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show

CHAIR = "Chủ tịch"

# A commendation-only year: propose units, the council votes on each, the chairman decides.
DEFINITION = """
id: register-years
version: "1"
title: {vi: "Khen thưởng", en: "Commendation"}
effective_from: 2020-01-01
roles: [secretariat, council, chairman, auditor]
start_roles: [secretariat]
parameters:
  flag_years: {type: integer, value: 2, basis: "Hướng dẫn khen thưởng của năm"}
  council_quorum: {type: fraction, value: "1/2", basis: "Quy chế hội đồng"}
  council_threshold: {type: fraction, value: "1/2", basis: "Quy chế hội đồng"}
  revocation_article: {type: text, value: "Luật Thi đua, khen thưởng", basis: "Luật"}
awards:
  co_thi_dua: {kind: title, label: {vi: "Cờ thi đua", en: "Emulation flag"}, recipients: [unit]}
  co_chinh_phu:
    kind: title
    label: {vi: "Cờ thi đua của Chính phủ", en: "Government's emulation flag"}
    recipients: [unit]
states:
  - {name: proposing, initial: true, label: {vi: "Đề nghị", en: "Proposing"}}
  - {name: decided, label: {vi: "Đã quyết định", en: "Decided"}}
  - {name: closed, final: true, label: {vi: "Khóa sổ", en: "Closed"}}
transitions:
  - trigger: propose
    source: proposing
    roles: [secretariat]
    per_unit: true
    records: proposal
    guards:
      - held_award: {held: co_thi_dua, years: flag_years, for_award: co_chinh_phu}
      - not_awarded_again
    inputs: {award: {type: award}}
  - trigger: council_vote
    source: proposing
    roles: [council]
    records: council_votes
    keyed_by: candidate
    guards:
      - candidate_proposed: {persons: null}
      - council_vote: {quorum: council_quorum}
    effects:
      - council_outcome: {threshold: council_threshold}
    inputs:
      candidate: {type: text}
      votes_for: {type: integer}
      votes_against: {type: integer}
      abstaining: {type: integer}
      members_total: {type: integer}
  - trigger: issue_decision
    source: proposing
    dest: decided
    roles: [chairman]
    guards: [decision_lines]
    records: decision
    effects:
      - award_decision: {persons: null, scores: null, ballot: null}
    inputs: {number: {type: text}, date: {type: date}, lines: {type: list}}
  - trigger: revoke
    source: [decided, closed]
    roles: [chairman]
    reason_required: true
    records: revocation
    guards: [line_revocable: {article: revocation_article}]
    effects: [revoke_award: {article: revocation_article}]
    inputs:
      line: {type: text}
      ground: {type: text, choices: [false_declaration, later_violation]}
      recovered: {type: text}
  - trigger: close
    source: decided
    dest: closed
    roles: [secretariat]
"""


@pytest.fixture
def loaded(tmp_path: Path) -> Loaded:
    """The commendation-only definition, from a file."""
    path = tmp_path / "register-years.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return load_file(str(path))


@pytest.fixture
def office(db: Database) -> Database:
    """Cluster 5 with a secretariat, a council and a chairman, for every year."""
    directory.add_cluster(db, CLUSTER, members=UNITS, head=UNITS[0], deputy=UNITS[1],
                          period=2020, joined_on=dt.date(2020, 1, 1))
    for person, role in ((SECRETARY, "secretariat"), (COUNCIL, "council"), (CHAIR, "chairman")):
        directory.add_actor(db, person, unit_name=None)
        identity.grant(db, person, role, cluster_name=CLUSTER)
    return db


def year(db: Database, loaded: Loaded, period: int, awards: dict[str, str], *,
         close: bool = True) -> int:
    """One year's commendation: each unit proposed, accepted by the council, decided."""
    cycle = start_cycle(db, loaded, CLUSTER, period, actor=SECRETARY, draft=True,
                        occurred_at=f"{period + 1}-01-02").cycle_id
    for unit, award in awards.items():
        fire(db, cycle, "propose", actor=SECRETARY, unit=unit, inputs={"award": award},
             occurred_at=f"{period + 1}-01-03")
    for unit in awards:
        fire(db, cycle, "council_vote", actor=COUNCIL, occurred_at=f"{period + 1}-01-04",
             inputs={"candidate": unit, "votes_for": 9, "votes_against": 2, "abstaining": 0,
                     "members_total": 11})
    fire(db, cycle, "issue_decision", actor=CHAIR, occurred_at=f"{period + 1}-01-05",
         inputs={"number": f"{period}/QĐ", "date": f"{period + 1}-01-05",
                 "lines": list(awards)})
    if close:
        fire(db, cycle, "close", actor=SECRETARY, occurred_at=f"{period + 1}-01-06")
    return cycle


def refused(db: Database, cycle: int, unit: str, award: str, day: str) -> str:
    """The refusal of proposing ``unit`` for ``award``; nothing is recorded."""
    before = show(db, cycle)
    with pytest.raises(TransitionRefused) as caught:
        fire(db, cycle, "propose", actor=SECRETARY, unit=unit, inputs={"award": award},
             occurred_at=day)
    after = show(db, cycle)
    assert (after.version, after.facts) == (before.version, before.facts)
    return str(caught.value)


def test_a_flag_in_each_of_the_previous_two_years(office: Database, loaded: Loaded) -> None:
    """The Government's flag needs the flag in 2021 and 2022: a unit with one of them is
    refused naming the year it lacks, a unit with none naming both; a holder of both passes."""
    year(office, loaded, 2021, {"Hà Nội": "co_thi_dua", "Bắc Giang": "co_thi_dua"})
    year(office, loaded, 2022, {"Hà Nội": "co_thi_dua", "Bắc Ninh": "co_thi_dua"})
    cycle = start_cycle(office, loaded, CLUSTER, 2023, actor=SECRETARY, draft=True,
                        occurred_at="2024-01-02").cycle_id
    message = refused(office, cycle, "Bắc Ninh", "co_chinh_phu", "2024-01-03")
    assert ("Bắc Ninh lacks Emulation flag in 2021: Government's emulation flag needs it in "
            "each of the previous 2 years") in message
    assert "Bắc Giang lacks Emulation flag in 2022" in refused(
        office, cycle, "Bắc Giang", "co_chinh_phu", "2024-01-03")
    assert "Vĩnh Phúc lacks Emulation flag in 2021, 2022" in refused(
        office, cycle, "Vĩnh Phúc", "co_chinh_phu", "2024-01-03")
    fire(office, cycle, "propose", actor=SECRETARY, unit="Hà Nội",
         inputs={"award": "co_chinh_phu"}, occurred_at="2024-01-03")
    # the prerequisite is for the Government's flag only
    fire(office, cycle, "propose", actor=SECRETARY, unit="Vĩnh Phúc",
         inputs={"award": "co_thi_dua"}, occurred_at="2024-01-03")


def test_a_revoked_line_counts_for_nothing(office: Database, loaded: Loaded) -> None:
    """Once Hà Nội's 2022 flag is revoked, it lacks 2022; its other lines stay in force."""
    year(office, loaded, 2021, {"Hà Nội": "co_thi_dua"})
    revoked = year(office, loaded, 2022, {"Bắc Ninh": "co_thi_dua", "Hà Nội": "co_thi_dua"})
    fire(office, revoked, "revoke", actor=CHAIR, reason="khai man thành tích",
         inputs={"line": f"{revoked}.2", "ground": "false_declaration", "recovered": "Cờ"},
         occurred_at="2023-06-01")
    lines = {line["id"]: line for line in award_lines(office)}
    assert lines[f"{revoked}.2"]["revoked"]["ground"] == "false_declaration"
    assert lines[f"{revoked}.1"]["revoked"] is None
    cycle = start_cycle(office, loaded, CLUSTER, 2023, actor=SECRETARY, draft=True,
                        occurred_at="2024-01-02").cycle_id
    assert "Hà Nội lacks Emulation flag in 2022" in refused(
        office, cycle, "Hà Nội", "co_chinh_phu", "2024-01-03")


def test_one_achievement_is_not_rewarded_twice(office: Database, loaded: Loaded,
                                               tmp_path: Path) -> None:
    """Another commendation cycle of the same year (another definition, e.g. a movement's
    review) cannot propose a unit already awarded for that year's achievement."""
    first = year(office, loaded, 2023, {"Hà Nội": "co_thi_dua"})
    other = tmp_path / "movement.yaml"
    other.write_text(DEFINITION.replace("id: register-years", "id: movement-review"),
                     encoding="utf-8")
    cycle = start_cycle(office, load_file(str(other)), CLUSTER, 2023, actor=SECRETARY,
                        draft=True, occurred_at="2024-02-01").cycle_id
    assert (f"Hà Nội was already awarded Emulation flag for 2023 (decision 2023/QĐ, line "
            f"{first}.1): one achievement is rewarded once") in refused(
        office, cycle, "Hà Nội", "co_chinh_phu", "2024-02-02")


def test_lint_names_an_award_the_register_rule_cannot_find(tmp_path: Path) -> None:
    """`held` and `for_award` name awards of the catalogue: a misspelt one is a lint error."""
    from thidua.workflow.language.lint import lint_file

    path = tmp_path / "typo.yaml"
    path.write_text(DEFINITION.replace("held: co_thi_dua", "held: co_thi_dau"),
                    encoding="utf-8")
    messages = [str(f) for f in lint_file(path).findings if f.severity == "error"]
    assert any("held_award names 'co_thi_dau', not an award of the catalogue" in m
               for m in messages), messages
