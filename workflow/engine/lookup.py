"""What judging a step asks of the directory — the name of a unit, the head and deputy on a
day, the roles granted to a person, the member units — asked one way for a single step and
another for many cycles at once.

A step (and ``why``) asks each question once, of the database, as it comes (:class:`Lookup`).
``todo`` judges every open cycle on one day for one person: :class:`Preloaded` answers the same
questions from a handful of queries made first (every cluster's members and leaders on that
day, the person's grants), so that judging a cycle asks the database nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from thidua.store import directory as queries
from thidua.store import grants

if TYPE_CHECKING:
    from thidua.store.query import Target

Leaders = tuple[str | None, str | None]


class Lookup:
    """The answers, from the database, each time they are asked."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def unit_name(self, unit_id: int | None) -> str | None:
        """The name of unit ``unit_id`` (None for None)."""
        return queries.unit_name(self.target, unit_id)

    def leadership(self, cluster_id: int, period: int, day: dt.date) -> Leaders:
        """The head and deputy of ``period`` on ``day``."""
        return queries.leadership(self.target, cluster_id, period, day)

    def granted_roles(self, actor_id: int, cluster_id: int, period: int) -> set[str]:
        """The roles granted to person ``actor_id`` that reach the cluster in ``period``."""
        return grants.granted_roles(self.target, actor_id, cluster_id, period)

    def members_on(self, cluster_id: int, day: dt.date) -> list[str]:
        """The names of the cluster's member units on ``day``, sorted."""
        return queries.members_on(self.target, cluster_id, day)


class Preloaded(Lookup):
    """The answers for one ``day`` and one person (``actor_id``), loaded in four queries; a
    question about another day or person is asked of the database."""

    def __init__(self, target: Target, day: dt.date, actor_id: int | None) -> None:
        super().__init__(target)
        self.day, self.actor_id = day, actor_id
        self.members: dict[int, list[str]] = defaultdict(list)
        for cluster_id, name in queries.members_of_every_cluster(target, day):
            self.members[cluster_id].append(name)
        self.leaders = queries.leadership_of_every_cluster(target, day)
        self.grants = grants.live_grants(target, actor_id) if actor_id is not None else []
        self.units: dict[int | None, str | None] = {None: None}

    def unit_name(self, unit_id: int | None) -> str | None:
        """The name of unit ``unit_id``, asked once."""
        if unit_id not in self.units:
            self.units[unit_id] = super().unit_name(unit_id)
        return self.units[unit_id]

    def leadership(self, cluster_id: int, period: int, day: dt.date) -> Leaders:
        """The head and deputy of ``period`` on ``day``."""
        if day != self.day:
            return super().leadership(cluster_id, period, day)
        return self.leaders.get((cluster_id, period), (None, None))

    def granted_roles(self, actor_id: int, cluster_id: int, period: int) -> set[str]:
        """The roles granted to person ``actor_id`` that reach the cluster in ``period``: a
        grant for every cluster (or period) reaches each of them."""
        if actor_id != self.actor_id:
            return super().granted_roles(actor_id, cluster_id, period)
        return {role for role, scope, year in self.grants
                if scope in (None, cluster_id) and year in (None, period)}

    def members_on(self, cluster_id: int, day: dt.date) -> list[str]:
        """The names of the cluster's member units on ``day``, sorted."""
        if day != self.day:
            return super().members_on(cluster_id, day)
        return list(self.members.get(cluster_id, ()))


class OneStep(Lookup):
    """The answers for one step: the members and the head and deputy of one cluster and
    period on one day, and one person's grants there, read in one statement; any other
    question is asked of the database."""

    def __init__(self, target: Target, cluster_id: int, period: int, day: dt.date,
                 actor_id: int) -> None:
        super().__init__(target)
        self.key = (cluster_id, period, day, actor_id)
        self.members, self.leaders, self.roles = queries.day_of_step(
            target, cluster_id, period, day, actor_id)

    def leadership(self, cluster_id: int, period: int, day: dt.date) -> Leaders:
        """The head and deputy of ``period`` on ``day``."""
        if (cluster_id, period, day) != self.key[:3]:
            return super().leadership(cluster_id, period, day)
        return self.leaders

    def granted_roles(self, actor_id: int, cluster_id: int, period: int) -> set[str]:
        """The roles granted to person ``actor_id`` that reach the cluster in ``period``."""
        if (cluster_id, period, actor_id) != (self.key[0], self.key[1], self.key[3]):
            return super().granted_roles(actor_id, cluster_id, period)
        return set(self.roles)

    def members_on(self, cluster_id: int, day: dt.date) -> list[str]:
        """The names of the cluster's member units on ``day``, sorted."""
        if (cluster_id, day) != (self.key[0], self.key[2]):
            return super().members_on(cluster_id, day)
        return list(self.members)
