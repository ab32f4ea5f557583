"""The root ``thidua`` group. Command groups are imported only when invoked, so ``--help``
and usage errors load neither SQLAlchemy nor pydantic nor transitions."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

from thidua.cli.help import Group
from thidua.cli.output import Env, paint
from thidua.workflow import i18n
from thidua.workflow.errors import ThiduaError
from thidua.workflow.i18n import N_, _, ngettext
from thidua.workflow.names import escape

GROUPS = {
    "db": ("thidua.cli.db",
           N_("Create, upgrade and inspect the database.")),
    "def": ("thidua.cli.defs",
            N_("Check, test, publish, compare, copy and draw cycle definitions.")),
    "cluster": ("thidua.cli.cluster",
                N_("Clusters, their member units, head and deputy.")),
    "actor": ("thidua.cli.actor",
              N_("People and the roles granted to them.")),
    "cycle": ("thidua.cli.cycle",
              N_("Start cycles, take their steps, see what is blocked and why.")),
    "audit": ("thidua.cli.audit",
              N_("Read and verify the tamper-evident ledger.")),
    "report": ("thidua.cli.report",
               N_("A cycle's account: timeline, steps, scores, ballot, awards.")),
    "award": ("thidua.cli.award",
              N_("The award register: award lines, decisions, revocations.")),
    "doc": ("thidua.cli.doc",
            N_("Documents attached to steps, by their SHA-256.")),
    "score": ("thidua.cli.score",
              N_("Self-assessment workbooks: template and import.")),
    "demo": ("thidua.cli.demo",
             N_("Replay the reference event's cycle into a database and show it.")),
}


# What each kind of user does most, for `thidua` with no arguments (docs/domain.md: Who acts).
USERS: list[tuple[str, list[tuple[str, str]]]] = [
    (N_("Secretariat: start a cycle, record each step, see what is blocked and due"), [
        ("cycle start", N_("Start a cluster's cycle for one emulation year.")),
        ("cycle fire", N_("Record a step as it happens (--as: on whose authority).")),
        ("cycle why", N_("Each step possible now, with every reason it is refused.")),
        ("cycle todo", N_("What is due or waiting, in every cycle.")),
        ("cycle show", N_("State, version, due date (overdue?), members, facts.")),
        ("cycle list", N_("Cycles by state, cluster or year.")),
        ("report cycle", N_("A cycle's account: timeline, scores, ballot, awards.")),
    ]),
    (N_("Auditor: read the full history, verify it, export it, look back in time"), [
        ("audit verify", N_("Re-hash the ledger; exit 4 naming the first altered event.")),
        ("audit log", N_("The ledger's events, oldest first.")),
        ("cycle history", N_("A cycle's steps with the days spent in each state.")),
        ("audit state-at", N_("The state of a cycle at any date.")),
        ("audit export", N_("The ledger as a file that can be verified offline.")),
        ("audit bundle", N_("A cycle's events and documents, verifiable offline.")),
        ("award history",
         N_("Every award of a unit or person, with decisions and revocations.")),
    ]),
    (N_("Administrator: definitions, clusters, people and roles, the database"), [
        ("def validate", N_("Check definitions: every problem with file, line and field.")),
        ("def test", N_("Run a definition's scenarios.")),
        ("def publish", N_("Publish a definition as an immutable version.")),
        ("cluster add", N_("A cluster, its member units, head and deputy.")),
        ("actor add", N_("Register a person.")),
        ("actor grant", N_("Grant a role.")),
        ("db upgrade", N_("Create or upgrade the schema.")),
    ]),
]


INTERNAL = 70  # an error of thidua itself (a bug): sysexits' EX_SOFTWARE
INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it


class LazyGroup(Group):
    """A group whose subcommands are imported on first use."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the CLI; every failure, a usage error included, is one line (``Error: ...``)
        and its exit code, never a traceback (unless ``THIDUA_DEBUG=1``)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        if args is None:  # the thidua process itself: it ends with this command
            from thidua.workflow.services import interrupts

            interrupts.hold_after_commit()
        args = list(sys.argv[1:] if args is None else args)
        i18n.use(i18n.language(_lang_option(args)))  # before anything is said, usage errors too
        if "thidua.workflow.services.interrupts" in sys.modules:  # another command ran here
            sys.modules["thidua.workflow.services.interrupts"].begin()
        try:
            _utf8(args)
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message())  # `thidua` alone shows the commands
            sys.exit(0)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.exceptions.Abort as exc:  # click's name for Ctrl-C (and end of input)
            _fail(_interrupted(), INTERRUPTED, exc)
        except Exception as exc:
            error = _as_error(exc, None)
            if error is None:
                _fail(_internal(exc), INTERNAL, exc)
            _fail(str(error), error.exit_code, exc)
        finally:
            _settle()
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
        groups = [(name, text) for name, (_module, text) in GROUPS.items()]
        sections = [*USERS, (N_("Command groups (thidua GROUP --help lists their commands)"),
                             groups)]
        column = max(len(name) for _title, rows in sections for name, _text in rows)
        for title, rows in sections:
            with formatter.section(_(title)):
                formatter.write_dl([(name.ljust(column), _(text)) for name, text in rows])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        # Group names from the table, not from the modules: completing them imports nothing.
        from click.shell_completion import CompletionItem

        groups = [CompletionItem(name, help=_(text)) for name, (_module, text) in GROUPS.items()
                  if name.startswith(incomplete)]
        return groups + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # here the database's name is known, for the message
            error = _as_error(exc, ctx.find_object(Env))
            if error is None:
                raise
            _fail(str(error), error.exit_code, exc)


