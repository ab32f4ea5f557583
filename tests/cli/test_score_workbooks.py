"""`thidua score template | import` and `report cycle --format xlsx`: workbooks written from
the records, a unit's self-assessment read back as hostile input, recorded in one step only
when every cell is valid."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.cli.helpers import advance, error, ok, parsed, plain_error, snapshot, start
from tests.cli.test_year_cli import run_whole_year
from tests.conftest import MEMBER, Invoke
from thidua.workflow import limits
from thidua.workflow.services.db import Database

UNIT = "Vĩnh Phúc"
PERSON = MEMBER[UNIT]
POINTS = {"political_tasks": 38, "organisation": 24, "movements": 19.5, "propaganda": 14}


@pytest.fixture
def cycle(populated: Database) -> int:
    """Cluster 5's 2023 cycle, open for self-assessment."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="submit_year_report")
    return cycle_id


def template(cli: Invoke, cycle_id: int, path: Path) -> Path:
    """The cycle's self-assessment workbook, written through the CLI."""
    assert "wrote the self-assessment" in ok(cli("score", "template", str(cycle_id),
                                                 "--unit", UNIT, "-o", str(path)))
    return path


def fill(path: Path, values: dict[str, object]) -> Path:
    """Put ``values`` in column D of the rows whose id (column A) they name."""
    book = openpyxl.load_workbook(path)
    sheet = book["Tự chấm điểm"]
    for row in sheet.iter_rows(min_row=1):
        if row[0].value in values:
            row[3].value = values[row[0].value]
    book.save(path)
    return path


def test_template_lists_the_criteria_and_their_maxima(cli: Invoke, cycle: int,
                                                      tmp_path: Path) -> None:
    """Every criterion of the score sheet with its most points, the bonus, the penalty and
    the year report; the header row is frozen."""
    book = openpyxl.load_workbook(template(cli, cycle, tmp_path / "t.xlsx"))
    sheet = book["Tự chấm điểm"]
    rows = {r[0]: r[2] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert {k: rows[k] for k in [*POINTS, "bonus", "penalty"]} == {
        "political_tasks": 40, "organisation": 25, "movements": 20, "propaganda": 15,
        "bonus": 5, "penalty": 10}
    assert "report" in rows and rows["cycle"] is None and sheet.freeze_panes == "A6"


def test_two_bad_cells_are_named_and_nothing_is_recorded(cli: Invoke, cycle: int,
                                                         tmp_path: Path) -> None:
    """A workbook with two bad cells is refused naming both (sheet, cell, reason): exit 2,
    the cycle and the ledger as they were."""
    path = fill(template(cli, cycle, tmp_path / "t.xlsx"),
                {"report": "Báo cáo năm", **POINTS, "organisation": "hai mươi",
                 "propaganda": 16})
    before = snapshot(cli, cycle)
    message = plain_error(cli("score", "import", str(cycle), str(path), "--as", PERSON), 2)
    assert "2 problems" in message and "nothing was recorded" in message
    assert "Tự chấm điểm!D8: 'hai mươi' is not a number of points" in message
    assert "Tự chấm điểm!D10: must be between 0 and 15, not 16" in message
    assert snapshot(cli, cycle) == before


def test_a_valid_workbook_is_recorded_in_one_step(cli: Invoke, cycle: int,
                                                  tmp_path: Path) -> None:
    """The scores are recorded as the unit's submit_year_report, one event, shown in the
    history; the ledger verifies."""
    path = fill(template(cli, cycle, tmp_path / "t.xlsx"),
                {"report": "Báo cáo năm 2023", **POINTS, "movements": "19,5", "bonus": 2})
    _, version, events = snapshot(cli, cycle)
    fired = parsed(cli("score", "import", str(cycle), str(path), "--as", PERSON, json=True))
    assert (fired["trigger"], fired["version"]) == ("submit_year_report", version + 1)
    assert snapshot(cli, cycle)[1:] == (version + 1, events + 1)
    facts = parsed(cli("cycle", "show", str(cycle), json=True))["facts"]["year_report"][UNIT]
    assert facts["report"] == "Báo cáo năm 2023"
    assert facts["self_scores"] == {**POINTS, "movements": 19.5, "bonus": 2}
    history = ok(cli("cycle", "history", str(cycle)))
    steps = [line for line in history.splitlines() if not line.startswith("meeting ")]
    assert "submit_year_report" in steps[-1] and UNIT in history
    assert "ledger intact" in ok(cli("audit", "verify"))


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tự chấm điểm"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (limits.WORKBOOK_MAX_UNPACKED + 1))
    return out.getvalue()


HOSTILE = [
    ("not a zip", b"PK\x03\x04 not really", 2, "not a ZIP file"),
    ("a zip, no workbook", b"", 2, "not an Excel workbook thidua can read"),
    ("a bomb", None, 2, "unpacks to"),
    ("formula", [["cycle", "", "", 1], ["political_tasks", "", "", "=40*2"]], 2,
     "D2: a formula"),
    ("wrong cycle", [["cycle", "", "", 99]], 2, "this workbook is for cycle 99"),
    ("a date", [["organisation", "", "", __import__("datetime").date(2023, 1, 1)]], 2,
     "a date, not a number"),
    ("huge sheet", [*[[None]] * (limits.SHEET_MAX_ROWS + 5), ["x", "", "", 1]], 2,
     f"beyond row {limits.SHEET_MAX_ROWS}"),
]


@pytest.mark.attack
@pytest.mark.parametrize(("case", "content", "code", "says"), HOSTILE,
                         ids=[h[0] for h in HOSTILE])
def test_hostile_workbooks_are_refused(cli: Invoke, cycle: int, tmp_path: Path, case: str,
                                       content: object, code: int, says: str) -> None:
    """Not a ZIP, a ZIP of something else, a ZIP bomb, formulas, another cycle's workbook,
    dates for points, a sheet too long: one line, exit 2, nothing recorded."""
    path = tmp_path / "hostile.xlsx"
    if case == "a zip, no workbook":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "xin chào")
    elif content is None:
        path.write_bytes(_bomb())
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(_workbook(content))  # type: ignore[arg-type]
    before = snapshot(cli, cycle)
    assert says in plain_error(cli("score", "import", str(cycle), str(path), "--as", PERSON),
                               code)
    assert snapshot(cli, cycle) == before


