"""``thidua award``: the award register — every award line of every decision."""

from __future__ import annotations

import csv
import sys
from typing import Any

import click

from thidua.cli.help import Group
from thidua.cli.output import NAME, PERIOD, Env, emit_json, escape, pass_env, say, table
from thidua.workflow.i18n import N_, _

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table",
                      show_default=True, help="An aligned table, or CSV (--json: JSON).")
HEADERS = [N_("line"), N_("year"), N_("decision"), N_("date"), N_("signer"), N_("candidate"),
           N_("unit"), N_("award"), N_("revoked")]


@click.group("award", cls=Group)
def command() -> None:
    """The award register: each line of each decision (candidate → award), with its
    decision's number, date and signer, and its revocation if any.

    \b
    Example:
      thidua award list --year 2023
      thidua award history "Hội CCB TP Hà Nội"
    """


@command.command("list")
@click.option("--cluster", "-c", type=NAME, metavar="NAME", help="Only this cluster's awards.")
@click.option("--unit", type=NAME, metavar="NAME",
              help="Only this unit's awards and its people's.")
@click.option("--person", type=NAME, metavar="NAME", help="Only this person's awards.")
@click.option("--year", "-p", type=PERIOD, help="Only awards for this emulation year.")
@click.option("--award", metavar="AWARD", help="Only this award of the catalogue (co_thi_dua).")
@FORMAT
@pass_env
def list_(env: Env, cluster: str | None, unit: str | None, person: str | None,
          year: int | None, award: str | None, fmt: str) -> None:
    """The award lines, by year, cycle and line; filters combine.

    \b
    Example:
      thidua award list --cluster "Cụm 5" --year 2023
      thidua award list --award bang_khen --format csv > bang-khen.csv
    """
    from thidua.workflow.services.awards import Filters, award_lines

    lines = award_lines(env.db(), Filters(cluster, unit, person, year, award))
    _show(env, lines, fmt, _("no award lines"))


@command.command("history")
@click.argument("name", type=NAME)
@FORMAT
@pass_env
def history(env: Env, name: str, fmt: str) -> None:
    """Every award line of a unit (its own and its people's) or of a person, oldest first.

    \b
    Example:
      thidua award history "Hội CCB TP Hà Nội"
    """
    from thidua.workflow.services.awards import award_history

    _kind, lines = award_history(env.db(), name)
    _show(env, lines, fmt, _("no award lines for {name}").format(name=escape(name)))


def _show(env: Env, lines: list[dict[str, Any]], fmt: str, empty: str) -> None:
    from thidua.workflow.services.awards import COLUMNS, row

    if env.as_json:
        emit_json(lines)
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: escape(v) if v is not None else "" for k, v in row(line).items()}
                         for line in lines)
    elif not lines:
        say(empty)
    else:
        table(HEADERS, [[line["id"], line["period"], line["decision"], line["date"],
                         line["signer"], line["candidate"],
                         line["unit"] if line["kind"] == "person" else "",
                         line["award_label"], _revoked(line.get("revoked"))]
                        for line in lines])


def _revoked(revoked: dict[str, Any] | None) -> str:
    if not revoked:
        return ""
    return f"{revoked.get('day') or revoked.get('on')}: {revoked.get('ground')}"
