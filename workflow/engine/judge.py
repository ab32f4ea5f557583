"""Why a step may or may not be taken now: roles, the unit it concerns, the reason, guards.

Every reason is collected, so a secretariat sees all that blocks a step at once.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thidua.store import cycles, definitions
from thidua.store import directory as queries
from thidua.workflow.engine import register, roster
from thidua.workflow.engine.lookup import Lookup
from thidua.workflow.engine.rows import checked_facts
from thidua.workflow.errors import IntegrityFailure, InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.language import compiled
from thidua.workflow.language.loaded import Loaded
from thidua.workflow.language.model import Transition
from thidua.workflow.rules.library import GUARDS
from thidua.workflow.rules.registry import Situation, key_of
from thidua.workflow.rules.registry import fact_label as _label
from thidua.workflow.timeutil import due_date

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.models import Actor, Cluster, Cycle

# Parsed stored definitions by content hash: a version never changes (its hash is its
# identity), so once parsed it is neither fetched nor parsed again in this process.
_BY_HASH: dict[str, Loaded] = {}


def definition_of(session: Session, content_hash: str) -> Loaded:
    """The stored definition version with ``content_hash``, read once per process: from its
    compiled form (no YAML, no validation), else parsed from its source."""
    loaded = _BY_HASH.get(content_hash)
    if loaded is None:
        row = definitions.with_compiled(session, content_hash)
        if row is None:
            raise NotFound(f"no stored definition {content_hash[:12]}")
        loaded = _BY_HASH[content_hash] = (_compiled(content_hash, row)
                                           or _parsed(content_hash, row))
    return loaded


def _compiled(content_hash: str, row: Any) -> Loaded | None:
    """A stored version from its compiled form, when it has one of the current format; what
    it says is checked against the source by ``audit verify``."""
    if (row.format != compiled.FORMAT or not isinstance(row.body, str)
            or not isinstance(row.source, str)):
        return None  # parsed from the source instead (which names a source not stored as text)
    try:
        return compiled.load(row.body, source=row.source, content_hash=content_hash,
                             file=f"{row.def_id}@{row.version}")
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise IntegrityFailure(f"the compiled form of stored definition {content_hash[:12]} "
                               "no longer reads: it was changed outside thidua; run thidua "
                               "audit verify", kind="altered") from None


def _parsed(content_hash: str, row: Any) -> Loaded:
    """A stored version's source, parsed; thidua stores only text that parses within the
    bounds, so anything else was put there outside thidua."""
    where = _("stored definition {content_hash}").format(content_hash=content_hash[:12])
    if not isinstance(row.source, str):
        raise IntegrityFailure(_("{where} is not text: it was changed outside thidua; run "
                                 "thidua audit verify").format(where=where), kind="altered")
    try:
        from thidua.workflow.language.loader import parse  # the YAML reader: on demand

        return parse(row.source, f"{row.def_id}@{row.version}")
    except InvalidInput as exc:
        raise IntegrityFailure(_("{where} no longer reads as a definition ({exc}): it was "
                                 "changed outside thidua; run thidua audit verify").format(
                                   where=where, exc=exc),
                               kind="altered") from None


def cycle_version(session: Session, cycle_id: int) -> int:
    """The version cycle ``cycle_id`` is at (without loading the whole cycle)."""
    version = cycles.version_of(session, cycle_id)
    if version is None:
        raise NotFound(_("no cycle {cycle_id} (see: thidua cycle list)").format(
                           cycle_id=cycle_id))
    return version


@dataclass(frozen=True)
class Context:
    """A cycle with what the rules need to judge a step in it."""

    cycle: Cycle
    cluster: Cluster
    loaded: Loaded
    facts: dict[str, Any]
    members: tuple[str, ...]
    day: dt.date
    zone: dt.tzinfo = dt.UTC  # the database's business zone, in which ``day`` is a day
    lookup: Lookup | None = None  # where the directory is asked (None: the database, each time)


def context(session: Session, cycle: Cycle, day: dt.date, zone: dt.tzinfo = dt.UTC, *,
            lookup: Lookup | None = None, cluster: Any = None) -> Context:
    """Everything the rules need about ``cycle`` on ``day`` (a day in ``zone``); a caller that
    judges many cycles passes the ``lookup`` it preloaded and the cycle's ``cluster`` row."""
    cluster_row = cluster or queries.cluster_by_id(session, cycle.cluster_id)
    assert cluster_row is not None  # a foreign key guarantees it
    loaded = definition_of(session, cycle.definition_hash)
    members = (lookup or Lookup(session)).members_on(cycle.cluster_id, day)
    return Context(cycle, cluster_row, loaded, _facts(cycle, loaded), tuple(members), day,
                   zone, lookup)


def _facts(cycle: Cycle, loaded: Loaded) -> dict[str, Any]:
    """The cycle row's facts, checked against its definition's states."""
    return checked_facts(cycle, {state.name for state in loaded.definition.states}, loaded.ref)


@dataclass(frozen=True)
class Judgement:
    """The verdict on one step: the role it would be taken in, the unit, and what blocks it."""

    role: str | None
    unit: str | None
    reasons: list[str]
    situation: Situation
    role_held: bool = True  # False: the person holds no role for the step at all


