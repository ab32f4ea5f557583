"""Why a step may or may not be taken now: roles, the unit it concerns, the reason, guards.

Every reason is collected, so a secretariat sees all that blocks a step at once.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Actor, Cluster, Cycle, DefinitionRow, Unit
from workflow import directory
from workflow.definition import Transition
from workflow.errors import NotFound
from workflow.loader import Loaded, parse
from workflow.registry import GUARDS, Situation
from workflow.registry import fact_label as _label


def definition_of(session: Session, content_hash: str) -> Loaded:
    """The stored definition version with ``content_hash``, parsed once per process."""
    row = session.get(DefinitionRow, content_hash)
    if row is None:
        raise NotFound(f"no stored definition {content_hash[:12]}")
    return parse(row.source, f"{row.def_id}@{row.version}")


def load_cycle(session: Session, cycle_id: int, *, lock: bool = False) -> Cycle:
    """The cycle ``cycle_id``; its row is locked on PostgreSQL when ``lock``."""
    query = select(Cycle).where(Cycle.id == cycle_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"no cycle {cycle_id} (see: thidua cycle list)")
    return row


@dataclass(frozen=True)
class Context:
    """A cycle with what the rules need to judge a step in it."""

    cycle: Cycle
    cluster: Cluster
    loaded: Loaded
    facts: dict[str, Any]
    members: tuple[str, ...]
    day: dt.date


def context(session: Session, cycle: Cycle, day: dt.date) -> Context:
    """Everything the rules need about ``cycle`` on ``day``."""
    cluster_row = session.get(Cluster, cycle.cluster_id)
    assert cluster_row is not None  # a foreign key guarantees it
    return Context(cycle, cluster_row, definition_of(session, cycle.definition_hash),
                   json.loads(cycle.facts),
                   tuple(directory.members_on(session, cycle.cluster_id, day)), day)


@dataclass(frozen=True)
class Judgement:
    """The verdict on one step: the role it would be taken in, the unit, and what blocks it."""

    role: str | None
    unit: str | None
    reasons: list[str]
    situation: Situation


def judge(session: Session, ctx: Context, transition: Transition, person: Actor | None, *,
          unit: str | None = None, inputs: dict[str, Any] | None = None,
          reason: str | None = None, check_reason: bool = True,
          occurred_at: str = "") -> Judgement:
    """Every reason ``person`` may not take ``transition`` now (none: it may)."""
    own_unit = _unit_name(session, person)
    target = (unit or own_unit) if transition.per_unit else None
    reasons: list[str] = []
    role = None
    if person is not None:
        held = directory.roles_of(session, person, ctx.cluster, ctx.cycle.period, ctx.day)
        if transition.per_unit and target != own_unit:
            held.discard("member_unit")  # a member unit records only for itself
        role = next((r for r in transition.roles if r in held), None)
        if role is None:
            reasons.append(_role_refusal(person.name, transition, ctx, target, own_unit))
    if transition.per_unit:
        reasons += _unit_refusals(transition, ctx, target)
    if check_reason and transition.reason_required and not (reason or "").strip():
        reasons.append(f"{transition.trigger} needs a written reason (--reason)")
    head, deputy = directory.leadership(session, ctx.cycle.cluster_id, ctx.cycle.period, ctx.day)
    situation = Situation(facts=ctx.facts, members=ctx.members,
                          parameters=ctx.loaded.definition.parameter_values(),
                          actor=person.name if person else "", actor_unit=own_unit, unit=target,
                          inputs=inputs or {}, reason=reason, occurred_at=occurred_at,
                          head=head, deputy=deputy, definition=ctx.loaded.definition)
    for call in transition.guards:
        entry = GUARDS[call.name]
        reasons += entry.fn(situation, entry.params.model_validate(call.params))
    return Judgement(role, target, reasons, situation)


def _unit_name(session: Session, person: Actor | None) -> str | None:
    if person is None or person.unit_id is None:
        return None
    row = session.get(Unit, person.unit_id)
    return row.name if row else None


def _role_refusal(name: str, transition: Transition, ctx: Context, target: str | None,
                  own_unit: str | None) -> str:
    wanted = ", ".join(transition.roles)
    where = f"{ctx.cluster.name} {ctx.cycle.period}"
    if transition.per_unit and target and target != own_unit and "member_unit" in transition.roles:
        return (f"{name} may record {_label(transition.records or '')} only for their own unit "
                f"({own_unit or 'none'}), not for {target}")
    return f"{name} holds none of the roles {wanted} in {where}"


def _unit_refusals(transition: Transition, ctx: Context, target: str | None) -> list[str]:
    if target is None:
        return [f"{transition.trigger} records for one member unit: name it with --unit"]
    if target not in ctx.members:
        return [f"{target} is not a member unit of {ctx.cluster.name}"]
    fact = transition.records or ""
    if not transition.repeatable and target in (ctx.facts.get(fact) or {}):
        return [f"{target} has already recorded {_label(fact)}"]
    return []
