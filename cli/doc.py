"""``thidua doc``: documents attached to steps."""

from __future__ import annotations

import sys

import click

from thidua.cli.output import Env, emit_json, pairs, pass_env, say


@click.group("doc")
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
    cited = ", ".join(f"event {c['seq']} ({c['trigger']}, cycle {c['cycle']})"
                      for c in view.cited_by)
    pairs([("sha256", view.sha256), ("name", view.name), ("size", f"{view.size} bytes"),
           ("intact", "yes" if view.intact else "NO: content does not match its hash"),
           ("cited by", cited or "-")])


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
        say(f"wrote {fetched.name} ({fetched.size} bytes, sha256 {fetched.sha256[:12]}) "
            f"to {output}")
