"""``thidua report``: the account of a cycle as a table, JSON or Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from thidua.cli import completion
from thidua.cli.help import Group
from thidua.cli.output import Env, emit_json, escape, pass_env, say, table
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
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
@pass_env
def cycle(env: Env, cycle_id: int, fmt: str) -> None:
    """The account of cycle CYCLE_ID: timeline with days per state, units × steps matrix,
    scoreboard, ballot, awards.

    \b
    Example:
      thidua report cycle 1
    """
    from thidua.workflow.services.report import cycle_report

    report = cycle_report(env.db(), cycle_id, env.lang)
    if env.as_json or fmt == "json":
        emit_json(report)
        return
    render(report, markdown_table if fmt == "markdown" else _plain_table,
           markdown=fmt == "markdown")


Table = Callable[[Sequence[str], Sequence[Sequence[Any]]], None]


def _plain_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table(headers, rows)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a GitHub-flavoured Markdown table."""
    click.echo("| " + " | ".join(_(h) for h in headers) + " |")
    click.echo("|" + "---|" * len(headers))
    for row in rows:
        click.echo("| " + " | ".join(escape(c).replace("|", "\\|") for c in row) + " |")


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
    matrix = report["matrix"]
    heading("Units × steps")
    show_table(["unit", *matrix["steps"]],
               [[u, *[_("yes") if done[s] else "-" for s in matrix["steps"]]]
                for u, done in matrix["units"].items()])
    heading("Scoreboard")
    show_table(["rank", "unit", "total"],
               [[r["rank"], r["unit"], f"{r['total']:g}"] for r in report["scoreboard"]])
    _ballot_and_awards(report, show_table, heading)


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
    show_table(["unit", _("proposed for")], [[p["unit"], p["label"]] for p in report["proposals"]])
    decision = report["decision"]
    if decision:
        say(_("decision {number} of {date}, signed by {signer}: {awards}").format(
                number=decision['number'], date=decision['date'], signer=decision['signer'],
                awards="; ".join(decision["awards"])))
    if report["revocation"]:
        say(_("revoked: {ground}").format(ground=report["revocation"]["legal_ground"]))
