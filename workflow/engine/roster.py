"""Who is who on a date, inside a transaction: named units, clusters and people, the member
units and the head of a cluster, the roles a person holds, and the membership changes a step
or an administrator makes.

Two roles follow from the records rather than from grants: a person of a member unit holds
``member_unit`` in that cluster, and a person of the head unit of a period holds
``cluster_head``.

Names are looked up in one Unicode form (NFC) on both sides: the name asked for is normalised,
and a record stored in another form before names were normalised is still found (when exactly
one is). A name that is not there is not found (exit 5), with the closest names suggested.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from thidua.store import directory as queries
from thidua.store import grants
from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.lookalikes import refuse_lookalike
from thidua.workflow.names import did_you_mean, nfc, twins

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from thidua.store.models import Actor, Cluster, Unit

Row = TypeVar("Row")

DERIVED_ROLES = ("member_unit", "cluster_head")
ADMIN, AUDITOR = "administrator", "auditor"


def named(session: Session, name: str, by_name: Callable[[Session, str], Row | None],
          every: Callable[[Session], list[str]], what: str) -> tuple[Row | None, list[str]]:
    """The record called ``name`` in any Unicode form, or None with every name there is (for
    suggestions). Two records stored under one name in two forms are refused: which one is
    meant cannot be told."""
    wanted = nfc(name)
    found = by_name(session, wanted)
    if found is not None:
        return found, []
    known = every(session)
    stored = twins(wanted, known)
    if len(stored) > 1:
        raise InvalidInput(_("{count} {what}s are named {wanted!r} in different Unicode "
                             "forms (stored before names were normalised); see: thidua db "
                             "current").format(count=len(stored), what=what, wanted=wanted))
    return (by_name(session, stored[0]), []) if stored else (None, known)


def unit(session: Session, name: str, *, create: bool = False) -> Unit:
    """The unit called ``name`` (created when ``create``, in NFC, unless the name looks like
    another unit's: :func:`thidua.workflow.lookalikes.refuse_lookalike`)."""
    found, known = named(session, name, queries.unit_named, queries.unit_names, "unit")
    if found is None:
        if not create:
            raise NotFound(f"no unit {name!r}{did_you_mean(name, known)}")
        refuse_lookalike(nfc(name), known, "unit")
        from thidua.store.models import Unit  # the ORM: only a command that adds a unit

        found = Unit(name=nfc(name))
        session.add(found)
        session.flush()
    return found


def cluster(session: Session, name: str) -> Cluster:
    """The cluster called ``name``."""
    found, known = named(session, name, queries.cluster_named, queries.cluster_names,
                         "cluster")
    if found is None:
        raise NotFound(_("no cluster {name!r}{did_you_mean} (see: thidua cluster show)").format(
                           name=name, did_you_mean=did_you_mean(name, known)))
    return found


def cluster_named(target: Session | Connection, name: str) -> tuple[int, str]:
    """The id and stored name of the cluster called ``name`` (any Unicode form), read
    without loading the ORM."""
    found, known = named(target, name, queries.cluster_id, queries.cluster_names, "cluster")
    if found is None:
        raise NotFound(_("no cluster {name!r}{did_you_mean} (see: thidua cluster show)").format(
                           name=name, did_you_mean=did_you_mean(name, known)))
    return found, queries.cluster_name(target, found)


def actor(session: Session, name: str) -> Actor:
    """The person called ``name``."""
    found: Actor = _registered(session, name, queries.actor_named)
    return found


def _registered(target: Session | Connection, name: str,
                by_name: Callable[[Any, str], Row | None]) -> Row:
    """The person called ``name`` (in any Unicode form) as ``by_name`` reads them; one not
    registered is not found, with the closest names suggested."""
    found, known = named(target, name, by_name, queries.actor_names, "person")
    if found is None:
        raise NotFound(_("no person {name!r} is registered{did_you_mean} (see: thidua actor "
                         "add)").format(name=name, did_you_mean=did_you_mean(name, known)))
    return found


def person(target: Session | Connection, name: str) -> Any:
    """The person called ``name`` (in any Unicode form) as a row with their unit's name
    (:func:`store.directory.person_named`): for steps, which change nothing in it."""
    return _registered(target, name, queries.person_named)


def person_entering(target: Session | Connection, name: str, login: str) -> Any:
    """:func:`person`, with what decides whether ``login`` may enter a step for them
    (:func:`store.directory.person_entering`)."""
    return _registered(target, name, functools.partial(queries.person_entering, login=login,
                                                       admin=ADMIN))


def person_with_login(target: Session | Connection, login: str) -> Any:
    """The person whose login is ``login`` (in any Unicode form) as a row, or None."""
    return named(target, login, queries.person_with_login, queries.logins, "login")[0]


def person_for_operator(target: Session | Connection, operator: str) -> Any:
    """The person whose login is the operator's own, as a row, for steps taken without
    ``--as``."""
    found = person_with_login(target, operator)
    if found is None:
        raise InvalidInput(_("no person is registered for the login {operator!r}: name one "
                             "with --as NAME").format(operator=operator))
    return found


def people_in(session: Session, specs: Mapping[str, Any],
              values: dict[str, Any]) -> dict[str, Any]:
    """The step's inputs with every input of type ``person`` as ``{name, unit}``: the person
    as registered, and the unit they belong to when the step is taken."""
    resolved = dict(values)
    for key, spec in specs.items():
        if spec.type == "person" and isinstance(values.get(key), str):
            found = person(session, values[key])
            resolved[key] = {"name": found.name, "unit": found.unit_name}
    return resolved


def actor_with_login(session: Session, login: str) -> Actor | None:
    """The person whose login is ``login`` (in any Unicode form), or None."""
    return named(session, login, queries.actor_with_login, queries.logins, "login")[0]


def actor_for_operator(session: Session, operator: str) -> Actor:
    """The person whose login is the operator's own, for steps taken without ``--as``."""
    found = actor_with_login(session, operator)
    if found is None:
        raise InvalidInput(_("no person is registered for the login {operator!r}: name one "
                             "with --as NAME").format(operator=operator))
    return found


def person_or_operator(target: Session | Connection, operator: str, name: str | None) -> Any:
    """The person named, else the operator's own, as a row (:func:`person`); for reading, so
    no delegation is needed."""
    return person(target, name) if name else person_for_operator(target, operator)


def roles_of(session: Session, person: Actor, cluster_row: Cluster, period: int,
             day: dt.date, *, members: Sequence[str] | None = None,
             leaders: tuple[str | None, str | None] | None = None,
             unit_name: str | None = None, granted: set[str] | None = None) -> set[str]:
    """Every role ``person`` holds in ``cluster_row`` for ``period``: granted and derived.
    A caller that already has the ``members`` and the ``leaders`` (head, deputy) on ``day``,
    the name of the person's unit, or the roles ``granted`` to them there, passes them to
    spare the queries."""
    roles = (set(granted) if granted is not None
             else grants.granted_roles(session, person.id, cluster_row.id, period))
    if person.unit_id is not None:
        if unit_name is None:
            unit_name = queries.unit_name(session, person.unit_id)
        if members is None:
            members = queries.members_on(session, cluster_row.id, day)
        if unit_name is not None and unit_name in members:
            roles.add("member_unit")
        head, _ = leaders or queries.leadership(session, cluster_row.id, period, day)
        if unit_name is not None and unit_name == head:
            roles.add("cluster_head")
    return roles


def join_in(session: Session, cluster_id: int, unit_name: str, day: dt.date) -> None:
    """``unit_name`` becomes a member from ``day`` (created if new)."""
    joining = unit(session, unit_name, create=True)
    if queries.open_membership(session, cluster_id, joining.id, day) is not None:
        raise InvalidInput(f"{unit_name} is already a member on {day.isoformat()}")
    from thidua.store.models import Membership

    session.add(Membership(cluster_id=cluster_id, unit_id=joining.id, joined_on=day.isoformat()))


def leave_in(session: Session, cluster_id: int, unit_name: str, day: dt.date) -> None:
    """``unit_name`` is no longer a member from ``day`` on."""
    leaving = unit(session, unit_name)
    membership = queries.open_membership(session, cluster_id, leaving.id, day)
    if membership is None:
        raise InvalidInput(_("{unit_name} is not a member on {isoformat}").format(
                               unit_name=unit_name, isoformat=day.isoformat()))
    if membership.joined_on == day.isoformat():
        raise InvalidInput(_("{unit_name} joined on {isoformat}: it cannot leave that day").format(
                               unit_name=unit_name, isoformat=day.isoformat()))
    membership.left_on = day.isoformat()


def check_leaders(session: Session, cluster_id: int, day: dt.date, head: str,
                  deputy: str | None) -> None:
    """Head and deputy are two different member units on ``day``."""
    members = {nfc(m) for m in queries.members_on(session, cluster_id, day)}
    for role, name in (("head", head), ("deputy", deputy)):
        if name is not None and nfc(name) not in members:
            raise InvalidInput(_("the {role} {name} is not a member unit on {isoformat}").format(
                                   role=role, name=name, isoformat=day.isoformat()))
    if head == deputy:
        raise InvalidInput(_("the head and the deputy must be different units"))


def change_head(session: Session, cluster_id: int, period: int, day: dt.date, head: str,
                deputy: str | None) -> None:
    """From ``day`` on, ``head`` (and ``deputy``) lead the cluster in ``period``."""
    check_leaders(session, cluster_id, day, head, deputy)
    from thidua.store.models import LeadershipChange

    session.add(LeadershipChange(
        cluster_id=cluster_id, period=period, since=day.isoformat(),
        head_unit_id=unit(session, head).id,
        deputy_unit_id=unit(session, deputy).id if deputy else None))


def auditor_refusal(person: Actor, held: set[str], roles: list[str]) -> list[str]:
    """An auditor takes only the steps given to the auditor role."""
    if AUDITOR in held and AUDITOR not in roles:
        return [_("{person} is an auditor: an auditor reads everything and changes nothing").format(
                    person=person.name)]
    return []
