"""``thidua cycle migrate``: move a running cycle to another published definition version."""

from __future__ import annotations

import click

from thidua.cli import completion
from thidua.cli.help import Command
from thidua.cli.output import REASON, VERSION, Env, emit_json, pairs, pass_env, plain, say
from thidua.workflow.i18n import _


@click.command("migrate", cls=Command)
@click.argument("cycle_id", type=int, shell_complete=completion.cycle_ids)
@click.option("--to", "to", required=True, metavar="VERSION",
              help="A published version: VERSION of the cycle's definition, ID@VERSION or a hash.")
@click.option("--plan", "mode", flag_value="plan", default=True,
              help="Say what would change (the default); nothing is written.")
@click.option("--apply", "mode", flag_value="apply", help="Migrate the cycle.")
@click.option("--map", "mapping", multiple=True, metavar="OLD=NEW",
              help="The state of the new version that stands for OLD (repeat).")
@click.option("--reason", type=REASON, help="Why the cycle moves (recorded in the ledger).")
@click.option("--expect-version", type=VERSION, help="Refuse (exit 3) unless the cycle is at it.")
@click.option("--at", "occurred_at", metavar="DATE",
              help="When it takes effect (YYYY-MM-DD[THH:MM]; default: now).")
@pass_env
def migrate(env: Env, cycle_id: int, to: str, mode: str, mapping: tuple[str, ...],
            reason: str | None, expect_version: int | None, occurred_at: str | None) -> None:
    """Move cycle CYCLE_ID to another published version of its definition.

    --plan says what changes (state, steps, facts) and refuses (exit 1) when the current
    state has no counterpart and no --map names one; --apply (an administrator's step)
    migrates it in the ledger.

    \b
    Example:
      thidua cycle migrate 1 --to 2024.1 --plan
      thidua cycle migrate 1 --to 2024.1 --apply --map handover=second_half
    """
    from thidua.workflow.services import migrate as migration

    states = {}
    for item in mapping:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(_("{item!r} is not OLD=NEW").format(
                item=item), param_hint="--map")
        states[_state(old, "--map")] = _state(new, "--map")
    if mode == "apply":
        done = migration.apply(env.db(), cycle_id, to, states, reason=reason,
                               occurred_at=occurred_at, expected_version=expect_version)
        if env.as_json:
            emit_json(done)
            return
        say(_("cycle {cycle_id}: migrated {from_definition} -> {to_definition}: {from_state} "
              "-> {to_state} (version {version}, event {seq})").format(
                cycle_id=done.cycle_id, from_definition=done.from_definition,
                to_definition=done.to_definition, from_state=done.from_state,
                to_state=done.to_state, version=done.version, seq=done.seq))
        return
    plan = migration.plan(env.db(), cycle_id, to, states)
    if env.as_json:
        emit_json({**plain(plan), "ok": plan.ok})
    else:
        pairs([("cycle", plan.cycle_id),
               ("from", f"{plan.from_definition} ({plan.from_hash[:12]})"),
               ("to", f"{plan.to_definition} ({plan.to_hash[:12]})"),
               ("state", f"{plan.from_state} -> {plan.to_state or '?'}"
                         + (" (mapped)" if plan.mapped else "")),
               ("steps", ", ".join(plan.steps) or "-"),
               (_("new steps"), ", ".join(plan.steps_added) or "-"),
               (_("gone steps"), ", ".join(plan.steps_removed) or "-"),
               (_("facts kept"), ", ".join(plan.facts) or "-")])
        for warning in plan.warnings:
            say(_("warning  {warning}").format(warning=warning))
        for problem in plan.problems:
            say(_("problem  {problem}").format(problem=problem))
    if not plan.ok:
        from thidua.workflow.errors import TransitionRefused

        raise TransitionRefused("migrate", plan.problems)



def _state(text: str, field: str) -> str:
    """A state's name typed by a user, in one form (see ``workflow.names``)."""
    from thidua.workflow import names
    from thidua.workflow.errors import InvalidInput

    try:
        return names.name(text, field, limit=64)
    except InvalidInput as exc:
        raise click.BadParameter(str(exc), param_hint=field) from None
