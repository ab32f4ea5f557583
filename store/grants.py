"""Queries on the roles granted to people and on the delegations that let a login act for a
person. They return rows, sets or None; the workflow layer decides who may do what."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from thidua.store.models import Delegation, Grant
from thidua.store.query import run

_GRANTS = cast(Table, Grant.__table__)
_LIVE = Grant.revoked_on.is_(None)

_GRANTED = select(Grant.role).where(
    Grant.actor_id == bindparam("actor_id"), _LIVE,
    or_(Grant.cluster_id.is_(None), Grant.cluster_id == bindparam("cluster_id")),
    or_(Grant.period.is_(None), Grant.period == bindparam("period")))
_ROLES = select(Grant.role).where(Grant.actor_id == bindparam("actor_id"), _LIVE)
_HELD_BY_ANYONE = select(Grant.id).where(Grant.role == bindparam("role"), _LIVE).limit(1)
# One scope exactly: a grant for all clusters (or periods) is not one for a given cluster.
_IN_SCOPE = select(Grant.id).where(
    Grant.actor_id == bindparam("actor_id"), Grant.role == bindparam("role"), _LIVE,
    Grant.cluster_id.is_not_distinct_from(bindparam("cluster_id")),
    Grant.period.is_not_distinct_from(bindparam("period"))).order_by(Grant.id)
_ADD = insert(_GRANTS)
_REVOKE = update(_GRANTS).where(_GRANTS.c.id.in_(bindparam("ids", expanding=True)))

_DELEGATION = select(Delegation.id).where(Delegation.login == bindparam("login"),
                                          Delegation.actor_id == bindparam("actor_id"))
_ADD_DELEGATION = insert(cast(Table, Delegation.__table__))


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
    """True when ``login`` may enter steps on person ``actor_id``'s authority."""
    return run(session, _DELEGATION, login=login, actor_id=actor_id).first() is not None


def add_delegation(session: Session, login: str, actor_id: int) -> None:
    """Let ``login`` enter steps on person ``actor_id``'s authority."""
    run(session, _ADD_DELEGATION, login=login, actor_id=actor_id)
