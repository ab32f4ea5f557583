"""A unit's self-assessment as an Excel workbook: a template written from the definition's
score sheet (criteria and maxima, and the step's other inputs), and the filled-in workbook
read back and recorded as that step, in one step, only when every cell is valid.

One sheet, ``Tự chấm điểm``. Column A holds the id of each row (``cycle``, ``unit``, an input
of the step such as ``report``, a criterion, ``bonus``, ``penalty``), B its label, C the most
points, D the value the unit fills in. Rows are found by their id, not by their place, so an
office may insert notes or reorder rows."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from thidua.workflow import names
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _, ngettext
from thidua.workflow.papers import sheets
from thidua.workflow.papers.report_book import Written
from thidua.workflow.services.cycles import Fired, fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.outfile import write_file
from thidua.workflow.services.views import definition_for, show

SHEET = "Tự chấm điểm"
HEADER = "id"
VALUE_COLUMN = 4  # D
NUMBER = re.compile(r"^\s*\d{1,6}(?:[.,]\d{1,6})?\s*$")
WORDS = {"cycle": ("Chu kỳ", "Cycle"), "unit": ("Đơn vị", "Unit"),
         "item": ("Nội dung", "Item"), "max": ("Điểm tối đa", "Most points"),
         "value": ("Giá trị, điểm tự chấm", "Value, self-score"),
         "bonus": ("Điểm thưởng", "Bonus"), "penalty": ("Điểm trừ", "Penalty")}


def _word(key: str, lang: str) -> str:
    return WORDS[key][lang != "vi"]


@dataclass(frozen=True)
class Layout:
    """What the self-assessment of a definition holds: the step that records it, the input
    that takes the points, the step's other inputs, and the most points per row."""

    trigger: str
    label: str
    scores_input: str
    inputs: dict[str, tuple[str, bool]]  # name: (label, required)
    caps: dict[str, tuple[str, float]]  # criterion, bonus, penalty: (label, most points)
    required: list[str] = field(default_factory=list)  # criteria that need points


def layout(db: Database, cycle_id: int, lang: str = "en") -> Layout:
    """The self-assessment of cycle ``cycle_id``'s definition: the per-unit step with an
    input of type ``scores`` (``submit_year_report`` in the shipped definitions)."""
    definition = definition_for(db, cycle_id).definition
    sheet = definition.score_sheet
    for step in definition.transitions:
        scores = [n for n, spec in step.inputs.items() if spec.type == "scores"]
        if scores and step.per_unit and sheet is not None:
            inputs = {n: (spec.label.get(lang) if spec.label else n, spec.required)
                      for n, spec in step.inputs.items()
                      if spec.type not in ("scores", "document", "documents")}
            caps = {c.id: (c.label.get(lang), c.max) for c in sheet.criteria}
            caps |= {k: (_word(k, lang), most) for k, most in
                     (("bonus", sheet.bonus_max), ("penalty", sheet.penalty_max)) if most}
            return Layout(step.trigger, step.label.get(lang) if step.label else step.trigger,
                          scores[0], inputs, caps, [c.id for c in sheet.criteria])
    raise InvalidInput(_("the definition of cycle {cycle} has no per-unit step that records a "
                         "self-score (an input of type scores)").format(cycle=cycle_id))


