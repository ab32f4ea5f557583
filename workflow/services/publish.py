"""Publishing definition versions, and choosing the version a new cycle starts on.

A published version is immutable: it is stored under the SHA-256 of its source text and the
ledger records who published it and when (kind ``definition``, trigger ``publish``).
Publishing runs the linter and the scenarios first and refuses a definition with lint errors
(:class:`InvalidDefinition`, exit 2) or failing scenarios (:class:`ScenariosFailed`, exit 1);
publishing the same content again changes nothing. A version label (``id@version``) names one
content only, the one published under it or the shipped one: another content under a published
or shipped label is refused. A draft (:func:`start_draft`: a cycle started by an administrator
on a file that is neither published nor shipped) is stored with the status ``draft`` and holds
no label: the label stays free for the content published under it later, and naming it never
finds the draft.

The version **in force** for an emulation year N is, among the versions of that id published in
this database and the shipped ones, the one with the latest ``effective_from`` on or before
1 January N; on a tie a published version wins over a shipped one, and a later publication over
an earlier one. When none is in force yet, the shipped definition is used, so that a database in
which nothing was ever published works with the shipped definitions as before. Cycles already
started stay on their own version (``cycles.definition_hash``) until they are migrated.

A definition that ``extends:`` another is published, and started on, resolved: its stored
source is the whole text, naming its base (``based_on``), and the ledger event names the base
too. While publishing, starting on a file or comparing one, a version published in this
database may be the base (:func:`bases_in`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from thidua.store import cycles as stored_cycles
from thidua.store import definitions as stored_definitions
from thidua.store import ledger
from thidua.workflow.engine.judge import definition_of
from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.language import compiled
from thidua.workflow.language.bases import published_from
from thidua.workflow.language.lint import lint_file
from thidua.workflow.language.loader import Loaded, find, load_file, shipped
from thidua.workflow.services import identity
from thidua.workflow.services.cycles import Fired, start_cycle
from thidua.workflow.services.db import Database, existing, record
from thidua.workflow.services.scenarios import run_scenarios
from thidua.workflow.timeutil import check_period, iso, now

Opener = Callable[[], Database]


@dataclass(frozen=True)
class Published:
    """The outcome of ``def publish``: the version, and whether it is new."""

    id: str
    version: str
    hash: str
    effective_from: str
    published_by: str
    published_at: str
    new: bool
    scenarios: int
    warnings: list[str]
    based_on: dict[str, str] | None = None


@dataclass(frozen=True)
class Version:
    """A stored definition version: published by an administrator, or stored when a cycle
    started on a shipped or unpublished definition."""

    id: str
    version: str
    hash: str
    effective_from: str
    published: bool
    by: str
    at: str
    cycles: int
    status: str = "published"  # shipped, published or draft


def is_hash(name: str) -> bool:
    """True when ``name`` looks like a content hash (or 12 characters of one at least)."""
    return 12 <= len(name) <= 64 and all(c in "0123456789abcdef" for c in name)


def is_file(name: str) -> bool:
    """True when ``name`` names a YAML file rather than ``id`` or ``id@version``."""
    return name.endswith((".yaml", ".yml")) or "/" in name


def publications(session: Session, hashes: list[str] | None = None) -> dict[str, Any]:
    """The ledger event that published each version (of ``hashes``, or of all): rows of
    ``seq``, ``actor`` and ``at``, by the version's hash (the last, if published twice)."""
    return {row.definition_hash or "": row for row in ledger.publications(session, hashes)}


@contextmanager
def bases_in(opener: Opener) -> Iterator[None]:
    """While the block runs, a definition may extend a version published in the database of
    ``opener`` (opened only when a base is not shipped)."""
    def find(ref: str) -> Loaded | None:
        with opener().transaction(write=False) as session:
            return stored_version(session, ref, published_only=True)

    with published_from(find):
        yield


def published_at(url: str | None, ref: str) -> Loaded | None:
    """The version ``ref`` published in the database at ``url``, if that database exists
    (nothing is created: checking a file must leave no database behind)."""
    db = existing(url)
    if db is None:
        return None
    try:
        with db.transaction(write=False) as session:
            return stored_version(session, ref, published_only=True)
    finally:
        db.close()


def publish(db: Database, path: str | Path) -> Published:
    """Check the definition file at ``path`` (lint, scenarios) and publish it; an
    administrator's step (see :mod:`workflow.services.identity`). A definition that extends
    another is published resolved: its whole text, which names its base."""
    with bases_in(lambda: db):
        loaded = load_file(path)
        report = lint_file(path)
    report.check()
    tests = run_scenarios(loaded)
    tests.check()
    d = loaded.definition
    based_on = d.based_on.model_dump() if d.based_on is not None else None
    with db.transaction() as session:
        who = identity.require_admin(session, db, "publish")
        done = publications(session, [loaded.hash]).get(loaded.hash)
        if done is not None:
            return Published(d.id, d.version, loaded.hash, d.effective_from.isoformat(),
                             done.actor, done.at, False, len(tests.results), [], based_on)
        _label_free(session, loaded)
        if not stored_definitions.has(session, loaded.hash):
            stored_definitions.add(
                session, content_hash=loaded.hash, def_id=d.id, version=d.version,
                title=d.title.en, effective_from=d.effective_from.isoformat(),
                source=loaded.source, published_by=who, published_at=iso(now()),
                status="published", compiled=(compiled.FORMAT, compiled.compile_loaded(loaded)))
        else:  # stored before as a draft, or as the shipped version it equals
            stored_definitions.set_status(session, loaded.hash, "published")
        row = record(session, db, kind="definition", trigger="publish", actor=who,
                     definition=loaded.hash,
                     inputs={"id": d.id, "version": d.version,
                             "effective_from": d.effective_from.isoformat(),
                             **({"based_on": based_on} if based_on else {})})
        return Published(d.id, d.version, loaded.hash, d.effective_from.isoformat(), who,
                         row.at, True, len(tests.results), [str(w) for w in report.warnings],
                         based_on)


