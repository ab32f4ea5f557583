"""Time travel: a cycle (or every cycle of a cluster and period) as it stood on a past date,
rebuilt by replaying its ledger events up to the end of that date.

Only the ledger is trusted for the cycle itself: state, version and facts come from replaying
the events (:func:`workflow.engine.facts.replay`), each re-hashed against its stored hash on
the way.
Members, head and deputy on that date come from the directory's dated records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from thidua.store import cycles as stored_cycles
from thidua.store import definitions as stored_definitions
from thidua.store import directory as queries
from thidua.store import ledger
from thidua.store.ledger import as_event, event_hash
from thidua.workflow import names
from thidua.workflow.engine import roster
from thidua.workflow.engine.facts import replay
from thidua.workflow.engine.judge import definition_of
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import IntegrityFailure, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.language.model import Label
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import DRAFT, enters_state
from thidua.workflow.timeutil import cutoff, days, iso, now, parse_stored


@dataclass(frozen=True)
class StateAt:
    """A cycle as it stood at ``until`` (exclusive), rebuilt from its ledger events."""

    cycle_id: int
    cluster: str
    period: int
    date: str
    until: str
    started: bool
    state: str | None
    state_label: Label | None
    version: int
    since: str | None
    days_in_state: float | None
    last_event: int | None
    events: int
    members: list[str] = field(default_factory=list)
    head: str | None = None
    deputy: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    definition: str = ""  # the version the cycle ran on by then (id@version)
    draft: bool = False  # that version is a draft, never published


def state_at(db: Database, cycle_id: int, date: str) -> StateAt:
    """Cycle ``cycle_id`` as it stood at the end of ``date``."""
    until, day = cutoff(date, db.zone)
    with db.transaction(write=False) as session:
        cycle = load_cycle(session, cycle_id)
        return _rebuild(session, cycle, date, until, day)


def cluster_state_at(db: Database, cluster: str, period: int, date: str) -> list[StateAt]:
    """Every cycle of ``cluster`` for ``period`` as it stood at the end of ``date``."""
    cluster = names.name(cluster, "cluster")
    until, day = cutoff(date, db.zone)
    with db.transaction(write=False) as session:
        cluster_row = roster.cluster(session, cluster)
        cycles = stored_cycles.of_cluster(session, cluster_row.id, period)
        if not cycles:
            raise NotFound(_("no cycle of {cluster} for {period} (see: thidua cycle list)").format(
                               cluster=cluster, period=period))
        return [_rebuild(session, cycle, date, until, day) for cycle in cycles]


class _Cycle(Protocol):
    """What a rebuild reads of a cycle: a stored row, or a loaded one."""

    @property
    def id(self) -> int: ...
    @property
    def definition_hash(self) -> str: ...
    @property
    def cluster_id(self) -> int: ...
    @property
    def period(self) -> int: ...


def _rebuild(session: Session, cycle: _Cycle, date: str, until: dt.datetime,
             day: dt.date) -> StateAt:
    events = [e for e in _checked_events(session, cycle.id)
              if parse_stored(e["occurred_at"]) < until]
    loaded = definition_of(session, cycle.definition_hash)
    try:
        result = replay(loaded, events, lambda digest: definition_of(session, digest))
    except ValueError as exc:
        raise IntegrityFailure(_("cycle {cycle} does not replay: {exc}").format(
                                   cycle=cycle.id, exc=exc)) from None
    since = _entered(events)
    label = None
    if result.state is not None and events:
        definition = definition_of(session, events[-1]["definition"]).definition
        label = next((s.label for s in definition.states if s.name == result.state), None)
    head, deputy = queries.leadership(session, cycle.cluster_id, cycle.period, day)
    pinned = next((e["definition"] for e in reversed(events)
                   if e["kind"] in ("start", "migrate")), cycle.definition_hash)
    return StateAt(
        cycle.id, queries.cluster_name(session, cycle.cluster_id), cycle.period, date,
        iso(until), bool(events), result.state, label, result.version, since,
        _days(since, until), events[-1]["seq"] if events else None, len(events),
        queries.members_on(session, cycle.cluster_id, day), head, deputy, result.facts,
        definition_of(session, pinned).ref,
        stored_definitions.status_of(session, pinned) == DRAFT)


def _checked_events(session: Session, cycle_id: int) -> list[dict[str, Any]]:
    """The cycle's events, oldest first, each re-hashed against its stored hash."""
    events = []
    for row in ledger.of_cycle(session, cycle_id):
        event = as_event(row)
        if event_hash(row.prev_hash, event) != row.hash:
            raise IntegrityFailure(_("event {seq} of cycle {cycle_id} was altered after it "
                                     "was recorded; see: thidua audit verify").format(
                                       seq=row.seq, cycle_id=cycle_id),
                                   seq=row.seq, kind="altered")
        events.append(event)
    return events


def _entered(events: list[dict[str, Any]]) -> str | None:
    """When the cycle entered the state it is in after ``events``."""
    entered = None
    for event in events:
        if enters_state(event):
            entered = event["occurred_at"]
    return entered


def _days(since: str | None, until: dt.datetime) -> float | None:
    if since is None:
        return None
    return days(min(until, now()) - parse_stored(since))

