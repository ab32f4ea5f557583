"""``thidua doc``: documents attached to steps."""

from __future__ import annotations

import sys

import click

from thidua.cli import completion
from thidua.cli.cycle import AS, AT, REQUEST, _fired
from thidua.cli.help import Group
from thidua.cli.output import CYCLE_ID, NAME, REASON, Env, emit_json, pairs, pass_env, say
from thidua.workflow.i18n import _


@click.group("doc", cls=Group)
def command() -> None:
    """Documents attached to steps, stored once by their SHA-256.

    \b
    Example:
      thidua doc show 3f2a9c1e
    """


@command.command("show")
@click.argument("digest")
@pass_env
def show(env: Env, digest: str) -> None:
    """Show the stored document DIGEST (8 or more hex characters): name, size, whether its
    content still matches its hash, and the steps that cite it.

    \b
    Example:
      thidua doc show 3f2a9c1e
    """
    from thidua.workflow.services.documents import show as show_document

    view = show_document(env.db(), digest)
    if env.as_json:
        emit_json(view)
        return
    cited = ", ".join(_("event {seq} ({trigger}, cycle {cycle})").format(
                          seq=c['seq'], trigger=c['trigger'], cycle=c['cycle'])
                      for c in view.cited_by)
    pairs([("sha256", view.sha256), ("name", view.name), ("size", f"{view.size} bytes"),
           ("intact", _("yes") if view.intact else _("NO: content does not match its hash")),
           (_("cited by"), cited or "-")])


@command.command("get")
@click.argument("digest")
@click.option("--output", "-o", metavar="FILE",
              help="Write to FILE (replaced only when whole and checked); default: standard "
                   "output.")
@pass_env
def get(env: Env, digest: str, output: str | None) -> None:
    """Write the stored document DIGEST (8 or more hex characters) back, byte for byte, after
    checking that its content still matches its SHA-256 (exit 4 if not, nothing written).

    \b
    Example:
      thidua doc get 3f2a9c1e -o to-trinh.pdf
      thidua doc get 3f2a9c1e > to-trinh.pdf
    """
    from thidua.workflow.services.documents import get as get_document

    sys.stdout.flush()
    fetched = get_document(env.db(), digest, output if output is not None else sys.stdout.buffer)
    if output is None:
        return
    if env.as_json:
        emit_json(fetched)
    else:
        say(_("wrote {name} ({size} bytes, sha256 {sha256}) to {output}").format(
            name=fetched.name, size=fetched.size, sha256=fetched.sha256[:12], output=output))


KINDS = ("minutes-midyear", "minutes-yearend", "submission", "candidates", "decision")


@command.command("render")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("cycle_id", type=CYCLE_ID, shell_complete=completion.cycle_ids)
@click.option("--output", "-o", metavar="FILE",
              help="The .docx to write (default: KIND-CYCLE.docx here; replaced only when "
                   "whole).")
@click.option("--template", metavar="FILE.docx",
              help="Fill this template instead of the definition's or the shipped one.")
@click.option("--attach", is_flag=True,
              help="Record the step possible now that takes this document, citing it "
                   "(with --as, -i for its other inputs).")
@click.option("--input", "-i", "inputs", multiple=True, metavar="KEY=VALUE",
              help="Another input of the step --attach records (as in cycle fire).")
@click.option("--unit", type=NAME, metavar="UNIT", help="With --attach: the unit.")
@click.option("--reason", type=REASON, help="With --attach: the step's written reason.")
@AS
@AT
@REQUEST
@pass_env
def render(env: Env, kind: str, cycle_id: int, output: str | None, template: str | None,
           attach: bool, inputs: tuple[str, ...], unit: str | None, reason: str | None,
           actor: str | None, occurred_at: str | None, request_id: str | None) -> None:
    """Write the Word document KIND of cycle CYCLE_ID from its template, filled with the
    cycle's records: the mid-year or year-end minutes, the submission for awards, the list
    of candidates with their grounds, the draft decision.

    \b
    Example:
      thidua doc render minutes-midyear 1 -o bien-ban-so-ket.docx
      thidua doc render submission 1 --attach -i minutes=@bien-ban.pdf \\
          -i achievement_reports=@thanh-tich.pdf --as "Cao Văn Thắng"
    """
    from thidua.cli.cycle import _inputs
    from thidua.workflow.papers.word import Attach
    from thidua.workflow.papers.word import render as render_document

    given = Attach(actor, _inputs(inputs), unit, reason, occurred_at, request_id)
    if not attach and (inputs or unit or reason or actor or occurred_at or request_id):
        raise click.UsageError(_("-i, --unit, --reason, --as, --at and --request-id go with "
                                 "--attach"))
    done = render_document(env.db(), kind, cycle_id, output or f"{kind}-{cycle_id}.docx",
                           template=template, attach=given if attach else None)
    if env.as_json:
        emit_json(done)
        return
    say(_("wrote {file} ({size} bytes, template {template})").format(
        file=done.file, size=done.size, template=done.template))
    if done.fired is not None:
        _fired(env, done.fired)
