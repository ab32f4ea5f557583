"""The root ``thidua`` group. Command groups are imported only when invoked, so ``--help``
and usage errors load neither SQLAlchemy nor pydantic nor transitions."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from cli.output import Env
from workflow.errors import ThiduaError

GROUPS = {
    "db": ("cli.db", "Create, upgrade and inspect the database."),
    "def": ("cli.defs", "List, show and validate cycle definitions."),
    "cluster": ("cli.cluster", "Clusters, their member units, head and deputy."),
    "actor": ("cli.actor", "People and the roles granted to them."),
    "cycle": ("cli.cycle", "Start cycles, take their steps, see what is blocked and why."),
    "audit": ("cli.audit", "Read and verify the tamper-evident ledger."),
    "report": ("cli.report", "Reports on a cycle: timeline, completion, scores, ballot, awards."),
    "doc": ("cli.doc", "Documents attached to steps, by their SHA-256."),
    "demo": ("cli.demo", "Replay the reference event's cycle into a database and show it."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(GROUPS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in GROUPS:
            return None
        module = importlib.import_module(GROUPS[cmd_name][0])
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table above, so that --help imports no group module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, text) in GROUPS.items()])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThiduaError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _default_lang() -> str:
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
    return "vi" if locale.lower().startswith("vi") else "en"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="THIDUA_DB", metavar="URL",
              help="SQLAlchemy URL or SQLite file path (default: thidua.db; env THIDUA_DB).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of labels (default: from the locale).")
@click.version_option(package_name="thidua")
@click.pass_context
def root(ctx: click.Context, db_url: str | None, as_json: bool, lang: str | None) -> None:
    """thidua: emulation and commendation cycles (thi đua – khen thưởng), step by step,
    every step persisted and audited.

    \b
    Example:
      thidua demo
      thidua --db thidua-demo.db cycle show 1
    """
    ctx.obj = Env(db_url=db_url, as_json=as_json, lang=lang or _default_lang())
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Console entry point."""
    sys.exit(root.main(prog_name="thidua"))
