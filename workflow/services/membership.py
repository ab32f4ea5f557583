"""Membership over time: units join, leave and merge on dates; heads change within a period.

Every change is ledgered. A cycle asks :func:`workflow.services.directory.members_on` for the
members on
the date of each step, so a unit that left before a step is no longer counted for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from thidua.store import directory as queries
from thidua.workflow import names
from thidua.workflow.engine import roster
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.services import identity
from thidua.workflow.services.db import Database, record

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.models import Cluster


def add_member(db: Database, cluster: str, unit: str, day: dt.date) -> None:
    """Record that ``unit`` joins ``cluster`` on ``day`` (an administrator of that cluster
    and of the year of ``day``)."""
    _membership_change(db, "member_add", roster.join_in, cluster, unit, day)


def leave(db: Database, cluster: str, unit: str, day: dt.date) -> None:
    """Record that ``unit`` leaves ``cluster`` on ``day``."""
    _membership_change(db, "member_leave", roster.leave_in, cluster, unit, day)


def _membership_change(db: Database, trigger: str,
                       change: Callable[[Session, int, str, dt.date], None],
                       cluster: str, unit: str, day: dt.date) -> None:
    cluster, unit = names.name(cluster, "cluster"), names.name(unit, "unit")
    with db.transaction() as session:
        cluster_id = roster.cluster(session, cluster).id
        by = identity.require_admin(session, db, trigger.replace("_", " "),
                                    identity.Scope(cluster_id, day.year))
        change(session, cluster_id, unit, day)
        record(session, db, kind="admin", trigger=trigger, actor=by,
               inputs={"cluster": cluster, "unit": unit, "on": day.isoformat()})


def merge(db: Database, unit: str, into: str, day: dt.date) -> list[str]:
    """``unit`` is absorbed into ``into`` (created when new: a merger may found a unit) on
    ``day``: it leaves every cluster it belongs to, and ``into`` joins those it was not in.
    Returns the clusters concerned. A unit's merger reaches every cluster it is in: an
    administrator for every cluster and year."""
    if unit == into:
        raise InvalidInput(_("a unit cannot merge into itself"))
    with db.transaction() as session:
        by = identity.require_admin(session, db, "member merge")
        absorbed, absorber = roster.unit(session, unit), roster.unit(session, into, create=True)
        if queries.merger_of(session, absorbed.id) is not None:
            raise InvalidInput(_("{unit} has already merged into another unit").format(
                                   unit=unit))
        clusters = []
        for membership in queries.memberships_of(session, absorbed.id, day):
            queries.end_membership(session, membership.id, day)
            if queries.open_membership(session, membership.cluster_id, absorber.id, day) is None:
                queries.add_membership(session, membership.cluster_id, absorber.id, day)
            clusters.append(queries.cluster_name(session, membership.cluster_id))
        queries.add_merger(session, absorbed.id, absorber.id, day)
        record(session, db, kind="admin", trigger="unit_merge", actor=by,
               inputs={"unit": unit, "into": into, "on": day.isoformat(), "clusters": clusters})
        return clusters


def set_leadership_in(session: Session, cluster_row: Cluster, period: int, head: str,
                      deputy: str | None) -> None:
    """Set the head and deputy of a cluster for ``period``, inside ``session``."""
    roster.check_leaders(session, cluster_row.id, dt.date(period, 1, 1), head, deputy)
    if queries.period_leadership(session, cluster_row.id, period) is not None:
        raise InvalidInput(_("{cluster_row} already has a head for {period}; a change within "
                             "the period is a handover").format(
                               cluster_row=cluster_row.name, period=period))
    queries.add_leadership(session, cluster_row.id, period, roster.unit(session, head).id,
                           roster.unit(session, deputy).id if deputy else None)


def set_leadership(db: Database, cluster: str, period: int, head: str,
                   deputy: str | None) -> None:
    """Set the head and deputy of ``cluster`` for ``period`` (before it starts)."""
    cluster, head = names.name(cluster, "cluster"), names.name(head, "--head")
    deputy = names.optional_name(deputy, "--deputy")
    with db.transaction() as session:
        row = roster.cluster(session, cluster)
        by = identity.require_admin(session, db, "cluster head", identity.Scope(row.id, period))
        set_leadership_in(session, row, period, head, deputy)
        record(session, db, kind="admin", trigger="cluster_head", actor=by,
               inputs={"cluster": cluster, "period": period, "head": head, "deputy": deputy})


def change_leadership(db: Database, cluster: str, period: int, on: dt.date, head: str | None,
                      deputy: str | None) -> tuple[str, str | None]:
    """From ``on`` the head and deputy of ``cluster`` in ``period`` are ``head`` (default: the
    head on that day) and ``deputy``, each a member unit on that day: a unit that joined
    during the year can be made deputy from the day it joined. Returns the two."""
    cluster = names.name(cluster, "cluster")
    head, deputy = names.optional_name(head, "--head"), names.optional_name(deputy, "--deputy")
    if on.year not in (period, period + 1):
        raise InvalidInput(_("--on {day} is not in {period} (nor in the closing months of "
                             "{next})").format(day=on.isoformat(), period=period,
                                               next=period + 1))
    with db.transaction() as session:
        row = roster.cluster(session, cluster)
        by = identity.require_admin(session, db, "cluster head", identity.Scope(row.id, period))
        head = head or queries.leadership(session, row.id, period, on)[0]
        if head is None:
            raise InvalidInput(_("{cluster} has no head for {period}: give --head").format(
                cluster=cluster, period=period))
        roster.change_head(session, row.id, period, on, head, deputy)
        record(session, db, kind="admin", trigger="cluster_head_change", actor=by,
               inputs={"cluster": cluster, "period": period, "head": head, "deputy": deputy,
                       "on": on.isoformat()})
    return head, deputy
