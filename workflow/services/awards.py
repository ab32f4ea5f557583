"""The award register, for ``thidua award list`` and ``thidua award history``.

Every award line of every decision, with its decision (number, date, signer), the candidate
(a unit, or a person with their unit), the award, the grounds and its revocation if any. The
lines are read from the cycles' facts (see :mod:`workflow.engine.register`), which ``audit
verify`` holds to the ledger; :func:`replayed_lines` rebuilds them from the ledger alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from thidua.store import cycles as stored_cycles
from thidua.store import directory as queries
from thidua.workflow import names
from thidua.workflow.engine import register, roster
from thidua.workflow.engine.facts import replay
from thidua.workflow.engine.judge import definition_of
from thidua.workflow.errors import NotFound
from thidua.workflow.i18n import _
from thidua.workflow.services.cycles import events_of
from thidua.workflow.services.db import Database
from thidua.workflow.timeutil import business_day

# The columns of the register as a table or CSV, in order.
COLUMNS = ("id", "period", "cluster", "decision", "date", "signer", "candidate", "kind", "unit",
           "award", "award_label", "revoked_on", "revoked_ground", "revoked_article",
           "recovered")


@dataclass(frozen=True)
class Filters:
    """What ``award list`` keeps: by cluster, unit (its own lines and its people's), person,
    year (the emulation year) and award (its name in the catalogue)."""

    cluster: str | None = None
    unit: str | None = None
    person: str | None = None
    year: int | None = None
    award: str | None = None

    def keeps(self, line: dict[str, Any]) -> bool:
        """True when ``line`` passes every filter given."""
        return ((self.cluster is None or line["cluster"] == self.cluster)
                and (self.unit is None or line["unit"] == self.unit)
                and (self.person is None or (line["kind"] == "person"
                                             and line["candidate"] == self.person))
                and (self.year is None or line["period"] == self.year)
                and (self.award is None or line["award"] == self.award))


def _checked(session: Session, filters: Filters) -> Filters:
    """The filters with every name in one form and found (a name that is not there is not
    found, exit 5, with the closest names)."""
    cluster = unit = person = None
    if filters.cluster is not None:
        cluster = roster.cluster(session, names.name(filters.cluster, "--cluster")).name
    if filters.unit is not None:
        unit = roster.unit(session, names.name(filters.unit, "--unit")).name
    if filters.person is not None:
        person = roster.actor(session, names.name(filters.person, "--person")).name
    award = names.optional_name(filters.award, "--award")
    return Filters(cluster, unit, person, filters.year, award)


def _dated(line: dict[str, Any], db: Database) -> dict[str, Any]:
    """A line with its revocation dated by the business day it was recorded on."""
    revoked = line.get("revoked")
    if revoked and revoked.get("on"):
        revoked = {**revoked, "day": business_day(revoked["on"], db.zone).isoformat()}
    return {**line, "revoked": revoked}


def award_lines(db: Database, filters: Filters | None = None) -> list[dict[str, Any]]:
    """The award lines that pass ``filters``, by year, cycle and line."""
    with db.transaction(write=False) as session:
        wanted = _checked(session, filters or Filters())
        found = register.lines(session, definition_of)
    return [_dated(line, db) for line in found if wanted.keeps(line)]


def award_history(db: Database, name: str) -> tuple[str, list[dict[str, Any]]]:
    """Whose history (``unit`` or ``person``) and every award line of that unit (its own and
    its people's) or person."""
    name = names.name(name, "unit or person")
    with db.transaction(write=False) as session:
        unit, known = roster.named(session, name, queries.unit_named, queries.unit_names, "unit")
        person = None if unit is not None else roster.named(
            session, name, queries.actor_named, queries.actor_names, "person")[0]
        if unit is None and person is None:
            every = known + queries.actor_names(session)
            raise NotFound(_("no unit or person {name!r}{hint}").format(
                name=name, hint=names.did_you_mean(name, every)))
        found = register.lines(session, definition_of)
    if unit is not None:
        return "unit", [_dated(line, db) for line in found
                        if line["unit"] == unit.name or line["candidate"] == unit.name]
    assert person is not None
    return "person", [_dated(line, db) for line in found
                      if line["kind"] == "person" and line["candidate"] == person.name]


def row(line: dict[str, Any]) -> dict[str, Any]:
    """A line flattened to the register's columns (for a table or CSV)."""
    revoked = line.get("revoked") or {}
    return {**{key: line.get(key) for key in COLUMNS[:11]},
            "revoked_on": revoked.get("day") or revoked.get("on"),
            "revoked_ground": revoked.get("ground"),
            "revoked_article": revoked.get("article"),
            "recovered": revoked.get("recovered")}


def replayed_lines(db: Database) -> list[dict[str, Any]]:
    """Every award line as the ledger alone gives it: each cycle replayed from its events."""
    found: list[dict[str, Any]] = []
    with db.transaction(write=False) as session:
        for cycle in stored_cycles.with_facts(session):
            events = events_of(session, cycle.id)
            start = next(e for e in events if e["kind"] == "start")
            loaded = definition_of(session, start["definition"])
            replayed = replay(loaded, events, lambda h: definition_of(session, h))
            current = definition_of(session, cycle.definition_hash).definition
            found += register.lines_of(cycle.id, cycle.cluster, cycle.period, replayed.facts,
                                       register.awards_fact(current))
    return found
