"""The directory rebuilt from the ledger alone: units, clusters, memberships, heads and deputies,
mergers, people, grants, delegations, and the stored definition versions.

Every event that changes these tables has one handler here, in one of three tables:
:data:`ADMIN` by the trigger of an ``admin`` event, :data:`DEFINITION` by the trigger of a
``definition`` event, and :data:`ACTIONS` by the name of an action a cycle's step runs (the
handover changes memberships and the head). A ``start`` event that sets the head and deputy of
its period is replayed too. ``tests/workflow/test_directory_replay.py`` fails when a service
records an administrative trigger, or the library registers an action, without a handler here.

A handler trusts its event (the chain has verified it) and does what the service did when the
event was recorded, with names where the tables hold ids. The rows come out as
:class:`Expected`: the natural key, the other fields, and the event that gives them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thidua.workflow import settings as settings_in
from thidua.workflow.i18n import _
from thidua.workflow.rules.handover import HandoverParams, handover_changes
from thidua.workflow.timeutil import DEFAULT_ZONE, business_day, zone

Event = dict[str, Any]


@dataclass(frozen=True)
class Window:
    """A date an older event did not record: it lies from ``first`` to ``last`` (ISO)."""

    first: str
    last: str

    def covers(self, value: Any) -> bool:
        """True when ``value`` is an ISO date within the window."""
        return isinstance(value, str) and self.first <= value <= self.last

    def __repr__(self) -> str:
        return _("a date from {first} to {last}").format(first=self.first, last=self.last)


def around(instant: str) -> Window:
    """The dates an office anywhere (UTC-12 to UTC+14) had at the UTC ``instant``."""
    moment = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return Window((moment - dt.timedelta(hours=12)).date().isoformat(),
                  (moment + dt.timedelta(hours=14)).date().isoformat())


@dataclass(frozen=True)
class Expected:
    """A row as the ledger gives it: natural key, other fields, and the event that wrote it."""

    key: tuple[Any, ...]
    fields: tuple[Any, ...]
    seq: int


@dataclass
class _Membership:
    cluster: str
    unit: str
    joined_on: str
    left_on: str | None
    seq: int

    def open_on(self, day: str) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


@dataclass
class _Grant:
    actor: str
    role: str
    cluster: str | None
    period: int | None
    revoked_on: Any
    seq: int


@dataclass
class Directory:
    """The directory as the events so far leave it."""

    units: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, Expected] = field(default_factory=dict)
    memberships: list[_Membership] = field(default_factory=list)
    leaderships: dict[tuple[str, int], Expected] = field(default_factory=dict)
    leadership_changes: list[Expected] = field(default_factory=list)
    mergers: dict[str, Expected] = field(default_factory=dict)
    actors: dict[str, Expected] = field(default_factory=dict)
    grants: list[_Grant] = field(default_factory=list)
    delegations: dict[tuple[str, str], Expected] = field(default_factory=dict)
    definitions: dict[str, Expected] = field(default_factory=dict)
    # Each started cycle's cluster and period: its steps' actions change that cluster.
    cycles: dict[int, tuple[str, int]] = field(default_factory=dict)
    # The business time zone in force (a database starts with the default; db_timezone
    # events change it): the handover's day is judged in it.
    zone: str = DEFAULT_ZONE
    # The settings table: the defaults the migrations stored (event 0), then each change.
    settings: dict[str, Expected] = field(default_factory=lambda: {
        key: Expected((key,), (value,), 0) for key, value in settings_in.DEFAULTS.items()})

    def unit(self, name: str, seq: int) -> None:
        """The unit ``name`` exists from event ``seq`` on (if it did not already)."""
        self.units.setdefault(name, seq)

    def join(self, cluster: str, unit: str, day: str, seq: int) -> None:
        """``unit`` (created if new) is a member of ``cluster`` from ``day``."""
        self.unit(unit, seq)
        self.memberships.append(_Membership(cluster, unit, day, None, seq))

    def leave(self, cluster: str, unit: str, day: str) -> None:
        """``unit``'s membership of ``cluster`` that runs on ``day`` ends on that day."""
        running = next((m for m in self.memberships
                        if (m.cluster, m.unit) == (cluster, unit) and m.open_on(day)), None)
        if running is None:
            raise ValueError(_("{unit} is not a member of {cluster} on {day}").format(
                                 unit=unit, cluster=cluster, day=day))
        running.left_on = day

    def tables(self) -> dict[str, list[Expected]]:
        """Every table's rows, in the order the events wrote them."""
        return {
            "definitions": list(self.definitions.values()),
            "units": [Expected((name,), (), seq) for name, seq in self.units.items()],
            "clusters": list(self.clusters.values()),
            "memberships": [Expected((m.cluster, m.unit, m.joined_on), (m.left_on,), m.seq)
                            for m in self.memberships],
            "leaderships": list(self.leaderships.values()),
            "leadership_changes": self.leadership_changes,
            "mergers": list(self.mergers.values()),
            "actors": list(self.actors.values()),
            "grants": [Expected((g.actor, g.role, g.cluster, g.period), (g.revoked_on,), g.seq)
                       for g in self.grants],
            "delegations": list(self.delegations.values()),
            "settings": list(self.settings.values()),
        }


