"""Queries on the cycles table: cycles listed and counted, a cluster's cycles of a year, a
cycle loaded, added, and written with its version check. They return rows or None; the
workflow layer decides what a missing cycle means to a user."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from thidua.store.models import Cluster, Cycle, DefinitionRow
from thidua.store.query import run

_CYCLES = cast(Table, Cycle.__table__)

_LISTED = (select(Cycle.id, Cluster.name.label("cluster"), Cycle.period, Cycle.state,
                  Cycle.version, DefinitionRow.def_id,
                  DefinitionRow.version.label("definition_version"),
                  DefinitionRow.status.label("definition_status"))
           .join(Cluster, Cluster.id == Cycle.cluster_id)
           .join(DefinitionRow, DefinitionRow.hash == Cycle.definition_hash)
           .order_by(Cycle.id.desc()))
_OF_CLUSTER = (select(Cycle.id, Cycle.definition_hash, Cycle.cluster_id, Cycle.period)
               .where(Cycle.cluster_id == bindparam("cluster_id"),
                      Cycle.period == bindparam("period"))
               .order_by(Cycle.id))
_NAMED = (select(Cycle.id).join(Cluster, Cluster.id == Cycle.cluster_id)
          .where(Cluster.name == bindparam("cluster"), Cycle.period == bindparam("period"))
          .order_by(Cycle.id).limit(1))
_DECIDED = (select(Cycle.id, Cluster.name.label("cluster"), Cycle.period, Cycle.definition_hash,
                   Cycle.facts)
            .join(Cluster, Cluster.id == Cycle.cluster_id)
            .where(Cycle.id != bindparam("exclude"))
            .order_by(Cycle.period, Cycle.id))
_BY_DEFINITION = select(Cycle.definition_hash, func.count()).group_by(Cycle.definition_hash)


def listed(session: Session, *, state: str | None = None, cluster: str | None = None,
           period: int | None = None) -> list[Any]:
    """Cycles, newest first, of that state, cluster (by name) and period when given: rows of
    ``id``, ``cluster``, ``period``, ``state``, ``version``, ``def_id``,
    ``definition_version`` and ``definition_status``."""
    query = _LISTED
    if state:
        query = query.where(Cycle.state == state)
    if cluster:
        query = query.where(Cluster.name == cluster)
    if period:
        query = query.where(Cycle.period == period)
    return list(run(session, query))


def of_cluster(session: Session, cluster_id: int, period: int) -> list[Any]:
    """The cycles of cluster ``cluster_id`` for ``period``, oldest first: rows of ``id``,
    ``definition_hash``, ``cluster_id`` and ``period``."""
    return list(run(session, _OF_CLUSTER, cluster_id=cluster_id, period=period))


def with_facts(session: Session, *, exclude: int = 0) -> list[Any]:
    """Every cycle but ``exclude`` with its facts, by period then id: rows of ``id``,
    ``cluster``, ``period``, ``definition_hash`` and ``facts`` (JSON text)."""
    return list(run(session, _DECIDED, exclude=exclude))


def named(session: Session, cluster: str, period: int) -> int | None:
    """The id of the first cycle of the cluster called ``cluster`` for ``period``."""
    found: int | None = run(session, _NAMED, cluster=cluster, period=period).scalar()
    return found


def count_by_definition(session: Session) -> dict[str, int]:
    """How many cycles run on each stored definition version, by its hash."""
    return {content_hash: count for content_hash, count in run(session, _BY_DEFINITION)}


# A step's own statements, built once: it loads its cycle (locked on PostgreSQL), reads its
# version first when the caller expects none, and writes it with the version check.
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database: a larger one names no cycle
_CYCLE = select(Cycle).where(Cycle.id == bindparam("cycle_id"))
_CYCLE_LOCKED = _CYCLE.with_for_update()
_VERSION = select(Cycle.version).where(Cycle.id == bindparam("cycle_id"))
_OPEN = (select(Cycle.id).join(DefinitionRow, DefinitionRow.hash == Cycle.definition_hash)
         .where(Cycle.cluster_id == bindparam("cluster_id"), Cycle.period == bindparam("period"),
                DefinitionRow.def_id == bindparam("def_id")).limit(1))
_IDS = select(Cycle.id).order_by(Cycle.id)
_WRITE = update(_CYCLES).where(_CYCLES.c.id == bindparam("cycle_id"),
                               _CYCLES.c.version == bindparam("seen_version"))
_MARK = update(_CYCLES).where(_CYCLES.c.id == bindparam("cycle_id"))


def load(session: Session, cycle_id: int, *, lock: bool = False) -> Cycle | None:
    """The cycle ``cycle_id``, its row locked on PostgreSQL when ``lock``."""
    if not 1 <= cycle_id <= MAX_ID:
        return None
    locked = lock and session.get_bind().dialect.name == "postgresql"
    return session.scalar(_CYCLE_LOCKED if locked else _CYCLE, {"cycle_id": cycle_id})


def version_of(session: Session, cycle_id: int) -> int | None:
    """The version cycle ``cycle_id`` is at."""
    if not 1 <= cycle_id <= MAX_ID:
        return None
    version: int | None = run(session, _VERSION, cycle_id=cycle_id).scalar()
    return version


def open_of(session: Session, cluster_id: int, period: int, def_id: str) -> int | None:
    """The id of the cluster's cycle of ``period`` on definition ``def_id``, if any."""
    found: int | None = run(session, _OPEN, cluster_id=cluster_id, period=period,
                            def_id=def_id).scalar()
    return found


def ids(session: Session) -> list[int]:
    """Every cycle's id, oldest first."""
    return list(run(session, _IDS).scalars())


def add(session: Session, *, definition_hash: str, cluster_id: int, period: int, state: str,
        stamp: str) -> Cycle:
    """A new cycle at version 1 with no facts."""
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
    result = run(session, _WRITE, cycle_id=cycle_id, seen_version=seen_version,
                 version=seen_version + 1, **values)
    return cast(CursorResult[Any], result).rowcount == 1
