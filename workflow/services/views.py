"""Reading cycles: show, list, history, and what can be done now and why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from thidua.store import cycles as stored_cycles
from thidua.store import definitions as stored_definitions
from thidua.store import directory as queries
from thidua.store import ledger
from thidua.store.ledger import as_event
from thidua.workflow import names as naming
from thidua.workflow.engine import roster
from thidua.workflow.engine.rows import checked_facts, load_cycle
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.language.outline import Outline, Text, outline_of
from thidua.workflow.services.db import Database
from thidua.workflow.services.meetings import meeting_line
from thidua.workflow.timeutil import days, due_date, parse_stored
from thidua.workflow.timeutil import today as business_today

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from thidua.store.models import Actor
    from thidua.workflow.engine.judge import Context
    from thidua.workflow.language.loader import Loaded
    from thidua.workflow.language.model import Label

# show, list and history read through Core statements and the compiled definition's outline
# alone; why and todo judge the rules, and import the engine when they run.

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
    state_label: Text | None
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
    with db.reading() as conn:
        cycle = load_cycle(conn, cycle_id)
        return view_of(conn, cycle, outline_of(conn, cycle.definition_hash), today)


def view_of(conn: Connection, cycle: Any, outline: Outline, today: dt.date) -> CycleView:
    """The row ``cycle`` as :func:`show` shows it, read in ``conn``'s transaction with the
    outline of its definition version."""
    facts = checked_facts(cycle, outline.states, outline.ref)
    state = outline.states[cycle.state]
    head, deputy = queries.leadership(conn, cycle.cluster_id, cycle.period)
    due = due_date(state.due, cycle.period) if state.due else None
    return CycleView(
        cycle.id, outline.ref, cycle.definition_hash,
        queries.cluster_name(conn, cycle.cluster_id), cycle.period, cycle.state,
        state.label, cycle.version, due.isoformat() if due else None,
        bool(due and today > due and not state.final), state.final,
        queries.members_on(conn, cycle.cluster_id, today), head, deputy, facts,
        stored_definitions.status_of(conn, cycle.definition_hash) == DRAFT)


def list_cycles(db: Database, *, state: str | None = None, cluster: str | None = None,
                period: int | None = None) -> list[dict[str, Any]]:
    """Cycles, newest first, filtered by state, cluster and period; a cluster that does not
    exist is not found."""
    with db.reading() as conn:
        if cluster is not None:
            cluster = roster.cluster_named(conn, naming.name(cluster, "--cluster"))[1]
        rows = stored_cycles.listed(conn, state=state, cluster=cluster, period=period)
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
    with db.reading() as conn:
        load_cycle(conn, cycle_id)
        return events_of(conn, cycle_id)


def events_of(conn: Connection, cycle_id: int) -> list[dict[str, Any]]:
    """The events :func:`history` gives, read in ``conn``'s transaction."""
    events = [as_event(row) for row in ledger.of_cycle(conn, cycle_id)]
    hashes = {e["definition"] for e in events if e["definition"]}
    drafts = {h for h in hashes if stored_definitions.status_of(conn, h) == DRAFT}
    meetings = {h: outline_of(conn, h).meetings for h in hashes}
    for event in events:
        if event["definition"] in drafts:
            event["draft"] = True
        if event["trigger"] in meetings.get(event["definition"], ()):
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
    from thidua.workflow.engine.judge import definition_of

    with db.reading() as conn:
        return definition_of(conn, load_cycle(conn, cycle_id).definition_hash)


def why(db: Database, cycle_id: int, *, actor: str | None = None,
        trigger: str | None = None, today: dt.date | None = None) -> list[Option]:
    """Each step possible from the cycle's state, with every reason it is refused now."""
    from thidua.workflow.engine import machine
    from thidua.workflow.engine.judge import context

    zone = db.zone  # read before the transaction below
    today = today or business_today(zone)
    actor = naming.optional_name(actor, "--as")
    with db.reading() as session:  # Core statements only: no ORM
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
        return _options(session, ctx, person, names)


def _options(session: Session, ctx: Context, person: Actor | None,
             names: list[str]) -> list[Option]:
    """The steps ``names`` from the cycle's state, each judged on its conditions alone."""
    from thidua.workflow.engine import machine
    from thidua.workflow.engine.judge import judge
    from thidua.workflow.engine.step import Step

    options = []
    for name in names:
        transition = ctx.loaded.definition.transition(name, ctx.cycle.state)
        assert transition is not None  # the machine offers only triggers defined from here
        step = Step(ctx.cycle.state, transition, facts=ctx.facts,
                    judge=partial(judge, session, ctx, transition, person))
        machine.conditions_hold(ctx.loaded, step, name)
        verdict = step.judgement
        assert verdict is not None
        options.append(Option(name, transition.dest, transition.label, transition.roles,
                              [k for k, s in transition.inputs.items() if s.required],
                              transition.reason_required, transition.per_unit,
                              verdict.reasons, verdict.role_held))
    return options


def todo(db: Database, *, actor: str | None = None, cluster: str | None = None,
         today: dt.date | None = None) -> list[dict[str, Any]]:
    """Across open cycles (of ``cluster``, when given): what ``actor`` can do now, what is
    blocked, and what is due. Cycles in a final state are left out by the query itself, and
    every open cycle is judged in one read transaction."""
    from thidua.workflow.engine import machine
    from thidua.workflow.engine.judge import context, definition_of
    from thidua.workflow.engine.lookup import Preloaded

    zone = db.zone  # read before the transaction below
    today = today or business_today(zone)
    actor = naming.optional_name(actor, "--as")
    rows = []
    with db.reading() as session:  # Core statements only: no ORM
        person = roster.person_or_operator(session, db.operator, actor)
        cluster_id = (roster.cluster_named(session, naming.name(cluster, "--cluster"))[0]
                      if cluster is not None else None)
        finals = {digest: [s.name for s in definition_of(session, digest).definition.states
                           if s.final]
                  for digest in stored_cycles.count_by_definition(session)}
        drafts = {digest for digest in finals
                  if stored_definitions.status_of(session, digest) == DRAFT}
        lookup = Preloaded(session, today, person.id)
        clusters = {row.id: row for row in queries.clusters(session)}
        for cycle in stored_cycles.open_cycles(session, finals, cluster_id=cluster_id):
            ctx = context(session, cycle, today, zone, lookup=lookup,
                          cluster=clusters[cycle.cluster_id])
            state = ctx.loaded.definition.state(cycle.state)
            due = due_date(state.due, cycle.period) if state.due else None
            options = _options(session, ctx, person,
                               machine.triggers_from(ctx.loaded, cycle.state))
            rows.append({"cycle": cycle.id, "cluster": ctx.cluster.name,
                         "period": cycle.period, "state": cycle.state,
                         "due": due.isoformat() if due else None,
                         "overdue": bool(due and today > due),
                         "definition": ctx.loaded.ref,
                         "draft": cycle.definition_hash in drafts,
                         "ready": [o.trigger for o in options if o.allowed],
                         "blocked": {o.trigger: o.reasons for o in options
                                     # steps the person may never take are not "to do"
                                     if not o.allowed and o.role_held}})
    return rows
