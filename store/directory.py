"""Queries on the directory tables: units, clusters, memberships over time, heads and deputies,
people, mergers. They return rows or None; the workflow layer decides what a missing record
means to a user. A person's grants and delegations are in :mod:`store.grants`."""

from __future__ import annotations

import datetime as dt
import functools
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    cast,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)

from thidua.store import grants
from thidua.store import tables as t
from thidua.store.query import Prepared, run

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.models import Actor, Cluster, Membership, Unit
    from thidua.store.query import Target


# The columns of each table the statements below read.
_un = t.units.c
_cl = t.clusters.c
_ac = t.actors.c
_me = t.memberships.c
_le = t.leaderships.c
_lc = t.leadership_changes.c
_mg = t.mergers.c

def _open_on(day: Any) -> ColumnElement[bool]:
    """A membership runs on ``day``: joined on or before it, not left by then."""
    return and_(_me.joined_on <= day,
                or_(_me.left_on.is_(None), _me.left_on > day))


@functools.cache
def _entities() -> SimpleNamespace:
    """The statements that load ORM objects, built on first use: only commands that change
    the directory work with those, and a command that only reads never imports the ORM."""
    from thidua.store import models

    return SimpleNamespace(
        models=models,
        unit=select(models.Unit).where(models.Unit.name == bindparam("name")),
        cluster=select(models.Cluster).where(models.Cluster.name == bindparam("name")),
        actor=select(models.Actor).where(models.Actor.name == bindparam("name")),
        actor_login=select(models.Actor).where(models.Actor.login == bindparam("login")))

_UNIT_NAME = select(_un.name).where(_un.id == bindparam("unit_id"))
_CLUSTER_NAME = select(_cl.name).where(_cl.id == bindparam("cluster_id"))
_CLUSTER_ID = select(_cl.id).where(_cl.name == bindparam("name"))
_CLUSTER_NAMES = select(_cl.name).order_by(_cl.name)
_ACTOR_ID = select(_ac.id).where(_ac.name == bindparam("name"))
_ACTOR_ID_LOGIN = select(_ac.id).where(_ac.login == bindparam("login"))
_ACTOR_NAMES = select(_ac.name).order_by(_ac.name)
_UNIT_NAMES = select(_un.name).order_by(_un.name)
_LOGINS = select(_ac.login).where(_ac.login.is_not(None)).order_by(_ac.login)


def unit_named(session: Session, name: str) -> Unit | None:
    """The unit called ``name``."""
    return session.scalar(_entities().unit, {"name": name})


def cluster_named(session: Session, name: str) -> Cluster | None:
    """The cluster called ``name``."""
    return session.scalar(_entities().cluster, {"name": name})


def actor_named(session: Session, name: str) -> Actor | None:
    """The person called ``name``."""
    return session.scalar(_entities().actor, {"name": name})


def actor_with_login(session: Session, login: str) -> Actor | None:
    """The person whose login is ``login``."""
    return session.scalar(_entities().actor_login, {"login": login})


_PERSON = (select(_ac.id, _ac.name, _ac.unit_id, _ac.login, _ac.disabled_on,
                  _un.name.label("unit_name"))
           .select_from(t.actors.outerjoin(t.units, _un.id == _ac.unit_id)))
_PERSON_NAMED = _PERSON.where(_ac.name == bindparam("name"))
_PERSON_WITH_LOGIN = _PERSON.where(_ac.login == bindparam("login"))


_PERSON_ENTERING = Prepared(
    _PERSON.add_columns(*grants.entering_columns(_ac.id)).where(_ac.name == bindparam("name")))


def person_entering(target: Target, name: str, *, login: str, admin: str) -> Any:
    """The person called ``name`` as :func:`person_named` gives them, with what decides whether
    ``login`` may enter a step for them (:func:`store.grants.entering_columns`: ``own_name``,
    ``own_disabled_on``, ``admin_ever``, ``delegated``), in one statement; or None."""
    return _PERSON_ENTERING.run(target, name=name, login=login, admin=admin).first()


def person_named(target: Target, name: str) -> Any:
    """The person called ``name`` as a row (``id``, ``name``, ``unit_id``, ``login``,
    ``disabled_on`` and their unit's name, ``unit_name``), or None: what a step reads of the
    person it is taken for, in one statement and without the ORM."""
    return run(target, _PERSON_NAMED, name=name).first()


def person_with_login(target: Target, login: str) -> Any:
    """The person whose login is ``login``, as :func:`person_named` gives it, or None."""
    return run(target, _PERSON_WITH_LOGIN, login=login).first()


