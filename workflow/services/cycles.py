"""Starting cycles and firing their steps: each in one database transaction.

:func:`fire` loads the cycle (locking its row on PostgreSQL), checks the caller's expected
version, judges roles and guards (collecting every reason), fires the trigger on the machine,
applies the effects, writes the cycle with ``version + 1`` and appends the ledger event. Any
error rolls all of it back: no state change without its audit event, and no event without it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from thidua.store import cycles, definitions, directory, ledger
from thidua.store.ledger import as_event, canonical_json
from thidua.workflow import names
from thidua.workflow.audit.replay import cycle_divergence
from thidua.workflow.engine import machine, roster
from thidua.workflow.engine.inputs import Attachment, check_inputs
from thidua.workflow.engine.judge import (
    Judgement,
    context,
    cycle_version,
    definition_of,
    judge,
)
from thidua.workflow.engine.lookup import OneStep
from thidua.workflow.engine.named import check_named
from thidua.workflow.engine.step import Step
from thidua.workflow.errors import (
    Conflict,
    IntegrityFailure,
    InvalidInput,
    NotFound,
    TransitionRefused,
)
from thidua.workflow.i18n import _
from thidua.workflow.language import compiled
from thidua.workflow.language.loaded import Loaded
from thidua.workflow.services import documents, identity, membership
from thidua.workflow.services.db import Database, record
from thidua.workflow.timeutil import (
    aware,
    business_day,
    check_period,
    iso,
    now,
    parse_moment,
    parse_stored,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.models import Cycle

@dataclass(frozen=True)
class Fired:
    """The outcome of a step that was recorded (or, for a repeated request, had been)."""

    cycle_id: int
    trigger: str
    from_state: str | None
    to_state: str | None
    version: int
    seq: int
    repeated: bool = False


def _when(occurred_at: str | dt.datetime | None, zone: dt.tzinfo) -> dt.datetime:
    """When a step happened, in UTC: now, or ``--at`` read in the business ``zone``."""
    if occurred_at is None:
        return now()
    moment = (aware(occurred_at, zone) if isinstance(occurred_at, dt.datetime)
              else parse_moment(occurred_at, "--at", zone))
    if moment > now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("the date {iso} is in the future").format(iso=iso(moment)))
    return moment.astimezone(dt.UTC)


def store_definition(session: Session, db: Database, loaded: Loaded, by: str,
                     status: str) -> None:
    """Keep ``loaded`` among the stored definition versions with its ``status`` (``shipped``,
    ``published`` or ``draft``); a no-op when it is there."""
    if definitions.has(session, loaded.hash):
        return
    d = loaded.definition
    definitions.add(session, content_hash=loaded.hash, def_id=d.id, version=d.version,
                    title=d.title.en, effective_from=d.effective_from.isoformat(),
                    source=loaded.source, published_by=by, published_at=iso(now()),
                    status=status, compiled=(compiled.FORMAT, compiled.compile_loaded(loaded)))
    record(session, db, kind="definition", trigger="store_definition", actor=by,
           definition=loaded.hash, inputs={"id": d.id, "version": d.version, "status": status})


def _status(session: Session, loaded: Loaded, draft: bool) -> str:
    """``published`` (a publication is in the ledger), ``shipped`` (the content of a shipped
    definition) or, only when a draft is asked for, ``draft``; anything else is refused."""
    if ledger.publications(session, [loaded.hash]):
        return "published"
    # Parsed once per process; the usual caller (in_force) has parsed them already.
    from thidua.workflow.language.loader import shipped  # the shipped files: a start only

    if any(s.hash == loaded.hash for s in shipped()):
        return "shipped"
    if draft:
        return "draft"
    raise InvalidInput(
        _("{ref} ({hash}) is neither published nor shipped: cycles run on published rules "
          "only; try a draft with: thidua def test FILE, or (an administrator) thidua cycle "
          "start --draft FILE").format(ref=loaded.ref, hash=loaded.hash[:12]))


def start_cycle(db: Database, loaded: Loaded, cluster_name: str, period: int, *,
                actor: str | None = None, occurred_at: str | dt.datetime | None = None,
                request_id: str | None = None,
                leadership: tuple[str, str | None] | None = None,
                draft: bool = False) -> Fired:
    """Open ``cluster_name``'s cycle for ``period`` on definition ``loaded``, a published or
    shipped version; with ``draft``, also on a version that is neither, an administrator's
    step (of that cluster and period) that stores it as a draft (the caller checks it first:
    :func:`workflow.services.publish.start_draft`). ``leadership`` (head, deputy) is set for
    the period in the same transaction when given."""
    check_period(period)
    cluster_name, actor = names.name(cluster_name, "cluster"), names.optional_name(actor, "--as")
    request_id = names.optional_name(request_id, "--request-id")
    if leadership is not None:
        leadership = (names.name(leadership[0], "head"),
                      names.optional_name(leadership[1], "deputy"))
    moment = _when(occurred_at, db.zone)
    with db.transaction() as session:
        repeated = _repeated(session, request_id, None, "start",
                             start_inputs={"cluster": cluster_name, "period": period})
        if repeated:
            return repeated
        cluster_row = roster.cluster(session, cluster_name)
        status = _status(session, loaded, draft)
        if status == "draft":
            identity.require_admin(session, db, "cycle start --draft",
                                   identity.Scope(cluster_row.id, period))
        person = identity.acting_person(session, db, actor, "start")
        if leadership is not None:
            membership.set_leadership_in(session, cluster_row, period, *leadership)
        held = roster.roles_of(session, person, cluster_row, period,
                               business_day(moment, db.zone))
        role = next((r for r in loaded.definition.start_roles if r in held), None)
        if roster.AUDITOR in held:
            raise TransitionRefused("start", roster.auditor_refusal(person, held, []))
        if role is None:
            raise TransitionRefused("start", [
                _("{person} holds none of the roles {start_roles} in {cluster_name} "
                  "{period}").format(
                    person=person.name, start_roles=', '.join(loaded.definition.start_roles),
                    cluster_name=cluster_name, period=period)])
        ledger.lock(session)  # two starts at once must not both find no cycle open
        _no_open_cycle(session, loaded, cluster_row.id, cluster_name, period)
        store_definition(session, db, loaded, person.name, status)
        state, stamp = loaded.definition.initial.name, iso(now())
        cycle = cycles.add(session, definition_hash=loaded.hash, cluster_id=cluster_row.id,
                           period=period, state=state, stamp=stamp)
        row = record(session, db, kind="start", trigger="start", actor=person.name, role=role,
                     cycle_id=cycle.id, cycle_version=1, to_state=state,
                     occurred_at=iso(moment), definition=loaded.hash,
                     inputs={**({"draft": True} if status == "draft" else {}),
                             "cluster": cluster_name, "period": period,
                             **({"head": leadership[0], "deputy": leadership[1]}
                                if leadership else {})},
                     idempotency_key=request_id)
        cycles.mark(session, cycle.id, row.seq, row.hash)
        return Fired(cycle.id, "start", None, state, 1, row.seq)


def _no_open_cycle(session: Session, loaded: Loaded, cluster_id: int, cluster_name: str,
                   period: int) -> None:
    existing = cycles.open_of(session, cluster_id, period, loaded.definition.id)
    if existing is not None:
        raise TransitionRefused("start", [
            _("{cluster_name} already has cycle {existing} of {definition} for {period}").format(
                cluster_name=cluster_name, existing=existing, definition=loaded.definition.id,
                period=period)])


def _repeated(session: Session, request_id: str | None, cycle_id: int | None,
              trigger: str, *, unit: str | None = None,
              start_inputs: dict[str, Any] | None = None) -> Fired | None:
    """The first result of a request already recorded under ``request_id`` (None if none);
    a request id reused for a different step is refused."""
    if not request_id:
        return None
    row = ledger.by_request(session, request_id)
    if row is None:
        return None
    other = (row.trigger != trigger or (cycle_id is not None and row.cycle_id != cycle_id)
             or (unit is not None and row.unit != unit)
             or (start_inputs is not None and any(
                 json.loads(row.inputs).get(k) != v for k, v in start_inputs.items())))
    if other:
        raise InvalidInput(_("request id {request_id!r} was already used for another step "
                             "(event {seq}: {trigger} on cycle {cycle_id})").format(
                               request_id=request_id, seq=row.seq, trigger=row.trigger,
                               cycle_id=row.cycle_id))
    return Fired(row.cycle_id or 0, row.trigger, row.from_state, row.to_state,
                 row.cycle_version or 0, row.seq, repeated=True)


def fire(db: Database, cycle_id: int, trigger: str, *, actor: str | None = None,
         inputs: dict[str, Any] | None = None, reason: str | None = None,
         unit: str | None = None, expected_version: int | None = None,
         occurred_at: str | dt.datetime | None = None,
         request_id: str | None = None) -> Fired:
    """Take the step ``trigger`` in cycle ``cycle_id`` on ``actor``'s authority.

    Without ``expected_version`` the version read when the call begins is expected, so that
    of two offices firing on one cycle at once exactly one wins and the other gets
    :class:`Conflict` with nothing recorded. A retried call with the same ``request_id`` returns
    the first result instead of taking the step twice. Names, the reason and the texts among
    the inputs are checked and brought to one form first (:mod:`workflow.names`).
    """
    actor, unit = names.optional_name(actor, "--as"), names.optional_name(unit, "--unit")
    reason, inputs = names.reason(reason), names.inputs(inputs)
    request_id = names.optional_name(request_id, "--request-id")
    documents.admit(db, _attachments(inputs or {}))  # measured and hashed before the step
    try:
        return _fire(db, cycle_id, trigger, actor=actor, inputs=inputs, reason=reason,
                     unit=unit, expected_version=expected_version, occurred_at=occurred_at,
                     request_id=request_id)
    except Conflict:
        if request_id:  # the same request, recorded meanwhile by a concurrent retry
            with db.reading() as conn:
                done = _repeated(conn, request_id, cycle_id, trigger, unit=unit)
            if done:
                return done
        raise


def _fire(db: Database, cycle_id: int, trigger: str, *, actor: str | None,
          inputs: dict[str, Any] | None, reason: str | None, unit: str | None,
          expected_version: int | None, occurred_at: str | dt.datetime | None,
          request_id: str | None) -> Fired:
    zone = db.zone
    # One connection for the whole step, prebuilt Core statements on it: no ORM session
    # unless the step has actions, which change the directory through one.
    with db.stepping() as conn:
        if expected_version is None:  # the version as the call begins, read outside the
            done = _repeated(conn, request_id, cycle_id, trigger, unit=unit)  # transaction
            if done:
                return done
            expected_version = cycle_version(conn, cycle_id)
        fired, written = _step(db, conn, cycle_id, trigger, actor=actor, inputs=inputs,
                               reason=reason, unit=unit, expected_version=expected_version,
                               moment=_when(occurred_at, zone), request_id=request_id)
    if written is not None:  # committed: the row is the one its event gives
        db.checked_cycles[cycle_id] = written
    return fired


def _step(db: Database, conn: Connection, cycle_id: int, trigger: str, *,
          actor: str | None, inputs: dict[str, Any] | None, reason: str | None,
          unit: str | None, expected_version: int, moment: dt.datetime,
          request_id: str | None) -> tuple[Fired, tuple[Any, ...] | None]:
    """The step's transaction on ``conn``: what it recorded, and the cycle's row as written
    (None for a request recorded already, whose first result it returns)."""
    zone, occurred = db.zone, iso(moment)
    with db.committed(conn):
        repeated = _repeated(conn, request_id, cycle_id, trigger, unit=unit)
        if repeated:
            return repeated, None
        cycle = cycles.for_step(conn, cycle_id)
        if cycle is None:
            raise NotFound(_("no cycle {cycle_id} (see: thidua cycle list)").format(
                cycle_id=cycle_id))
        if cycle.version != expected_version:
            raise Conflict(_("cycle {cycle_id} is at version {version}, not "
                             "{expected_version}: changed by someone else since you looked; "
                             "nothing was recorded; look again").format(
                               cycle_id=cycle_id, version=cycle.version,
                               expected_version=expected_version))
        cluster = (SimpleNamespace(id=cycle.cluster_id, name=cycle.cluster_name,
                                   kind=cycle.cluster_kind)
                   if cycle.cluster_name is not None else None)
        last = (SimpleNamespace(seq=cycle.event_seq, hash=cycle.event_hash,
                                cycle_version=cycle.event_version, to_state=cycle.event_state,
                                occurred_at=cycle.event_occurred_at)
                if cycle.event_seq is not None else None)
        matches_its_ledger(conn, cycle, moment, cluster=cluster, checked=db.checked_cycles,
                           last=last)
        # The step asked for first (an unknown trigger is bad input, one the state does not
        # offer is refused), then on whose authority, then the rest of what it needs.
        transition = _transition(definition_of(conn, cycle.definition_hash), trigger,
                                 cycle.state)
        person = identity.acting_person(conn, db, actor, trigger)
        day = business_day(moment, zone)
        ctx = context(conn, cycle, day, zone, cluster=cluster,
                      lookup=OneStep(conn, cycle.cluster_id, cycle.period, day, person.id))
        unit, inputs = names.as_stored(unit, ctx.members), names.as_stored(inputs, ctx.members)
        # Every text inside a JSON list or object typed as an input, keys too, is checked
        # once it is parsed (the typed line had none of its characters yet).
        values = names.inputs(check_inputs(trigger, transition.inputs, inputs or {},
                                           ctx.loaded.definition))
        check_named(conn, trigger, transition.inputs, values)
        values = roster.people_in(conn, transition.inputs, values)

        def verdict(validators: bool) -> Judgement:
            return judge(conn, ctx, transition, person, unit=unit, inputs=values,
                         reason=reason, validators=validators, occurred_at=occurred)

        def persist(step: Step) -> None:
            assert step.judgement is not None
            if session is not None:
                session.flush()  # what an action added through the session, before the event
            digests = [documents.store(conn, a) for a in _attachments(inputs or {})]
            row = record(conn, db, kind="fire", trigger=trigger, actor=person.name,
                         role=step.judgement.role, unit=step.judgement.unit, cycle_id=cycle_id,
                         cycle_version=cycle.version + 1, from_state=step.from_state,
                         to_state=step.state, occurred_at=occurred, inputs=values,
                         reason=reason or None, documents=digests,
                         definition=ctx.loaded.hash, idempotency_key=request_id)
            facts = write(conn, cycle, step.state, step.facts, row)
            step.result = Fired(cycle_id, trigger, step.from_state, step.state,
                                cycle.version + 1, row.seq)
            written.append(_checked_key(cycle, state=step.state, version=cycle.version + 1,
                                        facts=facts, last_seq=row.seq, last_hash=row.hash))

        written: list[tuple[Any, ...]] = []
        session = _session(conn) if transition.actions else None
        try:
            step = Step(cycle.state, transition, facts=ctx.facts, judge=verdict,
                        session=session, context=ctx, occurred_at=occurred,
                        persist=persist)
            if not machine.trigger(ctx.loaded, step, trigger):
                raise TransitionRefused(trigger, step.reasons)
        finally:
            if session is not None:
                session.close()
        fired: Fired = step.result
    return fired, written[0]


def _session(conn: Connection) -> Session:
    """An ORM session inside ``conn``'s transaction, for a step's actions."""
    from sqlalchemy.orm import Session as OrmSession  # the ORM: only a step with actions

    return OrmSession(bind=conn)  # joins the transaction: neither commits nor closes it


def _attachments(inputs: dict[str, Any]) -> list[Attachment]:
    found: list[Attachment] = []
    for value in inputs.values():
        items = value if isinstance(value, list) else [value]
        found += [item for item in items if isinstance(item, Attachment)]
    return found


def _transition(loaded: Loaded, trigger: str, state: str) -> Any:
    if not loaded.definition.transitions_for(trigger):
        known = ", ".join(dict.fromkeys(t.trigger for t in loaded.definition.transitions))
        raise InvalidInput(_("unknown trigger {trigger!r} (triggers of {ref}: {known})").format(
                               trigger=trigger, ref=loaded.ref, known=known))
    transition = loaded.definition.transition(trigger, state)
    if transition is None:
        raise TransitionRefused(trigger, [_("{trigger} cannot be fired from state "
                                            "{state!r}").format(
                                              trigger=trigger, state=state)])
    return transition


_UNREAD: Any = object()  # the cycle's last event, not read by the caller

# What a cycle row holds that its ledger events determine (see _checked_key), with the name of
# its cluster (read with it by cycles.for_step), which the replay checks too.
_CHECKED = ("definition_hash", "cluster_id", "cluster_name", "period", "state", "version",
            "facts", "last_seq", "last_hash")


def _checked_key(cycle: Any, **written: Any) -> tuple[Any, ...]:
    """The columns of ``cycle`` that its events determine, with ``written`` instead of its
    own where given: a row equal to one found (or written) consistent with its events."""
    return tuple(written[name] if name in written else getattr(cycle, name)
                 for name in _CHECKED)


def matches_its_ledger(session: Session, cycle: Cycle, moment: dt.datetime, *,
                       cluster: Any = None,
                       checked: dict[int, tuple[Any, ...]] | None = None,
                       last: Any = _UNREAD) -> None:
    """Refuse a cycle whose row is not the one its ledger events give (altered outside
    thidua: its state, version, last event, definition, cluster, period or facts), and a step
    dated before its last event. The row is checked against a replay of the cycle's own events,
    as ``audit verify`` checks it, so that a forged row is never acted on.

    ``checked`` holds, by cycle, the row this process last found consistent with its events
    or wrote itself with its event. A row equal to it, column for column (its cluster's name
    too), whose last event is still the one the row names, is not replayed again: its events
    were replayed (or it was written with them) already. Any other row is replayed. ``last``
    is the cycle's last event (``seq``, ``hash``, ``cycle_version``, ``to_state``,
    ``occurred_at``; None when it has none), read by the caller with the row: without it the
    row is always replayed."""
    known = (last is not _UNREAD and checked is not None
             and checked.get(cycle.id) == _checked_key(cycle))
    if known:
        rows = []
    else:
        rows = ledger.of_cycle(session, cycle.id)
        last = rows[-1] if rows else None
    damage = None
    if last is None or (last.seq, last.hash, last.cycle_version, last.to_state) != (
            cycle.last_seq, cycle.last_hash, cycle.version, cycle.state):
        damage = f"does not match its last ledger event{f' ({last.seq})' if last else ''}"
    elif not known:
        if cluster is None:
            cluster = directory.cluster_by_id(session, cycle.cluster_id)
        events = [{**as_event(row), "hash": row.hash} for row in rows]
        found = cycle_divergence(cycle, events, lambda digest: definition_of(session, digest),
                                 {cycle.cluster_id: cluster.name} if cluster else {})
        damage = found and "does not match its ledger events" + found.removeprefix(
            f"cycles {cycle.id}")
    if damage:
        raise IntegrityFailure(
            f"cycle {cycle.id}'s stored row {damage}: it was changed outside thidua; "
            "nothing was recorded; run thidua audit verify", kind="altered")
    assert last is not None
    if checked is not None and not known:
        checked[cycle.id] = _checked_key(cycle)
    if moment < parse_stored(last.occurred_at):
        raise InvalidInput(_("the date {iso} is before the cycle's last step "
                             "({occurred_at})").format(
                               iso=iso(moment), occurred_at=last.occurred_at))


def write(session: Session, cycle: Cycle, state: str, facts: dict[str, Any], event: Any,
          **values: Any) -> str:
    """Write the cycle as ``event`` (just appended) leaves it: ``state``, ``facts``, the next
    version and the event's seq and hash; a version changed meanwhile is a conflict. The
    facts as written (canonical JSON)."""
    text = canonical_json(facts)
    if not cycles.write(session, cycle.id, cycle.version, state=state,
                        facts=text, updated_at=iso(now()),
                        last_seq=event.seq, last_hash=event.hash, **values):
        raise Conflict(_("cycle {cycle} was changed by someone else since you looked; "
                         "nothing was recorded; look again").format(cycle=cycle.id))
    return text


def events_of(session: Session, cycle_id: int) -> list[dict[str, Any]]:
    """The cycle's ledger events, oldest first."""
    return [as_event(row) for row in ledger.of_cycle(session, cycle_id)]


def stored_facts(cycle: Cycle) -> dict[str, Any]:
    """The facts of a cycle row."""
    return dict(json.loads(cycle.facts))
