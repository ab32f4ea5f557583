"""``thidua demo``: replay the reference event's cycle and print its account."""

from __future__ import annotations

import click

from thidua.cli.help import Command
from thidua.cli.output import Env, emit_json, pass_env, say, table


@click.command("demo", cls=Command)
@pass_env
def command(env: Env) -> None:
    """Replay the cycle of Emulation Cluster no. 5 (Veterans Association, 2023) into the
    database (default: thidua-demo.db here) and print its account.

    \b
    Example:
      thidua demo
      thidua --db /tmp/demo.db demo
    """
    from thidua.cli.report import render
    from thidua.workflow.audit.verify import verify
    from thidua.workflow.services import demo
    from thidua.workflow.services.report import cycle_report

    if env.db_url is None:
        env.db_url = "thidua-demo.db"
    db = env.db()
    run = demo.run(db)
    report = cycle_report(db, run.cycle_id, env.lang)
    verified = verify(db)
    if env.as_json:
        emit_json({"recorded": run.recorded, "report": report, "ledger": verified})
        return
    status = "recorded" if run.recorded else "already recorded earlier"
    say(f"{demo.CLUSTER}, {demo.PERIOD}: cycle {run.cycle_id} {status} in {env.db_url}")
    facts = demo.reference_facts(db, run.cycle_id)
    click.echo()
    say(f"The reference event ({facts['date']}, {facts['place']}):")
    for line in facts["lines"]:
        say(f"  {line}")
    click.echo("\nWho did what")
    table(["date", "step", "who", "role", "unit", "source"],
          [[s["date"], s["trigger"], s["actor"], s["role"] or "", s["unit"] or "",
            "reference event" if demo.from_reference(s["trigger"]) else "illustrative"]
           for s in report["steps"]])
    render(report, table, steps=False)
    click.echo()
    say("Mergers of 2025: " + "; ".join(f"{u} into {into} ({day})"
                                                for u, into, day in demo.MERGERS))
    click.echo()
    say(f"ledger verified: {verified.events} events intact, head {verified.head_seq} "
               f"{verified.head_hash[:16]}")
    click.echo("\nExplore what was recorded:")
    for line in (f"cycle show {run.cycle_id}", f"cycle history {run.cycle_id}",
                 f"report cycle {run.cycle_id} --format markdown",
                 f"audit log --cycle {run.cycle_id}", "audit verify"):
        say(f"  thidua --db {env.db_url} {line}")
