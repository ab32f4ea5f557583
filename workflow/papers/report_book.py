"""A cycle's report as an Excel workbook: the scoreboard, the points per criterion, the ballot
tally and the candidates proposed, one sheet each, from the same data as ``report --json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thidua.workflow.papers import sheets
from thidua.workflow.services.db import Database
from thidua.workflow.services.outfile import write_file
from thidua.workflow.services.report import cycle_report

# Sheet titles and headers, in Vietnamese and English.
WORDS = {
    "scoreboard": ("Xếp hạng", "Scoreboard"),
    "scores": ("Điểm theo tiêu chí", "Scores"),
    "ballot": ("Kiểm phiếu", "Ballot"),
    "candidates": ("Đề nghị khen thưởng", "Candidates"),
    "rank": ("Hạng", "Rank"), "unit": ("Đơn vị", "Unit"), "total": ("Tổng điểm", "Total"),
    "votes": ("Số phiếu", "Votes"), "passed": ("Đạt", "Passed"),
    "award": ("Mã khen thưởng", "Award"), "label": ("Danh hiệu, hình thức", "Proposed for"),
    "issued": ("Phiếu phát ra", "Ballots issued"), "returned": ("Phiếu thu về", "Returned"),
    "valid": ("Phiếu hợp lệ", "Valid"), "members": ("Đơn vị thành viên", "Member units"),
    "needed": ("Số phiếu cần đạt", "Votes needed"), "none": ("Chưa kiểm phiếu", "No ballot"),
}


def word(key: str, lang: str) -> str:
    """The word for ``key`` in ``lang``."""
    return WORDS[key][lang != "vi"]


@dataclass(frozen=True)
class Written:
    """A workbook written: where, and its sheets."""

    file: str
    sheets: list[str]


def write_report(db: Database, cycle_id: int, path: str, lang: str = "en") -> Written:
    """Write the report of cycle ``cycle_id`` to the workbook ``path`` (whole or not at
    all, through ``path.partial``)."""
    report = cycle_report(db, cycle_id, lang)
    book = sheets.new_workbook()
    _scoreboard(book, report, lang)
    _scores(book, report, lang)
    _ballot(book, report, lang)
    _candidates(book, report, lang)
    write_file(path, book.save)
    return Written(path, list(book.sheetnames))


def _scoreboard(book: Any, report: dict[str, Any], lang: str) -> None:
    sheet = book.create_sheet(word("scoreboard", lang))
    sheets.table(sheet, [word("rank", lang), word("unit", lang), word("total", lang)],
                 [[r["rank"], r["unit"], r["total"]] for r in report["scoreboard"]])


def _scores(book: Any, report: dict[str, Any], lang: str) -> None:
    sheet = book.create_sheet(word("scores", lang))
    criteria = report["criteria"]
    known = {c["id"] for c in criteria}
    # Points under an id the sheet does not list (a definition migrated since) keep a column.
    others = sorted({k for r in report["scoreboard"] for k in r["points"]} - known)
    headers = [word("unit", lang), *[f"{c['label']} ({c['max']:g})" for c in criteria],
               *others, word("total", lang)]
    rows = [[r["unit"], *[r["points"].get(c["id"], "") for c in criteria],
             *[r["points"].get(k, "") for k in others], r["total"]]
            for r in report["scoreboard"]]
    sheets.table(sheet, headers, rows)


def _ballot(book: Any, report: dict[str, Any], lang: str) -> None:
    sheet = book.create_sheet(word("ballot", lang))
    ballot = report["ballot"]
    if ballot is None:
        sheets.table(sheet, [word("none", lang)], [])
        return
    summary = [(word("issued", lang), ballot["ballots_issued"]),
               (word("returned", lang), ballot["ballots_returned"]),
               (word("valid", lang), ballot["ballots_valid"]),
               (word("members", lang), ballot["members"]),
               (word("needed", lang), ballot["needed"])]
    for row, (name, value) in enumerate(summary, start=1):
        sheets.put(sheet, row, 1, name)
        sheets.put(sheet, row, 2, value)
    yes, no = ("Đạt", "Không đạt") if lang == "vi" else ("yes", "no")
    sheets.table(sheet, [word("unit", lang), word("votes", lang), word("passed", lang)],
                 [[c["unit"], int(c["votes"]), yes if c["passed"] else no]
                  for c in ballot["candidates"]], first_row=len(summary) + 2)


def _candidates(book: Any, report: dict[str, Any], lang: str) -> None:
    sheet = book.create_sheet(word("candidates", lang))
    sheets.table(sheet, [word("unit", lang), word("award", lang), word("label", lang)],
                 [[p["unit"], p["award"], p["label"]] for p in report["proposals"]])
