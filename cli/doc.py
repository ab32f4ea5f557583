"""``thidua doc``: documents attached to steps."""

from __future__ import annotations

import click

from thidua.cli.help import Group
from thidua.cli.output import Env, emit_json, pairs, pass_env
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
