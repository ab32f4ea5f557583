"""``thidua def copy`` and ``thidua def schema``: for administrators who write definitions (the
``def`` group in :mod:`thidua.cli.defs` adds them)."""

from __future__ import annotations

import click

from thidua.cli import completion
from thidua.cli.help import Command
from thidua.cli.output import Env, emit_json, pass_env, say
from thidua.workflow.i18n import _


@click.command("copy", cls=Command)
@click.argument("name", shell_complete=completion.definitions)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--extend", is_flag=True,
              help="Write a short file that extends NAME (extends: ID@VERSION) instead of a "
                   "whole copy.")
@pass_env
def copy(env: Env, name: str, file: str, extend: bool) -> None:
    """Write an editable copy of definition NAME to the new FILE.

    NAME is a shipped id or id@version, a version published in the database (id@version or
    hash), or a file. The copy is the version's whole YAML (resolved, for a definition that
    extends another); an existing FILE is never overwritten (exit 2).

    \b
    Example:
      thidua def copy ccb-cluster-annual my-cluster-2024.yaml
      thidua def copy ccb-cluster-annual@2023.1 my-variant.yaml --extend
    """
    from thidua.workflow.services.copies import copy_definition

    done = copy_definition(name, file, env.db_url, extend=extend)
    if env.as_json:
        emit_json(done)
        return
    what = _("a file that extends") if done.extends else _("a copy of")
    say(f"wrote {done.file}: {what} {done.ref} ({done.hash[:12]})")


@click.command("schema", cls=Command)
def schema() -> None:
    """Print the JSON Schema of the definition format, for an editor to check and complete
    definition files (plain ones and those that extend another).

    \b
    Example:
      thidua def schema > thidua.schema.json
    """
    from thidua.workflow.language.schema import schema_json

    click.echo(schema_json())