Handler = Callable[[Directory, Event], None]


def _cluster_add(d: Directory, e: Event) -> None:
    i, seq = e["inputs"], e["seq"]
    d.clusters[i["cluster"]] = Expected((i["cluster"],), (i["kind"],), seq)
    for unit in dict.fromkeys(i["members"]):
        d.join(i["cluster"], unit, i["joined_on"], seq)
    if i["head"] is not None:
        _leaders(d, i["cluster"], i["period"], i["head"], i["deputy"], seq)


def _leaders(d: Directory, cluster: str, period: int, head: str, deputy: str | None,
             seq: int) -> None:
    d.leaderships[(cluster, period)] = Expected((cluster, period), (head, deputy), seq)


def _cluster_head(d: Directory, e: Event) -> None:
    i = e["inputs"]
    _leaders(d, i["cluster"], i["period"], i["head"], i["deputy"], e["seq"])


def _cluster_head_change(d: Directory, e: Event) -> None:
    i = e["inputs"]
    d.leadership_changes.append(Expected((i["cluster"], i["period"], i["on"]),
                                         (i["head"], i["deputy"]), e["seq"]))


def _member_add(d: Directory, e: Event) -> None:
    i = e["inputs"]
    d.join(i["cluster"], i["unit"], i["on"], e["seq"])


def _member_leave(d: Directory, e: Event) -> None:
    i = e["inputs"]
    d.leave(i["cluster"], i["unit"], i["on"])


def _unit_merge(d: Directory, e: Event) -> None:
    i, seq = e["inputs"], e["seq"]
    unit, into, day = i["unit"], i["into"], i["on"]
    d.unit(into, seq)
    for running in [m for m in d.memberships if m.unit == unit and m.open_on(day)]:
        running.left_on = day
        if not any(m.cluster == running.cluster and m.unit == into and m.open_on(day)
                   for m in d.memberships):
            d.join(running.cluster, into, day, seq)
    d.mergers[unit] = Expected((unit,), (into, day), seq)


def _actor_add(d: Directory, e: Event) -> None:
    i = e["inputs"]
    d.actors[i["name"]] = Expected((i["name"],), (i["unit"], i["login"], None), e["seq"])


def _actor_grant(d: Directory, e: Event) -> None:
    i = e["inputs"]
    d.grants.append(_Grant(i["name"], i["role"], i["cluster"], i["period"], None, e["seq"]))


def _actor_revoke(d: Directory, e: Event) -> None:
    i = e["inputs"]
    # Events before the date was recorded give only the instant: the machine's own zone
    # gave the date, so it is known within a day of it.
    day = i["on"] if "on" in i else around(e["at"])
    scope = (i["name"], i["role"], i["cluster"], i["period"])
    for grant in d.grants:
        if (grant.actor, grant.role, grant.cluster, grant.period) == scope \
                and grant.revoked_on is None:
            grant.revoked_on = day


