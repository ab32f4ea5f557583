"""Queries on the cycles table: cycles listed and counted, a cluster's cycles of a year, a
cycle loaded, added, and written with its version check. They return rows or None; the
workflow layer decides what a missing cycle means to a user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, bindparam, func, or_, select, update

from thidua.store import tables as t
from thidua.store.query import Prepared, connection, run

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.models import Cycle
    from thidua.store.query import Target

# The columns of each table the statements below read.
_cy = t.cycles.c
_cl = t.clusters.c
_de = t.definitions.c

_CYCLES = t.cycles

_LISTED = (select(_cy.id, _cl.name.label("cluster"), _cy.period, _cy.state,
                  _cy.version, _de.def_id,
                  _de.version.label("definition_version"),
                  _de.status.label("definition_status"))
           .join(t.clusters, _cl.id == _cy.cluster_id)
           .join(t.definitions, _de.hash == _cy.definition_hash)
           .order_by(_cy.id.desc()))
_OF_CLUSTER = (select(_cy.id, _cy.definition_hash, _cy.cluster_id, _cy.period)
               .where(_cy.cluster_id == bindparam("cluster_id"),
                      _cy.period == bindparam("period"))
               .order_by(_cy.id))
_NAMED = (select(_cy.id).join(t.clusters, _cl.id == _cy.cluster_id)
          .where(_cl.name == bindparam("cluster"), _cy.period == bindparam("period"))
          .order_by(_cy.id).limit(1))
_DECIDED = (select(_cy.id, _cl.name.label("cluster"), _cy.period, _cy.definition_hash,
                   _cy.facts)
            .join(t.clusters, _cl.id == _cy.cluster_id)
            .where(_cy.id != bindparam("exclude"))
            .order_by(_cy.period, _cy.id))
_BY_DEFINITION = select(_cy.definition_hash, func.count()).group_by(_cy.definition_hash)


def listed(session: Target, *, state: str | None = None, cluster: str | None = None,
           period: int | None = None) -> list[Any]:
    """Cycles, newest first, of that state, cluster (by name) and period when given: rows of
    ``id``, ``cluster``, ``period``, ``state``, ``version``, ``def_id``,
    ``definition_version`` and ``definition_status``."""
    query = _LISTED
    if state:
        query = query.where(_cy.state == state)
    if cluster:
        query = query.where(_cl.name == cluster)
    if period:
        query = query.where(_cy.period == period)
    return list(run(session, query))


def of_cluster(session: Target, cluster_id: int, period: int) -> list[Any]:
    """The cycles of cluster ``cluster_id`` for ``period``, oldest first: rows of ``id``,
    ``definition_hash``, ``cluster_id`` and ``period``."""
    return list(run(session, _OF_CLUSTER, cluster_id=cluster_id, period=period))


def with_facts(session: Target, *, exclude: int = 0) -> list[Any]:
    """Every cycle but ``exclude`` with its facts, by period then id: rows of ``id``,
    ``cluster``, ``period``, ``definition_hash`` and ``facts`` (JSON text)."""
    return list(run(session, _DECIDED, exclude=exclude))


def named(session: Target, cluster: str, period: int) -> int | None:
    """The id of the first cycle of the cluster called ``cluster`` for ``period``."""
    found: int | None = run(session, _NAMED, cluster=cluster, period=period).scalar()
    return found


def count_by_definition(session: Target) -> dict[str, int]:
    """How many cycles run on each stored definition version, by its hash."""
    return {content_hash: count for content_hash, count in run(session, _BY_DEFINITION)}


# A step's own statements, built once: it loads its cycle (locked on PostgreSQL), reads its
# version first when the caller expects none, and writes it with the version check.
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database: a larger one names no cycle
_CYCLE = select(t.cycles).where(_cy.id == bindparam("cycle_id"))
_CYCLE_LOCKED = _CYCLE.with_for_update()
_VERSION = select(_cy.version).where(_cy.id == bindparam("cycle_id"))
# A step's first read: the cycle, its cluster and the last ledger event of the cycle, in one
# statement (the cycle's events are found through ix_ledger_cycle_id).
_LAST = t.ledger.alias("last_event")
_LAST_SEQ = (select(func.max(t.ledger.c.seq)).where(t.ledger.c.cycle_id == _cy.id)
             .correlate(t.cycles).scalar_subquery())
_FOR_STEP = (select(t.cycles, _cl.name.label("cluster_name"), _cl.kind.label("cluster_kind"),
                    _LAST.c.seq.label("event_seq"), _LAST.c.hash.label("event_hash"),
                    _LAST.c.cycle_version.label("event_version"),
                    _LAST.c.to_state.label("event_state"),
                    _LAST.c.occurred_at.label("event_occurred_at"))
             .select_from(t.cycles.outerjoin(t.clusters, _cl.id == _cy.cluster_id)
                          .outerjoin(_LAST, _LAST.c.seq == _LAST_SEQ))
             .where(_cy.id == bindparam("cycle_id")))
_FOR_STEP_LOCKED = Prepared(_FOR_STEP.with_for_update(of=t.cycles))
_FOR_STEP_READ = Prepared(_FOR_STEP)
_OPEN = (select(_cy.id).join(t.definitions, _de.hash == _cy.definition_hash)
         .where(_cy.cluster_id == bindparam("cluster_id"), _cy.period == bindparam("period"),
                _de.def_id == bindparam("def_id")).limit(1))
_IDS = select(_cy.id).order_by(_cy.id)
_WRITE = update(_CYCLES).where(_CYCLES.c.id == bindparam("cycle_id"),
                               _CYCLES.c.version == bindparam("seen_version"))
_MARK = update(_CYCLES).where(_CYCLES.c.id == bindparam("cycle_id"))
# What a step writes into its cycle (see write).
_STEP_COLUMNS = ("state", "facts", "updated_at", "last_seq", "last_hash")
_STEP_WRITE = Prepared(_WRITE.values(version=bindparam("version"),
                                     **{name: bindparam(name) for name in _STEP_COLUMNS}))


def load(target: Target, cycle_id: int, *, lock: bool = False) -> Any:
    """The row of cycle ``cycle_id`` (every column), locked on PostgreSQL when ``lock``; None
    when there is none."""
    if not 1 <= cycle_id <= MAX_ID:
        return None
    conn = connection(target)
    locked = lock and conn.dialect.name == "postgresql"
    return conn.execute(_CYCLE_LOCKED if locked else _CYCLE, {"cycle_id": cycle_id}).first()


def for_step(target: Target, cycle_id: int) -> Any:
    """The row of cycle ``cycle_id`` (every column, locked on PostgreSQL) with its cluster's
    ``cluster_name`` and ``cluster_kind`` and, of the cycle's last ledger event, its
    ``event_seq``, ``event_hash``, ``event_version``, ``event_state`` and
    ``event_occurred_at`` (None when missing); None when there is no such cycle."""
    if not 1 <= cycle_id <= MAX_ID:
        return None
    conn = connection(target)
    statement = _FOR_STEP_LOCKED if conn.dialect.name == "postgresql" else _FOR_STEP_READ
    return statement.run(conn, cycle_id=cycle_id).first()


def version_of(session: Target, cycle_id: int) -> int | None:
    """The version cycle ``cycle_id`` is at."""
    if not 1 <= cycle_id <= MAX_ID:
        return None
    version: int | None = run(session, _VERSION, cycle_id=cycle_id).scalar()
    return version


def open_of(session: Target, cluster_id: int, period: int, def_id: str) -> int | None:
    """The id of the cluster's cycle of ``period`` on definition ``def_id``, if any."""
    found: int | None = run(session, _OPEN, cluster_id=cluster_id, period=period,
                            def_id=def_id).scalar()
    return found