def _fail(message: str, code: int, cause: BaseException | None = None) -> NoReturn:
    """Print one ``Error:`` line and exit with ``code``; with ``THIDUA_DEBUG=1`` a failure
    that is not the user's also shows where it happened."""
    if cause is not None and os.environ.get("THIDUA_DEBUG") == "1" and not isinstance(
            cause, ThiduaError):
        traceback.print_exception(cause, file=sys.stderr)
    # one line, whatever a driver said, and nothing a stored name could hide
    line = escape(" ".join(message.split()))
    label = paint(_("Error:"), "error", err=True)
    click.echo(f"{label} {line}", err=True)
    sys.exit(code)


def _lang_option(args: list[str]) -> str | None:
    """The value of ``--lang`` among the root's options, read before click parses them."""
    given = iter(args)
    for arg in given:
        if arg == "--lang":
            return next(given, None)
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--db":
            next(given, None)
        elif not arg.startswith("-"):  # the group's name: the root's options are behind
            return None
    return None


def _utf8(args: list[str]) -> None:
    """Refuse an argument (or ``THIDUA_DB``) that is not UTF-8 text: on POSIX its bytes come
    through as lone surrogates, which no database, file name or message can hold."""
    named = [(_("argument {number}").format(number=i), a) for i, a in enumerate(args, 1)]
    named.append(("THIDUA_DB", os.environ.get("THIDUA_DB", "")))
    for what, text in named:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise click.UsageError(_("{what} is not UTF-8 text: {text}").format(
                what=what, text=_shown(text)[:60])) from None


def _shown(text: str) -> str:
    """``text`` with the bytes that are not UTF-8 written as ``\\xNN``."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _as_error(exc: BaseException, env: Env | None) -> ThiduaError | None:
    """The plain error ``exc`` stands for: thidua's own, a failure of the database, input
    too deeply nested to read; None for anything else (a fault of thidua itself)."""
    if isinstance(exc, ThiduaError):
        return exc
    if {"sqlite3", "sqlalchemy"} & set(sys.modules):  # a database was opened
        from thidua.workflow.services.faults import explain

        found = explain(exc, where=(env.db_url or "") if env is not None else "")
        if found is not None:
            return found
    if isinstance(exc, RecursionError):
        return ThiduaError(_("the input nests too deeply to be read"))
    return None


def _recorded() -> int:
    """How many changes this process committed (none when no database was opened)."""
    if "thidua.workflow.services.interrupts" not in sys.modules:
        return 0
    from thidua.workflow.services import interrupts

    return int(interrupts.recorded())


def _interrupted() -> str:
    count = _recorded()
    if not count:
        return _("interrupted: nothing was recorded")
    return ngettext("interrupted: {count} change recorded before the interruption stays "
                    "recorded (thidua audit log), nothing after it",
                    "interrupted: {count} changes recorded before the interruption stay "
                    "recorded (thidua audit log), nothing after them", count).format(count=count)


def _internal(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    count = _recorded()
    if count:
        return ngettext("internal error of thidua ({error}: {text}); {count} change was "
                        "recorded before it; run again with THIDUA_DEBUG=1 to see where",
                        "internal error of thidua ({error}: {text}); {count} changes were "
                        "recorded before it; run again with THIDUA_DEBUG=1 to see where",
                        count).format(error=type(exc).__name__, text=text, count=count)
    return _("internal error of thidua ({error}: {text}); run again with THIDUA_DEBUG=1 to "
             "see where").format(error=type(exc).__name__, text=text)


def _settle() -> None:
    """The command is over: an interrupt held since its last commit changes nothing now."""
    if "thidua.workflow.services.interrupts" in sys.modules:
        from thidua.workflow.services import interrupts

        interrupts.resume(raise_pending=False)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="THIDUA_DB", metavar="URL",
              help="SQLAlchemy URL or SQLite file path (default: thidua.db; env THIDUA_DB).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of messages and labels (default: THIDUA_LANG, else the locale).")
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
    chosen = i18n.language(lang)
    i18n.use(chosen)
    ctx.obj = Env(db_url=db_url, as_json=as_json, lang=chosen)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Console entry point."""
    sys.exit(root.main(prog_name="thidua"))
