"""``thidua actor``: people and the roles granted to them."""

from __future__ import annotations

import click

from thidua.cli import completion
from thidua.cli.help import Group
from thidua.cli.output import NAME, PERIOD, Env, pass_env, say
from thidua.workflow.i18n import _


@click.group("actor", cls=Group)
def command() -> None:
    """People and the roles granted to them.

    \b
    Example:
      thidua actor add "Cao Văn Thắng" --unit "Bắc Ninh"
      thidua actor grant "Cao Văn Thắng" secretariat --cluster "Cụm 5"
    """


@command.command("add")
@click.argument("name", type=NAME)
@click.option("--unit", type=NAME, metavar="UNIT", help="The member unit the person belongs to.")
@click.option("--login", type=NAME, metavar="LOGIN",
              help="The OS account or database login that acts as this person without --as.")
@pass_env
def add(env: Env, name: str, unit: str | None, login: str | None) -> None:
    """Register the person NAME.

    \b
    Example:
      thidua actor add "Đào Anh Dũng" --unit "Bắc Ninh" --login dung
    """
    from thidua.workflow.services.directory import add_actor

    add_actor(env.db(), name, unit_name=unit, login=login)
    say(_("registered {name} of {unit}").format(name=name, unit=unit) if unit
        else _("registered {name}").format(name=name))


@command.command("grant")
@click.argument("name", type=NAME)
@click.argument("role", type=NAME)
@click.option("--cluster", type=NAME, metavar="NAME",
              help="Only in this cluster (default: every cluster).",
              shell_complete=completion.clusters)
@click.option("--period", type=PERIOD, help="Only for this emulation year (default: every year).")
@pass_env
def grant(env: Env, name: str, role: str, cluster: str | None, period: int | None) -> None:
    """Grant ROLE (secretariat, council, auditor, administrator, ...) to the person NAME
    (administrators; an administrator of one cluster or year grants only there, and
    administrator only by an administrator of every cluster and year).

    \b
    Example:
      thidua actor grant "Cao Văn Thắng" secretariat --cluster "Cụm 5" --period 2023
    """
    from thidua.workflow.services.identity import grant as grant_role

    grant_role(env.db(), name, role, cluster_name=cluster, period=period)
    scope = (f" in {cluster}" if cluster else "") + (f" for {period}" if period else "")
    say(_("granted {role} to {name}{scope}").format(role=role, name=name, scope=scope))


@command.command("delegate")
@click.argument("name", type=NAME)
@click.option("--login", type=NAME, required=True, metavar="LOGIN",
              help="The OS account (SQLite) or database login (PostgreSQL) that may enter "
                   "steps for NAME.")
@click.option("--revoke", is_flag=True, help="Revoke the delegation instead (it is kept, "
                                             "marked revoked).")
@pass_env
def delegate(env: Env, name: str, login: str, revoke: bool) -> None:
    """Let LOGIN enter steps on the authority of the person NAME, or with --revoke no more
    (administrators: of every cluster, or of the one cluster where NAME acts).

    \b
    Example:
      thidua actor delegate "Đào Anh Dũng" --login thang
      thidua actor delegate "Đào Anh Dũng" --login thang --revoke
    """
    from thidua.workflow.services.identity import delegate as record_delegation

    record_delegation(env.db(), name, login, revoke=revoke)
    if revoke:
        say(_("{login} may no longer enter steps for {name}").format(login=login, name=name))
    else:
        say(_("{login} may enter steps for {name}").format(login=login, name=name))


@command.command("disable")
@click.argument("name")
@pass_env
def disable(env: Env, name: str) -> None:
    """Disable the person NAME from today: they can neither act, be acted for, nor be granted
    anything; their history stays (administrators of every cluster and year; never the last
    one).

    \b
    Example:
      thidua actor disable "Đào Anh Dũng"
    """
    from thidua.workflow.services.directory import disable_actor

    on = disable_actor(env.db(), name)
    say(_("disabled {name} from {on}").format(name=name, on=on))


@command.command("login")
@click.argument("name")
@click.argument("login")
@pass_env
def login(env: Env, name: str, login: str) -> None:
    """Give the person NAME the login LOGIN instead of their current one; refused when another
    person has it (administrators of every cluster and year).

    \b
    Example:
      thidua actor login "Đào Anh Dũng" dung2
    """
    from thidua.workflow.services.directory import change_login

    old = change_login(env.db(), name, login)
    say(_("{name}'s login is now {login}{value}").format(
            name=name, login=login, value=f" (was {old})" if old else ""))


@command.command("revoke")
@click.argument("name", type=NAME)
@click.argument("role", type=NAME)
@click.option("--cluster", type=NAME, metavar="NAME",
              help="The grant's cluster (default: every cluster).")
@click.option("--period", type=PERIOD, help="The grant's year (default: every year).")
@pass_env
def revoke(env: Env, name: str, role: str, cluster: str | None, period: int | None) -> None:
    """Revoke a grant of ROLE from NAME; the grant is kept, marked revoked (administrators;
    never the last administrator of every cluster and year).

    \b
    Example:
      thidua actor revoke "Cao Văn Thắng" secretariat --cluster "Cụm 5"
    """
    from thidua.workflow.services.identity import revoke as revoke_grant

    count = revoke_grant(env.db(), name, role, cluster_name=cluster, period=period)
    say(_("revoked {count} grant(s) of {role} from {name}").format(
            count=count, role=role, name=name))