def judge(session: Session, ctx: Context, transition: Transition, person: Actor | None, *,
          unit: str | None = None, inputs: dict[str, Any] | None = None,
          reason: str | None = None, validators: bool = True,
          occurred_at: str = "") -> Judgement:
    """Every reason ``person`` may not take ``transition`` now (none: it may).

    With ``validators`` False only the cycle's state is judged (the role, the unit the step
    implies, the guards that are conditions): what ``why`` and ``todo`` show before anyone has
    given the step's inputs, its unit or its reason."""
    lookup = ctx.lookup or Lookup(session)
    own_unit = _unit_of(lookup, person)
    target = (unit or own_unit) if transition.per_unit else None
    head, deputy = lookup.leadership(ctx.cycle.cluster_id, ctx.cycle.period, ctx.day)
    role, reasons = _role(lookup, ctx, transition, person, own_unit, target, (head, deputy))
    if transition.per_unit and (validators or target is not None):
        reasons += _unit_refusals(transition, ctx, target)
    if transition.due and ctx.day > due_date(transition.due, ctx.cycle.period):
        reasons.append(_("{trigger} was due by {due}: it is {day}").format(
            trigger=transition.trigger,
            due=due_date(transition.due, ctx.cycle.period).isoformat(),
            day=ctx.day.isoformat()))
    if validators and transition.reason_required and not (reason or "").strip():
        reasons.append(_("{trigger} needs a written reason (--reason)").format(
                           trigger=transition.trigger))
    if validators and transition.keyed_by is not None:
        reasons += _key_refusals(transition, ctx, (inputs or {}).get(transition.keyed_by))
    situation = Situation(facts=ctx.facts, members=ctx.members,
                          parameters=ctx.loaded.definition.parameter_values(),
                          actor=person.name if person else "", actor_unit=own_unit, unit=target,
                          inputs=inputs or {}, reason=reason, occurred_at=occurred_at,
                          head=head, deputy=deputy, definition=ctx.loaded.definition,
                          zone=ctx.zone, cycle_id=ctx.cycle.id, period=ctx.cycle.period,
                          history=functools.cache(
                              lambda: tuple(register.lines(session, definition_of,
                                                        exclude=ctx.cycle.id))))
    for call in transition.guards:
        entry = GUARDS[call.name]
        if validators or entry.kind == "condition":
            reasons += entry.fn(situation, entry.params.model_validate(call.params))
    return Judgement(role, target, reasons, situation,
                     role_held=person is None or role is not None)


def _unit_of(lookup: Lookup, person: Any) -> str | None:
    """The name of ``person``'s unit: read with the person (a row of
    :func:`workflow.engine.roster.person`), else asked."""
    if person is None:
        return None
    try:
        known: str | None = person.unit_name
    except AttributeError:
        return lookup.unit_name(person.unit_id)
    return known


def _role(lookup: Lookup, ctx: Context, transition: Transition, person: Actor | None,
          own_unit: str | None, target: str | None,
          leaders: tuple[str | None, str | None]) -> tuple[str | None, list[str]]:
    """The role ``person`` would take the step in, or why they hold none."""
    if person is None:
        return None, []
    held = roster.roles_of(lookup.target, person, ctx.cluster, ctx.cycle.period, ctx.day,
                           members=ctx.members, leaders=leaders, unit_name=own_unit,
                           granted=lookup.granted_roles(person.id, ctx.cluster.id,
                                                        ctx.cycle.period))
    if transition.per_unit and target != own_unit:
        held.discard("member_unit")  # a member unit records only for itself
    auditor = roster.auditor_refusal(person, held, transition.roles)
    if auditor:
        return None, auditor
    role = next((r for r in transition.roles if r in held), None)
    if role is None:
        return None, [_role_refusal(person.name, transition, ctx, target, own_unit)]
    return role, []


def _role_refusal(name: str, transition: Transition, ctx: Context, target: str | None,
                  own_unit: str | None) -> str:
    wanted = ", ".join(transition.roles)
    where = f"{ctx.cluster.name} {ctx.cycle.period}"
    if transition.per_unit and target and target != own_unit and "member_unit" in transition.roles:
        return (_("{name} may record {records} only for their own unit ({own_unit}), not for "
                  "{target}").format(
                    name=name, records=_label(transition.records or '', ctx.loaded.definition),
                    own_unit=own_unit or _("none"), target=target))
    return _("{name} holds none of the roles {wanted} in {where}").format(
               name=name, wanted=wanted, where=where)


def _unit_refusals(transition: Transition, ctx: Context, target: str | None) -> list[str]:
    if target is None:
        return [_("{trigger} records for one member unit: name it with --unit").format(
                    trigger=transition.trigger)]
    if target not in ctx.members:
        return [_("{target} is not a member unit of {cluster}").format(
                    target=target, cluster=ctx.cluster.name)]
    fact = transition.records or ""
    if not transition.repeatable and target in (ctx.facts.get(fact) or {}):
        return [_("{target} has already recorded {fact}").format(
                    target=target, fact=_label(fact, ctx.loaded.definition))]
    return []


def _key_refusals(transition: Transition, ctx: Context, value: Any) -> list[str]:
    """A step keyed by an input records once per key: a second time is refused."""
    fact = transition.records or ""
    key = key_of(value)
    if value is not None and key in (ctx.facts.get(fact) or {}):
        return [_("{key} already has a recorded {fact}").format(
                    key=key, fact=_label(fact, ctx.loaded.definition))]
    return []
