"""``thidua audit``: read and verify the tamper-evident ledger."""

from __future__ import annotations

import json

import click

from cli.output import Env, emit_json, pass_env, table


@click.group("audit")
def command() -> None:
    """Read and verify the tamper-evident ledger.

    \b
    Example:
      thidua audit verify
    """


@command.command("log")
@click.option("--cycle", "cycle_id", type=int, help="Only this cycle's events.")
@click.option("--limit", type=int, help="Only the last N events.")
@pass_env
def log(env: Env, cycle_id: int | None, limit: int | None) -> None:
    """The ledger's events, oldest first.

    \b
    Example:
      thidua audit log --cycle 1 --limit 20
    """
    from workflow.audit import log as ledger_log

    events = ledger_log(env.db(), cycle_id=cycle_id, limit=limit)
    if env.as_json:
        emit_json(events)
        return
    table(["seq", "recorded", "cycle", "event", "actor", "operator", "details", "hash"],
          [[e["seq"], e["at"][:19], e["cycle"] or "", _event(e), e["actor"], e["operator"],
            _details(e), e["hash"][:12]] for e in events])


def _event(e: dict[str, object]) -> str:
    if e["kind"] == "fire":
        return f"{e['trigger']} {e['from']}->{e['to']}"
    return f"{e['trigger']}" + (f" ->{e['to']}" if e["to"] else "")


def _details(e: dict[str, object]) -> str:
    parts = [f"unit={e['unit']}"] if e["unit"] else []
    if e["reason"]:
        parts.append(f"reason={e['reason']}")
    if e["inputs"]:
        parts.append(json.dumps(e["inputs"], ensure_ascii=False)[:60])
    return " ".join(parts)


@command.command("verify")
@pass_env
def verify(env: Env) -> None:
    """Re-hash the whole ledger; exit 4 and name the first bad event if anything was altered.

    \b
    Example:
      thidua audit verify
    """
    from workflow.audit import verify as verify_ledger

    result = verify_ledger(env.db())
    if env.as_json:
        emit_json({"ok": True, **result.__dict__})
    else:
        click.echo(f"ledger intact: {result.events} events, head {result.head_seq} "
                   f"{result.head_hash[:16]}")
