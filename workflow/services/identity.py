"""Who may enter what: the operator (OS account or database login), the person on whose
authority a step is taken, delegations, administrators and auditors.

Until someone holds the ``administrator`` role the database is in set-up mode: the operator may
change the directory and enter steps for anyone (so a new database can be set up). Once an
administrator exists, directory changes need that role, and ``--as`` needs either the person's
own login or a delegation recorded by an administrator. An auditor reads everything and takes
no step but those a definition gives to the auditor role (closing the books).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from thidua.store import definitions as stored_definitions
from thidua.store import directory as queries
from thidua.store import grants
from thidua.store.models import Actor
from thidua.workflow.engine import roster
from thidua.workflow.errors import InvalidInput, TransitionRefused
from thidua.workflow.services.db import Database, record
from thidua.workflow.timeutil import business_day, now

ADMIN, AUDITOR = roster.ADMIN, roster.AUDITOR


def setup_mode(session: Session) -> bool:
    """True while nobody holds the administrator role."""
    return not grants.anyone_holds(session, ADMIN)


def require_admin(session: Session, db: Database, what: str) -> str:
    """The name to record for an administrative change; refuse it unless the operator's own
    person is an administrator (or the database is in set-up mode)."""
    if setup_mode(session):
        return db.operator
    person = queries.actor_with_login(session, db.operator)
    if person is None:
        raise TransitionRefused(what, [f"the login {db.operator!r} is not a registered person: "
                                       "only an administrator may do this"])
    roles = grants.roles_of(session, person.id)
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
    if not grants.delegated(session, db.operator, person.id):
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
        if grants.delegated(session, login, person.id):
            raise InvalidInput(f"{login!r} may already enter steps for {name}")
        grants.add_delegation(session, login, person.id)
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
        grants.add(session, person.id, role, cluster_id, period)
        record(session, db, kind="admin", trigger="actor_grant", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period})


def known_roles(session: Session) -> set[str]:
    """Every role a grant can name: those of the shipped and stored definitions, and the
    administrator; less the roles that follow from the records."""
    from thidua.workflow.language.loader import parse, shipped

    roles = {ADMIN}
    for loaded in shipped():
        roles |= set(loaded.definition.roles)
    for row in stored_definitions.sources(session):
        roles |= set(parse(row.source, row.def_id).definition.roles)
    return roles - set(roster.DERIVED_ROLES)


def revoke(db: Database, name: str, role: str, *, cluster_name: str | None,
           period: int | None) -> int:
    """Revoke ``name``'s grants of ``role`` in that scope (kept, marked revoked); how many."""
    with db.transaction() as session:
        by = require_admin(session, db, "revoke")
        person = roster.actor(session, name)
        cluster_id = roster.cluster(session, cluster_name).id if cluster_name else None
        held = grants.in_scope(session, person.id, role, cluster_id, period)
        if not held:
            raise InvalidInput(f"{name} holds no such grant of {role}")
        day = business_day(now()).isoformat()  # in the event too: a replay gives it back
        grants.revoke(session, held, day)
        record(session, db, kind="admin", trigger="actor_revoke", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period,
                       "on": day})
        return len(held)


def people(db: Database) -> list[str]:
    """The names of every registered person."""
    with db.transaction(write=False) as session:
        names: list[str] = queries.actor_names(session)
    return names
