"""Workbooks with openpyxl: written with headers, widths and frozen header rows, every text
cell kept as text; read from a user as hostile input (bounded before openpyxl sees it)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from thidua.workflow import limits
from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.names import escape

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

KEEP = "\n\t"  # line breaks and tabs are text a cell may hold; other controls are escaped


def text(value: Any) -> str:
    """``value`` as a cell's text: controls and format characters escaped (``\\x1b``), line
    breaks and tabs kept."""
    return escape(value, KEEP)


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to a cell: a number as a number, anything else as text, never as a
    formula (a stored reason ``=HYPERLINK(...)`` stays text)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool) or value is None:
        value = "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        cell.value = value
    else:
        cell.value = text(value)
        cell.data_type = "s"
    return cell


def table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
          first_row: int = 1, widths: Sequence[int] = ()) -> None:
    """Headers in bold on ``first_row``, frozen, then ``rows``; columns as wide as their
    widest cell (at most 60 characters) unless ``widths`` says."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for column, header in enumerate(headers, start=1):
        put(sheet, first_row, column, header).font = Font(bold=True)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            put(sheet, first_row + offset, column, value)
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)
    for column, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(text(r[column - 1]).split("\n")[0])
                                            for r in rows])
        chosen = widths[column - 1] if column <= len(widths) else min(longest + 2, 60)
        sheet.column_dimensions[get_column_letter(column)].width = chosen


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def sheet_name(name: str) -> str:
    """``name`` as Excel takes a sheet's name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in text(name))
    return cleaned[:31] or "-"


def unpacked(file: BinaryIO, path: str, what: str | None = None) -> None:
    """Refuse a file that is not ``what`` (an Office file: a ZIP) of bounded size: not a ZIP,
    too many parts, or parts that unpack to more than the bound (a ZIP bomb). Nothing is
    unpacked here."""
    what = what or _("an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput(_("{path} is not {what}: it is not a ZIP file").format(
            path=path, what=what)) from None
    if len(parts) > limits.WORKBOOK_MAX_PARTS:
        raise InvalidInput(_("{path} has {parts} parts, more than {most}: not {what} thidua "
                             "reads").format(path=path, parts=len(parts),
                                             most=limits.WORKBOOK_MAX_PARTS, what=what))
    size = sum(p.file_size for p in parts)
    if size > limits.WORKBOOK_MAX_UNPACKED:
        raise InvalidInput(_("{path} unpacks to {size}, more than {most}").format(
            path=path, size=limits.size_text(size),
            most=limits.size_text(limits.WORKBOOK_MAX_UNPACKED)))
    file.seek(0)


def read_workbook(path: str) -> Any:
    """The workbook at ``path``, opened read-only with formulas as written (not as Excel last
    computed them); refused, in one line, when it is missing, too large, not a ZIP, a bomb,
    or not a workbook openpyxl can read. Its bytes (bounded) are read once, into memory:
    openpyxl reads a read-only workbook lazily, and the file may change meanwhile."""
    file = Path(path)
    try:
        if not file.is_file():
            raise (NotFound(_("no file {path}").format(path=path)) if not file.exists()
                   else InvalidInput(_("{path} is not a file").format(path=path)))
        size = file.stat().st_size
        if size > limits.WORKBOOK_MAX_BYTES:
            raise InvalidInput(_("{path} is {size}, more than a self-assessment takes "
                                 "({most})").format(
                                     path=path, size=limits.size_text(size),
                                     most=limits.size_text(limits.WORKBOOK_MAX_BYTES)))
        with file.open("rb") as opened:
            content = io.BytesIO(opened.read(limits.WORKBOOK_MAX_BYTES + 1))
    except OSError as exc:
        raise InvalidInput(_("cannot read {path}: {strerror}").format(
            path=path, strerror=exc.strerror)) from None
    if len(content.getbuffer()) > limits.WORKBOOK_MAX_BYTES:
        raise InvalidInput(_("{path} grew while it was read").format(path=path))
    unpacked(content, path)
    return _load(content, path)


def _load(content: BinaryIO, path: str) -> Any:
    from openpyxl import load_workbook

    try:
        # Given a file, not a name, openpyxl does not judge by the extension.
        return load_workbook(content, read_only=True, data_only=False, keep_links=False)
    # A hostile part can break openpyxl in any of its parsers; what it raises is not a
    # documented set, and every one of them means the same here: not a workbook.
    except Exception as exc:
        raise InvalidInput(_("{path} is not an Excel workbook thidua can read "
                             "({problem})").format(
                                 path=path,
                                 problem=f"{type(exc).__name__}: {str(exc)[:120]}")) from None


def rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(row number, cells)`` of ``sheet``, within the bounded rows and columns: a sheet
    that says it is larger, or has anything in the row after the last one read, is refused
    rather than read through."""
    bound = limits.SHEET_MAX_ROWS
    declared = getattr(sheet, "max_row", None)
    if isinstance(declared, int) and declared > bound:
        raise InvalidInput(_("sheet {sheet!r} goes on beyond row {bound} (to row {declared}): "
                             "not a self-assessment").format(
                                 sheet=sheets_title(sheet), bound=bound, declared=declared))
    for number, cells in enumerate(sheet.iter_rows(max_row=bound + 1,
                                                   max_col=limits.SHEET_MAX_COLUMNS), start=1):
        if number > bound:
            if any(c.value is not None for c in cells):
                raise InvalidInput(_("sheet {sheet!r} goes on beyond row {bound}: not a "
                                     "self-assessment").format(sheet=sheets_title(sheet),
                                                               bound=bound))
            break
        yield number, tuple(cells)


def sheets_title(sheet: Any) -> str:
    """A sheet's name as a message shows it."""
    return sheet_name(str(sheet.title))
