"""Queries on the cycles table: cycles listed and counted, a cluster's cycles of a year, and a
cycle moved to another definition version. They return rows or None; the workflow layer
decides what a missing cycle means to a user."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from thidua.store.models import Cluster, Cycle, DefinitionRow
from thidua.store.query import run

_CYCLES = cast(Table, Cycle.__table__)

_LISTED = (select(Cycle.id, Cluster.name.label("cluster"), Cycle.period, Cycle.state,
                  Cycle.version, DefinitionRow.def_id,
                  DefinitionRow.version.label("definition_version"))
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
_BY_DEFINITION = select(Cycle.definition_hash, func.count()).group_by(Cycle.definition_hash)
_MOVE = update(_CYCLES).where(_CYCLES.c.id == bindparam("cycle_id"),
                              _CYCLES.c.version == bindparam("seen_version"))


def listed(session: Session, *, state: str | None = None, cluster: str | None = None,
           period: int | None = None) -> list[Any]:
    """Cycles, newest first, of that state, cluster (by name) and period when given: rows of
    ``id``, ``cluster``, ``period``, ``state``, ``version``, ``def_id`` and
    ``definition_version``."""
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


def named(session: Session, cluster: str, period: int) -> int | None:
    """The id of the first cycle of the cluster called ``cluster`` for ``period``."""
    found: int | None = run(session, _NAMED, cluster=cluster, period=period).scalar()
    return found


def count_by_definition(session: Session) -> dict[str, int]:
    """How many cycles run on each stored definition version, by its hash."""
    return {content_hash: count for content_hash, count in run(session, _BY_DEFINITION)}


def move(session: Session, cycle_id: int, seen_version: int, *, definition_hash: str,
         state: str, updated_at: str) -> bool:
    """Put cycle ``cycle_id`` on another definition version, in ``state``, one version on;
    False (nothing written) when it is no longer at ``seen_version``."""
    result = run(session, _MOVE, cycle_id=cycle_id, seen_version=seen_version,
                 definition_hash=definition_hash, state=state, version=seen_version + 1,
                 updated_at=updated_at)
    return cast(CursorResult[Any], result).rowcount == 1
