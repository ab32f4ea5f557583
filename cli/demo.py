"""``thidua demo``: replay the reference event's cycle and print its account."""

from __future__ import annotations

import click

from thidua.cli.help import Command
from thidua.cli.output import Env, emit_json, pass_env, say, table
from thidua.workflow.i18n import _


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
    status = _("recorded") if run.recorded else _("already recorded earlier")
    say(_("{CLUSTER}, {PERIOD}: cycle {cycle_id} {status} in {db_url}").format(
            CLUSTER=demo.CLUSTER, PERIOD=demo.PERIOD, cycle_id=run.cycle_id, status=status,
            db_url=env.db_url))
    facts = demo.reference_facts(db, run.cycle_id)
    click.echo()
    say(_("The reference event ({date}, {place}):").format(
            date=facts['date'], place=facts['place']))
    for line in facts["lines"]:
        say(f"  {line}")
    click.echo(_("\nWho did what"))
    table(["date", "step", "who", "role", "unit", "source"],
          [[s["date"], s["trigger"], s["actor"], s["role"] or "", s["unit"] or "",
            _("reference event") if demo.from_reference(s["trigger"]) else _("illustrative")]
           for s in report["steps"]])
    render(report, table, steps=False)
    click.echo()
    say(_("Joining for the second half on {day} (illustrative): {units}; {deputy} deputy from "
          "that day").format(day=demo.JOINED_ON,
                             units=", ".join(unit for unit, _group in demo.JOINING),
                             deputy=demo.JOINING[0][0]))
    click.echo()
    say(_("Mergers of 2025: {items}").format(
            items="; ".join(_("{unit} into {into} ({day})").format(unit=u, into=into, day=day)
                                                for u, into, day in demo.MERGERS)))
    click.echo()
    say(_("ledger verified: {events} events intact, head {head_seq} {head_hash}").format(
            events=verified.events, head_seq=verified.head_seq,
            head_hash=verified.head_hash[:16]))
    click.echo(_("\nExplore what was recorded:"))
    for line in (_("cycle show {cycle_id}").format(
        cycle_id=run.cycle_id), _("cycle history {cycle_id}").format(
                                                   cycle_id=run.cycle_id),
                 _("report cycle {cycle_id} --format markdown").format(cycle_id=run.cycle_id),
                 _("audit log --cycle {cycle_id}").format(
                     cycle_id=run.cycle_id), _("audit verify")):
        say(_("  thidua --db {db_url} {line}").format(db_url=env.db_url, line=line))
