"""``thidua actor``: people and the roles granted to them."""

from __future__ import annotations

import click

from cli.output import Env, pass_env


@click.group("actor")
def command() -> None:
    """People and the roles granted to them.

    \b
    Example:
      thidua actor add "Cao Văn Thắng" --unit "Bắc Ninh"
      thidua actor grant "Cao Văn Thắng" secretariat --cluster "Cụm 5"
    """


@command.command("add")
@click.argument("name")
@click.option("--unit", metavar="UNIT", help="The member unit the person belongs to.")
@click.option("--login", metavar="LOGIN",
              help="The OS account or database login that acts as this person without --as.")
@pass_env
def add(env: Env, name: str, unit: str | None, login: str | None) -> None:
    """Register the person NAME.

    \b
    Example:
      thidua actor add "Đào Anh Dũng" --unit "Bắc Ninh" --login dung
    """
    from workflow.directory import add_actor

    add_actor(env.db(), name, unit_name=unit, login=login)
    click.echo(f"registered {name}" + (f" of {unit}" if unit else ""))


@command.command("grant")
@click.argument("name")
@click.argument("role")
@click.option("--cluster", metavar="NAME", help="Only in this cluster (default: every cluster).")
@click.option("--period", type=int, help="Only for this emulation year (default: every year).")
@pass_env
def grant(env: Env, name: str, role: str, cluster: str | None, period: int | None) -> None:
    """Grant ROLE (secretariat, council, auditor, ...) to the person NAME.

    \b
    Example:
      thidua actor grant "Cao Văn Thắng" secretariat --cluster "Cụm 5" --period 2023
    """
    from workflow.directory import grant as grant_role

    grant_role(env.db(), name, role, cluster_name=cluster, period=period)
    scope = (f" in {cluster}" if cluster else "") + (f" for {period}" if period else "")
    click.echo(f"granted {role} to {name}{scope}")
