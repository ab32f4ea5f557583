"""Queries on the directory tables: units, clusters, memberships over time, heads and deputies,
people, mergers. They return rows or None; the workflow layer decides what a missing record
means to a user. A person's grants and delegations are in :mod:`store.grants`."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from thidua.store.models import (
    Actor,
    Cluster,
    Leadership,
    LeadershipChange,
    Membership,
    Merger,
    Unit,
)
from thidua.store.query import run


def _open_on(day: Any) -> ColumnElement[bool]:
    """A membership runs on ``day``: joined on or before it, not left by then."""
    return and_(Membership.joined_on <= day,
                or_(Membership.left_on.is_(None), Membership.left_on > day))


_UNIT = select(Unit).where(Unit.name == bindparam("name"))
_CLUSTER = select(Cluster).where(Cluster.name == bindparam("name"))
_ACTOR = select(Actor).where(Actor.name == bindparam("name"))
_ACTOR_LOGIN = select(Actor).where(Actor.login == bindparam("login"))
_UNIT_NAME = select(Unit.name).where(Unit.id == bindparam("unit_id"))
_CLUSTER_NAME = select(Cluster.name).where(Cluster.id == bindparam("cluster_id"))
_CLUSTER_ID = select(Cluster.id).where(Cluster.name == bindparam("name"))
_CLUSTER_NAMES = select(Cluster.name).order_by(Cluster.name)
_ACTOR_ID = select(Actor.id).where(Actor.name == bindparam("name"))
_ACTOR_ID_LOGIN = select(Actor.id).where(Actor.login == bindparam("login"))
_ACTOR_NAMES = select(Actor.name).order_by(Actor.name)
_UNIT_NAMES = select(Unit.name).order_by(Unit.name)
_LOGINS = select(Actor.login).where(Actor.login.is_not(None)).order_by(Actor.login)


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


def cluster_by_id(session: Session, cluster_id: int) -> Cluster | None:
    """The cluster ``cluster_id``."""
    return session.get(Cluster, cluster_id)


def cluster_name(session: Session, cluster_id: int) -> str:
    """The name of cluster ``cluster_id``."""
    name: str | None = run(session, _CLUSTER_NAME, cluster_id=cluster_id).scalar()
    return name if name is not None else str(cluster_id)


def cluster_id(session: Session, name: str) -> int | None:
    """The id of the cluster called ``name``."""
    found: int | None = run(session, _CLUSTER_ID, name=name).scalar()
    return found


def cluster_names(session: Session) -> list[str]:
    """The names of every cluster, sorted."""
    return list(run(session, _CLUSTER_NAMES).scalars())


def actor_id(session: Session, name: str) -> int | None:
    """The id of the person called ``name``."""
    found: int | None = run(session, _ACTOR_ID, name=name).scalar()
    return found


def actor_id_with_login(session: Session, login: str) -> int | None:
    """The id of the person whose login is ``login``."""
    found: int | None = run(session, _ACTOR_ID_LOGIN, login=login).scalar()
    return found


def actor_names(session: Session) -> list[str]:
    """The names of every registered person, sorted."""
    return list(run(session, _ACTOR_NAMES).scalars())


def unit_names(session: Session) -> list[str]:
    """The names of every unit, sorted."""
    return list(run(session, _UNIT_NAMES).scalars())


def logins(session: Session) -> list[str]:
    """Every login registered for a person, sorted."""
    return list(run(session, _LOGINS).scalars())


_CLUSTERS = cast(Table, Cluster.__table__)
_ACTORS = cast(Table, Actor.__table__)
_MEMBERSHIPS = cast(Table, Membership.__table__)
_LEADERSHIPS = cast(Table, Leadership.__table__)
_MERGERS = cast(Table, Merger.__table__)
_ADD_CLUSTER = insert(_CLUSTERS)
_ADD_ACTOR = insert(_ACTORS)
_ADD_MEMBERSHIP = insert(_MEMBERSHIPS)
_ADD_LEADERSHIP = insert(_LEADERSHIPS)
_ADD_MERGER = insert(_MERGERS)
_END_MEMBERSHIP = update(_MEMBERSHIPS).where(_MEMBERSHIPS.c.id == bindparam("membership_id"))
_SET_ACTOR = update(_ACTORS).where(_ACTORS.c.id == bindparam("actor_id"))
_UNIT_CLUSTERS = select(Membership.cluster_id).where(
    Membership.unit_id == bindparam("unit_id")).distinct()


def add_cluster(session: Session, name: str, kind: str) -> int:
    """Record a cluster; its id."""
    new_id: int = run(session, _ADD_CLUSTER, name=name, kind=kind).inserted_primary_key[0]
    return new_id


def add_actor(session: Session, name: str, unit_id: int | None, login: str | None) -> None:
    """Register a person, of unit ``unit_id`` (or none), with ``login`` (or none)."""
    run(session, _ADD_ACTOR, name=name, unit_id=unit_id, login=login)


def disable_actor(session: Session, actor_id: int, on: str) -> None:
    """Person ``actor_id`` is disabled from the date ``on`` (the row is kept)."""
    run(session, _SET_ACTOR, actor_id=actor_id, disabled_on=on)


def set_login(session: Session, actor_id: int, login: str) -> None:
    """Person ``actor_id``'s login is now ``login``."""
    run(session, _SET_ACTOR, actor_id=actor_id, login=login)


