"""Shared fixtures: a database on SQLite and (in CI always) on PostgreSQL, a CLI runner."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from thidua.workflow import i18n
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.services import directory, identity
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database

PG_ADMIN_URL = os.environ.get("THIDUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

CLUSTER = "Cụm 5"
UNITS = ["Hà Nội", "Bắc Ninh", "Bắc Giang", "Vĩnh Phúc"]
HEAD_UNIT, DEPUTY_UNIT = "Bắc Ninh", "Hà Nội"
SECRETARY = "Cao Văn Thắng"
HEAD = "Đào Anh Dũng"
COUNCIL = "Hội đồng"
CHAIRMAN = "Chủ tịch"
AUDITOR = "Kiểm tra"
MEMBER = {"Hà Nội": "Người Hà Nội", "Bắc Ninh": "Phạm Hồng Thắng",
          "Bắc Giang": "Người Bắc Giang", "Vĩnh Phúc": "Lê Anh Thư"}


def _pg_admin() -> Any:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the server means: no PostgreSQL here
        engine.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"no PostgreSQL server at {PG_ADMIN_URL} (set THIDUA_TEST_PG); "
                    "CI runs these tests")
    return engine


@pytest.fixture(autouse=True)
def _english() -> None:
    """Every test starts in English: the language is one per process, and a command run
    in-process under --lang vi leaves it chosen."""
    i18n.use("en")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    from sqlalchemy import text

    admin = _pg_admin()
    name = f"thidua_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new SQLite file path."""
    return str(tmp_path / "thidua.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL, once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An upgraded, empty database."""
    handle = Database(db_url, check_schema=False)
    upgrade_db(handle)
    yield handle
    handle.close()


DOSSIER = {"submission": Attachment("to-trinh.txt", "Tờ trình đề nghị".encode()),
           "minutes": Attachment("bien-ban.txt", "Biên bản họp".encode()),
           "achievement_reports": [Attachment("thanh-tich.txt", "Báo cáo thành tích".encode())]}

# A whole year by the shipped annual definition: (trigger, person, unit, inputs, reason).
Step = tuple[str, str, str | None, dict[str, Any], str | None]
HAPPY_PATH: list[Step] = [
    ("launch", HEAD, None, {"plan": "Kế hoạch 2023"}, None),
    ("open_registration", SECRETARY, None, {}, None),
    *[("register", MEMBER[u], None, {"targets": f"chỉ tiêu {u}", "titles_sought": ["Cờ thi đua"]},
       None) for u in UNITS],
    ("sign_compact", HEAD, None, {}, None),
    ("begin_first_half", SECRETARY, None, {}, None),
    ("open_midyear_review", SECRETARY, None, {}, None),
    *[("submit_midyear_report", SECRETARY, u, {"summary": f"6 tháng {u}"}, None) for u in UNITS],
    ("hold_midyear_review", HEAD, None,
     {"place": "Bắc Ninh", "starts_on": "2023-01-01", "ends_on": "2023-01-01",
      "chaired_by": HEAD, "minutes": Attachment("bien-ban.txt", "Biên bản sơ kết".encode()),
      "second_half_tasks": ["tiếp tục kế hoạch"]}, None),
    ("hand_over", HEAD, None, {"outgoing_head": "Bắc Ninh", "incoming_head": "Hà Nội"}, None),
    ("open_self_assessment", SECRETARY, None, {}, None),
    *[("submit_year_report", MEMBER[u], None,
       {"report": "báo cáo", "self_scores": {"political_tasks": 36 + i, "organisation": 22,
                                              "movements": 18, "propaganda": 13}}, None)
      for i, u in enumerate(UNITS)],
    ("close_self_assessment", SECRETARY, None, {}, None),
    ("adjust_score", MEMBER["Hà Nội"], "Bắc Giang", {"criterion": "organisation", "points": 20},
     "thiếu minh chứng"),
    ("publish_scores", MEMBER["Hà Nội"], None, {}, None),
    ("record_ballot", SECRETARY, None,
     {"ballots_issued": 4, "ballots_returned": 4, "ballots_valid": 4,
      "votes": {"Bắc Ninh": 4, "Vĩnh Phúc": 3}, "next_head": "Hà Nội",
      "next_deputy": "Bắc Giang"}, None),
    ("propose", SECRETARY, "Vĩnh Phúc", {"award": "co_thi_dua"}, None),
    ("propose_person", SECRETARY, None,
     {"person": MEMBER["Bắc Giang"], "award": "bang_khen", "achievements": "thành tích"}, None),
    ("submit_proposal", SECRETARY, None, DOSSIER, None),
    ("start_council_review", COUNCIL, None, {}, None),
    ("return_dossier", COUNCIL, None, {}, "thiếu xác nhận"),
    ("amend_dossier", SECRETARY, None, DOSSIER, None),
    ("start_council_review", COUNCIL, None, {}, None),
    *[("council_vote", COUNCIL, None, {"candidate": name, "votes_for": votes,
                                        "votes_against": 11 - votes, "abstaining": 0,
                                        "members_total": 11}, None)
      for name, votes in (("Vĩnh Phúc", 9), (MEMBER["Bắc Giang"], 8))],
    ("issue_decision", CHAIRMAN, None,
     {"number": "12/QĐ", "date": "2024-03-01", "lines": ["Vĩnh Phúc", MEMBER["Bắc Giang"]]},
     None),
    ("close", AUDITOR, None, {}, None),
]


def populate(db: Database) -> None:
    """Cluster 5 with four members, its head and deputy for 2023, and the people who act."""
    directory.add_cluster(db, CLUSTER, members=UNITS, head=HEAD_UNIT, deputy=DEPUTY_UNIT,
                          period=2023, joined_on=dt.date(2023, 1, 1))
    directory.add_actor(db, SECRETARY, unit_name=HEAD_UNIT)
    identity.grant(db, SECRETARY, "secretariat", cluster_name=CLUSTER)
    directory.add_actor(db, HEAD, unit_name=HEAD_UNIT)
    for unit, person in MEMBER.items():
        directory.add_actor(db, person, unit_name=unit)
    directory.add_actor(db, COUNCIL, unit_name=None)
    identity.grant(db, COUNCIL, "council", cluster_name=CLUSTER)
    directory.add_actor(db, CHAIRMAN, unit_name=None)
    identity.grant(db, CHAIRMAN, "chairman", cluster_name=CLUSTER)
    directory.add_actor(db, AUDITOR, unit_name=None)
    identity.grant(db, AUDITOR, "auditor", cluster_name=CLUSTER)


@pytest.fixture
def populated(db: Database) -> Database:
    """A database with Cluster 5 and its people (see :func:`populate`)."""
    populate(db)
    return db


# Administrative events some tests record by hand, to cite a document or to hold odd inputs.
SCAFFOLD_TRIGGERS = ("attach", "note")


@pytest.fixture
def scaffold_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-made events of SCAFFOLD_TRIGGERS change no table: the auditor's replay is
    told so (otherwise it rightly refuses an administrative event it does not know)."""
    from thidua.workflow.audit import directory_replay

    for trigger in SCAFFOLD_TRIGGERS:
        monkeypatch.setitem(directory_replay.ADMIN, trigger, lambda directory, event: None)


Invoke = Callable[..., Result]

# The process's own zone does not move a business date: the date tests run under each.
USER_ZONES = ["Asia/Ho_Chi_Minh", "America/New_York", "UTC"]


@pytest.fixture(params=USER_ZONES)
def user_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process runs under ``TZ`` = each of Hà Nội (UTC+7), New York (UTC−5) and UTC."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def cli(db_url: str, db: Database) -> Invoke:
    """Run ``thidua --db URL ARGS...`` in-process on the upgraded ``db``; returns the Result."""
    from thidua.cli.main import root

    runner = CliRunner()

    def invoke(*args: str, json: bool = False, input: str | None = None) -> Result:
        prefix = ["--db", db_url, "--lang", "en"] + (["--json"] if json else [])
        return runner.invoke(root, [*prefix, *args], input=input, catch_exceptions=False)

    return invoke


# Counts the stress and crash tests report (tests/stress/conftest.py): each line travels in its
# test's report, so the summary prints them under xdist too, and without -s.
COUNTS_KEY = "thidua_counts"
_COUNTS: list[str] = []


_ATTACKS: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the counts lines from every test's report (in the controller under xdist), and
    the outcome of every attack test."""
    if report.when == "call":
        _COUNTS.extend(str(v) for k, v in report.user_properties if k == COUNTS_KEY)
        if "attack" in report.keywords:
            _ATTACKS[report.outcome] = _ATTACKS.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the counts the stress and crash tests kept."""
    if _COUNTS:
        terminalreporter.section("thidua stress and crash counts")
        for line in _COUNTS:
            terminalreporter.write_line(line)
    if _ATTACKS:
        terminalreporter.section("thidua attack suite")
        terminalreporter.write_line("attack cases: " + ", ".join(
            f"{n} {outcome}" for outcome, n in sorted(_ATTACKS.items())))
