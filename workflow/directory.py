"""Who acts: clusters and their member units over time, heads and deputies, people, grants.

Every change here is ledgered like a step of a cycle, so an auditor sees who set up whom.
Two roles follow from the records rather than from grants: a person of a member unit holds
``member_unit`` in that cluster, and a person of the head unit of a period holds ``cluster_head``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.models import (
    Actor,
    Cluster,
    Grant,
    Leadership,
    LeadershipChange,
    Membership,
    Unit,
)
from workflow.db import Database, record
from workflow.errors import InvalidInput, NotFound

DERIVED_ROLES = ("member_unit", "cluster_head")


@dataclass(frozen=True)
class ClusterView:
    """A cluster as shown to users."""

    name: str
    kind: str
    members: list[str]
    head: str | None
    deputy: str | None
    period: int | None


def unit(session: Session, name: str, *, create: bool = False) -> Unit:
    """The unit called ``name`` (created when ``create``)."""
    found = session.scalar(select(Unit).where(Unit.name == name))
    if found is None:
        if not create:
            raise NotFound(f"no unit {name!r}")
        found = Unit(name=name)
        session.add(found)
        session.flush()
    return found


def cluster(session: Session, name: str) -> Cluster:
    """The cluster called ``name``."""
    found = session.scalar(select(Cluster).where(Cluster.name == name))
    if found is None:
        raise NotFound(f"no cluster {name!r} (see: thidua cluster show)")
    return found


def cluster_name(session: Session, cluster_id: int) -> str:
    """The name of cluster ``cluster_id``."""
    row = session.get(Cluster, cluster_id)
    return row.name if row else str(cluster_id)


def actor(session: Session, name: str) -> Actor:
    """The person called ``name``."""
    found = session.scalar(select(Actor).where(Actor.name == name))
    if found is None:
        raise NotFound(f"no person {name!r} is registered (see: thidua actor add)")
    return found


def actor_for_operator(session: Session, operator: str) -> Actor:
    """The person whose login is the operator's own, for steps taken without ``--as``."""
    found = session.scalar(select(Actor).where(Actor.login == operator))
    if found is None:
        raise InvalidInput(f"no person is registered for the login {operator!r}: "
                           "name one with --as NAME")
    return found


def members_on(session: Session, cluster_id: int, day: dt.date) -> list[str]:
    """The names of the cluster's member units on ``day``, sorted."""
    iso_day = day.isoformat()
    query = (select(Unit.name).join(Membership, Membership.unit_id == Unit.id)
             .where(Membership.cluster_id == cluster_id, Membership.joined_on <= iso_day,
                    or_(Membership.left_on.is_(None), Membership.left_on > iso_day))
             .order_by(Unit.name))
    return list(session.scalars(query))


def leadership(session: Session, cluster_id: int, period: int,
               day: dt.date | None = None) -> tuple[str | None, str | None]:
    """The head and deputy unit names of ``period`` on ``day`` (at the period's end if None):
    the last change made on or before that day, else those set for the period."""
    head_id, deputy_id = None, None
    row = session.scalar(select(Leadership).where(Leadership.cluster_id == cluster_id,
                                                  Leadership.period == period))
    if row is not None:
        head_id, deputy_id = row.head_unit_id, row.deputy_unit_id
    changes = select(LeadershipChange).where(LeadershipChange.cluster_id == cluster_id,
                                             LeadershipChange.period == period)
    if day is not None:
        changes = changes.where(LeadershipChange.since <= day.isoformat())
    change = session.scalar(changes.order_by(LeadershipChange.since.desc(),
                                             LeadershipChange.id.desc()).limit(1))
    if change is not None:
        head_id, deputy_id = change.head_unit_id, change.deputy_unit_id
    return _name(session, head_id), _name(session, deputy_id)


def _name(session: Session, unit_id: int | None) -> str | None:
    found = session.get(Unit, unit_id) if unit_id is not None else None
    return found.name if found else None