def _actor_delegate(d: Directory, e: Event) -> None:
    i = e["inputs"]
    key = (i["login"], i["name"])
    d.delegations[key] = Expected(key, (None,), e["seq"])


def _actor_login(d: Directory, e: Event) -> None:
    i = e["inputs"]
    unit, _, disabled = d.actors[i["name"]].fields
    d.actors[i["name"]] = Expected((i["name"],), (unit, i["new"], disabled), e["seq"])


def _actor_disable(d: Directory, e: Event) -> None:
    i = e["inputs"]
    unit, login, _ = d.actors[i["name"]].fields
    d.actors[i["name"]] = Expected((i["name"],), (unit, login, i["on"]), e["seq"])


def _actor_delegate_revoke(d: Directory, e: Event) -> None:
    i = e["inputs"]
    key = (i["login"], i["name"])
    d.delegations[key] = Expected(key, (i["on"],), e["seq"])


def _setting(d: Directory, e: Event) -> None:
    """A setting changed (the business time zone, the document limit); the zone the
    handover's day is judged in follows it."""
    values = {key: row.fields[0] for key, row in d.settings.items()}
    key = settings_in.change(values, e["trigger"], e["inputs"])
    if key is not None:
        d.settings[key] = Expected((key,), (values[key],), e["seq"])
    d.zone = values[settings_in.TIME_ZONE]


ADMIN: dict[str, Handler] = {
    "cluster_add": _cluster_add,
    "cluster_head": _cluster_head,
    "cluster_head_change": _cluster_head_change,
    "member_add": _member_add,
    "member_leave": _member_leave,
    "unit_merge": _unit_merge,
    "actor_add": _actor_add,
    "actor_grant": _actor_grant,
    "actor_revoke": _actor_revoke,
    "actor_delegate": _actor_delegate,
    "actor_delegate_revoke": _actor_delegate_revoke,
    "actor_login": _actor_login,
    "actor_disable": _actor_disable,
    "db_timezone": _setting,
    "setting": _setting,
}

# What ``definitions.status`` holds for a version no ``publish`` event names, when the event
# that stored it gives none: every version stored so far was written with the column's default.
STORED_STATUS = "published"


def _definition(d: Directory, e: Event, status: str) -> None:
    digest, i = e["definition"], e["inputs"]
    first = d.definitions.get(digest)
    by, seq = (first.fields[2], first.seq) if first is not None else (e["actor"], e["seq"])
    d.definitions[digest] = Expected((digest,), (i["id"], i["version"], by, status), seq)


def _store_definition(d: Directory, e: Event) -> None:
    known = d.definitions.get(e["definition"])
    _definition(d, e, known.fields[3] if known is not None
                else e["inputs"].get("status", STORED_STATUS))


def _publish(d: Directory, e: Event) -> None:
    _definition(d, e, "published")


DEFINITION: dict[str, Handler] = {
    "store_definition": _store_definition,
    "publish": _publish,
}


def start(d: Directory, e: Event) -> None:
    """A cycle's start: its cluster and period are noted; a head given sets the period's."""
    i = e["inputs"]
    d.cycles[e["cycle"]] = (i["cluster"], i["period"])
    if "head" in i:
        _leaders(d, i["cluster"], i["period"], i["head"], i["deputy"], e["seq"])


def _handover(d: Directory, e: Event, params: HandoverParams) -> None:
    cluster, period = d.cycles[e["cycle"]]
    day_of = business_day(e["occurred_at"], zone(d.zone))
    changes = handover_changes(e["inputs"], params, day_of)
    day = changes.day.isoformat()
    for unit in changes.joining:
        d.join(cluster, unit, day, e["seq"])
    for unit in changes.leaving:
        d.leave(cluster, unit, day)
    d.leadership_changes.append(Expected((cluster, period, day),
                                         (changes.head, changes.deputy), e["seq"]))


ActionHandler = Callable[[Directory, Event, Any], None]
ACTIONS: dict[str, ActionHandler] = {"handover": _handover}
