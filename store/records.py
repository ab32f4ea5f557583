"""The auditor's reads of the records built from the ledger: every row of the directory tables,
the stored definition versions and the cycles, and the ledger's events in the two orders a
replay wants them. They return raw rows, ids and all; the workflow layer names them and compares
them with what the events give.

Long reads run on a bare connection, in the auditor's one snapshot, in keyset batches of
:data:`BATCH` rows, so that memory stays bounded however long the ledger is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, bindparam, or_, select, tuple_

from thidua.store import ledger
from thidua.store import tables as t

# The columns of each table (Core, not the ORM: the step that replays its cycle imports this).
Unit, Cluster, Membership = t.units.c, t.clusters.c, t.memberships.c
Leadership, LeadershipChange, Merger = t.leaderships.c, t.leadership_changes.c, t.mergers.c
Actor, Grant, Delegation, Setting = t.actors.c, t.grants.c, t.delegations.c, t.settings.c
DefinitionRow, Cycle, LedgerRow = t.definitions.c, t.cycles.c, t.ledger.c

BATCH = ledger.BATCH
_LIMIT = bindparam("limit")

# Every directory table, as (name, statement of its rows in the order they were written).
DIRECTORY = {
    "units": select(Unit.id, Unit.name).order_by(Unit.id),
    "clusters": select(Cluster.id, Cluster.name, Cluster.kind).order_by(Cluster.id),
    "memberships": select(Membership.cluster_id, Membership.unit_id, Membership.joined_on,
                          Membership.left_on).order_by(Membership.id),
    "leaderships": select(Leadership.cluster_id, Leadership.period, Leadership.head_unit_id,
                          Leadership.deputy_unit_id).order_by(Leadership.id),
    "leadership_changes": select(LeadershipChange.cluster_id, LeadershipChange.period,
                                 LeadershipChange.since, LeadershipChange.head_unit_id,
                                 LeadershipChange.deputy_unit_id).order_by(LeadershipChange.id),
    "mergers": select(Merger.unit_id, Merger.into_unit_id, Merger.merged_on).order_by(Merger.id),
    "actors": select(Actor.id, Actor.name, Actor.unit_id, Actor.login,
                     Actor.disabled_on).order_by(Actor.id),
    "grants": select(Grant.actor_id, Grant.role, Grant.cluster_id, Grant.period,
                     Grant.revoked_on).order_by(Grant.id),
    "delegations": select(Delegation.login, Delegation.actor_id,
                          Delegation.revoked_on).order_by(Delegation.id),
    "settings": select(Setting.key, Setting.value).order_by(Setting.key),
}
_DEFINITIONS = select(DefinitionRow.hash, DefinitionRow.def_id, DefinitionRow.version,
                      DefinitionRow.title, DefinitionRow.effective_from,
                      DefinitionRow.published_by, DefinitionRow.status).order_by(DefinitionRow.hash)
_CYCLES = (select(Cycle.id, Cycle.definition_hash, Cycle.cluster_id, Cycle.period, Cycle.state,
                  Cycle.version, Cycle.facts, Cycle.last_seq, Cycle.last_hash)
           .where(Cycle.id > bindparam("after")).order_by(Cycle.id).limit(_LIMIT))

# Every column of a ledger row, by column name (as :func:`store.ledger.as_event` reads it).
_LEDGER = t.ledger
_OF_CYCLES = (select(_LEDGER)
              .where(LedgerRow.cycle_id.is_not(None),
                     tuple_(LedgerRow.cycle_id, LedgerRow.seq)
                     > tuple_(bindparam("after_cycle"), bindparam("after_seq")))
              .order_by(LedgerRow.cycle_id, LedgerRow.seq).limit(_LIMIT))
_DIRECTORY_EVENTS = (select(_LEDGER)
                     .where(LedgerRow.seq > bindparam("after"),
                            or_(LedgerRow.kind != "fire",
                                LedgerRow.trigger.in_(bindparam("triggers", expanding=True))))
                     .order_by(LedgerRow.seq).limit(_LIMIT))


def directory(conn: Connection, table: str) -> list[Any]:
    """Every row of the directory table ``table`` (a key of :data:`DIRECTORY`), oldest first,
    with its ids as stored. The directory is small: it is read whole."""
    return list(conn.execute(DIRECTORY[table]))


def definitions(conn: Connection) -> list[Any]:
    """Every stored definition version without its source: rows of ``hash``, ``def_id``,
    ``version``, ``title``, ``effective_from``, ``published_by`` and ``status``."""
    return list(conn.execute(_DEFINITIONS))


def cycles(conn: Connection) -> Iterator[Any]:
    """Every cycle row by id, in batches a tenth the size (a closed cycle's facts run to some
    kilobytes): ``id``, ``definition_hash``, ``cluster_id``, ``period``, ``state``,
    ``version``, ``facts`` (JSON text), ``last_seq``, ``last_hash``."""
    yield from _keyset(conn, _CYCLES, lambda row: {"after": row.id}, {"after": 0},
                       size=max(1, BATCH // 10))


def events_by_cycle(conn: Connection) -> Iterator[Any]:
    """The events of every cycle, by cycle and then in ledger order, in batches: ledger rows
    by column name."""
    yield from _keyset(conn, _OF_CYCLES,
                       lambda row: {"after_cycle": row.cycle_id, "after_seq": row.seq},
                       {"after_cycle": -1, "after_seq": 0})


def directory_events(conn: Connection, fire_triggers: list[str]) -> Iterator[Any]:
    """In ledger order, in batches, every event but the steps of cycles, and those steps
    whose trigger is among ``fire_triggers`` (the steps that may change the directory)."""
    yield from _keyset(conn, _DIRECTORY_EVENTS, lambda row: {"after": row.seq},
                       {"after": 0, "triggers": fire_triggers}, keep=("triggers",))


def _keyset(conn: Connection, statement: Select[Any], after: Any, params: dict[str, Any],
            keep: tuple[str, ...] = (), size: int | None = None) -> Iterator[Any]:
    """Run ``statement`` batch after batch (of ``size`` rows, default BATCH), each starting
    after the last row of the one before (``after(row)`` gives the parameters that say so)."""
    limit = size or BATCH
    while True:
        batch = conn.execute(statement, {**params, "limit": limit}).all()
        yield from batch
        if len(batch) < limit:
            return
        params = {**{k: params[k] for k in keep}, **after(batch[-1])}


_INPUTS = (select(LedgerRow.seq, LedgerRow.inputs)
           .where(LedgerRow.seq.in_(bindparam("seqs", expanding=True))).order_by(LedgerRow.seq))


def inputs_of(conn: Connection, seqs: list[int]) -> Iterator[Any]:
    """The ``seq`` and ``inputs`` (JSON text) of the events ``seqs``, in ledger order, read
    BATCH at a time."""
    ordered = sorted(set(seqs))
    for start in range(0, len(ordered), BATCH):
        yield from conn.execute(_INPUTS, {"seqs": ordered[start:start + BATCH]})