def open_cycles(target: Target, finals: dict[str, list[str]], *,
                cluster_id: int | None = None) -> list[Any]:
    """The rows of every cycle not in a final state (``finals``: the final states of each
    definition version, by hash), of ``cluster_id`` when given, oldest first."""
    query = select(t.cycles).where(*(or_(_cy.definition_hash != digest, _cy.state.not_in(names))
                                     for digest, names in finals.items() if names))
    if cluster_id is not None:
        query = query.where(_cy.cluster_id == cluster_id)
    return list(run(target, query.order_by(_cy.id)))


def ids(session: Target) -> list[int]:
    """Every cycle's id, oldest first."""
    return list(run(session, _IDS).scalars())


def add(session: Session, *, definition_hash: str, cluster_id: int, period: int, state: str,
        stamp: str) -> Cycle:
    """A new cycle at version 1 with no facts."""
    from thidua.store.models import Cycle  # the ORM, on the path of a start only

    cycle = Cycle(definition_hash=definition_hash, cluster_id=cluster_id, period=period,
                  state=state, version=1, facts="{}", started_at=stamp, updated_at=stamp)
    session.add(cycle)
    session.flush()
    return cycle


def mark(session: Session, cycle_id: int, seq: int, digest: str) -> None:
    """Name ``seq`` (hashed ``digest``) as cycle ``cycle_id``'s last ledger event."""
    run(session, _MARK, cycle_id=cycle_id, last_seq=seq, last_hash=digest)


def write(session: Session, cycle_id: int, seen_version: int, **values: Any) -> bool:
    """Write ``values`` into cycle ``cycle_id`` with ``version`` one on; False (nothing
    written) when it is no longer at ``seen_version``."""
    params = {"cycle_id": cycle_id, "seen_version": seen_version,
              "version": seen_version + 1, **values}
    result = (_STEP_WRITE.run(session, **params) if values.keys() == set(_STEP_COLUMNS)
              else run(session, _WRITE, **params))
    return cast(CursorResult[Any], result).rowcount == 1