def unit_name(session: Session, unit_id: int | None) -> str | None:
    """The name of unit ``unit_id`` (None for None)."""
    if unit_id is None:
        return None
    name: str | None = run(session, _UNIT_NAME, unit_id=unit_id).scalar()
    return name


_CLUSTER_BY_ID = select(t.clusters).where(_cl.id == bindparam("cluster_id"))


def cluster_by_id(target: Target, cluster_id: int) -> Any:
    """The row of cluster ``cluster_id`` (``id``, ``name``, ``kind``), or None; a row, not an
    ORM object: a step reads it and changes nothing in it."""
    return run(target, _CLUSTER_BY_ID, cluster_id=cluster_id).first()


_CLUSTERS_ALL = select(t.clusters).order_by(_cl.id)


def clusters(target: Target) -> list[Any]:
    """Every cluster: rows of ``id``, ``name`` and ``kind``."""
    return list(run(target, _CLUSTERS_ALL))


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


_CLUSTERS = t.clusters
_ACTORS = t.actors
_MEMBERSHIPS = t.memberships
_LEADERSHIPS = t.leaderships
_MERGERS = t.mergers
_ADD_CLUSTER = insert(_CLUSTERS)
_ADD_ACTOR = insert(_ACTORS)
_ADD_MEMBERSHIP = insert(_MEMBERSHIPS)
_ADD_LEADERSHIP = insert(_LEADERSHIPS)
_ADD_MERGER = insert(_MERGERS)
_END_MEMBERSHIP = update(_MEMBERSHIPS).where(_MEMBERSHIPS.c.id == bindparam("membership_id"))
_SET_ACTOR = update(_ACTORS).where(_ACTORS.c.id == bindparam("actor_id"))
_UNIT_CLUSTERS = select(_me.cluster_id).where(
    _me.unit_id == bindparam("unit_id")).distinct()


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


_MEMBERS = (select(_un.name).join(t.memberships, _me.unit_id == _un.id)
            .where(_me.cluster_id == bindparam("cluster_id"), _open_on(bindparam("day")))
            .order_by(_un.name))
_MEMBERSHIPS_OF = (select(_me.id, _me.cluster_id)
                   .where(_me.unit_id == bindparam("unit_id"),
                          _open_on(bindparam("day")))
                   .order_by(_me.id))


def members_on(session: Session, cluster_id: int, day: dt.date) -> list[str]:
    """The names of the cluster's member units on ``day``, sorted."""
    return list(run(session, _MEMBERS, cluster_id=cluster_id, day=day.isoformat()).scalars())


_EVERY_MEMBER = (select(_me.cluster_id, _un.name).join(t.memberships, _me.unit_id == _un.id)
                 .where(_open_on(bindparam("day"))).order_by(_un.name))


def members_of_every_cluster(target: Target, day: dt.date) -> list[Any]:
    """Every cluster's member units on ``day``: rows of ``cluster_id`` and ``name``, by name."""
    return list(run(target, _EVERY_MEMBER, day=day.isoformat()))


