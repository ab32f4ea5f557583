"""Queries on the roles granted to people and on the delegations that let a login act for a
person. They return rows, sets or None; the workflow layer decides who may do what."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from thidua.store.models import Actor, Delegation, Grant
from thidua.store.query import run

_GRANTS = cast(Table, Grant.__table__)
_LIVE = Grant.revoked_on.is_(None)

_GRANTED = select(Grant.role).where(
    Grant.actor_id == bindparam("actor_id"), _LIVE,
    or_(Grant.cluster_id.is_(None), Grant.cluster_id == bindparam("cluster_id")),
    or_(Grant.period.is_(None), Grant.period == bindparam("period")))
_ROLES = select(Grant.role).where(Grant.actor_id == bindparam("actor_id"), _LIVE)
_HELD_BY_ANYONE = select(Grant.id).where(Grant.role == bindparam("role"), _LIVE).limit(1)
# Revoked grants are kept: this is "ever granted", whatever happened since.
_EVER_GRANTED = select(Grant.id).where(Grant.role == bindparam("role")).limit(1)
_SCOPES = select(Grant.cluster_id, Grant.period).where(
    Grant.actor_id == bindparam("actor_id"), Grant.role == bindparam("role"), _LIVE)
_CLUSTERS = select(Grant.cluster_id).where(Grant.actor_id == bindparam("actor_id"),
                                           _LIVE).distinct()
_HOLDERS_EVERYWHERE = (select(Actor.id, Actor.name, Actor.login, Actor.disabled_on)
                       .join(Grant, Grant.actor_id == Actor.id)
                       .where(Grant.role == bindparam("role"), _LIVE,
                              Grant.cluster_id.is_(None), Grant.period.is_(None))
                       .distinct().order_by(Actor.id))
# One scope exactly: a grant for all clusters (or periods) is not one for a given cluster.
_IN_SCOPE = select(Grant.id).where(
    Grant.actor_id == bindparam("actor_id"), Grant.role == bindparam("role"), _LIVE,
    Grant.cluster_id.is_not_distinct_from(bindparam("cluster_id")),
    Grant.period.is_not_distinct_from(bindparam("period"))).order_by(Grant.id)
_ADD = insert(_GRANTS)
_REVOKE = update(_GRANTS).where(_GRANTS.c.id.in_(bindparam("ids", expanding=True)))

_DELEGATIONS = cast(Table, Delegation.__table__)
_DELEGATION = select(Delegation.id, Delegation.revoked_on).where(
    Delegation.login == bindparam("login"), Delegation.actor_id == bindparam("actor_id"))
_DELEGATED = _DELEGATION.where(Delegation.revoked_on.is_(None))
_ADD_DELEGATION = insert(_DELEGATIONS)
_SET_DELEGATION = update(_DELEGATIONS).where(_DELEGATIONS.c.id == bindparam("delegation_id"))


def granted_roles(session: Session, actor_id: int, cluster_id: int, period: int) -> set[str]:
    """The roles granted to person ``actor_id`` that reach ``cluster_id`` in ``period``."""
    return set(run(session, _GRANTED, actor_id=actor_id, cluster_id=cluster_id,
                   period=period).scalars())


def roles_of(session: Session, actor_id: int) -> set[str]:
    """Every role granted to person ``actor_id`` and not revoked, whatever its scope."""
    return set(run(session, _ROLES, actor_id=actor_id).scalars())


def anyone_holds(session: Session, role: str) -> bool:
    """True when someone holds ``role`` (not revoked), in any scope."""
    return run(session, _HELD_BY_ANYONE, role=role).first() is not None


def ever_granted(session: Session, role: str) -> bool:
    """True when ``role`` was ever granted to anyone, revoked since or not."""
    return run(session, _EVER_GRANTED, role=role).first() is not None


def scopes(session: Session, actor_id: int, role: str) -> list[tuple[int | None, int | None]]:
    """The (cluster id, period) of each live grant of ``role`` to person ``actor_id``; None
    stands for every cluster, or every period."""
    return [(row.cluster_id, row.period)
            for row in run(session, _SCOPES, actor_id=actor_id, role=role)]


def clusters_granted(session: Session, actor_id: int) -> set[int | None]:
    """The clusters of person ``actor_id``'s live grants, whatever the role (None: a grant
    for every cluster)."""
    return set(run(session, _CLUSTERS, actor_id=actor_id).scalars())


def holders_everywhere(session: Session, role: str) -> list[Any]:
    """The people holding a live grant of ``role`` for every cluster and every period: rows
    of ``id``, ``name``, ``login`` and ``disabled_on``."""
    return list(run(session, _HOLDERS_EVERYWHERE, role=role))


def in_scope(session: Session, actor_id: int, role: str, cluster_id: int | None,
             period: int | None) -> list[int]:
    """The ids of person ``actor_id``'s live grants of ``role`` for exactly that cluster
    (None: all clusters) and period (None: all periods)."""
    return list(run(session, _IN_SCOPE, actor_id=actor_id, role=role, cluster_id=cluster_id,
                    period=period).scalars())


def add(session: Session, actor_id: int, role: str, cluster_id: int | None,
        period: int | None) -> None:
    """Grant ``role`` to person ``actor_id`` in that cluster and period (None: all)."""
    run(session, _ADD, actor_id=actor_id, role=role, cluster_id=cluster_id, period=period)


def revoke(session: Session, ids: list[int], on: str) -> None:
    """Mark the grants ``ids`` revoked on the date ``on`` (they are kept)."""
    run(session, _REVOKE, ids=ids, revoked_on=on)


def delegated(session: Session, login: str, actor_id: int) -> bool:
    """True when ``login`` may enter steps on person ``actor_id``'s authority (a delegation
    recorded and not revoked)."""
    return run(session, _DELEGATED, login=login, actor_id=actor_id).first() is not None


def delegation(session: Session, login: str, actor_id: int) -> Any:
    """The delegation of ``login`` for person ``actor_id``, revoked or not: a row of ``id``
    and ``revoked_on``, or None."""
    return run(session, _DELEGATION, login=login, actor_id=actor_id).first()


def add_delegation(session: Session, login: str, actor_id: int) -> None:
    """Let ``login`` enter steps on person ``actor_id``'s authority."""
    run(session, _ADD_DELEGATION, login=login, actor_id=actor_id)


def set_delegation_revoked(session: Session, delegation_id: int, on: str | None) -> None:
    """Mark delegation ``delegation_id`` revoked on the date ``on``, or (None) in force again."""
    run(session, _SET_DELEGATION, delegation_id=delegation_id, revoked_on=on)