def _label_free(session: Session, loaded: Loaded) -> None:
    """A label names one content: the one published under it, or the shipped one. A draft
    stored under the label holds nothing."""
    d = loaded.definition
    stored = [h for h in stored_definitions.labelled(session, d.id, d.version)
              if h != loaded.hash]
    other = [h for h in stored if h in publications(session, stored)]
    other += [s.hash for s in shipped() if s.ref == loaded.ref and s.hash != loaded.hash]
    if other:
        raise InvalidInput(_("{d}@{version} is already published or shipped with other "
                             "content ({other}): give this one its own version label").format(
                               d=d.id, version=d.version, other=other[0][:12]))


def versions(db: Database, def_id: str | None = None) -> list[Version]:
    """The stored versions (of ``def_id``, or all), by id and then oldest effective first."""
    with db.transaction(write=False) as session:
        rows = stored_definitions.versions(session, def_id)
        published = publications(session, [r.hash for r in rows])
        counts = stored_cycles.count_by_definition(session)
    result = []
    for row in rows:
        event = published.get(row.hash)
        result.append(Version(
            row.def_id, row.version, row.hash, row.effective_from, event is not None,
            event.actor if event else row.published_by, event.at if event else row.published_at,
            counts.get(row.hash, 0), row.status))
    if def_id is not None and not result:
        raise NotFound(_("no stored version of {def_id!r} (see: thidua def publish FILE)").format(
                           def_id=def_id))
    return result


def stored(session: Session, content_hash: str) -> Loaded:
    """The stored version ``content_hash``, parsed."""
    return definition_of(session, content_hash)


def stored_version(session: Session, name: str, *, published_only: bool = False) -> Loaded | None:
    """The stored version named ``id@version`` (only a version published with ``def
    publish``: a draft never holds a label, and a shipped one is found among the shipped) or
    by its hash (12 characters at least; with ``published_only``, only a published one)."""
    if "@" in name:
        def_id, _, label = name.partition("@")
        hashes = stored_definitions.labelled(session, def_id, label)
        published_only = True
    elif is_hash(name):
        hashes = stored_definitions.starting(session, name)
    else:
        return None
    if published_only:
        hashes = [h for h in hashes if h in publications(session, hashes)]
    return stored(session, hashes[0]) if len(hashes) == 1 else None


def in_force(db: Database, name: str, period: int) -> Loaded:
    """The definition a cycle of year ``period`` starts on, for ``name``: an ``id@version``
    (published, else shipped) or an ``id`` (the version in force). A file is refused: a
    cycle runs on published rules (a draft is tried with :func:`start_draft`)."""
    check_period(period)
    if is_file(name):
        raise InvalidInput(
            _("{name!r} is a file: a cycle starts on a published or shipped version (ID or "
              "ID@VERSION); try a draft with: thidua def test FILE, or (an administrator) "
              "thidua cycle start --draft FILE").format(name=name))
    with db.transaction(write=False) as session:
        if "@" in name:
            found = stored_version(session, name)
            return found if found is not None else find(name)
        rows = stored_definitions.versions(session, name)
        events = publications(session, [r.hash for r in rows])
        candidates = [(dt.date.fromisoformat(r.effective_from), 1, events[r.hash].seq, r.hash)
                      for r in rows if r.hash in events]
        ships = [s for s in shipped() if s.definition.id == name]
        candidates += [(s.definition.effective_from, 0, 0, s.hash) for s in ships]
        ready = [c for c in candidates if c[0] <= dt.date(period, 1, 1)]
        if not ready:
            if ships:
                return ships[0]
            raise NotFound(_("no version of {name!r} is published or shipped in force for "
                             "{period} (see: thidua def versions {name})").format(
                               name=name, period=period))
        chosen = max(ready)[3]
        return next((s for s in ships if s.hash == chosen), None) or stored(session, chosen)


def lookup(name: str, opener: Opener) -> Loaded:
    """A definition named by file, ``id@version`` or hash (published, else shipped), or ``id``
    (the version in force this year); the database is opened only when needed."""
    if is_file(name):
        with bases_in(opener):
            return load_file(name)
    if "@" not in name and not any(s.definition.id == name for s in shipped()):
        with opener().transaction(write=False) as session:
            found = stored_version(session, name)
        if found is not None:
            return found
    return in_force(opener(), name, dt.date.today().year)


def start_draft(db: Database, path: str | Path, cluster_name: str, period: int, *,
                actor: str | None = None, occurred_at: str | None = None,
                request_id: str | None = None) -> Fired:
    """Start a cycle on the definition file at ``path`` as a draft: an administrator's step
    (of that cluster and period) that lints the file (errors refuse, exit 2), runs its
    scenarios (a failure refuses, exit 1), then stores it with the status ``draft``, under no
    label, and starts the cycle on it. Nothing is written when any of it refuses."""
    check_period(period)
    with db.transaction(write=False) as session:
        identity.require_admin(session, db, "cycle start --draft",
                               identity.scope_of(session, cluster_name, period))
    with bases_in(lambda: db):
        loaded = load_file(path)
        report = lint_file(path)
    report.check()
    run_scenarios(loaded).check()
    return start_cycle(db, loaded, cluster_name, period, actor=actor, occurred_at=occurred_at,
                       request_id=request_id, draft=True)
