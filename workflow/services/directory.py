"""The directory as administrators keep it: clusters with their member units, head and
deputy, and the people who act. Every change is ledgered like a step of a cycle, so an auditor
sees who set up whom."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from thidua.store import directory as queries
from thidua.workflow import names
from thidua.workflow.engine import roster
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.lookalikes import refuse_lookalike
from thidua.workflow.services import identity
from thidua.workflow.services.db import Database, record
from thidua.workflow.timeutil import today


@dataclass(frozen=True)
class ClusterView:
    """A cluster as shown to users."""

    name: str
    kind: str
    members: list[str]
    head: str | None
    deputy: str | None
    period: int | None


def add_cluster(db: Database, name: str, *, members: list[str], head: str | None,
                deputy: str | None, period: int, joined_on: dt.date,
                kind: str = "cluster") -> ClusterView:
    """Create a cluster with its member units (created as needed), head and deputy."""
    name = names.name(name, "cluster")
    members = [names.name(m, _("member unit")) for m in members]
    head, deputy = names.optional_name(head, "head"), names.optional_name(deputy, "deputy")
    if not members:
        raise InvalidInput(_("a cluster needs at least one member unit (--member UNIT)"))
    for role, who in (("head", head), ("deputy", deputy)):
        if who is not None and who not in members:
            raise InvalidInput(_("the {role} {who!r} is not among the member units").format(
                                   role=role, who=who))
    if head is not None and head == deputy:
        raise InvalidInput(_("the head and the deputy must be different units"))
    with db.transaction() as session:
        by = identity.require_admin(session, db, "cluster add")
        found, known = roster.named(session, name, queries.cluster_named,
                                    queries.cluster_names, "cluster")
        if found is not None:
            raise InvalidInput(_("a cluster named {name!r} already exists").format(name=name))
        refuse_lookalike(name, known, "cluster")
        new_id = queries.add_cluster(session, name, kind)
        for member in dict.fromkeys(members):
            queries.add_membership(session, new_id, roster.unit(session, member, create=True).id,
                                   joined_on)
        if head is not None:
            queries.add_leadership(
                session, new_id, period, roster.unit(session, head).id,
                roster.unit(session, deputy).id if deputy else None)
        record(session, db, kind="admin", trigger="cluster_add", actor=by,
               inputs={"cluster": name, "kind": kind, "members": list(dict.fromkeys(members)),
                       "head": head, "deputy": deputy, "period": period,
                       "joined_on": joined_on.isoformat()})
    return show_cluster(db, name, period)


def show_cluster(db: Database, name: str, period: int | None = None) -> ClusterView:
    """A cluster's members today and its head and deputy for ``period``."""
    name, day = names.name(name, "cluster"), today(db.zone)
    with db.transaction(write=False) as session:
        row = roster.cluster(session, name)
        members = queries.members_on(session, row.id, day)
        head, deputy = queries.leadership(session, row.id, period) if period else (None, None)
        return ClusterView(row.name, row.kind, members, head, deputy, period)


def list_clusters(db: Database) -> list[str]:
    """The names of every cluster."""
    with db.transaction(write=False) as session:
        names: list[str] = queries.cluster_names(session)
    return names


def add_actor(db: Database, name: str, *, unit_name: str | None,
              login: str | None = None) -> None:
    """Register a person, of a unit (optional) and with an OS or database login (optional)."""
    name = names.name(name, "person")
    unit_name = names.optional_name(unit_name, "unit")
    login = names.optional_name(login, "login")
    with db.transaction() as session:
        by = identity.require_admin(session, db, "actor add")
        found, known = roster.named(session, name, queries.actor_named, queries.actor_names,
                                    "person")
        if found is not None:
            raise InvalidInput(_("a person named {name!r} is already registered").format(
                name=name))
        refuse_lookalike(name, known, "person")
        if login and roster.actor_with_login(session, login) is not None:
            raise InvalidInput(_("the login {login!r} already belongs to another person").format(
                                   login=login))
        unit_id = roster.unit(session, unit_name).id if unit_name else None
        queries.add_actor(session, name, unit_id, login)
        record(session, db, kind="admin", trigger="actor_add", actor=by,
               inputs={"name": name, "unit": unit_name, "login": login})


def disable_actor(db: Database, name: str) -> str:
    """Disable a person from today: they neither act, nor are acted for, nor are granted
    anything; their rows and history stay. The last administrator for every cluster and year
    cannot be disabled. Returns the date (the business day)."""
    name = names.name(name, "person")
    zone = db.zone
    with db.transaction() as session:
        by = identity.require_admin(session, db, "actor disable")
        person = roster.actor(session, name)
        if person.disabled_on is not None:
            raise InvalidInput(_("{name} is already disabled (since {disabled_on})").format(
                                   name=name, disabled_on=person.disabled_on))
        on = today(zone).isoformat()
        queries.disable_actor(session, person.id, on)
        identity.keep_an_administrator(session, "actor disable", (
            _("{name} is the last administrator for every cluster and year: grant the role "
              "to another person first (without it nobody could administer this database)").format(
                name=name)))
        record(session, db, kind="admin", trigger="actor_disable", actor=by,
               inputs={"name": name, "on": on})
        return on


def change_login(db: Database, name: str, login: str) -> str | None:
    """Give a person another login (refused when another person has it); the old one, or
    None."""
    name, login = names.name(name, "person"), names.name(login, "login")
    with db.transaction() as session:
        by = identity.require_admin(session, db, "actor login")
        person = roster.actor(session, name)
        old = person.login
        if old == login:
            raise InvalidInput(_("{name}'s login is already {login!r}").format(
                                   name=name, login=login))
        holder = queries.actor_with_login(session, login)
        if holder is not None:
            raise InvalidInput(_("the login {login!r} already belongs to {holder}").format(
                                   login=login, holder=holder.name))
        queries.set_login(session, person.id, login)
        record(session, db, kind="admin", trigger="actor_login", actor=by,
               inputs={"name": name, "old": old, "new": login})
        return old