def unit_clusters(session: Session, unit_id: int) -> set[int]:
    """The clusters unit ``unit_id`` belongs or ever belonged to."""
    return set(run(session, _UNIT_CLUSTERS, unit_id=unit_id).scalars())


_MEMBERS = (select(Unit.name).join(Membership, Membership.unit_id == Unit.id)
            .where(Membership.cluster_id == bindparam("cluster_id"), _open_on(bindparam("day")))
            .order_by(Unit.name))
_MEMBERSHIPS_OF = (select(Membership.id, Membership.cluster_id)
                   .where(Membership.unit_id == bindparam("unit_id"),
                          _open_on(bindparam("day")))
                   .order_by(Membership.id))


def members_on(session: Session, cluster_id: int, day: dt.date) -> list[str]:
    """The names of the cluster's member units on ``day``, sorted."""
    return list(run(session, _MEMBERS, cluster_id=cluster_id, day=day.isoformat()).scalars())


def open_membership(session: Session, cluster_id: int, unit_id: int,
                    day: dt.date) -> Membership | None:
    """The membership of unit ``unit_id`` in cluster ``cluster_id`` that runs on ``day``."""
    return session.scalar(select(Membership).where(
        Membership.cluster_id == cluster_id, Membership.unit_id == unit_id,
        _open_on(day.isoformat())))


def memberships_of(session: Session, unit_id: int, day: dt.date) -> list[Any]:
    """The memberships of unit ``unit_id`` that run on ``day``: rows of ``id`` and
    ``cluster_id``."""
    return list(run(session, _MEMBERSHIPS_OF, unit_id=unit_id, day=day.isoformat()))


def add_membership(session: Session, cluster_id: int, unit_id: int, day: dt.date) -> None:
    """Unit ``unit_id`` joins cluster ``cluster_id`` on ``day``."""
    run(session, _ADD_MEMBERSHIP, cluster_id=cluster_id, unit_id=unit_id,
        joined_on=day.isoformat())


def end_membership(session: Session, membership_id: int, day: dt.date) -> None:
    """Membership ``membership_id`` no longer runs from ``day`` on."""
    run(session, _END_MEMBERSHIP, membership_id=membership_id, left_on=day.isoformat())


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


_PERIOD_LEADERSHIP = select(Leadership.head_unit_id, Leadership.deputy_unit_id).where(
    Leadership.cluster_id == bindparam("cluster_id"), Leadership.period == bindparam("period"))
_MERGER = select(Merger.into_unit_id, Merger.merged_on).where(
    Merger.unit_id == bindparam("unit_id"))


def period_leadership(session: Session, cluster_id: int, period: int) -> Any:
    """The head and deputy set for ``period`` (before any change within it): a row of
    ``head_unit_id`` and ``deputy_unit_id``, or None."""
    return run(session, _PERIOD_LEADERSHIP, cluster_id=cluster_id, period=period).first()


def add_leadership(session: Session, cluster_id: int, period: int, head_unit_id: int,
                   deputy_unit_id: int | None) -> None:
    """Set the head and deputy of cluster ``cluster_id`` for ``period``."""
    run(session, _ADD_LEADERSHIP, cluster_id=cluster_id, period=period,
        head_unit_id=head_unit_id, deputy_unit_id=deputy_unit_id)


def merger_of(session: Session, unit_id: int) -> Any:
    """The merger that absorbed unit ``unit_id``: a row of ``into_unit_id`` and
    ``merged_on``, or None."""
    return run(session, _MERGER, unit_id=unit_id).first()


def add_merger(session: Session, unit_id: int, into_unit_id: int, day: dt.date) -> None:
    """Unit ``unit_id`` is absorbed into unit ``into_unit_id`` on ``day``."""
    run(session, _ADD_MERGER, unit_id=unit_id, into_unit_id=into_unit_id,
        merged_on=day.isoformat())
