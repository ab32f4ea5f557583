"""``thidua score``: a unit's self-assessment as an Excel workbook, written and read back."""

from __future__ import annotations

import click

from thidua.cli import completion
from thidua.cli.cycle import AS, AT, REQUEST, _fired
from thidua.cli.help import Group
from thidua.cli.output import CYCLE_ID, NAME, Env, emit_json, pass_env, say
from thidua.workflow.i18n import _


@click.group("score", cls=Group)
def command() -> None:
    """Self-assessment workbooks: the template a unit fills in, and its import as one step.

    \b
    Example:
      thidua score template 1 -o tu-cham-diem.xlsx
      thidua score import 1 tu-cham-diem.xlsx --as "Lê Anh Thư"
    """


@command.command("template")
@click.argument("cycle_id", type=CYCLE_ID, shell_complete=completion.cycle_ids)
@click.option("--output", "-o", metavar="FILE.xlsx", required=True,
              help="The workbook to write (replaced only when whole).")
@click.option("--unit", type=NAME, metavar="UNIT", help="Fill in the unit's name.")
@pass_env
def template(env: Env, cycle_id: int, output: str, unit: str | None) -> None:
    """Write the self-assessment workbook of cycle CYCLE_ID: the score sheet's criteria with
    their most points, the bonus and penalty, and the step's other inputs (the year report),
    each with a cell to fill in.

    \b
    Example:
      thidua score template 1 --unit "Hội CCB tỉnh Vĩnh Phúc" -o vinh-phuc.xlsx
    """
    from thidua.workflow.papers.self_assessment import write_template

    written = write_template(env.db(), cycle_id, output, unit=unit, lang=env.lang)
    if env.as_json:
        emit_json(written)
    else:
        say(_("wrote the self-assessment of cycle {cycle} to {file}").format(
            cycle=cycle_id, file=written.file))


@command.command("import")
@click.argument("cycle_id", type=CYCLE_ID, shell_complete=completion.cycle_ids)
@click.argument("file", metavar="FILE.xlsx")
@click.option("--unit", type=NAME, metavar="UNIT",
              help="The unit it is for (default: the workbook's unit row, or --as's unit).")
@AS
@AT
@REQUEST
@pass_env
def import_(env: Env, cycle_id: int, file: str, unit: str | None, actor: str | None,
            occurred_at: str | None, request_id: str | None) -> None:
    """Record a unit's filled-in self-assessment FILE.xlsx in cycle CYCLE_ID as one step.
    Every bad cell is named at once (sheet, cell, reason; exit 2) and nothing is recorded
    unless the whole sheet is valid.

    \b
    Example:
      thidua score import 1 vinh-phuc.xlsx --as "Lê Anh Thư" --at 2023-11-20
    """
    from thidua.workflow.papers.self_assessment import import_scores

    _fired(env, import_scores(env.db(), cycle_id, file, actor=actor, unit=unit,
                              occurred_at=occurred_at, request_id=request_id, lang=env.lang))
