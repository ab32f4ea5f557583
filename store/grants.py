"""Queries on the roles granted to people and on the delegations that let a login act for a
person. They return rows, sets or None; the workflow layer decides who may do what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, exists, insert, or_, select, update

from thidua.store import tables as t
from thidua.store.query import run

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


# The columns of each table the statements below read.
_gr = t.grants.c
_ac = t.actors.c
_de = t.delegations.c

_GRANTS = t.grants
_LIVE = _gr.revoked_on.is_(None)

_GRANTED = select(_gr.role).where(
    _gr.actor_id == bindparam("actor_id"), _LIVE,
    or_(_gr.cluster_id.is_(None), _gr.cluster_id == bindparam("cluster_id")),
    or_(_gr.period.is_(None), _gr.period == bindparam("period")))
_ROLES = select(_gr.role).where(_gr.actor_id == bindparam("actor_id"), _LIVE)
_HELD_BY_ANYONE = select(_gr.id).where(_gr.role == bindparam("role"), _LIVE).limit(1)
# Revoked grants are kept: this is "ever granted", whatever happened since.
_EVER_GRANTED = select(_gr.id).where(_gr.role == bindparam("role")).limit(1)
_SCOPES = select(_gr.cluster_id, _gr.period).where(
    _gr.actor_id == bindparam("actor_id"), _gr.role == bindparam("role"), _LIVE)
_CLUSTERS = select(_gr.cluster_id).where(_gr.actor_id == bindparam("actor_id"),
                                           _LIVE).distinct()
_HOLDERS_EVERYWHERE = (select(_ac.id, _ac.name, _ac.login, _ac.disabled_on)
                       .join(t.grants, _gr.actor_id == _ac.id)
                       .where(_gr.role == bindparam("role"), _LIVE,
                              _gr.cluster_id.is_(None), _gr.period.is_(None))
                       .distinct().order_by(_ac.id))
# One scope exactly: a grant for all clusters (or periods) is not one for a given cluster.
_IN_SCOPE = select(_gr.id).where(
    _gr.actor_id == bindparam("actor_id"), _gr.role == bindparam("role"), _LIVE,
    _gr.cluster_id.is_not_distinct_from(bindparam("cluster_id")),
    _gr.period.is_not_distinct_from(bindparam("period"))).order_by(_gr.id)
_ADD = insert(_GRANTS)
_REVOKE = update(_GRANTS).where(_GRANTS.c.id.in_(bindparam("ids", expanding=True)))

_DELEGATIONS = t.delegations
_DELEGATION = select(_de.id, _de.revoked_on).where(
    _de.login == bindparam("login"), _de.actor_id == bindparam("actor_id"))
_DELEGATED = _DELEGATION.where(_de.revoked_on.is_(None))
_ADD_DELEGATION = insert(_DELEGATIONS)
_SET_DELEGATION = update(_DELEGATIONS).where(_DELEGATIONS.c.id == bindparam("delegation_id"))


def granted_roles(session: Session, actor_id: int, cluster_id: int, period: int) -> set[str]:
    """The roles granted to person ``actor_id`` that reach ``cluster_id`` in ``period``."""
    return set(run(session, _GRANTED, actor_id=actor_id, cluster_id=cluster_id,
                   period=period).scalars())


_LIVE_GRANTS = select(_gr.role, _gr.cluster_id, _gr.period).where(
    _gr.actor_id == bindparam("actor_id"), _LIVE)


def live_grants(session: Session, actor_id: int) -> list[Any]:
    """The grants of person ``actor_id`` not revoked: rows of ``role``, ``cluster_id`` and
    ``period`` (None: every cluster, every period)."""
    return list(run(session, _LIVE_GRANTS, actor_id=actor_id))


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


# Whether a login may enter a step for a person, in one statement: the person with that
# login (their name and since when disabled, if so), whether the administrator role was ever
# granted (set-up mode when not), and whether a live delegation lets the login act for them.
_OWN = select(_ac.name, _ac.disabled_on).where(_ac.login == bindparam("login")).subquery()
ENTERING_COLUMNS = (
    select(_OWN.c.name).scalar_subquery().label("own_name"),
    select(_OWN.c.disabled_on).scalar_subquery().label("own_disabled_on"),
    exists().where(_gr.role == bindparam("admin")).label("admin_ever"))


def entering_columns(actor_id: Any) -> tuple[Any, ...]:
    """What decides whether the login bound as ``login`` may enter a step for person
    ``actor_id`` (the column of a query that reads the person): ``own_name`` and
    ``own_disabled_on`` (the person whose login it is; None when nobody's), ``admin_ever`` (the
    role bound as ``admin`` was ever granted) and ``delegated`` (a live delegation)."""
    return (*ENTERING_COLUMNS,
            exists().where(_de.login == bindparam("login"), _de.actor_id == actor_id,
                           _de.revoked_on.is_(None)).label("delegated"))


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
