"""``thidua cycle``: start cycles, take their steps, see what is blocked and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from thidua.cli import completion
from thidua.cli.help import Group
from thidua.cli.output import (
    NAME,
    PERIOD,
    REASON,
    VERSION,
    Env,
    emit_json,
    escape,
    paint,
    pairs,
    pass_env,
    say,
    table,
)
from thidua.workflow.i18n import _

if TYPE_CHECKING:
    from thidua.workflow.services.cycles import Fired

DRAFT = "DRAFT"  # marks a cycle whose definition version is a draft, never published


@click.group("cycle", cls=Group)
def command() -> None:
    """Start cycles, take their steps, see what is blocked and why.

    \b
    Example:
      thidua cycle start --cluster "Cụm 5" --period 2023 --as "Cao Văn Thắng"
      thidua cycle fire 1 launch -i plan="Kế hoạch thi đua 2023" --as "Cao Văn Thắng"
    """


def _inputs(pairs_: tuple[str, ...]) -> dict[str, object]:
    """KEY=VALUE pairs; VALUE @FILE attaches a document; a repeated KEY gives a list."""
    values: dict[str, object] = {}
    for item in pairs_:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(_("{item!r} is not KEY=VALUE").format(
                item=item), param_hint="--input")
        parsed: object = value
        if value.startswith("@"):
            from thidua.workflow.engine.inputs import Attachment

            parsed = Attachment.from_path(value[1:])
        if key in values:
            before = values[key]
            values[key] = [*before, parsed] if isinstance(before, list) else [before, parsed]
        else:
            values[key] = parsed
    return values


AS = click.option("--as", "actor", type=NAME, metavar="NAME",
                  help="The person on whose authority (default: the one with your login).")
AT = click.option("--at", "occurred_at", metavar="DATE",
                  help="When it happened (YYYY-MM-DD[THH:MM]; default: now).")
REQUEST = click.option("--request-id", type=NAME, metavar="KEY",
                       help="Makes a retried command a no-op that returns the first result.")


@command.command("start")
@click.option("--definition", "-d", "definition", default="ccb-cluster-annual", show_default=True,
              shell_complete=completion.definitions,
              help="A published or shipped version: an id (the version in force for the "
                   "period) or id@version. Not a file: see --draft.")
@click.option("--draft", metavar="FILE", type=click.Path(dir_okay=False),
              help="Try the definition in FILE on a real cycle (administrators): lint and "
                   "scenarios first; stored and marked as a draft.")
@click.option("--cluster", "-c", type=NAME, metavar="NAME",
              shell_complete=completion.clusters)
@click.option("--period", "-p", type=PERIOD, help="The emulation year.")
@click.option("--from", "from_id", type=int, metavar="ID",
              help="Open the year after closed cycle ID: same cluster, members carried over, "
                   "head and deputy as elected (or by the rotation rule).")
@AS
@AT
@REQUEST
@pass_env
def start(env: Env, definition: str, draft: str | None, cluster: str | None,
          period: int | None, from_id: int | None, actor: str | None,
          occurred_at: str | None, request_id: str | None) -> None:
    """Start a cluster's cycle for one emulation year (or the next year after a closed one)
    on a published or shipped definition version; --draft FILE tries a file instead.

    \b
    Example:
      thidua cycle start -c "Cụm 5" -p 2023 --as "Cao Văn Thắng"
      thidua cycle start --from 1 --as "Cao Văn Thắng"
      thidua cycle start -c "Cụm 5" -p 2024 --draft my-2024.yaml --as "Cao Văn Thắng"
    """
    from thidua.workflow.services.cycles import start_cycle
    from thidua.workflow.services.publish import in_force, start_draft
    from thidua.workflow.services.succession import start_next

    if from_id is not None:
        if cluster or period or draft:
            raise click.UsageError(_("--from takes the cluster and period from that cycle, "
                                     "and the version in force for the next year (no --draft)"))
        _fired(env, start_next(env.db(), from_id, actor=actor, occurred_at=occurred_at))
        return
    if not cluster or not period:
        raise click.UsageError(_("give --cluster and --period (or --from ID)"))
    if draft is not None:
        source = click.get_current_context().get_parameter_source("definition")
        if source is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError(_("give either --definition or --draft, not both"))
        _fired(env, start_draft(env.db(), draft, cluster, period, actor=actor,
                                occurred_at=occurred_at, request_id=request_id))
        return
    fired = start_cycle(env.db(), in_force(env.db(), definition, period), cluster, period,
                        actor=actor, occurred_at=occurred_at, request_id=request_id)
    _fired(env, fired)


@command.command("fire")
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@click.argument("trigger", type=NAME, shell_complete=completion.triggers)
@click.option("--input", "-i", "inputs", multiple=True, metavar="KEY=VALUE",
              help="An input of the step (repeat; lists as a,b,c or JSON; @FILE attaches a "
                   "document).")
@click.option("--reason", type=REASON,
              help="The written reason (required for returns and revocations).")
@click.option("--unit", type=NAME, metavar="UNIT",
              help="The member unit a per-unit step records for.")
@click.option("--expect-version", type=VERSION, help="Refuse (exit 3) unless the cycle is at it.")
@AS
@AT
@REQUEST
@pass_env
def fire(env: Env, cycle_id: int, trigger: str, inputs: tuple[str, ...], reason: str | None,
         unit: str | None, expect_version: int | None, actor: str | None,
         occurred_at: str | None, request_id: str | None) -> None:
    """Take the step TRIGGER in cycle CYCLE_ID.

    \b
    Example:
      thidua cycle fire 1 register --unit "Hà Nội" -i targets="..." --as "Cao Văn Thắng"
    """
    from thidua.workflow.services.cycles import fire as fire_step

    fired = fire_step(env.db(), cycle_id, trigger, actor=actor, inputs=_inputs(inputs),
                      reason=reason, unit=unit, expected_version=expect_version,
                      occurred_at=occurred_at, request_id=request_id)
    _fired(env, fired)


def _fired(env: Env, fired: Fired) -> None:
    if env.as_json:
        emit_json(fired)
        return
    note = _(" (already recorded by this request id)") if fired.repeated else ""
    say(_("cycle {cycle_id}: {trigger}: {from_state} -> {to_state} (version {version}, event "
          "{seq}){note}").format(
            cycle_id=fired.cycle_id, trigger=fired.trigger, from_state=fired.from_state or '-',
            to_state=fired.to_state, version=fired.version, seq=fired.seq, note=note))


@command.command("list")
@click.option("--state", type=NAME, help="Only cycles in this state.")
@click.option("--cluster", "-c", type=NAME, help="Only this cluster's cycles.",
              shell_complete=completion.clusters)
@click.option("--period", "-p", type=PERIOD, help="Only this emulation year.")
@pass_env
def list_(env: Env, state: str | None, cluster: str | None, period: int | None) -> None:
    """List cycles, newest first.

    \b
    Example:
      thidua cycle list --state registration_open
    """
    from thidua.workflow.services.views import list_cycles

    rows = list_cycles(env.db(), state=state, cluster=cluster, period=period)
    if env.as_json:
        emit_json(rows)
        return
    table(["id", "cluster", "period", "state", "version", "definition"],
          [[r["id"], r["cluster"], r["period"], r["state"], r["version"],
            r["definition"] + (" " + paint(DRAFT, "overdue") if r["draft"] else "")]
           for r in rows])


@command.command("show")
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@pass_env
def show(env: Env, cycle_id: int) -> None:
    """Show a cycle: state, version, due date (and whether overdue), members, facts.

    \b
    Example:
      thidua cycle show 1
    """
    from thidua.workflow.services.views import show as show_cycle

    view = show_cycle(env.db(), cycle_id)
    if env.as_json:
        emit_json(view)
        return
    due = (view.due or "-") + ("  " + paint(_("OVERDUE"), "overdue") if view.overdue else "")
    pairs([("cycle", view.id), ("cluster", view.cluster), ("period", view.period),
           ("definition", f"{view.definition} ({view.definition_hash[:12]})"
                          + ("  " + paint(DRAFT, "overdue") if view.draft else "")),
           ("state", f"{view.state} — {env.label(view.state_label, view.state)}"),
           ("version", view.version), ("due", due), ("head", view.head or "-"),
           ("deputy", view.deputy or "-"), ("members", ", ".join(view.members)),
           ("facts", ", ".join(sorted(view.facts)) or "-")])


@command.command("why")
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@click.argument("trigger", type=NAME, required=False, shell_complete=completion.triggers)
@AS
@pass_env
def why(env: Env, cycle_id: int, trigger: str | None, actor: str | None) -> None:
    """What can be done now in a cycle, and every reason each step is refused.

    \b
    Example:
      thidua cycle why 1 --as "Cao Văn Thắng"
    """
    from thidua.workflow.services.views import why as why_options

    options = why_options(env.db(), cycle_id, actor=actor, trigger=trigger)
    if env.as_json:
        emit_json([{**_plain(o), "allowed": o.allowed} for o in options])
        return
    for o in options:
        ready, blocked = _("ready"), _("blocked")
        column = max(len(ready), len(blocked))
        mark = paint(ready.ljust(column), "ready") if o.allowed else paint(
            blocked.ljust(column), "blocked")
        dest = o.dest or _("(stays)")
        click.echo(f"{mark} " + escape(f"{o.trigger} -> {dest}  [{', '.join(o.roles)}]  "
                                       f"{env.label(o.label, '')}"))
        if o.inputs:
            say(" " * (column + 1) + _("inputs: {inputs}").format(inputs=", ".join(o.inputs)))
        for reason in o.reasons:
            say(" " * (column + 1) + f"- {reason}")


def _plain(value: object) -> dict[str, object]:
    from thidua.cli.output import plain

    result: dict[str, object] = plain(value)
    return result


@command.command("todo")
@AS
@click.option("--cluster", "-c", type=NAME, metavar="NAME", shell_complete=completion.clusters,
              help="Only this cluster's cycles.")
@pass_env
def todo(env: Env, actor: str | None, cluster: str | None) -> None:
    """What a person can do now across open cycles, what is blocked, and what is due.

    \b
    Example:
      thidua cycle todo --as "Cao Văn Thắng"
      thidua cycle todo --cluster "Cụm 5"
    """
    from thidua.workflow.services.views import todo as todo_list

    rows = todo_list(env.db(), actor=actor, cluster=cluster)
    if env.as_json:
        emit_json(rows)
        return
    if not rows:
        say(_("nothing open"))
    for r in rows:
        due = _("no due date")
        if r["due"]:
            due = escape(f"due {r['due']}") + (" " + paint("OVERDUE", "overdue")
                                               if r["overdue"] else "")
        click.echo(escape(f"cycle {r['cycle']} {r['cluster']} {r['period']}: {r['state']} (")
                   + due + ")" + (" " + paint(DRAFT, "overdue") if r["draft"] else ""))
        say("  ready: " + (", ".join(r["ready"]) or "-"))
        for trigger, reasons in r["blocked"].items():
            blocked = paint(_("blocked"), "blocked")
            click.echo(f"  {blocked} " + escape(f"{trigger}: " + "; ".join(reasons)))


@command.command("history")
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@pass_env
def history(env: Env, cycle_id: int) -> None:
    """The cycle's audited steps, oldest first, with the days spent in each state.

    \b
    Example:
      thidua cycle history 1
    """
    from thidua.workflow.services.views import history as cycle_history

    events = cycle_history(env.db(), cycle_id)
    if env.as_json:
        emit_json(events)
        return
    for digest in dict.fromkeys(e["definition"] for e in events if e.get("draft")):
        click.echo(_("{draft}: steps taken on the draft definition {digest}, never "
                     "published").format(draft=paint(DRAFT, "overdue"), digest=digest[:12]))
    table(["seq", "occurred", "step", "from", "to", "actor", "role", "unit", "days"],
          [[e["seq"], env.time(e["occurred_at"], date_only=True), e["trigger"],
            e["from"] or "-", e["to"],
            e["actor"], e["role"] or "", e["unit"] or "", e.get("days_in_state", "")]
           for e in events])
    for e in events:
        if e.get("meeting"):
            say(_("meeting {seq} ({trigger}): {meeting}").format(
                seq=e["seq"], trigger=e["trigger"], meeting=e["meeting"]))


@command.command("state-at")
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@click.argument("date", metavar="DATE")
@pass_env
def state_at(env: Env, cycle_id: int, date: str) -> None:
    """The cycle as it stood at the end of DATE (or at DATE THH:MM): state, version, facts,
    members, head, rebuilt by replaying the ledger events up to then.

    \b
    Example:
      thidua cycle state-at 1 2023-06-29
    """
    from thidua.workflow.services.timetravel import state_at as rebuild

    view = rebuild(env.db(), cycle_id, date)
    if env.as_json:
        emit_json(view)
        return
    state = (f"{view.state} — {env.label(view.state_label, view.state)}" if view.state
             else _("- (not started by then)"))
    since = (f"{env.time(view.since, date_only=True)} ({view.days_in_state} days)"
             if view.since else "-")
    pairs([("cycle", view.cycle_id), ("cluster", view.cluster), ("period", view.period),
           ("definition", view.definition + (f" {DRAFT}" if view.draft else "")),
           ("as of", view.date if "T" in view.date else f"end of {view.date}"),
           ("state", state), ("version", view.version),
           (_("in state since"), since), (_("last event"), view.last_event or "-"),
           ("members", ", ".join(view.members) or "-"), ("head", view.head or "-"),
           ("deputy", view.deputy or "-"), ("facts", ", ".join(sorted(view.facts)) or "-")])


# `cycle migrate` (moving a cycle to another definition version) lives in its own module.
from thidua.cli.migrate import migrate  # noqa: E402

command.add_command(migrate)
