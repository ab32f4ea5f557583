"""Exporting ledger events for auditors, as JSON lines or CSV, filtered, a batch at a time.

Each JSON line is the event in canonical JSON with its ``prev_hash`` and ``hash``, exactly as
hashed; CSV has one column per field (``inputs`` and ``documents`` as canonical JSON, null as
an empty cell); for Excel (``excel=True``) it starts with a UTF-8 byte-order mark, ends its lines
with CRLF, and a text cell that Excel would read as a formula (``=``, ``+``, ``-``, ``@``) is
prefixed with ``'``. Dates filter on when a step happened (``occurred_at``), whole days in the
database's business zone. A cluster or person named in a filter must exist (exit 5, with the
closest names suggested).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection

from thidua.store import directory as queries
from thidua.store import files, ledger, rehash
from thidua.store.engine import StoreError
from thidua.workflow import names
from thidua.workflow.engine import roster
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import Conflict, IntegrityFailure, InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.services import faults
from thidua.workflow.services.db import Database, zone_in
from thidua.workflow.timeutil import cutoff, iso, parse_moment

FORMATS = ("jsonl", "csv")
CSV_FIELDS = ["seq", "cycle", "cycle_version", "kind", "trigger", "from", "to", "actor",
              "operator", "role", "unit", "at", "occurred_at", "inputs", "reason", "documents",
              "definition", "idempotency_key", "prev_hash", "hash"]


@dataclass(frozen=True)
class Filters:
    """Which events to export; None means any."""

    cycle_id: int | None = None
    cluster: str | None = None
    period: int | None = None
    actor: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Exported:
    """What was exported."""

    events: int
    format: str
    file: str | None


def export_to(db: Database, target: TextIO | str, *, fmt: str = "jsonl",
              filters: Filters | None = None, excel: bool = False,
              on_progress: Callable[[int], None] | None = None,
              force: bool = False) -> Exported:
    """Write the events matching ``filters``, oldest first, in ``fmt``, to ``target``: an open
    text stream or the path of a file (created once the filters are found valid, written
    whole or not at all; an existing file is refused unless ``force``). ``excel`` writes CSV
    as Excel opens it (see the module's text)."""
    if fmt not in FORMATS:
        raise InvalidInput(_("unknown format {fmt!r} (formats: {FORMATS})").format(
                               fmt=fmt, FORMATS=', '.join(FORMATS)))
    if excel and fmt != "csv":
        raise InvalidInput(_("--excel applies to --format csv only"))
    filters = filters or Filters()
    # One snapshot for every read, as the verifier's: the settings checked against the ledger,
    # the filters' names, then the rows, batch after batch, all as of one moment. Bare
    # connection, Core statements and the driver: the export loads no ORM.
    with db.snapshot() as conn:
        criteria = _criteria(conn, filters, zone_in(conn))
        if not isinstance(target, str):
            if excel:
                target.write(BOM)
            return Exported(_write(conn, criteria, target, fmt, excel, on_progress), fmt,
                            None)
        try:
            with files.replacing(Path(target), force=force) as partial, \
                    open(partial, "w", encoding="utf-8-sig" if excel else "utf-8",
                         newline="") as out:
                count = _write(conn, criteria, out, fmt, excel, on_progress)
        except files.BeingWritten as exc:
            raise Conflict(str(exc)) from None
        except StoreError as exc:
            raise InvalidInput(str(exc)) from None
        except OSError as exc:
            raise faults.file_failure(exc, target) from None
        return Exported(count, fmt, target)


def _write(conn: Connection, criteria: dict[str, Any], out: TextIO, fmt: str, excel: bool,
           on_progress: Callable[[int], None] | None) -> int:
    count = 0
    rows = _rows(conn, criteria)
    if fmt == "jsonl":  # the verifier's path: raw rows, re-hashed rather than decoded
        for line in ledger.reporting(rehash.lines(rows, _exact_line), on_progress):
            out.write(line + "\n")
            count += 1
        return count
    write = _writer(out, excel)
    for row in ledger.reporting(rows, on_progress):
        try:
            event = {**ledger.raw_event(row), "prev_hash": row[ledger.PREV_HASH],
                     "hash": row[ledger.HASH]}
            for name in ledger.JSON_FIELDS:
                event[name] = ledger.canonical_json(event[name])
        except (TypeError, ValueError, RecursionError):
            raise _altered(row) from None
        write(event)
        count += 1
    return count


def _rows(conn: Connection, criteria: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The raw rows (:data:`store.ledger.COLUMNS`) ``criteria`` select, oldest first, memory
    bounded: the whole ledger as the verifier reads it (the bare driver), a selection in keyset
    batches."""
    rows: Iterator[tuple[Any, ...]] = (
        ledger.raw_rows(conn) if all(value is None for value in criteria.values())
        else ledger.rows(conn, raw=True, **criteria))
    return rows


def _exact_line(row: tuple[Any, ...]) -> str:
    """The exported line of a raw row that is not plain: decoded, then encoded."""
    try:
        line: str = ledger.canonical_json({**ledger.raw_event(row),
                                           "prev_hash": row[ledger.PREV_HASH],
                                           "hash": row[ledger.HASH]})
    except (TypeError, ValueError, RecursionError):
        raise _altered(row) from None
    return line


def _altered(row: tuple[Any, ...]) -> IntegrityFailure:
    """A raw row thidua cannot have written (JSON columns that do not decode, a value JSON
    cannot hold): an integrity failure, not an export."""
    return IntegrityFailure(_("ledger event {seq} cannot be exported as stored: it was changed "
                              "outside thidua; run thidua audit verify").format(
                                seq=row[ledger.SEQ]), kind="altered")


def _writer(out: TextIO, excel: bool) -> Any:
    table = csv.DictWriter(out, CSV_FIELDS, lineterminator="\r\n" if excel else "\n")
    table.writeheader()
    cell = _excel_cell if excel else _same

    def row(event: dict[str, Any]) -> None:
        table.writerow({k: cell(event[k]) for k in CSV_FIELDS})  # JSON fields encoded
    return row


BOM = "\ufeff"  # how Excel tells UTF-8 from the system's code page
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _same(value: Any) -> Any:
    return value


def _excel_cell(value: Any) -> Any:
    """A text cell that Excel would run as a formula (``=HYPERLINK(...)`` in a reason) is
    shown as text: prefixed with ``'``; a lone ``-`` stays as it is."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _criteria(conn: Connection, filters: Filters, zone: dt.tzinfo) -> dict[str, Any]:
    """The criteria of :func:`store.ledger.rows` that select the events ``filters`` ask for;
    a cycle, cluster or person that does not exist is not found."""
    if filters.cycle_id is not None:
        load_cycle(conn, filters.cycle_id)
    cluster_id = (roster.cluster_named(conn, names.name(filters.cluster, "--cluster"))[0]
                  if filters.cluster is not None else None)
    since, until = _dates(filters, zone)
    return {"cycle_id": filters.cycle_id, "cluster_id": cluster_id, "period": filters.period,
            "actor": _actor(conn, filters.actor), "since": since, "until": until}


def _actor(conn: Connection, name: str | None) -> list[str] | None:
    """The spellings of ``name`` the ledger records steps under: a registered person (as
    typed, and as stored), or a login that acted in set-up mode; else not found."""
    if name is None:
        return None
    wanted = names.name(name, "--actor")
    found, known = roster.named(conn, wanted, queries.person_named, queries.actor_names,
                                "person")
    if found is not None:
        return sorted({wanted, found.name})
    recorded = ledger.actors(conn)
    spellings = [a for a in recorded if names.same(a, wanted)]
    if not spellings:
        raise NotFound(_("no person {wanted!r} is registered or recorded in the "
                         "ledger{did_you_mean}").format(
                           wanted=wanted,
                           did_you_mean=names.did_you_mean(wanted, {*known, *recorded})))
    return spellings


def _dates(filters: Filters, zone: dt.tzinfo) -> tuple[str | None, str | None]:
    since = parse_moment(filters.since, "--since", zone) if filters.since else None
    until = cutoff(filters.until, zone)[0] if filters.until else None
    if since is not None and until is not None and since >= until:
        raise InvalidInput(_("--since {since} is after --until {until}").format(
                               since=filters.since, until=filters.until))
    return (iso(since) if since else None,
            iso(until.astimezone(dt.UTC)) if until else None)
