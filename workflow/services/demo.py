"""The reference event's cycle: Emulation Cluster no. 5 of the Veterans Association, 2023.

Names, dates and places of the mid-year review come from the original report (28–29/6/2023 in
Bắc Ninh, chaired by the cluster head Đào Anh Dũng, the report presented by Phạm Hồng Thắng,
Lê Anh Thư speaking for Vĩnh Phúc, the farewell of Vĩnh Phúc, Bắc Ninh and Bắc Giang, filed by
Cao Văn Thắng). The other steps of the year, which the report does not cover, are illustrative
and are marked so in the account. As at the reference event, Vĩnh Phúc, Bắc Ninh and Bắc
Giang leave the cluster at the handover, so the second half and the year-end summary are Hà
Nội's; the 2025 mergers of provinces are recorded at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from thidua.store import cycles as stored_cycles
from thidua.store import directory as queries
from thidua.workflow.engine import roster
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.language.loader import find
from thidua.workflow.services import directory, identity, membership
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database

CLUSTER = "Cụm thi đua số 5 – Hội CCB Việt Nam"
PERIOD = 2023
HN, BN, BG, VP = ("Hội CCB TP Hà Nội", "Hội CCB tỉnh Bắc Ninh", "Hội CCB tỉnh Bắc Giang",
                  "Hội CCB tỉnh Vĩnh Phúc")
SECRETARIAT = "Cao Văn Thắng"
HEAD = "Đào Anh Dũng"
COUNCIL = "Hội đồng TĐKT Hội CCB Việt Nam"
CHAIRMAN = "Chủ tịch Trung ương Hội CCB Việt Nam"
AUDITOR = "Ban Kiểm tra Hội CCB Việt Nam"
# Individuals proposed for a certificate of merit: illustrative, the report names none.
MEMBER_A, MEMBER_B = "Hội viên A (minh họa)", "Hội viên B (minh họa)"

# (name, unit, granted role or None): member units act through their standing committees.
PEOPLE: list[tuple[str, str | None, str | None]] = [
    (HEAD, BN, None),                    # chairman of Bắc Ninh, cluster head (derived)
    ("Phạm Hồng Thắng", BN, None),       # deputy chairman of Bắc Ninh
    ("Lê Anh Thư", VP, None),            # chairwoman of Vĩnh Phúc
    ("Thường trực Hội CCB TP Hà Nội", HN, None),
    ("Thường trực Hội CCB tỉnh Bắc Giang", BG, None),
    (SECRETARIAT, BN, "secretariat"),    # head of the propaganda board: enters the steps
    (COUNCIL, None, "council"),
    (CHAIRMAN, None, "chairman"),        # signs the decision: the decision-maker
    (MEMBER_A, HN, None),
    (MEMBER_B, HN, None),
    (AUDITOR, None, "auditor"),
]
PLAN = "Kế hoạch thi đua năm 2023 của Cụm thi đua số 5"
TASKS = ["Tiếp tục thực hiện kế hoạch thi đua năm 2023",
         "Chuẩn bị tổng kết thi đua, khen thưởng năm 2023",
         "Chuẩn bị tổng kết 5 năm phong trào “Cựu chiến binh gương mẫu” 2019–2024"]
MINUTES = ("Hội nghị sơ kết 6 tháng đầu năm 2023 của Cụm thi đua số 5, ngày 28–29/6/2023 tại "
           "Bắc Ninh; Hội CCB tỉnh Vĩnh Phúc (đ/c Lê Anh Thư) phát biểu; Cụm chia tay Hội CCB "
           "các tỉnh Vĩnh Phúc, Bắc Ninh, Bắc Giang")

FAREWELL = "Cụm chia tay Hội CCB các tỉnh Vĩnh Phúc, Bắc Ninh, Bắc Giang"
HN_OFFICE = "Thường trực Hội CCB TP Hà Nội"
DECISION = "01/QĐ-CCB (minh họa)"
# Illustrative: units that join the cluster for the second half (after three of its four
# members leave at the review), so that the year-end ballot is not a vote of one unit. The
# first of them is deputy from the day it joins.
JOINED_ON = "2023-07-01"
JOINING = [("Hội CCB tỉnh Hải Dương", "Thường trực Hội CCB tỉnh Hải Dương"),
           ("Hội CCB tỉnh Hưng Yên", "Thường trực Hội CCB tỉnh Hưng Yên"),
           ("Hội CCB tỉnh Thái Bình", "Thường trực Hội CCB tỉnh Thái Bình")]


def _doc(name: str, text: str) -> Attachment:
    return Attachment(name, text.encode("utf-8"))


def _scores(political: float, organisation: float, movements: float,
            propaganda: float) -> dict[str, float]:
    return {"political_tasks": political, "organisation": organisation,
            "movements": movements, "propaganda": propaganda}


DOSSIER = {
    "submission": _doc("to-trinh-2023.txt", "Tờ trình đề nghị tặng Cờ thi đua năm 2023"),
    "minutes": _doc("bien-ban-tong-ket-2023.txt",
                    "Biên bản hội nghị tổng kết Cụm thi đua số 5 năm 2023"),
    "achievement_reports": [_doc("thanh-tich-ha-noi-2023.txt",
                                 f"Báo cáo thành tích năm 2023 của {HN}")],
}

# (date, who, trigger, unit, inputs, reason, from the reference event?)
Step = tuple[str, str, str, str | None, dict[str, Any], str | None, bool]
STEPS: list[Step] = [
    ("2023-01-16", HEAD, "launch", None, {"plan": PLAN}, None, False),
    ("2023-02-01", SECRETARIAT, "open_registration", None, {}, None, False),
    ("2023-02-20", HN_OFFICE, "register", HN,
     {"targets": "Hoàn thành xuất sắc các chỉ tiêu năm 2023", "titles_sought": ["Cờ thi đua"]},
     None, False),
    ("2023-02-22", SECRETARIAT, "register", BN,
     {"targets": "Hoàn thành xuất sắc các chỉ tiêu năm 2023", "titles_sought": ["Cờ thi đua"]},
     None, False),
    ("2023-02-24", "Thường trực Hội CCB tỉnh Bắc Giang", "register", BG,
     {"targets": "Hoàn thành tốt các chỉ tiêu năm 2023", "titles_sought": ["Bằng khen"]},
     None, False),
    ("2023-03-01", "Lê Anh Thư", "register", VP,
     {"targets": "Hoàn thành tốt các chỉ tiêu năm 2023", "titles_sought": ["Bằng khen"]},
     None, False),
    ("2023-03-15", HEAD, "sign_compact", None, {"signed_at": "Bắc Ninh"}, None, False),
    ("2023-03-20", SECRETARIAT, "begin_first_half", None, {}, None, False),
    ("2023-06-15", HEAD, "open_midyear_review", None, {}, None, False),
    *[("2023-06-2" + str(i), SECRETARIAT, "submit_midyear_report", unit,
       {"summary": f"Báo cáo kết quả thi đua 6 tháng đầu năm 2023 của {unit}"}, None, False)
      for i, unit in enumerate((HN, BN, BG, VP), start=1)],
    ("2023-06-29T11:00+07:00", HEAD, "hold_midyear_review", None,
     {"place": "tỉnh Bắc Ninh", "starts_on": "2023-06-28", "ends_on": "2023-06-29",
      "chaired_by": HEAD, "presented_by": ["Phạm Hồng Thắng"], "speakers": ["Lê Anh Thư"],
      "attending_units": [HN, BN, BG, VP], "attending_people": [HEAD, "Lê Anh Thư"],
      "minutes": _doc("bien-ban-so-ket-6-thang-2023.txt", MINUTES),
      "second_half_tasks": TASKS, "decisions": [FAREWELL],
      "leaving": [VP, BN, BG]}, None, True),
    ("2023-06-29T15:00+07:00", HEAD, "hand_over", None,
     {"outgoing_head": BN, "incoming_head": HN, "leaving": [VP, BN, BG]}, None, True),
    *[(f"2023-07-1{i}", office, "register_late", unit,
       {"targets": "Hoàn thành tốt các chỉ tiêu 6 tháng cuối năm 2023"}, None, False)
      for i, (unit, office) in enumerate(JOINING)],
    ("2023-11-01", HN_OFFICE, "open_self_assessment", None, {}, None, False),
    ("2023-11-20", HN_OFFICE, "submit_year_report", HN,
     {"report": f"Báo cáo tổng kết thi đua năm 2023 của {HN}",
      "self_scores": {**_scores(38, 24, 19, 14), "bonus": 2}}, None, False),
    *[(f"2023-11-2{i + 1}", office, "submit_year_report", unit,
       {"report": f"Báo cáo tổng kết thi đua năm 2023 của {unit}",
        "self_scores": _scores(36 - i, 22, 18, 13)}, None, False)
      for i, (unit, office) in enumerate(JOINING)],
    ("2023-12-01", HN_OFFICE, "close_self_assessment", None, {}, None, False),
    ("2023-12-05", SECRETARIAT, "publish_scores", None, {}, None, False),
    ("2023-12-12", SECRETARIAT, "record_ballot", None,
     {"ballots_issued": 4, "ballots_returned": 4, "ballots_valid": 4,
      "votes": {HN: 4, JOINING[0][0]: 2}}, None, False),
    ("2023-12-12", SECRETARIAT, "propose", HN,
     {"award": "co_thi_dua", "achievements": "Dẫn đầu Cụm thi đua số 5 năm 2023"}, None, False),
    *[("2023-12-13", SECRETARIAT, "propose_person", None,
       {"person": person, "award": "bang_khen",
        "achievements": f"Thành tích năm 2023 của {person}"}, None, False)
      for person in (MEMBER_A, MEMBER_B)],
    ("2023-12-18", SECRETARIAT, "submit_proposal", None, DOSSIER, None, False),
    ("2023-12-22", COUNCIL, "start_council_review", None, {}, None, False),
    ("2024-01-10", COUNCIL, "return_dossier", None, {},
     "Thiếu xác nhận của cấp ủy trên báo cáo thành tích", False),
    ("2024-01-15", SECRETARIAT, "amend_dossier", None,
     {**DOSSIER, "achievement_reports": [_doc(
         "thanh-tich-ha-noi-2023-bo-sung.txt",
         f"Báo cáo thành tích năm 2023 của {HN}, có xác nhận của cấp ủy")]}, None, False),
    ("2024-01-16", COUNCIL, "start_council_review", None, {}, None, False),
    *[("2024-02-20", COUNCIL, "council_vote", None,
       {"candidate": name, "votes_for": yes, "votes_against": no, "abstaining": 11 - yes - no,
        "members_total": 11}, None, False)
      for name, yes, no in ((HN, 10, 1), (MEMBER_A, 8, 2), (MEMBER_B, 5, 4))],
    ("2024-03-01", CHAIRMAN, "issue_decision", None,
     {"number": DECISION, "date": "2024-03-01", "lines": [HN, MEMBER_A]}, None, False),
    ("2024-03-15", AUDITOR, "close", None, {}, None, False),
    ("2024-06-10", CHAIRMAN, "revoke", None,
     {"line": "2", "ground": "false_declaration",
      "recovered": "Bằng khen và tiền thưởng kèm theo"},
     "(minh họa) Kết luận kiểm tra: khai man thành tích", False),
]
# The 2025 merger of provinces: units merge, and membership follows (docs/domain.md).
MERGERS = [(BG, BN, "2025-07-01"), (VP, "Hội CCB tỉnh Phú Thọ", "2025-07-01")]


@dataclass(frozen=True)
class DemoRun:
    """Which cycle holds the demo, and whether this run recorded it."""

    cycle_id: int
    recorded: bool
    steps: int


ADMIN = "Quản trị viên"


def _refuse_foreign(session: Any, has_cluster: bool, known: set[str]) -> None:
    """The demo writes nothing into a database whose people are not the demo's own."""
    clash = []
    for name, unit, _login in PEOPLE:
        if name in known:
            person = roster.actor(session, name)
            if queries.unit_name(session, person.unit_id) != unit:
                clash.append(name)
    if clash or (known and not has_cluster):
        raise InvalidInput(_("this database already holds other records{value}: run the demo "
                             "on a database of its own (--db thidua-demo.db)").format(
                               value=_(" ({people} of another unit)").format(
                                   people=", ".join(clash)) if clash else ""))


