"""Reading cycles: show, list, history, and what can be done now and why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from thidua.store import cycles as stored_cycles
from thidua.store import definitions as stored_definitions
from thidua.store import directory as queries
from thidua.store import ledger
from thidua.store.ledger import as_event
from thidua.workflow import names as naming
from thidua.workflow.engine import machine, roster
from thidua.workflow.engine.judge import context, definition_of, judge, load_cycle
from thidua.workflow.engine.step import Step
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.language.loader import Loaded
from thidua.workflow.language.model import Label
from thidua.workflow.services.cycles import stored_facts
from thidua.workflow.services.db import Database
from thidua.workflow.services.meetings import meeting_line
from thidua.workflow.timeutil import days, due_date, parse_stored
from thidua.workflow.timeutil import today as business_today

DRAFT = "draft"  # the status of a definition version stored by `cycle start --draft`


@dataclass(frozen=True)
class CycleView:
    """A cycle as shown to users."""

    id: int
    definition: str
    definition_hash: str
    cluster: str
    period: int
    state: str
    state_label: Label | None
    version: int
    due: str | None
    overdue: bool
    final: bool
    members: list[str]
    head: str | None
    deputy: str | None
    facts: dict[str, Any] = field(default_factory=dict)
    draft: bool = False  # the definition version is a draft, never published


@dataclass(frozen=True)
class Option:
    """A step from the current state, with every reason it is refused now (none: allowed)."""

    trigger: str
    dest: str | None
    label: Label | None
    roles: list[str]
    inputs: list[str]
    reason_required: bool
    per_unit: bool
    reasons: list[str]
    role_held: bool = True

    @property
    def allowed(self) -> bool:
        """True when nothing refuses the step."""
        return not self.reasons


def show(db: Database, cycle_id: int, *, today: dt.date | None = None) -> CycleView:
    """One cycle: state, version, due date, members, head and deputy, facts; due dates and
    overdue marks are judged on today in the database's business zone."""
    zone = db.zone  # read before the transaction below
    today = today or business_today(zone)
    with db.transaction(write=False) as session:
        cycle = load_cycle(session, cycle_id)
        ctx = context(session, cycle, today, zone)
        state = ctx.loaded.definition.state(cycle.state)
        head, deputy = queries.leadership(session, cycle.cluster_id, cycle.period)
        due = due_date(state.due, cycle.period) if state.due else None
        return CycleView(
            cycle.id, ctx.loaded.ref, cycle.definition_hash, ctx.cluster.name, cycle.period,
            cycle.state, state.label, cycle.version, due.isoformat() if due else None,
            bool(due and today > due and not state.final), state.final, list(ctx.members),
            head, deputy, stored_facts(cycle),
            stored_definitions.status_of(session, cycle.definition_hash) == DRAFT)


def list_cycles(db: Database, *, state: str | None = None, cluster: str | None = None,
                period: int | None = None) -> list[dict[str, Any]]:
    """Cycles, newest first, filtered by state, cluster and period; a cluster that does not
    exist is not found."""
    with db.transaction(write=False) as session:
        if cluster is not None:
            cluster = roster.cluster(session, naming.name(cluster, "--cluster")).name
        rows = stored_cycles.listed(session, state=state, cluster=cluster, period=period)
    return [{"id": r.id, "cluster": r.cluster, "period": r.period, "state": r.state,
             "version": r.version, "definition": f"{r.def_id}@{r.definition_version}",
             "draft": r.definition_status == DRAFT}
            for r in rows]


def enters_state(event: dict[str, Any]) -> bool:
    """True when a cycle's ledger event puts it in a state it was not in: its start, and each
    step or migration to another state."""
    return event["kind"] == "start" or (event["kind"] in ("fire", "migrate")
                                         and event["to"] != event["from"])


