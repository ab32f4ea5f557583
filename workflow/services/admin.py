"""Database administration: upgrade, status, backup and settings (the business time
zone, the document limit)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from thidua.store import backup as store_backup
from thidua.store import directory as queries
from thidua.store import engine as store_engine
from thidua.store import files, schema, settings
from thidua.workflow import limits, names, timeutil
from thidua.workflow.audit import verify as audit
from thidua.workflow.errors import Conflict, InvalidInput
from thidua.workflow.i18n import N_, _, told
from thidua.workflow.language import compiled
from thidua.workflow.services import documents, faults, identity
from thidua.workflow.services.db import Database, record


def upgrade_db(db: Database) -> str | None:
    """Create or upgrade the schema through the Alembic migrations; return the revision."""
    try:
        return schema.upgrade(db.engine, compiler=compiled.compile_source)
    except store_engine.SchemaNotReady as exc:
        raise InvalidInput(told(exc)) from None
    except OperationalError as exc:
        raise faults.explain(exc, where=db.url) or InvalidInput(
            f"cannot upgrade the database {db.url}: {exc.orig}") from None


def db_status(db: Database) -> dict[str, Any]:
    """The database URL (without password), its schema revision and the one needed, and (on
    an up-to-date schema) the names stored in another Unicode form (:func:`stored_names`)."""
    try:
        revision = store_engine.schema_revision(db.engine)
    except OperationalError as exc:
        raise faults.explain(exc, where=db.url) or InvalidInput(
            f"cannot open the database {db.url}: {exc.orig}") from None
    return {"url": db.url, "revision": revision, "head": schema.HEAD,
            "up_to_date": revision == schema.HEAD,
            "names": stored_names(db) if revision == schema.HEAD else []}


def stored_names(db: Database) -> list[str]:
    """What is wrong with the names of units, clusters, people and logins as stored: a name
    stored in another form than NFC (written before names were normalised: it is still found,
    in any form), and two records under one name in two forms (the one stored in NFC is found
    by that name, the other no more)."""
    problems = []
    with db.transaction(write=False) as session:
        for what, every in (("unit", queries.unit_names), ("cluster", queries.cluster_names),
                            ("person", queries.actor_names), ("login", queries.logins)):
            by_form: dict[str, list[str]] = {}
            for stored in every(session):
                by_form.setdefault(names.nfc(stored), []).append(stored)
            for name, spellings in sorted(by_form.items()):
                if len(spellings) > 1:
                    problems.append(_("{count} {what}s are named {name!r} in different "
                                      "Unicode forms: one record under two spellings").format(
                                        count=len(spellings), what=what, name=name))
                elif spellings[0] != name:
                    problems.append(_("{what} {name!r} is stored in another Unicode form "
                                      "than NFC (it is found in any form)").format(
                                        what=what, name=name))
    return problems


PG_BACKUP = (N_("on PostgreSQL, back up with pg_dump: pg_dump -Fc -d URL -f thidua.dump (see "
               "Backups in the README)"))


@dataclass(frozen=True)
class Backup:
    """A backup written: where, how large, and the ledger head it holds."""

    file: str
    size: int
    head_seq: int
    head_hash: str


def backup_db(db: Database, file: str | Path) -> Backup:
    """Copy the SQLite database ``db`` to the new file ``file`` while it stays in use (an
    existing file is refused, and nothing half-written is ever left at ``file``). On
    PostgreSQL, refuse and point to ``pg_dump``."""
    if db.engine.dialect.name != "sqlite":
        raise InvalidInput(_(PG_BACKUP))
    target = Path(file)
    try:
        size = store_backup.backup_sqlite(db.engine, target)
    except files.BeingWritten as exc:
        raise Conflict(told(exc)) from None
    except store_engine.StoreError as exc:
        raise InvalidInput(told(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise faults.file_failure(exc, f"the backup {target}") from None
    copy = Database(str(target))
    try:
        head = audit.head(copy)
    finally:
        copy.close()
    return Backup(str(target), size, head.seq, head.hash)


@dataclass(frozen=True)
class TimeZone:
    """The business time zone of a database, and what it was before a change."""

    time_zone: str
    before: str | None = None
    changed: bool = False


def time_zone(db: Database) -> TimeZone:
    """The business time zone of ``db``."""
    return TimeZone(db.zone.key)


def set_time_zone(db: Database, name: str) -> TimeZone:
    """Make ``name`` (an IANA zone, checked with ``zoneinfo``) the business time zone of
    ``db``: an administrator's step, in the ledger. The same zone again changes nothing."""
    wanted = timeutil.zone(names.name(name, _("time zone"), limit=64)).key
    with db.transaction() as session:
        by = identity.require_admin(session, db, "db timezone")
        before = settings.get(session, settings.TIME_ZONE)
        if before == wanted:
            return TimeZone(wanted, before)
        settings.put(session, settings.TIME_ZONE, wanted)
        record(session, db, kind="admin", trigger="db_timezone", actor=by,
               inputs={"time_zone": wanted, "before": before})
    db.forget_zone()
    return TimeZone(wanted, before, changed=True)


@dataclass(frozen=True)
class Setting:
    """A setting changed: its key, the value before and after."""

    key: str
    value: int
    before: str | None


def set_document_limit(db: Database, text: str) -> Setting:
    """Set the largest document this database takes (``20MB``, ``512KB``, ``1GB``): an
    administrator's change, in the ledger (``admin`` / ``setting``)."""
    try:
        size = limits.parse_size(text)
    except ValueError as exc:
        raise InvalidInput(told(exc)) from None
    low, high = documents.LIMIT_BOUNDS
    if not low <= size <= high:
        raise InvalidInput(_("the document limit must be from {size_text} to {size_text2}, "
                             "not {size_text3}").format(
                               size_text=limits.size_text(low),
                               size_text2=limits.size_text(high),
                               size_text3=limits.size_text(size)))
    with db.transaction() as session:
        by = identity.require_admin(session, db, "db set document-limit")
        before = settings.get(session, documents.LIMIT_KEY)
        settings.put(session, documents.LIMIT_KEY, str(size))
        record(session, db, kind="admin", trigger="setting", actor=by,
               inputs={"key": documents.LIMIT_KEY, "value": size, "before": before})
    return Setting(documents.LIMIT_KEY, size, before)