def _setup(db: Database) -> None:
    with db.transaction(write=False) as session:
        has_cluster = queries.cluster_id(session, CLUSTER) is not None
        known = set(queries.actor_names(session))
        _refuse_foreign(session, has_cluster, known)
    if not has_cluster:
        directory.add_cluster(db, CLUSTER, members=[HN, BN, BG, VP], head=BN, deputy=HN,
                              period=PERIOD, joined_on=dt.date(PERIOD, 1, 1))
    for name, unit, role in PEOPLE:
        if name not in known:
            directory.add_actor(db, name, unit_name=unit)
            if role:
                identity.grant(db, name, role, cluster_name=CLUSTER)
            # The operator enters the steps on each person's authority, by delegation.
            identity.delegate(db, name, db.operator)
    if ADMIN not in known:
        # The operator's own person administers the database; from here on, directory
        # changes need that role and every --as needs a delegation.
        directory.add_actor(db, ADMIN, unit_name=None, login=db.operator)
        identity.grant(db, ADMIN, "administrator", cluster_name=None)


def _second_half(db: Database) -> None:
    """The units joining for the second half (illustrative), their standing committees, and
    the first of them deputy from the day it joins."""
    day = dt.date.fromisoformat(JOINED_ON)
    for unit, office in JOINING:
        membership.add_member(db, CLUSTER, unit, day)
        directory.add_actor(db, office, unit_name=unit)
        identity.delegate(db, office, db.operator)
    membership.change_leadership(db, CLUSTER, PERIOD, day, HN, JOINING[0][0])