def history(db: Database, cycle_id: int) -> list[dict[str, Any]]:
    """The cycle's ledger events, oldest first, each with the time spent in its new state;
    an event taken on a draft definition version carries ``draft: true``."""
    with db.transaction(write=False) as session:
        load_cycle(session, cycle_id)
        events = [as_event(row) for row in ledger.of_cycle(session, cycle_id)]
        hashes = {e["definition"] for e in events if e["definition"]}
        drafts = {h for h in hashes if stored_definitions.status_of(session, h) == DRAFT}
        versions = {h: definition_of(session, h).definition for h in hashes}
    for event in events:
        if event["definition"] in drafts:
            event["draft"] = True
        defn = versions.get(event["definition"])
        if defn is not None and any(t.meeting for t in defn.transitions_for(event["trigger"])):
            event["meeting"] = meeting_line(event["inputs"])
    # Time spent in a state runs from the step that entered it to the step that left it.
    entries = [e for e in events if enters_state(e)]
    for event, following in zip(entries, [*entries[1:], None], strict=True):
        if following is not None:
            event["days_in_state"] = days(parse_stored(following["occurred_at"])
                                          - parse_stored(event["occurred_at"]))
    return events


def definition_for(db: Database, cycle_id: int) -> Loaded:
    """The definition version cycle ``cycle_id`` is pinned to."""
    with db.transaction(write=False) as session:
        return definition_of(session, load_cycle(session, cycle_id).definition_hash)


def why(db: Database, cycle_id: int, *, actor: str | None = None,
        trigger: str | None = None, today: dt.date | None = None) -> list[Option]:
    """Each step possible from the cycle's state, with every reason it is refused now."""
    zone = db.zone  # read before the transaction below
    today = today or business_today(zone)
    actor = naming.optional_name(actor, "--as")
    with db.transaction(write=False) as session:
        cycle = load_cycle(session, cycle_id)
        ctx = context(session, cycle, today, zone)
        person = roster.person_or_operator(session, db.operator, actor) if actor else None
        definition = ctx.loaded.definition
        names = machine.triggers_from(ctx.loaded, cycle.state)
        if trigger is not None:
            if not definition.transitions_for(trigger):
                raise InvalidInput(_("unknown trigger {trigger!r} in {ref}").format(
                                       trigger=trigger, ref=ctx.loaded.ref))
            if trigger not in names:
                t = definition.transitions_for(trigger)[0]
                return [Option(trigger, t.dest, t.label, t.roles,
                               [k for k, s in t.inputs.items() if s.required],
                               t.reason_required, t.per_unit,
                               [_("{trigger} cannot be fired from state {state!r}; it starts "
                                  "from {source}").format(
                                    trigger=trigger, state=cycle.state,
                                    source=', '.join(t.source))])]
            names = [trigger]
        options = []
        for name in names:
            transition = definition.transition(name, cycle.state)
            assert transition is not None  # the machine offers only triggers defined from here
            step = Step(cycle.state, transition, facts=ctx.facts,
                        judge=partial(judge, session, ctx, transition, person))
            machine.conditions_hold(ctx.loaded, step, name)
            verdict = step.judgement
            assert verdict is not None
            options.append(Option(name, transition.dest, transition.label, transition.roles,
                                  [k for k, s in transition.inputs.items() if s.required],
                                  transition.reason_required, transition.per_unit,
                                  verdict.reasons, verdict.role_held))
        return options


def todo(db: Database, *, actor: str | None = None,
         today: dt.date | None = None) -> list[dict[str, Any]]:
    """Across open cycles: what ``actor`` can do now, what is blocked, and what is due."""
    zone = db.zone  # read before the transaction below
    today = today or business_today(zone)
    actor = naming.optional_name(actor, "--as")
    with db.transaction(write=False) as session:
        person = roster.person_or_operator(session, db.operator, actor)
        cycle_ids = stored_cycles.ids(session)
    rows = []
    for cycle_id in cycle_ids:
        view = show(db, cycle_id, today=today)
        if view.final:
            continue
        options = why(db, cycle_id, actor=person.name, today=today)
        rows.append({"cycle": cycle_id, "cluster": view.cluster, "period": view.period,
                     "state": view.state, "due": view.due, "overdue": view.overdue,
                     "ready": [o.trigger for o in options if o.allowed],
                     "blocked": {o.trigger: o.reasons for o in options
                                 # steps the person may never take are not "to do"
                                 if not o.allowed and o.role_held}})
    return rows