def open_membership(session: Session, cluster_id: int, unit_id: int,
                    day: dt.date) -> Membership | None:
    """The membership of unit ``unit_id`` in cluster ``cluster_id`` that runs on ``day``."""
    membership = _entities().models.Membership
    return session.scalar(select(membership).where(
        membership.cluster_id == cluster_id, membership.unit_id == unit_id,
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


# Head and deputy with their unit names joined in.
_HEAD, _DEPUTY = t.units.alias("head_unit"), t.units.alias("deputy_unit")
# Both in one statement: the last change on or before the day, else the period's own.
_LEADERS = union_all(
    select(literal(0).label("rank"), _HEAD.c.name.label("head"),
           _DEPUTY.c.name.label("deputy"), _lc.since.label("since"), _lc.id.label("rid"))
    .select_from(t.leadership_changes)
    .join(_HEAD, _HEAD.c.id == _lc.head_unit_id)
    .outerjoin(_DEPUTY, _DEPUTY.c.id == _lc.deputy_unit_id)
    .where(_lc.cluster_id == bindparam("cluster_id"), _lc.period == bindparam("period"),
           _lc.since <= bindparam("day")),
    select(literal(1).label("rank"), _HEAD.c.name.label("head"),
           _DEPUTY.c.name.label("deputy"), literal("").label("since"),
           literal(0).label("rid"))
    .select_from(t.leaderships)
    .join(_HEAD, _HEAD.c.id == _le.head_unit_id)
    .outerjoin(_DEPUTY, _DEPUTY.c.id == _le.deputy_unit_id)
    .where(_le.cluster_id == bindparam("cluster_id"), _le.period == bindparam("period")),
).order_by(text("rank"), text("since DESC"), text("rid DESC")).limit(1)


_LEADERS_ROW = _LEADERS.subquery("leaders")
# What judging one step asks of the directory, in one statement: the cluster's members on the
# day (by name, as members_on orders them), its head and deputy then, the person's grants
# that reach it (a row of each kind: "member", "leaders", "grant").
_DAY_OF_STEP = Prepared(union_all(
    select(literal("member").label("kind"), _un.name.label("a"),
           cast(null(), String).label("b"))
    .join(t.memberships, _me.unit_id == _un.id)
    .where(_me.cluster_id == bindparam("cluster_id"), _open_on(bindparam("day"))),
    select(literal("leaders").label("kind"), _LEADERS_ROW.c.head.label("a"),
           _LEADERS_ROW.c.deputy.label("b")),
    select(literal("grant").label("kind"), t.grants.c.role.label("a"),
           cast(null(), String).label("b"))
    .where(t.grants.c.actor_id == bindparam("actor_id"), t.grants.c.revoked_on.is_(None),
           or_(t.grants.c.cluster_id.is_(None),
               t.grants.c.cluster_id == bindparam("cluster_id")),
           or_(t.grants.c.period.is_(None), t.grants.c.period == bindparam("period"))),
).order_by(text("kind"), text("a")))


def day_of_step(target: Target, cluster_id: int, period: int, day: dt.date,
                actor_id: int) -> tuple[list[str], tuple[str | None, str | None], set[str]]:
    """In one statement, what :func:`members_on`, :func:`leadership` and
    :func:`store.grants.granted_roles` give for one cluster, period, day and person."""
    members: list[str] = []
    leaders: tuple[str | None, str | None] = (None, None)
    roles: set[str] = set()
    for kind, a, b in _DAY_OF_STEP.run(target, cluster_id=cluster_id, period=period,
                                       day=day.isoformat(), actor_id=actor_id):
        if kind == "member":
            members.append(a)
        elif kind == "leaders":
            leaders = (a, b)
        else:
            roles.add(a)
    return members, leaders, roles


def leadership(session: Session, cluster_id: int, period: int,
               day: dt.date | None = None) -> tuple[str | None, str | None]:
    """The head and deputy unit names of ``period`` on ``day`` (at the period's end if None):
    the last change made on or before that day, else those set for the period."""
    since = day.isoformat() if day is not None else "9999-12-31"
    row: Any = run(session, _LEADERS, cluster_id=cluster_id, period=period, day=since).first()
    return (row.head, row.deputy) if row is not None else (None, None)


_EVERY_CHANGE = (select(_lc.cluster_id, _lc.period, _HEAD.c.name, _DEPUTY.c.name)
                 .select_from(t.leadership_changes)
                 .join(_HEAD, _HEAD.c.id == _lc.head_unit_id)
                 .outerjoin(_DEPUTY, _DEPUTY.c.id == _lc.deputy_unit_id)
                 .where(_lc.since <= bindparam("day"))
                 .order_by(_lc.since.desc(), _lc.id.desc()))
_EVERY_PERIOD = (select(_le.cluster_id, _le.period, _HEAD.c.name, _DEPUTY.c.name)
                 .select_from(t.leaderships)
                 .join(_HEAD, _HEAD.c.id == _le.head_unit_id)
                 .outerjoin(_DEPUTY, _DEPUTY.c.id == _le.deputy_unit_id))


def leadership_of_every_cluster(target: Target, day: dt.date
                                ) -> dict[tuple[int, int], tuple[str | None, str | None]]:
    """The head and deputy of every cluster and period on ``day``, as :func:`leadership`
    gives them one at a time, by ``(cluster_id, period)``."""
    found: dict[tuple[int, int], tuple[str | None, str | None]] = {}
    for statement in (_EVERY_CHANGE, _EVERY_PERIOD):  # a change made by then comes first
        for cluster_id, period, head, deputy in run(target, statement, day=day.isoformat()):
            found.setdefault((cluster_id, period), (head, deputy))
    return found


_PERIOD_LEADERSHIP = select(_le.head_unit_id, _le.deputy_unit_id).where(
    _le.cluster_id == bindparam("cluster_id"), _le.period == bindparam("period"))
_MERGER = select(_mg.into_unit_id, _mg.merged_on).where(
    _mg.unit_id == bindparam("unit_id"))


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