def test_missing_and_oversized_files(cli: Invoke, cycle: int, tmp_path: Path) -> None:
    """No such file: exit 5; a file larger than a self-assessment takes: exit 2."""
    assert "no file" in plain_error(
        cli("score", "import", str(cycle), str(tmp_path / "none.xlsx"), "--as", PERSON), 5)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"\0" * (limits.WORKBOOK_MAX_BYTES + 1))
    assert "more than a self-assessment takes" in plain_error(
        cli("score", "import", str(cycle), str(big), "--as", PERSON), 2)


def test_report_workbook_matches_the_json(cli: Invoke, populated: Database,
                                          tmp_path: Path) -> None:
    """`report cycle --format xlsx -o FILE`: the scoreboard, scores per criterion, ballot and
    candidates sheets hold what `--json` says."""
    cycle_id = run_whole_year(populated)
    report = parsed(cli("report", "cycle", str(cycle_id), "--format", "json"))
    path = tmp_path / "r.xlsx"
    assert "sheets: Scoreboard, Scores, Ballot, Candidates" in ok(
        cli("report", "cycle", str(cycle_id), "--format", "xlsx", "-o", str(path)))
    book = openpyxl.load_workbook(path)
    board = list(book["Scoreboard"].iter_rows(min_row=2, values_only=True))
    assert board == [(r["rank"], r["unit"], r["total"]) for r in report["scoreboard"]]
    scores = list(book["Scores"].iter_rows(values_only=True))
    ids = [c["id"] for c in report["criteria"]]
    assert [dict(zip(ids, row[1:-1], strict=True)) for row in scores[1:]] == [
        {k: r["points"].get(k) for k in ids} for r in report["scoreboard"]]
    votes = {r[0]: r[1] for r in book["Ballot"].iter_rows(min_row=8, values_only=True)}
    assert votes == {c["unit"]: c["votes"] for c in report["ballot"]["candidates"]}
    assert [r[:2] for r in book["Candidates"].iter_rows(min_row=2, values_only=True)] == [
        (p["unit"], p["award"]) for p in report["proposals"]]
    assert all(book[s].freeze_panes for s in book.sheetnames)
    assert "give it -o FILE" in error(cli("report", "cycle", str(cycle_id), "--format",
                                          "xlsx"), 2)
