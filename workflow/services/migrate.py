"""Moving a running cycle to another published version of its definition, safely.

A cycle stays pinned to the version it started on (``cycles.definition_hash``) until it is
migrated. The plan says what would change: the state (kept when the new version has a state of
that name, else mapped with ``--map OLD=NEW``), the steps possible from there, the facts kept
and those no step of the new version records, and the guards that could never pass again. The
plan refuses when the current state has no counterpart and no mapping. An applied migration
writes the cycle (version + 1) and one ledger event of kind ``migrate`` naming both versions,
in one transaction; replaying the ledger switches definition at that event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from thidua.store.models import Cycle
from thidua.workflow import names
from thidua.workflow.engine.judge import definition_of
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import Conflict, InvalidInput, NotFound, TransitionRefused
from thidua.workflow.i18n import _
from thidua.workflow.language.loader import Loaded
from thidua.workflow.language.model import Definition
from thidua.workflow.services import identity
from thidua.workflow.services.cycles import matches_its_ledger, stored_facts, write
from thidua.workflow.services.db import Database, record
from thidua.workflow.services.publish import is_hash, stored_version
from thidua.workflow.timeutil import iso, now, parse_moment

BOOKKEEPING = ("reasons", "superseded")  # kept by the engine, not recorded by a step


@dataclass(frozen=True)
class MigrationPlan:
    """What migrating a cycle would change; ``problems`` lists why it may not be applied."""

    cycle_id: int
    cycle_version: int
    from_definition: str
    from_hash: str
    to_definition: str
    to_hash: str
    from_state: str
    to_state: str | None
    mapped: bool
    steps: list[str]
    steps_added: list[str]
    steps_removed: list[str]
    facts: list[str]
    facts_unrecorded: list[str]
    warnings: list[str]
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when the migration may be applied."""
        return not self.problems


@dataclass(frozen=True)
class Migrated:
    """An applied migration: the cycle's new version and state, and its ledger event."""

    cycle_id: int
    from_definition: str
    to_definition: str
    from_state: str
    to_state: str
    version: int
    seq: int


def plan(db: Database, cycle_id: int, to: str, mapping: dict[str, str] | None = None) -> \
        MigrationPlan:
    """What migrating cycle ``cycle_id`` to version ``to`` would change (nothing is written)."""
    with db.transaction(write=False) as session:
        cycle = load_cycle(session, cycle_id)
        current = definition_of(session, cycle.definition_hash)
        return _plan(cycle, current, _target(session, current, to, cycle_id), mapping or {})


def apply(db: Database, cycle_id: int, to: str, mapping: dict[str, str] | None = None, *,
          reason: str | None = None, occurred_at: str | None = None,
          expected_version: int | None = None) -> Migrated:
    """Migrate cycle ``cycle_id`` to version ``to``, a step of an administrator of its
    cluster and period (see :mod:`workflow.services.identity`); refused when the plan has
    problems."""
    reason = names.reason(reason)
    moment = parse_moment(occurred_at, "--at", db.zone) if occurred_at else now()
    if moment > now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("the date {iso} is in the future").format(iso=iso(moment)))
    with db.transaction() as session:
        cycle = load_cycle(session, cycle_id, lock=True)
        if expected_version is not None and cycle.version != expected_version:
            raise Conflict(_("cycle {cycle_id} is at version {version}, not "
                             "{expected_version}: look again").format(
                               cycle_id=cycle_id, version=cycle.version,
                               expected_version=expected_version))
        current = definition_of(session, cycle.definition_hash)
        target = _target(session, current, to, cycle_id)
        planned = _plan(cycle, current, target, mapping or {})
        if planned.problems or planned.to_state is None:
            raise TransitionRefused("migrate", planned.problems)
        matches_its_ledger(session, cycle, moment)
        who = identity.require_admin(session, db, "migrate",
                                     identity.Scope(cycle.cluster_id, cycle.period))
        row = record(session, db, kind="migrate", trigger="migrate", actor=who,
                     cycle_id=cycle.id, cycle_version=cycle.version + 1,
                     from_state=cycle.state, to_state=planned.to_state,
                     occurred_at=iso(moment), reason=reason or None, definition=target.hash,
                     inputs={"from_definition": current.hash, "to_definition": target.hash,
                             "from_version": current.ref, "to_version": target.ref,
                             "map": dict(mapping or {})})
        write(session, cycle, planned.to_state, json.loads(cycle.facts), row,
              definition_hash=target.hash)
        return Migrated(cycle.id, current.ref, target.ref, cycle.state, planned.to_state,
                        cycle.version + 1, row.seq)