def roles_of(session: Session, person: Actor, cluster_row: Cluster, period: int,
             day: dt.date) -> set[str]:
    """Every role ``person`` holds in ``cluster_row`` for ``period``: granted and derived."""
    grants = session.scalars(select(Grant.role).where(
        Grant.actor_id == person.id,
        or_(Grant.cluster_id.is_(None), Grant.cluster_id == cluster_row.id),
        or_(Grant.period.is_(None), Grant.period == period)))
    roles = set(grants)
    if person.unit_id is not None:
        own = session.get(Unit, person.unit_id)
        if own is not None and own.name in members_on(session, cluster_row.id, day):
            roles.add("member_unit")
        head, _ = leadership(session, cluster_row.id, period, day)
        if own is not None and own.name == head:
            roles.add("cluster_head")
    return roles


def add_cluster(db: Database, name: str, *, members: list[str], head: str | None,
                deputy: str | None, period: int, joined_on: dt.date, kind: str = "cluster",
                by: str | None = None) -> ClusterView:
    """Create a cluster with its member units (created as needed), head and deputy."""
    if not members:
        raise InvalidInput("a cluster needs at least one member unit (--member UNIT)")
    for role, who in (("head", head), ("deputy", deputy)):
        if who is not None and who not in members:
            raise InvalidInput(f"the {role} {who!r} is not among the member units")
    if head is not None and head == deputy:
        raise InvalidInput("the head and the deputy must be different units")
    with db.transaction() as session:
        if session.scalar(select(Cluster).where(Cluster.name == name)) is not None:
            raise InvalidInput(f"a cluster named {name!r} already exists")
        row = Cluster(name=name, kind=kind)
        session.add(row)
        session.flush()
        for member in dict.fromkeys(members):
            session.add(Membership(cluster_id=row.id, unit_id=unit(session, member, create=True).id,
                                   joined_on=joined_on.isoformat()))
        if head is not None:
            session.add(Leadership(
                cluster_id=row.id, period=period, head_unit_id=unit(session, head).id,
                deputy_unit_id=unit(session, deputy).id if deputy else None))
        record(session, db, kind="admin", trigger="cluster_add", actor=by or db.operator,
               inputs={"cluster": name, "kind": kind, "members": list(dict.fromkeys(members)),
                       "head": head, "deputy": deputy, "period": period,
                       "joined_on": joined_on.isoformat()})
    return show_cluster(db, name, period)


def show_cluster(db: Database, name: str, period: int | None = None) -> ClusterView:
    """A cluster's members today and its head and deputy for ``period``."""
    with db.transaction() as session:
        row = cluster(session, name)
        members = members_on(session, row.id, dt.date.today())
        head, deputy = leadership(session, row.id, period) if period else (None, None)
        return ClusterView(row.name, row.kind, members, head, deputy, period)


def list_clusters(db: Database) -> list[str]:
    """The names of every cluster."""
    with db.transaction() as session:
        return list(session.scalars(select(Cluster.name).order_by(Cluster.name)))


def add_actor(db: Database, name: str, *, unit_name: str | None, login: str | None = None,
              by: str | None = None) -> None:
    """Register a person, of a unit (optional) and with an OS or database login (optional)."""
    with db.transaction() as session:
        if session.scalar(select(Actor).where(Actor.name == name)) is not None:
            raise InvalidInput(f"a person named {name!r} is already registered")
        if login and session.scalar(select(Actor).where(Actor.login == login)) is not None:
            raise InvalidInput(f"the login {login!r} already belongs to another person")
        unit_id = unit(session, unit_name).id if unit_name else None
        session.add(Actor(name=name, unit_id=unit_id, login=login))
        record(session, db, kind="admin", trigger="actor_add", actor=by or db.operator,
               inputs={"name": name, "unit": unit_name, "login": login})


def grant(db: Database, name: str, role: str, *, cluster_name: str | None,
          period: int | None = None, by: str | None = None) -> None:
    """Grant ``role`` to a person, in one cluster (or all) and one period (or all)."""
    if role in DERIVED_ROLES:
        raise InvalidInput(f"{role!r} is not granted: it follows from the person's unit "
                           "(member units and the cluster's head)")
    with db.transaction() as session:
        person = actor(session, name)
        cluster_id = cluster(session, cluster_name).id if cluster_name else None
        session.add(Grant(actor_id=person.id, role=role, cluster_id=cluster_id, period=period))
        record(session, db, kind="admin", trigger="actor_grant", actor=by or db.operator,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period})
