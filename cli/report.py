"""``thidua report``: the account of a cycle as a table, JSON or Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from thidua.cli import completion
from thidua.cli.help import Group
from thidua.cli.output import Env, emit_json, markdown_table, pass_env, say, table
from thidua.workflow.i18n import _


@click.group("report", cls=Group)
def command() -> None:
    """Reports on a cycle: timeline, completion, scores, ballot, awards.

    \b
    Example:
      thidua report cycle 1 --format markdown > cycle-1.md
    """


@command.command("cycle")
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "xlsx"]),
              default="table", show_default=True)
@click.option("--output", "-o", metavar="FILE",
              help="The workbook to write (--format xlsx; replaced only when whole).")
@pass_env
def cycle(env: Env, cycle_id: int, fmt: str, output: str | None) -> None:
    """The account of cycle CYCLE_ID: timeline with days per state, units × steps matrix,
    scoreboard, ballot, awards. As an Excel workbook (--format xlsx -o FILE): the
    scoreboard, the points per criterion, the ballot tally and the candidates, a sheet each.

    \b
    Example:
      thidua report cycle 1
      thidua report cycle 1 --format xlsx -o cum5-2023.xlsx
    """
    from thidua.workflow.services.report import cycle_report

    if (fmt == "xlsx") != (output is not None):
        raise click.UsageError(_("--format xlsx writes a workbook: give it -o FILE (and -o "
                                 "only with --format xlsx)"))
    if fmt == "xlsx":
        _workbook(env, cycle_id, str(output))
        return

    report = cycle_report(env.db(), cycle_id, env.lang)
    if env.as_json or fmt == "json":
        emit_json(report)
        return
    render(report, markdown_table if fmt == "markdown" else table, markdown=fmt == "markdown")


def _workbook(env: Env, cycle_id: int, output: str) -> None:
    from thidua.workflow.papers.report_book import write_report

    written = write_report(env.db(), cycle_id, output, env.lang)
    if env.as_json:
        emit_json(written)
    else:
        say(_("wrote cycle {cycle}'s report to {file} (sheets: {sheets})").format(
            cycle=cycle_id, file=written.file, sheets=", ".join(written.sheets)))


Table = Callable[[Sequence[str], Sequence[Sequence[Any]]], None]


def render(report: dict[str, Any], show_table: Table, *, markdown: bool = False,
           steps: bool = True) -> None:
    """Print every section of ``report`` with ``show_table``."""
    c = report["cycle"]

    def heading(text: str) -> None:
        text = _(text)
        click.echo(f"\n## {text}\n" if markdown else f"\n{text}")

    say(_("{mark}{cluster} {period} — cycle {id} ({definition}{draft}), state {state}, "
          "version {version}").format(
            mark="# " if markdown else "", cluster=c['cluster'], period=c['period'],
            id=c['id'], definition=c['definition'], draft=', DRAFT' if c.get('draft') else '',
            state=c['state'], version=c['version']))
    heading("Timeline")
    show_table(["entered", "state", "label", "days"],
               [[t["entered"], t["state"], t["label"], t["days"] or ""]
                for t in report["timeline"]])
    if steps:
        heading(_("Who did what"))
        show_table(["date", "step", "who", "role", "unit", "reason"],
                   [[s["date"], s["trigger"], s["actor"], s["role"] or "", s["unit"] or "",
                     s["reason"] or ""] for s in report["steps"]])
    _meetings(report, show_table, heading)
    matrix = report["matrix"]
    heading("Units × steps")
    show_table(["unit", *matrix["steps"]],
               [[u, *[_("yes") if done[s] else "-" for s in matrix["steps"]]]
                for u, done in matrix["units"].items()])
    heading("Scoreboard")
    show_table(["rank", "unit", "total"],
               [[r["rank"], r["unit"], f"{r['total']:g}"] for r in report["scoreboard"]])
    _ballot_and_awards(report, show_table, heading)


MEETING_ROWS = (("place", "place"), ("dates", "dates"), ("chaired_by", "chaired by"),
                ("presented_by", "presented by"), ("speakers", "speakers"),
                ("attending_units", "units attending"), ("attending_people", "people attending"),
                ("minutes", "minutes"), ("plan", "plan"), ("decisions", "decisions"),
                ("leaving", "units leaving (farewell)"), ("joining", "units joining"))


def _meetings(report: dict[str, Any], show_table: Table,
              heading: Callable[[str], None]) -> None:
    from thidua.workflow.services.meetings import document_name

    for meeting in report.get("meetings", []):
        heading(f"Meeting: {meeting['label']}")
        rows = []
        for key, title in MEETING_ROWS:
            value = meeting.get(key)
            if key in ("minutes", "plan"):
                value = document_name(value)
            elif isinstance(value, list):
                value = "; ".join(value)
            if value:
                rows.append([title, value])
        show_table(["", meeting["step"]], rows)


def _ballot_and_awards(report: dict[str, Any], show_table: Table,
                       heading: Callable[[str], None]) -> None:
    ballot = report["ballot"]
    heading("Ballot")
    if ballot is None:
        say(_("no ballot recorded"))
    else:
        say(_("issued {ballots_issued}, returned {ballots_returned}, valid {ballots_valid}; "
              "{members} member units, {needed} votes needed").format(
                ballots_issued=ballot['ballots_issued'],
                ballots_returned=ballot['ballots_returned'],
                ballots_valid=ballot['ballots_valid'], members=ballot['members'],
                needed=ballot['needed']))
        show_table(["unit", "votes", "passed"],
                   [[b["unit"], b["votes"], _("yes") if b["passed"] else _("no")]
                    for b in ballot["candidates"]])
    heading("Awards")
    show_table(["candidate", "unit", "proposed for", "council"],
               [[p["candidate"], p["of_unit"] or "", p["label"], _council(p["council"])]
                for p in report["proposals"]])
    decision = report["decision"]
    if report.get("awards"):
        show_table(["line", "decision", "date", "signer", "candidate", "award", "revoked"],
                   [[a["id"], a["decision"], a["date"], a["signer"], a["candidate"],
                     a["award_label"], revoked(a["revoked"])] for a in report["awards"]])
    elif decision:  # a decision recorded before award lines existed
        say(_("decision {number} of {date}, signed by {signer}: {awards}").format(
                number=decision.get('number'), date=decision.get('date'),
                signer=decision.get('signer'), awards="; ".join(decision.get("awards") or [])))
        if report["revocation"]:
            say(_("revoked: {ground}").format(
                ground=report["revocation"].get("legal_ground")))


def _council(vote: dict[str, Any] | None) -> str:
    if not vote:
        return ""
    if vote.get("accepted"):
        return _("{votes_for}/{members_total} for, accepted").format(
            votes_for=vote.get("votes_for"), members_total=vote.get("members_total"))
    return _("{votes_for}/{members_total} for, not accepted").format(
        votes_for=vote.get("votes_for"), members_total=vote.get("members_total"))


def revoked(revocation: dict[str, Any] | None) -> str:
    """How a revocation reads in a table: the ground and its day."""
    if not revocation:
        return ""
    return _("{ground} ({day})").format(ground=revocation.get("ground"),
                                        day=str(revocation.get("on") or "")[:10])