def run(db: Database) -> DemoRun:
    """Record the reference cycle in ``db`` (once; a second run finds the first)."""
    _setup(db)
    with db.transaction(write=False) as session:
        existing = stored_cycles.named(session, CLUSTER, PERIOD)
    if existing is not None:
        return DemoRun(existing, False, 0)
    started = start_cycle(db, find("ccb-cluster-annual"), CLUSTER, PERIOD, actor=SECRETARIAT,
                          occurred_at="2023-01-05")
    for when, who, trigger, unit, inputs, reason, _reference in STEPS:
        fire(db, started.cycle_id, trigger, actor=who, unit=unit, inputs=inputs, reason=reason,
             occurred_at=when)
        if trigger == "hand_over":
            _second_half(db)
    for unit, into, day in MERGERS:
        membership.merge(db, unit, into, dt.date.fromisoformat(day))
    return DemoRun(started.cycle_id, True, len(STEPS) + 1)


def from_reference(trigger: str) -> bool:
    """True for the steps the reference event's report records."""
    return any(step[2] == trigger and step[6] for step in STEPS)


def reference_facts(db: Database, cycle_id: int) -> dict[str, Any]:
    """What the cycle recorded of the reference event, read back from its facts."""
    from thidua.workflow.services.meetings import person_name, span
    from thidua.workflow.services.views import show

    facts = show(db, cycle_id).facts
    review = facts.get("midyear_minutes", {})
    handover = facts.get("leadership_handover", {})
    return {
        "date": span(review.get("starts_on"), review.get("ends_on")),
        "place": review.get("place"),
        "lines": [
            _("mid-year review chaired by {person}, the cluster head").format(
                person=person_name(review.get("chaired_by"))),
            _("report presented by {persons}").format(
                persons=", ".join(review.get("presented_by") or [])),
            _("speakers: {persons}").format(persons=", ".join(review.get("speakers") or [])),
            _("units attending (standing committees): {units}").format(
                units=", ".join(review.get("attending_units") or [])),
            _("second-half tasks: {tasks}").format(
                tasks="; ".join(review.get("second_half_tasks", []))),
            _("farewell to {units}").format(units=", ".join(review.get("leaving") or [])),
            _("handover: {outgoing} hands over to {incoming}").format(
                outgoing=handover.get("outgoing_head"), incoming=handover.get("incoming_head")),
            _("filed by {person}, head of the propaganda board").format(person=SECRETARIAT),
        ],
    }