def _target(session: Session, current: Loaded, to: str, cycle_id: int) -> Loaded:
    """The published version ``to``: ``VERSION`` of the cycle's definition, ``ID@VERSION`` or a
    content hash."""
    name = to if "@" in to or is_hash(to) else f"{current.definition.id}@{to}"
    target = stored_version(session, name, published_only=True)
    if target is None:
        raise NotFound(_("no published version {name!r} (see: thidua def versions "
                         "{definition}; publish it with: thidua def publish FILE)").format(
                           name=name, definition=current.definition.id))
    if target.definition.id != current.definition.id:
        raise InvalidInput(_("cycle {cycle_id} runs on {ref}: it can move to another version "
                             "of {definition}, not to {ref2}").format(
                               cycle_id=cycle_id, ref=current.ref,
                               definition=current.definition.id, ref2=target.ref))
    if target.hash == current.hash:
        raise InvalidInput(_("cycle {cycle_id} already runs on {ref}").format(
                               cycle_id=cycle_id, ref=target.ref))
    return target


def _plan(cycle: Cycle, current: Loaded, target: Loaded,
          mapping: dict[str, str]) -> MigrationPlan:
    old, new = current.definition, target.definition
    problems = _mapping_problems(current, target, mapping)
    new_states = {s.name for s in new.states}
    to_state: str | None = mapping.get(cycle.state, cycle.state)
    if to_state not in new_states:
        if cycle.state not in mapping:
            problems.append(_("state {state!r} has no counterpart in {ref}: name one with "
                              "--map {state}=STATE").format(state=cycle.state, ref=target.ref))
        to_state = None
    facts = stored_facts(cycle)
    recorded = [name for name in facts if name not in BOOKKEEPING]
    kept_by_steps = {t.records for t in new.transitions if t.records}
    unrecorded = [name for name in recorded if name not in kept_by_steps]
    before, after = _steps(old, cycle.state), _steps(new, to_state)
    warnings = [_("fact {name!r} is kept, but no step of {ref} records it").format(
                    name=name, ref=target.ref)
                for name in unrecorded]
    if to_state is not None:
        warnings += _unreachable_facts(new, to_state, facts)
    return MigrationPlan(
        cycle.id, cycle.version, current.ref, current.hash, target.ref, target.hash,
        cycle.state, to_state, cycle.state in mapping, after,
        [s for s in after if s not in before], [s for s in before if s not in after],
        recorded, unrecorded, warnings, problems)


def _mapping_problems(current: Loaded, target: Loaded, mapping: dict[str, str]) -> list[str]:
    old_states = {s.name for s in current.definition.states}
    new_states = {s.name for s in target.definition.states}
    problems = []
    for old, new in mapping.items():
        if old not in old_states:
            problems.append(_("--map {old}={new}: {ref} has no state {old!r}").format(
                                old=old, new=new, ref=current.ref))
        if new not in new_states:
            problems.append(_("--map {old}={new}: {ref} has no state {new!r}").format(
                                old=old, new=new, ref=target.ref))
    return problems


def _steps(defn: Definition, state: str | None) -> list[str]:
    return list(dict.fromkeys(t.trigger for t in defn.transitions if state in t.source))


def _unreachable_facts(defn: Definition, state: str, facts: dict[str, Any]) -> list[str]:
    """Guards ahead that need a fact not yet recorded, which no step ahead records."""
    ahead, todo = {state}, [state]
    while todo:
        here = todo.pop()
        for t in defn.transitions:
            if here in t.source and t.dest is not None and t.dest not in ahead:
                ahead.add(t.dest)
                todo.append(t.dest)
    steps = [t for t in defn.transitions if set(t.source) & ahead]
    recordable = {t.records for t in steps if t.records}
    warnings = []
    for t in steps:
        for call in t.guards:
            fact = call.params.get("fact")
            if isinstance(fact, str) and fact not in facts and fact not in recordable:
                warnings.append(_("{trigger} needs {replace}, which is not recorded and no "
                                  "step from {state!r} onwards records it").format(
                                    trigger=t.trigger, replace=fact.replace('_', ' '),
                                    state=state))
    return warnings
