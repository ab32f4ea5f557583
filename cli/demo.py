"""``thidua demo``: replay the reference event's cycle and print its account."""

from __future__ import annotations

from typing import Any

import click

from cli.output import Env, emit_json, pass_env, table


@click.command("demo")
@pass_env
def command(env: Env) -> None:
    """Replay the cycle of Emulation Cluster no. 5 (Veterans Association, 2023) into the
    database (default: thidua-demo.db here) and print its account.

    \b
    Example:
      thidua demo
      thidua --db /tmp/demo.db demo
    """
    from workflow import demo
    from workflow.audit import verify
    from workflow.views import definition_for, history, show

    if env.db_url is None:
        env.db_url = "thidua-demo.db"
    db = env.db()
    run = demo.run(db)
    view = show(db, run.cycle_id)
    definition = definition_for(db, run.cycle_id).definition
    events = history(db, run.cycle_id)
    verified = verify(db)
    if env.as_json:
        emit_json({"cycle": view, "recorded": run.recorded, "history": events,
                   "ledger": verified})
        return
    db_arg = env.db_url
    status = "recorded" if run.recorded else "already recorded earlier"
    click.echo(f"{demo.CLUSTER}, {demo.PERIOD}: cycle {view.id} {status} in {db_arg}")
    click.echo(f"members: {', '.join(view.members)}; head {view.head}, deputy {view.deputy}")
    click.echo()
    table(["date", "step", "state", "who", "unit", "source"],
          [[e["occurred_at"][:10], env.label(_label(definition, e["trigger"]), e["trigger"]),
            e["to"], e["actor"], e["unit"] or "",
            "reference event" if demo.from_reference(e["trigger"]) else "illustrative"]
           for e in events])
    midyear = view.facts.get("midyear_minutes", {})
    click.echo()
    click.echo(f"mid-year review: {midyear.get('place')}, chaired by {midyear.get('chaired_by')}")
    click.echo(f"report presented by: {midyear.get('presented_by')}")
    click.echo("second-half tasks: " + "; ".join(midyear.get("second_half_tasks", [])))
    handover = view.facts.get("leadership_handover", {})
    click.echo(f"handover: {handover.get('outgoing_head')} -> {handover.get('incoming_head')}; "
               f"farewell to {', '.join(handover.get('leaving', []))}")
    click.echo(f"final state: {view.state}; ledger verified: {verified.events} events, "
               f"head {verified.head_hash[:16]}")
    click.echo()
    click.echo("Explore what was recorded:")
    for line in (f"cycle show {view.id}", f"cycle history {view.id}", f"cycle why {view.id}",
                 f"audit log --cycle {view.id}", "audit verify"):
        click.echo(f"  thidua --db {db_arg} {line}")


def _label(definition: Any, trigger: str) -> Any:
    steps = definition.transitions_for(trigger)
    return steps[0].label if steps else None
