"""Who may enter what: the operator (OS account or database login), the person on whose
authority a step is taken, delegations, administrators and auditors.

Until someone holds the ``administrator`` role the database is in set-up mode: the operator may
change the directory and enter steps for anyone (so a new database can be set up). Once an
administrator exists, directory changes need that role, and ``--as`` needs either the person's
own login or a delegation recorded by an administrator. An auditor reads everything and takes
no step but those a definition gives to the auditor role (closing the books).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua.store.models import Actor, Delegation, Grant
from thidua.workflow.engine import roster
from thidua.workflow.errors import InvalidInput, TransitionRefused
from thidua.workflow.services.db import Database, fetch, record

ADMIN, AUDITOR = roster.ADMIN, roster.AUDITOR


# Built once: every step asks it.
_ANY_ADMIN = select(Grant.id).where(Grant.role == ADMIN, Grant.revoked_on.is_(None)).limit(1)


def setup_mode(session: Session) -> bool:
    """True while nobody holds the administrator role."""
    return fetch(session, _ANY_ADMIN).first() is None


def _global_roles(session: Session, person: Actor) -> set[str]:
    return set(session.scalars(select(Grant.role).where(
        Grant.actor_id == person.id, Grant.revoked_on.is_(None))))


def require_admin(session: Session, db: Database, what: str) -> str:
    """The name to record for an administrative change; refuse it unless the operator's own
    person is an administrator (or the database is in set-up mode)."""
    if setup_mode(session):
        return db.operator
    person = session.scalar(select(Actor).where(Actor.login == db.operator))
    if person is None:
        raise TransitionRefused(what, [f"the login {db.operator!r} is not a registered person: "
                                       "only an administrator may do this"])
    roles = _global_roles(session, person)
    if AUDITOR in roles:
        raise TransitionRefused(what, [f"{person.name} is an auditor: an auditor reads "
                                       "everything and changes nothing"])
    if ADMIN not in roles:
        raise TransitionRefused(what, [f"{person.name} is not an administrator"])
    return person.name


def acting_person(session: Session, db: Database, name: str | None, what: str) -> Actor:
    """The person on whose authority ``what`` is entered by the operator."""
    if name is None:
        return roster.actor_for_operator(session, db.operator)
    person = roster.actor(session, name)
    if person.login == db.operator or setup_mode(session):
        return person
    delegated = session.scalar(select(Delegation.id).where(
        Delegation.login == db.operator, Delegation.actor_id == person.id))
    if delegated is None:
        raise TransitionRefused(what, [
            f"the login {db.operator!r} may not enter steps for {person.name}: no delegation "
            f"(an administrator records one with: thidua actor delegate {person.name!r} "
            f"--login {db.operator})"])
    return person


def delegate(db: Database, name: str, login: str) -> None:
    """Allow ``login`` to enter steps on ``name``'s authority."""
    with db.transaction() as session:
        by = require_admin(session, db, "delegate")
        person = roster.actor(session, name)
        exists = session.scalar(select(Delegation.id).where(Delegation.login == login,
                                                            Delegation.actor_id == person.id))
        if exists is not None:
            raise InvalidInput(f"{login!r} may already enter steps for {name}")
        session.add(Delegation(login=login, actor_id=person.id))
        record(session, db, kind="admin", trigger="actor_delegate", actor=by,
               inputs={"name": name, "login": login})


def grant(db: Database, name: str, role: str, *, cluster_name: str | None,
          period: int | None = None) -> None:
    """Grant ``role`` to a person, in one cluster (or all) and one period (or all)."""
    if role in roster.DERIVED_ROLES:
        raise InvalidInput(f"{role!r} is not granted: it follows from the person's unit "
                           "(member units and the cluster's head)")
    with db.transaction() as session:
        known = known_roles(session)
        if role not in known:
            raise InvalidInput(f"unknown role {role!r} (roles: {', '.join(sorted(known))})")
        by = require_admin(session, db, "actor grant")
        person = roster.actor(session, name)
        cluster_id = roster.cluster(session, cluster_name).id if cluster_name else None
        session.add(Grant(actor_id=person.id, role=role, cluster_id=cluster_id, period=period))
        record(session, db, kind="admin", trigger="actor_grant", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period})


def known_roles(session: Session) -> set[str]:
    """Every role a grant can name: those of the shipped and stored definitions, and the
    administrator; less the roles that follow from the records."""
    from thidua.store.models import DefinitionRow
    from thidua.workflow.language.loader import parse, shipped

    roles = {ADMIN}
    for loaded in shipped():
        roles |= set(loaded.definition.roles)
    for source, name in session.execute(select(DefinitionRow.source, DefinitionRow.def_id)):
        roles |= set(parse(source, name).definition.roles)
    return roles - set(roster.DERIVED_ROLES)


def revoke(db: Database, name: str, role: str, *, cluster_name: str | None,
           period: int | None) -> int:
    """Revoke ``name``'s grants of ``role`` in that scope (kept, marked revoked); how many."""
    with db.transaction() as session:
        by = require_admin(session, db, "revoke")
        person = roster.actor(session, name)
        query = select(Grant).where(Grant.actor_id == person.id, Grant.role == role,
                                    Grant.revoked_on.is_(None))
        cluster_id = roster.cluster(session, cluster_name).id if cluster_name else None
        query = query.where(Grant.cluster_id.is_(None) if cluster_id is None
                            else Grant.cluster_id == cluster_id)
        query = query.where(Grant.period.is_(None) if period is None else Grant.period == period)
        grants = list(session.scalars(query))
        if not grants:
            raise InvalidInput(f"{name} holds no such grant of {role}")
        for grant in grants:
            grant.revoked_on = dt.date.today().isoformat()
        record(session, db, kind="admin", trigger="actor_revoke", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period})
        return len(grants)


def people(db: Database) -> list[str]:
    """The names of every registered person."""
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Actor.name).order_by(Actor.name)))