def write_template(db: Database, cycle_id: int, path: str, *, unit: str | None = None,
                   lang: str = "en") -> Written:
    """Write the self-assessment workbook of cycle ``cycle_id`` (for ``unit``, or for the
    unit to fill in) to ``path``."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    shape, view = layout(db, cycle_id, lang), show(db, cycle_id)
    book = sheets.new_workbook()
    sheet = book.create_sheet(SHEET)
    sheets.put(sheet, 1, 1, f"{shape.label} — {view.cluster} {view.period}").font = Font(
        bold=True, size=13)
    for row, key, value in ((2, "cycle", cycle_id), (3, "unit", unit or "")):
        for column, text in enumerate((key, _word(key, lang), "", value), start=1):
            sheets.put(sheet, row, column, text)
    items = [[name, label, "", ""] for name, (label, _) in shape.inputs.items()]
    items += [[cid, label, most, ""] for cid, (label, most) in shape.caps.items()]
    sheets.table(sheet, [HEADER, _word("item", lang), _word("max", lang), _word("value", lang)],
                 items, first_row=5, widths=(18, 60, 12, 40))
    first = 6 + len(shape.inputs)
    for offset, (_label, most) in enumerate(shape.caps.values()):
        check = DataValidation(type="decimal", operator="between", formula1="0",
                               formula2=f"{most:g}", allow_blank=True, showErrorMessage=True)
        check.error = f"0 – {most:g}"
        sheet.add_data_validation(check)
        check.add(sheet.cell(row=first + offset, column=VALUE_COLUMN))
    for row in range(6, first):
        sheet.cell(row=row, column=VALUE_COLUMN).alignment = Alignment(wrap_text=True)
    write_file(path, book.save)
    return Written(path, [SHEET])


@dataclass
class _Reading:
    """What a sheet gave: values by id, where each came from, and every problem found."""

    sheet: str
    values: dict[str, Any] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def problem(self, cell: str, message: str) -> None:
        self.problems.append(f"{self.sheet}!{cell}: {message}")


def read(path: str, shape: Layout, cycle_id: int) -> tuple[dict[str, Any], str | None]:
    """The step's inputs a filled-in workbook gives (the points under ``scores_input``), and
    the unit its ``unit`` row names; :class:`InvalidInput` naming every bad cell at once."""
    book = sheets.read_workbook(path)
    try:
        sheet = _the_sheet(book, path)
        reading = _Reading(sheets.sheet_name(sheet.title))
        for number, cells in sheets.rows(sheet):
            _row(reading, shape, number, cells)
    finally:
        book.close()
    _complete(reading, shape, cycle_id)
    if reading.problems:
        count = len(reading.problems)
        raise InvalidInput(ngettext("{path}: {count} problem, nothing was recorded: {problems}",
                                    "{path}: {count} problems, nothing was recorded: "
                                    "{problems}", count).format(
                                        path=path, count=count,
                                        problems="; ".join(reading.problems)))
    values = reading.values
    inputs = {name: values[name] for name in shape.inputs if values.get(name) not in (None, "")}
    inputs[shape.scores_input] = {k: values[k] for k in shape.caps if values.get(k) is not None}
    return inputs, values.get("unit") or None


def _the_sheet(book: Any, path: str) -> Any:
    if SHEET in book.sheetnames:
        return book[SHEET]
    if len(book.sheetnames) == 1:
        return book.worksheets[0]
    raise InvalidInput(_("{path} has no sheet {sheet!r} (its sheets: {sheets})").format(
        path=path, sheet=SHEET,
        sheets=", ".join(repr(sheets.sheet_name(n)) for n in book.sheetnames[:10])))


def _row(reading: _Reading, shape: Layout, number: int, cells: tuple[Any, ...]) -> None:
    if not cells:
        return
    key, value = cells[0].value, _cell(cells, VALUE_COLUMN)
    where = f"D{number}"
    if key == HEADER:
        return
    if key is None:
        if value is not None and value.value is not None:
            reading.problem(where, _("a value in a row without an id in column A"))
        return
    known = key in shape.caps or key in shape.inputs or key in ("cycle", "unit")
    if not known:
        if number > 4:
            reading.problem(f"A{number}", _("{key!r} is no row of this self-assessment").format(
                key=sheets.text(key)[:40]))
        return
    if key in reading.seen:
        reading.problem(f"A{number}", _("{key} is given twice (first in {first})").format(
            key=key, first=reading.seen[key]))
        return
    reading.seen[key] = f"A{number}"
    reading.values[key] = _value(reading, shape, key, value, where)


def _cell(cells: tuple[Any, ...], column: int) -> Any:
    return cells[column - 1] if len(cells) >= column else None


def _value(reading: _Reading, shape: Layout, key: str, cell: Any, where: str) -> Any:
    raw = None if cell is None else cell.value
    if getattr(cell, "data_type", None) == "f" or (isinstance(raw, str)
                                                    and raw.startswith("=")):
        reading.problem(where, _("a formula; type the value itself"))
        return None
    if key in shape.caps:
        return _points(reading, shape.caps[key][1], raw, where)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return raw.isoformat()
    if key == "cycle":
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else str(raw).strip()
    return str(raw) if not isinstance(raw, float) else f"{raw:g}"


def _points(reading: _Reading, most: float, raw: Any, where: str) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool | dt.datetime | dt.date | dt.time):
        reading.problem(where, _("a yes/no, not a number of points") if isinstance(raw, bool)
                        else _("a date, not a number of points"))
        return None
    if isinstance(raw, str):
        if not NUMBER.match(raw):
            reading.problem(where, _("{value!r} is not a number of points").format(
                value=sheets.text(raw)[:30]))
            return None
        raw = float(raw.strip().replace(",", "."))
    number = float(raw)
    if not math.isfinite(number) or not 0 <= number <= most:
        reading.problem(where, _("must be between 0 and {most}, not {number}").format(
            most=f"{most:g}", number=f"{number:g}"))
        return None
    return number


def _complete(reading: _Reading, shape: Layout, cycle_id: int) -> None:
    """The rows every self-assessment needs, and the cycle it was written for."""
    given = reading.values.get("cycle")
    if given is not None and str(given) != str(cycle_id):
        reading.problem(f"D{reading.seen['cycle'][1:]}",
                        _("this workbook is for cycle {given}, not {cycle}").format(
                            given=sheets.text(given)[:12], cycle=cycle_id))
    for cid in shape.required:
        if cid not in reading.seen:
            reading.problem(_("column A"), _("no row for the criterion {criterion}").format(
                criterion=cid))
        elif reading.values.get(cid) is None and not _reported(reading, cid):
            reading.problem(f"D{reading.seen[cid][1:]}", _("no points for {criterion}").format(
                criterion=cid))
    for name, (_label, required) in shape.inputs.items():
        if required and reading.values.get(name) in (None, ""):
            cell = f"D{reading.seen[name][1:]}" if name in reading.seen else _("column A")
            reading.problem(cell, _("{name} is required").format(name=name))


def _reported(reading: _Reading, cid: str) -> bool:
    """True when the cell of ``cid`` was already reported as bad."""
    return any(p.startswith(f"{reading.sheet}!D{reading.seen[cid][1:]}:")
               for p in reading.problems)


def import_scores(db: Database, cycle_id: int, path: str, *, actor: str | None = None,
                  unit: str | None = None, occurred_at: str | None = None,
                  request_id: str | None = None, lang: str = "en") -> Fired:
    """Read the self-assessment workbook ``path`` and record it as its step in cycle
    ``cycle_id``, in one step; nothing is recorded unless every cell is valid."""
    shape = layout(db, cycle_id, lang)
    inputs, named = read(path, shape, cycle_id)
    if unit is not None and named is not None and not names.same(unit, named):
        raise InvalidInput(_("--unit {unit!r} but the workbook is for {named!r}").format(
            unit=unit, named=named))
    return fire(db, cycle_id, shape.trigger, actor=actor, inputs=inputs,
                unit=unit or named, occurred_at=occurred_at, request_id=request_id)
