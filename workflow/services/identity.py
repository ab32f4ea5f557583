"""Who may enter what: the operator (OS account or database login), the person on whose
authority a step is taken, delegations, administrators and their scope, auditors.

**Set-up mode** exists only on a database where the ``administrator`` role was never granted
(grants are never deleted, revoked ones are kept): there the operator may change the directory
and enter steps for anyone, so that a new database can be set up. Once an administrator was
ever granted, directory changes need an administrator whose grant covers them, and ``--as``
needs the person's own login or a delegation. The last administrator for every cluster and
year cannot be revoked, disabled or made an auditor, so a database never goes back to set-up
mode and never loses the means to administer it.

**Scope.** An administrator grant may be limited to a cluster, a period, or both
(:class:`Scope`). What needs an administrator for every cluster and year: publishing a
definition, adding a cluster, merging units, registering people, disabling them, changing a
login, and granting or revoking ``administrator``. What an administrator of a cluster (and
period) may do within it: members joining and leaving (in the year of the date), head and
deputy of its periods, other roles granted and revoked in it, delegations for a person who
acts only in it (see :func:`reach`; a delegation holds in every period, so a period-limited
administrator cannot record one), migrating its cycles and starting a draft there.

A disabled person can neither act, be acted for, nor be granted anything; their history
stays. An auditor reads everything and takes no step but those a definition gives to the
auditor role (closing the books).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thidua.store import definitions as stored_definitions
from thidua.store import directory as queries
from thidua.store import grants
from thidua.workflow import names
from thidua.workflow.engine import roster
from thidua.workflow.errors import InvalidInput, TransitionRefused
from thidua.workflow.i18n import _
from thidua.workflow.services.db import Database, record
from thidua.workflow.timeutil import business_day, now

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.models import Actor

ADMIN, AUDITOR = roster.ADMIN, roster.AUDITOR


@dataclass(frozen=True)
class Scope:
    """What an administrative act reaches: one cluster (None: every cluster) and one period
    (None: every period)."""

    cluster_id: int | None = None
    period: int | None = None

    def covered_by(self, cluster_id: int | None, period: int | None) -> bool:
        """True when an administrator grant for ``cluster_id`` and ``period`` (None: all)
        reaches everything this scope does."""
        return ((cluster_id is None or cluster_id == self.cluster_id)
                and (period is None or period == self.period))

    def describe(self, session: Session) -> str:
        """In words: ``every cluster and year``, ``Cụm 5 (every year)``, ``Cụm 5 for 2024``."""
        where = (queries.cluster_name(session, self.cluster_id) if self.cluster_id is not None
                 else _("every cluster"))
        if self.period is None:
            if self.cluster_id is None:
                return _("every cluster and year")
            return _("{where} (every year)").format(where=where)
        return _("{where} for {period}").format(where=where, period=self.period)


EVERYWHERE = Scope()


def scope_of(session: Session, cluster_name: str | None, period: int | None) -> Scope:
    """The scope of a cluster named ``cluster_name`` (None: all) and ``period`` (None: all)."""
    cluster_id = roster.cluster(session, cluster_name).id if cluster_name else None
    return Scope(cluster_id, period)


def setup_mode(session: Session) -> bool:
    """True on a database where the administrator role was never granted, from the grants
    kept (revoked ones included), never from a flag."""
    return not grants.ever_granted(session, ADMIN)


def require_admin(session: Session, db: Database, what: str, scope: Scope = EVERYWHERE) -> str:
    """The name to record for an administrative change reaching ``scope``; refuse it unless
    the operator's own person is an enabled administrator whose grant covers that scope (or
    the database is in set-up mode)."""
    if setup_mode(session):
        return db.operator
    person = queries.actor_with_login(session, db.operator)
    if person is None:
        raise TransitionRefused(what, [_("the login {operator!r} is not a registered person: "
                                         "only an administrator may do this").format(
                                           operator=db.operator)])
    refuse_disabled(person, what)
    if AUDITOR in grants.roles_of(session, person.id):
        raise TransitionRefused(what, [_("{person} is an auditor: an auditor reads "
                                         "everything and changes nothing").format(
                                           person=person.name)])
    held = grants.scopes(session, person.id, ADMIN)
    if not held:
        raise TransitionRefused(what, [_("{person} is not an administrator").format(
                                           person=person.name)])
    if not any(scope.covered_by(*h) for h in held):
        mine = ", ".join(sorted(Scope(*h).describe(session) for h in held))
        raise TransitionRefused(what, [
            _("{person} is an administrator only of {mine}: this needs an administrator of "
              "{describe}").format(
                person=person.name, mine=mine, describe=scope.describe(session))])
    return person.name


def refuse_disabled(person: Actor, what: str) -> None:
    """A disabled person neither acts nor is acted for."""
    if person.disabled_on is not None:
        raise TransitionRefused(what, [_("{person} is disabled (since {disabled_on}): their "
                                         "history stays, they act no more").format(
                                           person=person.name, disabled_on=person.disabled_on)])


def able_administrators(session: Session) -> list[str]:
    """The people who can administer everything: an enabled person with a login, holding a
    live administrator grant for every cluster and year and no auditor grant."""
    return [row.name for row in grants.holders_everywhere(session, ADMIN)
            if row.disabled_on is None and row.login is not None
            and AUDITOR not in grants.roles_of(session, row.id)]


def keep_an_administrator(session: Session, what: str, why: str) -> None:
    """Refuse ``what`` (already applied in ``session``, which is then rolled back) when it
    leaves a database that had an administrator with nobody able to administer it."""
    if not setup_mode(session) and not able_administrators(session):
        raise TransitionRefused(what, [why])


def reach(session: Session, person: Actor) -> Scope:
    """The scope an administrator needs to let a login act for ``person``: the one cluster
    where the person holds grants and where their unit is or was a member, else everything."""
    clusters = grants.clusters_granted(session, person.id)
    if person.unit_id is not None:
        clusters |= queries.unit_clusters(session, person.unit_id)
    only = next(iter(clusters)) if len(clusters) == 1 else None
    return Scope(only) if only is not None else EVERYWHERE


def acting_person(session: Session, db: Database, name: str | None, what: str) -> Any:
    """The person on whose authority ``what`` is entered by the operator: enabled, and
    named by their own login, a delegation or set-up mode; a row with their unit's name
    (:func:`workflow.engine.roster.person`)."""
    if name is None:
        person = roster.person_for_operator(session, db.operator)
    else:
        person = roster.person_entering(session, name, db.operator)
        if person.login != db.operator:
            _may_enter_for(db, person, what)
    refuse_disabled(person, what)
    return person


def _may_enter_for(db: Database, person: Any, what: str) -> None:
    """Refuse ``what`` unless the operator may enter it for ``person``, a row of
    :func:`workflow.engine.roster.person_entering` (which read that with the person)."""
    if person.own_name is not None and person.own_disabled_on is not None:
        raise TransitionRefused(what, [_("the login {operator!r} belongs to {own}, disabled "
                                         "since {disabled_on}").format(
                                           operator=db.operator, own=person.own_name,
                                           disabled_on=person.own_disabled_on)])
    if not person.admin_ever or person.delegated:  # set-up mode, or a delegation
        return
    raise TransitionRefused(what, [
        _("the login {operator!r} may not enter steps for {person}: no delegation (an "
          "administrator records one with: thidua actor delegate {person!r} --login "
          "{operator})").format(operator=db.operator, person=person.name)])


def delegate(db: Database, name: str, login: str, *, revoke: bool = False) -> None:
    """Allow ``login`` to enter steps on ``name``'s authority, or (``revoke``) no more. A
    delegation revoked and given again is the same row, in force again."""
    name, login = names.name(name, "person"), names.name(login, "--login")
    what = _("actor delegate{value}").format(value=" --revoke" if revoke else "")
    zone = db.zone
    with db.transaction() as session:
        person = roster.actor(session, name)
        by = require_admin(session, db, what, reach(session, person))
        row = grants.delegation(session, login, person.id)
        live = row is not None and row.revoked_on is None
        if revoke:
            if not live:
                raise InvalidInput(_("{login!r} may not enter steps for {name}: there is no "
                                     "delegation to revoke").format(login=login, name=name))
            on = business_day(now(), zone).isoformat()
            grants.set_delegation_revoked(session, row.id, on)
            record(session, db, kind="admin", trigger="actor_delegate_revoke", actor=by,
                   inputs={"name": name, "login": login, "on": on})
            return
        refuse_disabled(person, what)
        if live:
            raise InvalidInput(_("{login!r} may already enter steps for {name}").format(
                                   login=login, name=name))
        if row is None:
            grants.add_delegation(session, login, person.id)
        else:
            grants.set_delegation_revoked(session, row.id, None)
        record(session, db, kind="admin", trigger="actor_delegate", actor=by,
               inputs={"name": name, "login": login})


def grant(db: Database, name: str, role: str, *, cluster_name: str | None,
          period: int | None = None) -> None:
    """Grant ``role`` to a person, in one cluster (or all) and one period (or all). Granting
    ``administrator``, in any scope, needs an administrator for every cluster and year."""
    name, role = names.name(name, "person"), names.name(role, "role", limit=64)
    cluster_name = names.optional_name(cluster_name, "--cluster")
    if role in roster.DERIVED_ROLES:
        raise InvalidInput(_("{role!r} is not granted: it follows from the person's unit "
                             "(member units and the cluster's head)").format(role=role))
    with db.transaction() as session:
        known = known_roles(session, role)
        if role not in known:
            raise InvalidInput(_("unknown role {role!r} (roles: {known})").format(
                                   role=role, known=', '.join(sorted(known))))
        scope = scope_of(session, cluster_name, period)
        by = require_admin(session, db, "actor grant", EVERYWHERE if role == ADMIN else scope)
        person = roster.actor(session, name)
        refuse_disabled(person, "actor grant")
        grants.add(session, person.id, role, scope.cluster_id, period)
        if role == ADMIN:
            keep_an_administrator(session, "actor grant", (
                _("the first administrator must hold the role for every cluster and year (no "
                  "--cluster, no --period) and be a person with a login and no auditor role, "
                  "or nobody could administer this database")))
        if role == AUDITOR:
            keep_an_administrator(session, "actor grant", (
                _("{name} is the last administrator for every cluster and year, and an "
                  "auditor changes nothing: grant administrator to another person first").format(
                    name=name)))
        record(session, db, kind="admin", trigger="actor_grant", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period})


def revoke(db: Database, name: str, role: str, *, cluster_name: str | None,
           period: int | None) -> int:
    """Revoke ``name``'s grants of ``role`` in exactly that scope (kept, marked revoked on
    today's date in the business zone); how many. The last administrator for every cluster
    and year stays."""
    name, role = names.name(name, "person"), names.name(role, "role", limit=64)
    cluster_name = names.optional_name(cluster_name, "--cluster")
    zone = db.zone
    with db.transaction() as session:
        scope = scope_of(session, cluster_name, period)
        by = require_admin(session, db, "actor revoke", EVERYWHERE if role == ADMIN else scope)
        person = roster.actor(session, name)
        held = grants.in_scope(session, person.id, role, scope.cluster_id, period)
        if not held:
            raise InvalidInput(_("{name} holds no such grant of {role}").format(
                                   name=name, role=role))
        on = business_day(now(), zone).isoformat()
        grants.revoke(session, held, on)
        if role == ADMIN:
            keep_an_administrator(session, "actor revoke", (
                _("{name} is the last administrator for every cluster and year: grant the "
                  "role to another person first (without it nobody could administer this "
                  "database)").format(name=name)))
        record(session, db, kind="admin", trigger="actor_revoke", actor=by,
               inputs={"name": name, "role": role, "cluster": cluster_name, "period": period,
                       "on": on})
        return len(held)


def known_roles(session: Session, wanted: str | None = None) -> set[str]:
    """Every role a grant can name: those of the shipped and stored definitions, and the
    administrator; less the roles that follow from the records. Stored versions are parsed
    only when ``wanted`` is not a shipped role, and one that does not parse names none."""
    from thidua.workflow.language.loader import parse, shipped

    roles = {ADMIN}
    for loaded in shipped():
        roles |= set(loaded.definition.roles)
    if wanted not in roles:
        for row in stored_definitions.sources(session):
            try:
                roles |= set(parse(row.source, row.def_id).definition.roles)
            except (InvalidInput, TypeError, AttributeError):
                continue  # damaged outside thidua: audit verify names it
    return roles - set(roster.DERIVED_ROLES)


def people(db: Database) -> list[str]:
    """The names of every registered person."""
    with db.transaction(write=False) as session:
        names: list[str] = queries.actor_names(session)
    return names
