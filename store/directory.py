"""Queries on the directory tables: units, clusters, memberships over time, heads and deputies,
people and their grants. They return rows or None; the workflow layer decides what a missing
record means to a user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from thidua.store.models import (
    Actor,
    Cluster,
    Grant,
    Leadership,
    LeadershipChange,
    Membership,
    Unit,
)


def run(session: Session, statement: Any, **params: Any) -> Any:
    """Run a prebuilt statement of columns (not entities) in ``session``'s transaction, after
    flushing its pending changes as a query would; it skips the ORM's per-statement work,
    several times the cost of the query itself on the hot path of a step."""
    session.flush()
    return session.connection().execute(statement, params)


_UNIT = select(Unit).where(Unit.name == bindparam("name"))
_CLUSTER = select(Cluster).where(Cluster.name == bindparam("name"))
_ACTOR = select(Actor).where(Actor.name == bindparam("name"))
_ACTOR_LOGIN = select(Actor).where(Actor.login == bindparam("login"))
_UNIT_NAME = select(Unit.name).where(Unit.id == bindparam("unit_id"))


def unit_named(session: Session, name: str) -> Unit | None:
    """The unit called ``name``."""
    return session.scalar(_UNIT, {"name": name})


def cluster_named(session: Session, name: str) -> Cluster | None:
    """The cluster called ``name``."""
    return session.scalar(_CLUSTER, {"name": name})


def actor_named(session: Session, name: str) -> Actor | None:
    """The person called ``name``."""
    return session.scalar(_ACTOR, {"name": name})


def actor_with_login(session: Session, login: str) -> Actor | None:
    """The person whose login is ``login``."""
    return session.scalar(_ACTOR_LOGIN, {"login": login})


def unit_name(session: Session, unit_id: int | None) -> str | None:
    """The name of unit ``unit_id`` (None for None)."""
    if unit_id is None:
        return None
    name: str | None = run(session, _UNIT_NAME, unit_id=unit_id).scalar()
    return name


def cluster_name(session: Session, cluster_id: int) -> str:
    """The name of cluster ``cluster_id``."""
    row = session.get(Cluster, cluster_id)
    return row.name if row else str(cluster_id)


_MEMBERS = (select(Unit.name).join(Membership, Membership.unit_id == Unit.id)
            .where(Membership.cluster_id == bindparam("cluster_id"),
                   Membership.joined_on <= bindparam("day"),
                   or_(Membership.left_on.is_(None), Membership.left_on > bindparam("day")))
            .order_by(Unit.name))


def members_on(session: Session, cluster_id: int, day: dt.date) -> list[str]:
    """The names of the cluster's member units on ``day``, sorted."""
    return list(run(session, _MEMBERS, cluster_id=cluster_id, day=day.isoformat()).scalars())


def open_membership(session: Session, cluster_id: int, unit_id: int,
                    day: dt.date) -> Membership | None:
    """The membership of unit ``unit_id`` in cluster ``cluster_id`` that runs on ``day``."""
    iso = day.isoformat()
    return session.scalar(select(Membership).where(
        Membership.cluster_id == cluster_id, Membership.unit_id == unit_id,
        Membership.joined_on <= iso,
        or_(Membership.left_on.is_(None), Membership.left_on > iso)))


# Head and deputy with their unit names joined in: two queries, not six.
_HEAD, _DEPUTY = aliased(Unit, name="head_unit"), aliased(Unit, name="deputy_unit")
_CHANGE = (select(_HEAD.name, _DEPUTY.name).select_from(LeadershipChange)
           .join(_HEAD, _HEAD.id == LeadershipChange.head_unit_id)
           .outerjoin(_DEPUTY, _DEPUTY.id == LeadershipChange.deputy_unit_id)
           .where(LeadershipChange.cluster_id == bindparam("cluster_id"),
                  LeadershipChange.period == bindparam("period"),
                  LeadershipChange.since <= bindparam("day"))
           .order_by(LeadershipChange.since.desc(), LeadershipChange.id.desc()).limit(1))
_FOR_PERIOD = (select(_HEAD.name, _DEPUTY.name).select_from(Leadership)
               .join(_HEAD, _HEAD.id == Leadership.head_unit_id)
               .outerjoin(_DEPUTY, _DEPUTY.id == Leadership.deputy_unit_id)
               .where(Leadership.cluster_id == bindparam("cluster_id"),
                      Leadership.period == bindparam("period")))


def leadership(session: Session, cluster_id: int, period: int,
               day: dt.date | None = None) -> tuple[str | None, str | None]:
    """The head and deputy unit names of ``period`` on ``day`` (at the period's end if None):
    the last change made on or before that day, else those set for the period."""
    since = day.isoformat() if day is not None else "9999-12-31"
    row: Any = run(session, _CHANGE, cluster_id=cluster_id, period=period, day=since).first()
    if row is None:
        row = run(session, _FOR_PERIOD, cluster_id=cluster_id, period=period).first()
    return (row[0], row[1]) if row is not None else (None, None)


def period_leadership(session: Session, cluster_id: int, period: int) -> Leadership | None:
    """The head and deputy set for ``period`` (before any change within it)."""
    return session.scalar(select(Leadership).where(Leadership.cluster_id == cluster_id,
                                                   Leadership.period == period))


_GRANTED = select(Grant.role).where(
    Grant.actor_id == bindparam("actor_id"), Grant.revoked_on.is_(None),
    or_(Grant.cluster_id.is_(None), Grant.cluster_id == bindparam("cluster_id")),
    or_(Grant.period.is_(None), Grant.period == bindparam("period")))


def granted_roles(session: Session, actor_id: int, cluster_id: int, period: int) -> set[str]:
    """The roles granted to person ``actor_id`` that reach ``cluster_id`` in ``period``."""
    return set(run(session, _GRANTED, actor_id=actor_id, cluster_id=cluster_id,
                   period=period).scalars())
