"""Meetings as records: the mid-year review records its place, days, chair, presenters,
speakers, who attended, minutes, decisions and farewells; history, report and export show
them; a name the directory lacks or impossible days are refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import advance, ok, parsed, plain_error, snapshot, start
from tests.conftest import HEAD, MEMBER, SECRETARY, Invoke
from thidua.workflow.services.db import Database

DEMO_NEEDLES = ("28–29/6/2023", "Bắc Ninh", "Đào Anh Dũng", "Phạm Hồng Thắng", "Lê Anh Thư",
                "Hội CCB TP Hà Nội; Hội CCB tỉnh Bắc Ninh; Hội CCB tỉnh Bắc Giang; "
                "Hội CCB tỉnh Vĩnh Phúc",
                "units leaving (farewell) | Hội CCB tỉnh Vĩnh Phúc; Hội CCB tỉnh Bắc Ninh; "
                "Hội CCB tỉnh Bắc Giang")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo recorded once for this module's tests."""
    from click.testing import CliRunner

    from thidua.cli.main import root

    path = str(tmp_path_factory.mktemp("demo") / "demo.db")
    ok(CliRunner().invoke(root, ["--db", path, "demo"], catch_exceptions=False))
    return path


def thidua(*args: str) -> str:
    """The output of a successful ``thidua ARGS``."""
    from click.testing import CliRunner

    from thidua.cli.main import root

    return ok(CliRunner().invoke(root, ["--lang", "en", *args], catch_exceptions=False))


def test_demo_report_shows_the_midyear_review(demo_db: str) -> None:
    """`report cycle 1 --format markdown` shows the reference review: 28–29/6/2023, Bắc Ninh,
    the chair, the presenter, Lê Anh Thư speaking, four units attending, three leaving."""
    out = thidua("--db", demo_db, "report", "cycle", "1", "--format", "markdown")
    section = out[out.index("## Meeting: Hold the mid-year review"):out.index("## Units")]
    for needle in DEMO_NEEDLES:
        assert needle in section, needle
    cells = [[c.strip() for c in row.strip().strip("|").split("|")]
             for row in section.splitlines() if row.startswith("|")]
    assert ["chaired by", "Đào Anh Dũng"] in cells
    assert ["speakers", "Lê Anh Thư"] in cells


def test_demo_second_half_joiners(demo_db: str) -> None:
    """Units that joined on 1 July (illustrative) registered late and voted: the ballot is
    not a vote of one unit, and the first of them was deputy from the day it joined."""
    report = json.loads(thidua("--db", demo_db, "report", "cycle", "1", "--format", "json"))
    assert report["ballot"]["members"] == 4
    assert report["cycle"]["deputy"] == "Hội CCB tỉnh Hải Dương"
    late = [s for s in report["steps"] if s["trigger"] == "register_late"]
    assert [s["date"] for s in late] == ["2023-07-10", "2023-07-11", "2023-07-12"]


def test_demo_meeting_in_table_json_history_and_export(demo_db: str) -> None:
    """The same meeting in the plain report, the JSON report, `cycle history` and the
    exported ledger."""
    assert "28–29/6/2023" in thidua("--db", demo_db, "report", "cycle", "1")
    report = json.loads(thidua("--db", demo_db, "report", "cycle", "1", "--format", "json"))
    meeting, = report["meetings"]
    assert (meeting["starts_on"], meeting["ends_on"], meeting["dates"]) == (
        "2023-06-28", "2023-06-29", "28–29/6/2023")
    assert meeting["speakers"] == ["Lê Anh Thư"] and len(meeting["attending_units"]) == 4
    assert meeting["minutes"]["name"].startswith("bien-ban-so-ket")
    history = thidua("--db", demo_db, "cycle", "history", "1")
    assert "meeting" in history and "speakers Lê Anh Thư" in history
    events = json.loads(thidua("--db", demo_db, "--json", "cycle", "history", "1"))
    assert [e["trigger"] for e in events if "meeting" in e] == ["hold_midyear_review"]
    exported = [json.loads(line) for line in
                thidua("--db", demo_db, "audit", "export", "--cycle", "1").splitlines()]
    review, = [e for e in exported if e["trigger"] == "hold_midyear_review"]
    assert review["inputs"]["leaving"] == ["Hội CCB tỉnh Vĩnh Phúc", "Hội CCB tỉnh Bắc Ninh",
                                           "Hội CCB tỉnh Bắc Giang"]


def _review(tmp_path: Path, *extra: str) -> list[str]:
    minutes = tmp_path / "bien-ban.txt"
    minutes.write_text("Biên bản sơ kết", encoding="utf-8")
    return ["cycle", "fire", "1", "hold_midyear_review", "-i", "place=Bắc Ninh",
            "-i", f"chaired_by={HEAD}", "-i", f"minutes=@{minutes}",
            "-i", "second_half_tasks=Tiếp tục kế hoạch", "--as", SECRETARY, *extra]


BAD = [
    pytest.param(["-i", "starts_on=2023-06-28", "-i", "ends_on=2023-06-29",
                  "-i", "speakers=Lê Anh Thu"], 2,
                 "input 'speakers': no person named 'Lê Anh Thu'", id="unknown-speaker"),
    pytest.param(["-i", "starts_on=2023-06-28", "-i", "ends_on=2023-06-29",
                  "-i", "attending_units=Hà Nội,Phú Thọ"], 2,
                 "input 'attending_units': no unit named 'Phú Thọ'", id="unknown-unit"),
    pytest.param(["-i", "starts_on=2023-06-29", "-i", "ends_on=2023-06-28"], 1,
                 "the meeting ends (2023-06-28) before it starts (2023-06-29)", id="backwards"),
    pytest.param(["-i", "starts_on=2200-06-29", "-i", "ends_on=2200-06-30"], 1,
                 "the meeting ends on 2200-06-30, after the day it is recorded",
                 id="ends-later"),
    pytest.param(["-i", "starts_on=2023-06-01", "-i", "ends_on=2023-07-29"], 1,
                 "the meeting lasts more than 31 days", id="too-long"),
    pytest.param(["-i", "ends_on=2023-06-29"], 2, "missing input 'starts_on' (date)",
                 id="no-first-day"),
]


@pytest.mark.parametrize(("extra", "code", "message"), BAD)
def test_meeting_refusals(cli: Invoke, populated: Database, tmp_path: Path, extra: list[str],
                          code: int, message: str) -> None:
    """Each mistake in a meeting is one plain line, exit 1 (rule) or 2 (input), nothing
    recorded."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="hold_midyear_review")
    before = snapshot(cli, cycle_id)
    assert message in plain_error(cli(*_review(tmp_path, *extra)), code)
    assert snapshot(cli, cycle_id) == before


def test_meeting_recorded_through_the_cli(cli: Invoke, populated: Database,
                                          tmp_path: Path) -> None:
    """A review with speakers and units of the directory is recorded and reported."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="hold_midyear_review")
    ok(cli(*_review(tmp_path, "-i", "starts_on=2023-06-28", "-i", "ends_on=2023-06-29",
                    "-i", f"speakers={MEMBER['Vĩnh Phúc']}", "-i", "leaving=Vĩnh Phúc")))
    meeting, = parsed(cli("report", "cycle", str(cycle_id), json=True))["meetings"]
    assert meeting["dates"] == "28–29/6/2023" and meeting["leaving"] == ["Vĩnh Phúc"]
