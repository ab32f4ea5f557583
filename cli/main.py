"""The root ``thidua`` group. Command groups are imported only when invoked, so ``--help``
and usage errors load neither SQLAlchemy nor pydantic nor transitions."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

from thidua.cli.output import Env, default_lang, paint
from thidua.workflow.errors import ThiduaError
from thidua.workflow.names import escape

GROUPS = {
    "db": ("thidua.cli.db", "Create, upgrade and inspect the database."),
    "def": ("thidua.cli.defs", "Check, test, publish, compare, copy and draw cycle definitions."),
    "cluster": ("thidua.cli.cluster", "Clusters, their member units, head and deputy."),
    "actor": ("thidua.cli.actor", "People and the roles granted to them."),
    "cycle": ("thidua.cli.cycle", "Start cycles, take their steps, see what is blocked and why."),
    "audit": ("thidua.cli.audit", "Read and verify the tamper-evident ledger."),
    "report": ("thidua.cli.report", "A cycle's account: timeline, steps, scores, ballot, awards."),
    "doc": ("thidua.cli.doc", "Documents attached to steps, by their SHA-256."),
    "demo": ("thidua.cli.demo", "Replay the reference event's cycle into a database and show it."),
}


# What each kind of user does most, for `thidua` with no arguments (docs/domain.md: Who acts).
USERS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Secretariat: start a cycle, record each step, see what is blocked and due", [
        ("cycle start", "Start a cluster's cycle for one emulation year."),
        ("cycle fire", "Record a step as it happens (--as: on whose authority)."),
        ("cycle why", "Each step possible now, with every reason it is refused."),
        ("cycle todo", "What is due or waiting, in every cycle."),
        ("cycle show", "State, version, due date (overdue?), members, facts."),
        ("cycle list", "Cycles by state, cluster or year."),
        ("report cycle", "A cycle's account: timeline, scores, ballot, awards."),
    ]),
    ("Auditor: read the full history, verify it, export it, look back in time", [
        ("audit verify", "Re-hash the ledger; exit 4 naming the first altered event."),
        ("audit log", "The ledger's events, oldest first."),
        ("cycle history", "A cycle's steps with the days spent in each state."),
        ("audit state-at", "The state of a cycle at any date."),
        ("audit export", "The ledger as a file that can be verified offline."),
        ("audit bundle", "A cycle's events and documents, verifiable offline."),
    ]),
    ("Administrator: definitions, clusters, people and roles, the database", [
        ("def validate", "Check definitions: every problem with file, line and field."),
        ("def test", "Run a definition's scenarios."),
        ("def publish", "Publish a definition as an immutable version."),
        ("cluster add", "A cluster, its member units, head and deputy."),
        ("actor add", "Register a person."),
        ("actor grant", "Grant a role."),
        ("db upgrade", "Create or upgrade the schema."),
    ]),
]


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the CLI; a usage error is one line (``Error: ...``) and exit 2, like every
        other error, instead of click's usage block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message())  # `thidua` alone shows the commands
            sys.exit(0)
        except click.ClickException as exc:
            message = escape(" ".join(exc.format_message().split()))
            click.echo(f"{paint('Error:', 'error', err=True)} {message}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(GROUPS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in GROUPS:
            return None
        module = importlib.import_module(GROUPS[cmd_name][0])
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # From the tables in this module, so that --help imports no group module; one width
        # for the names of every section, so that the sections line up.
        groups = [(name, text) for name, (_, text) in GROUPS.items()]
        sections = [*USERS, ("Command groups (thidua GROUP --help lists their commands)", groups)]
        column = max(len(name) for _, rows in sections for name, _ in rows)
        for title, rows in sections:
            with formatter.section(title):
                formatter.write_dl([(name.ljust(column), text) for name, text in rows])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        # Group names from the table, not from the modules: completing them imports nothing.
        from click.shell_completion import CompletionItem

        groups = [CompletionItem(name, help=text) for name, (_, text) in GROUPS.items()
                  if name.startswith(incomplete)]
        return groups + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThiduaError as exc:
            # one line, whatever a driver said, and nothing a stored name could hide
            message = escape(" ".join(str(exc).split()))
            click.echo(f"{paint('Error:', 'error', err=True)} {message}", err=True)
            ctx.exit(exc.exit_code)


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
    ctx.obj = Env(db_url=db_url, as_json=as_json, lang=lang or default_lang())
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Console entry point."""
    sys.exit(root.main(prog_name="thidua"))
