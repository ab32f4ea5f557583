"""``thidua db``: create, upgrade, inspect and back up the database."""

from __future__ import annotations

import click

from thidua.cli.help import Group
from thidua.cli.output import Env, emit_json, pairs, pass_env, say
from thidua.workflow.i18n import _


@click.group("db", cls=Group)
def command() -> None:
    """Create, upgrade, inspect and back up the database.

    \b
    Example:
      thidua --db postgresql://postgres@127.0.0.1/thidua db upgrade
    """


@command.command("upgrade")
@pass_env
def upgrade(env: Env) -> None:
    """Create the schema, or upgrade it to this version of thidua.

    \b
    Example:
      thidua db upgrade
    """
    from thidua.workflow.services.admin import upgrade_db

    revision = upgrade_db(env.db(check_schema=False))
    if env.as_json:
        emit_json({"revision": revision})
    else:
        say(_("database at revision {revision}").format(revision=revision))


@command.command("current")
@pass_env
def current(env: Env) -> None:
    """Show the schema revision of the database and the one thidua needs.

    \b
    Example:
      thidua db current
    """
    from thidua.workflow.services.admin import db_status

    status = db_status(env.db(check_schema=False))
    if env.as_json:
        emit_json(status)
    else:
        pairs([("database", status["url"]), ("revision", status["revision"] or _("(no schema)")),
               ("needed", status["head"]), ("up to date",
                                         _("yes") if status["up_to_date"] else _("no")),
               *(("names", problem) for problem in status["names"])])


@command.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@pass_env
def backup(env: Env, file: str) -> None:
    """Copy the SQLite database to the new FILE while it stays in use.

    An existing FILE is refused; the copy is written beside it and moved into place only
    when whole. On PostgreSQL use pg_dump instead (see Backups in the README).

    \b
    Example:
      thidua --db thidua.db db backup thidua-2024-06-30.db
      thidua --db thidua-2024-06-30.db audit verify
    """
    from thidua.workflow.services.admin import backup_db

    done = backup_db(env.db(), file)
    if env.as_json:
        emit_json(done)
    else:
        say(_("backed up to {file} ({size} bytes, ledger head {head_seq}:{head_hash})").format(
                file=done.file, size=done.size, head_seq=done.head_seq,
                head_hash=done.head_hash))


@command.command("timezone")
@click.argument("zone", required=False, metavar="[ZONE]")
@pass_env
def timezone(env: Env, zone: str | None) -> None:
    """Show the business time zone of the database, or set it to ZONE (an IANA name;
    administrators only, in the ledger). Dates given with --at are read in it, the rules judge
    the day in it, and every date and time is shown in it, whatever TZ says.

    \b
    Example:
      thidua db timezone
      thidua db timezone Asia/Ho_Chi_Minh
    """
    from thidua.workflow.services.admin import set_time_zone, time_zone

    result = time_zone(env.db()) if zone is None else set_time_zone(env.db(), zone)
    if env.as_json:
        emit_json(result)
    elif zone is None:
        say(result.time_zone)
    elif result.changed:
        say(_("time zone {time_zone} (was {before})").format(
                time_zone=result.time_zone, before=result.before or '-'))
    else:
        say(_("time zone {time_zone} (unchanged)").format(time_zone=result.time_zone))


@command.command("set")
@click.argument("key", type=click.Choice(["document-limit"]))
@click.argument("value")
@pass_env
def set_(env: Env, key: str, value: str) -> None:
    """Change a setting of the database (an administrator's change, in the ledger):
    document-limit, the largest document a step may attach (default 50MB; from 1KB to 1GB).

    \b
    Example:
      thidua db set document-limit 20MB
    """
    from thidua.workflow.services.admin import set_document_limit

    done = set_document_limit(env.db(), value)
    if env.as_json:
        emit_json(done)
    else:
        click.echo(_("document-limit set to {done} bytes (was {before})").format(
                       done=done.value, before=done.before or '-'))
