"""Who acts: clusters and their member units over time, heads and deputies, people, grants.

Every change here is ledgered like a step of a cycle, so an auditor sees who set up whom.
Two roles follow from the records rather than from grants: a person of a member unit holds
``member_unit`` in that cluster, and a person of the head unit of a period holds ``cluster_head``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
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
from thidua.workflow import identity
from thidua.workflow.db import Database, fetch, record
from thidua.workflow.errors import InvalidInput, NotFound

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


def person_or_operator(session: Session, operator: str, name: str | None) -> Actor:
    """The person named, else the operator's own; for reading, so no delegation is needed."""
    return actor(session, name) if name else actor_for_operator(session, operator)


def cluster_name(session: Session, cluster_id: int) -> str:
    """The name of cluster ``cluster_id``."""
    row = session.get(Cluster, cluster_id)
    return row.name if row else str(cluster_id)


_ACTOR = select(Actor).where(Actor.name == bindparam("name"))


def actor(session: Session, name: str) -> Actor:
    """The person called ``name``."""
    found = session.scalar(_ACTOR, {"name": name})
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


# The queries every step makes are built once and run through fetch (see workflow.db).
_MEMBERS = (select(Unit.name).join(Membership, Membership.unit_id == Unit.id)
            .where(Membership.cluster_id == bindparam("cluster_id"),
                   Membership.joined_on <= bindparam("day"),
                   or_(Membership.left_on.is_(None), Membership.left_on > bindparam("day")))
            .order_by(Unit.name))


def members_on(session: Session, cluster_id: int, day: dt.date) -> list[str]:
    """The names of the cluster's member units on ``day``, sorted."""
    return list(fetch(session, _MEMBERS, cluster_id=cluster_id, day=day.isoformat()).scalars())


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
    row: Any = fetch(session, _CHANGE, cluster_id=cluster_id, period=period, day=since).first()
    if row is None:
        row = fetch(session, _FOR_PERIOD, cluster_id=cluster_id, period=period).first()
    return (row[0], row[1]) if row is not None else (None, None)


_GRANTED = select(Grant.role).where(
    Grant.actor_id == bindparam("actor_id"), Grant.revoked_on.is_(None),
    or_(Grant.cluster_id.is_(None), Grant.cluster_id == bindparam("cluster_id")),
    or_(Grant.period.is_(None), Grant.period == bindparam("period")))


def roles_of(session: Session, person: Actor, cluster_row: Cluster, period: int,
             day: dt.date, *, members: Sequence[str] | None = None,
             leaders: tuple[str | None, str | None] | None = None,
             unit_name: str | None = None) -> set[str]:
    """Every role ``person`` holds in ``cluster_row`` for ``period``: granted and derived.
    A caller that already has the ``members`` and the ``leaders`` (head, deputy) on ``day``,
    or the name of the person's unit, passes them to spare the queries."""
    roles = set(fetch(session, _GRANTED, actor_id=person.id, cluster_id=cluster_row.id,
                      period=period).scalars())
    if person.unit_id is not None:
        if unit_name is None:
            own = session.get(Unit, person.unit_id)
            unit_name = own.name if own is not None else None
        if members is None:
            members = members_on(session, cluster_row.id, day)
        if unit_name is not None and unit_name in members:
            roles.add("member_unit")
        head, _ = leaders or leadership(session, cluster_row.id, period, day)
        if unit_name is not None and unit_name == head:
            roles.add("cluster_head")
    return roles


def add_cluster(db: Database, name: str, *, members: list[str], head: str | None,
                deputy: str | None, period: int, joined_on: dt.date,
                kind: str = "cluster") -> ClusterView:
    """Create a cluster with its member units (created as needed), head and deputy."""
    if not members:
        raise InvalidInput("a cluster needs at least one member unit (--member UNIT)")
    for role, who in (("head", head), ("deputy", deputy)):
        if who is not None and who not in members:
            raise InvalidInput(f"the {role} {who!r} is not among the member units")
    if head is not None and head == deputy:
        raise InvalidInput("the head and the deputy must be different units")
    with db.transaction() as session:
        by = identity.require_admin(session, db, "cluster add")
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
        record(session, db, kind="admin", trigger="cluster_add", actor=by,
               inputs={"cluster": name, "kind": kind, "members": list(dict.fromkeys(members)),
                       "head": head, "deputy": deputy, "period": period,
                       "joined_on": joined_on.isoformat()})
    return show_cluster(db, name, period)


def show_cluster(db: Database, name: str, period: int | None = None) -> ClusterView:
    """A cluster's members today and its head and deputy for ``period``."""
    with db.transaction(write=False) as session:
        row = cluster(session, name)
        members = members_on(session, row.id, dt.date.today())
        head, deputy = leadership(session, row.id, period) if period else (None, None)
        return ClusterView(row.name, row.kind, members, head, deputy, period)


def list_clusters(db: Database) -> list[str]:
    """The names of every cluster."""
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Cluster.name).order_by(Cluster.name)))


def add_actor(db: Database, name: str, *, unit_name: str | None,
              login: str | None = None) -> None:
    """Register a person, of a unit (optional) and with an OS or database login (optional)."""
    with db.transaction() as session:
        by = identity.require_admin(session, db, "actor add")
        if session.scalar(select(Actor).where(Actor.name == name)) is not None:
            raise InvalidInput(f"a person named {name!r} is already registered")
        if login and session.scalar(select(Actor).where(Actor.login == login)) is not None:
            raise InvalidInput(f"the login {login!r} already belongs to another person")
        unit_id = unit(session, unit_name).id if unit_name else None
        session.add(Actor(name=name, unit_id=unit_id, login=login))
        record(session, db, kind="admin", trigger="actor_add", actor=by,
               inputs={"name": name, "unit": unit_name, "login": login})


def grant(db: Database, name: str, role: str, *, cluster_name: str | None,
          period: int | None = None) -> None:
    """Grant ``role`` to a person, in one cluster (or all) and one period (or all)."""
    if role in DERIVED_ROLES:
        raise InvalidInput(f"{role!r} is not granted: it follows from the person's unit "
                           "(member units and the cluster's head)")
    with db.transaction() as session:
        known = known_roles(session)
        if role not in known:
            raise InvalidInput(f"unknown role {role!r} (roles: {', '.join(sorted(known))})")
        by = identity.require_admin(session, db, "actor grant")
        person = actor(session, name)
        cluster_id = cluster(session, cluster_name).id if cluster_name else None
        session.add(Grant(actor_id=person.id, role=role, cluster_id=cluster_id, period=period))
        record(session, db, kind="admin", trigger="actor_grant", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period})


def known_roles(session: Session) -> set[str]:
    """Every role a grant can name: those of the shipped and stored definitions, and the
    administrator; less the roles that follow from the records."""
    from thidua.store.models import DefinitionRow
    from thidua.workflow.loader import parse, shipped

    roles = {identity.ADMIN}
    for loaded in shipped():
        roles |= set(loaded.definition.roles)
    for source, name in session.execute(select(DefinitionRow.source, DefinitionRow.def_id)):
        roles |= set(parse(source, name).definition.roles)
    return roles - set(DERIVED_ROLES)
