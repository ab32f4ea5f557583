"""``thidua cluster``: clusters, their member units, head and deputy."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from thidua.cli import completion
from thidua.cli.help import Group
from thidua.cli.output import NAME, PERIOD, Env, emit_json, pairs, pass_env, say
from thidua.workflow.i18n import _

if TYPE_CHECKING:
    from thidua.workflow.services.directory import ClusterView

THIS_YEAR = dt.date.today().year


@click.group("cluster", cls=Group)
def command() -> None:
    """Clusters, their member units, head and deputy.

    \b
    Example:
      thidua cluster add "Cụm 5" -m "Hà Nội" -m "Bắc Ninh" --head "Bắc Ninh" --period 2023
    """


@command.command("add")
@click.argument("name", type=NAME)
@click.option("--member", "-m", "members", type=NAME, multiple=True, required=True,
              metavar="UNIT",
              help="A member unit (repeat for each; created if new).")
@click.option("--head", type=NAME, metavar="UNIT", help="The cluster head for the period.")
@click.option("--deputy", type=NAME, metavar="UNIT", help="The cluster deputy for the period.")
@click.option("--period", type=PERIOD, default=THIS_YEAR, show_default=True,
              help="The emulation year the head and deputy serve.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date the members joined (default: 1 January of the period).")
@click.option("--block", is_flag=True, help="A block of sectoral bodies, not a cluster.")
@pass_env
def add(env: Env, name: str, members: tuple[str, ...], head: str | None, deputy: str | None,
        period: int, since: dt.datetime | None, block: bool) -> None:
    """Create the cluster NAME with its member units, head and deputy.

    \b
    Example:
      thidua cluster add "Cụm 5" -m "Hà Nội" -m "Bắc Ninh" -m "Bắc Giang" \\
        -m "Vĩnh Phúc" --head "Bắc Ninh" --deputy "Hà Nội" --period 2023
    """
    from thidua.workflow.services.directory import add_cluster

    view = add_cluster(env.db(), name, members=list(members), head=head, deputy=deputy,
                       period=period, joined_on=since.date() if since else dt.date(period, 1, 1),
                       kind="block" if block else "cluster")
    _render(env, view)


@command.command("show")
@click.argument("name", type=NAME, required=False, shell_complete=completion.clusters)
@click.option("--period", type=PERIOD, default=THIS_YEAR, show_default=True)
@pass_env
def show(env: Env, name: str | None, period: int) -> None:
    """Show the cluster NAME (members, head and deputy), or list every cluster.

    \b
    Example:
      thidua cluster show "Cụm 5" --period 2023
    """
    from thidua.workflow.services.directory import list_clusters, show_cluster

    if name is None:
        names = list_clusters(env.db())
        if env.as_json:
            emit_json(names)
        else:
            for cluster_name in names:
                say(cluster_name)
            if not names:
                say(_("no clusters yet (see: thidua cluster add)"))
        return
    _render(env, show_cluster(env.db(), name, period))


def _render(env: Env, view: ClusterView) -> None:
    if env.as_json:
        emit_json(view)
        return
    pairs([("cluster", view.name), ("kind", view.kind), ("members", ", ".join(view.members)),
           (f"head {view.period}", view.head or "-"),
           (f"deputy {view.period}", view.deputy or "-")])


DAY = click.DateTime(["%Y-%m-%d"])


@command.group("member")
def member() -> None:
    """Member units joining, leaving and merging, on dates.

    \b
    Example:
      thidua cluster member leave "Cụm 5" "Vĩnh Phúc" --on 2023-06-29
    """


@member.command("add")
@click.argument("cluster", type=NAME, shell_complete=completion.clusters)
@click.argument("unit", type=NAME)
@click.option("--on", "day", type=DAY, required=True, help="The date it joins.")
@pass_env
def member_add(env: Env, cluster: str, unit: str, day: dt.datetime) -> None:
    """UNIT joins CLUSTER on a date (the unit is created if new).

    \b
    Example:
      thidua cluster member add "Cụm 5" "Phú Thọ" --on 2024-01-01
    """
    from thidua.workflow.services.membership import add_member

    add_member(env.db(), cluster, unit, day.date())
    say(_("{unit} joins {cluster} on {isoformat}").format(
            unit=unit, cluster=cluster, isoformat=day.date().isoformat()))


@member.command("leave")
@click.argument("cluster", type=NAME, shell_complete=completion.clusters)
@click.argument("unit", type=NAME)
@click.option("--on", "day", type=DAY, required=True,
              help="The first day it is no longer a member.")
@pass_env
def member_leave(env: Env, cluster: str, unit: str, day: dt.datetime) -> None:
    """UNIT leaves CLUSTER on a date.

    \b
    Example:
      thidua cluster member leave "Cụm 5" "Vĩnh Phúc" --on 2023-06-29
    """
    from thidua.workflow.services.membership import leave

    leave(env.db(), cluster, unit, day.date())
    say(_("{unit} leaves {cluster} on {isoformat}").format(
            unit=unit, cluster=cluster, isoformat=day.date().isoformat()))


@member.command("merge")
@click.argument("unit", type=NAME)
@click.option("--into", type=NAME, required=True, metavar="UNIT",
              help="The unit that absorbs it (created if new).")
@click.option("--on", "day", type=DAY, required=True, help="The date of the merger.")
@pass_env
def member_merge(env: Env, unit: str, into: str, day: dt.datetime) -> None:
    """UNIT merges into another: it leaves its clusters, which the other joins.

    \b
    Example:
      thidua cluster member merge "Bắc Giang" --into "Bắc Ninh" --on 2025-07-01
    """
    from thidua.workflow.services.membership import merge

    clusters = merge(env.db(), unit, into, day.date())
    if env.as_json:
        emit_json({"unit": unit, "into": into, "on": day.date().isoformat(),
                   "clusters": clusters})
        return
    say(_("{unit} merged into {into} on {isoformat}{value}").format(
            unit=unit, into=into, isoformat=day.date().isoformat(),
            value=f" (in {', '.join(clusters)})" if clusters else ""))


@command.command("head")
@click.argument("cluster", type=NAME, shell_complete=completion.clusters)
@click.option("--period", type=PERIOD, required=True, help="The emulation year.")
@click.option("--head", "head", type=NAME, metavar="UNIT",
              help="The head (with --on, default: the head on that day).")
@click.option("--deputy", type=NAME, metavar="UNIT")
@click.option("--on", "day", type=DAY,
              help="From this date within the period (a unit that joined can lead from the "
                   "day it joined).")
@pass_env
def head(env: Env, cluster: str, period: int, head: str | None, deputy: str | None,
         day: dt.datetime | None) -> None:
    """Set the head and deputy of CLUSTER for a period, or with --on change them from a date
    within it (the handover step makes the usual change).

    \b
    Example:
      thidua cluster head "Cụm 5" --period 2024 --head "Hà Nội" --deputy "Bắc Giang"
      thidua cluster head "Cụm 5" --period 2023 --deputy "Phú Thọ" --on 2023-07-01
    """
    from thidua.workflow.services.membership import change_leadership, set_leadership

    if day is not None:
        head, deputy = change_leadership(env.db(), cluster, period, day.date(), head, deputy)
    elif head is None:
        raise click.UsageError(_("give --head (or --on DATE to change the leadership from a "
                                 "date)"))
    else:
        set_leadership(env.db(), cluster, period, head, deputy)
    if day is not None and deputy:
        say(_("{cluster} {period} from {day}: head {head}, deputy {deputy}").format(
            cluster=cluster, period=period, day=day.date().isoformat(), head=head,
            deputy=deputy))
    elif day is not None:
        say(_("{cluster} {period} from {day}: head {head}").format(
            cluster=cluster, period=period, day=day.date().isoformat(), head=head))
    elif deputy:
        say(_("{cluster} {period}: head {head}, deputy {deputy}").format(
            cluster=cluster, period=period, head=head, deputy=deputy))
    else:
        say(_("{cluster} {period}: head {head}").format(cluster=cluster, period=period,
                                                       head=head))
