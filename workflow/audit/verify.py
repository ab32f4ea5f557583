"""The auditor's view of the ledger: read it, verify its hash chain and the stored documents,
and give its head as an anchor to keep outside the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from thidua.store import chain, ledger, records, triggers
from thidua.store import definitions as stored_definitions
from thidua.store import documents as stored_documents
from thidua.store import engine as store_engine
from thidua.store.chain import Anchor, Damage, Walk
from thidua.workflow.audit import replay
from thidua.workflow.errors import IntegrityFailure, InvalidInput
from thidua.workflow.i18n import _, told
from thidua.workflow.language import compiled
from thidua.workflow.services.db import Database
from thidua.workflow.services.documents import content_hash

SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class Verified:
    """An intact ledger: how many events, and the hash of the last one; the documents
    re-hashed, the anchors passed, the append-only triggers found in place; and unless
    ``replayed`` is False (``--fast``), the cycles and directory rows that match the ledger."""

    events: int
    head_seq: int
    head_hash: str
    documents: int = 0
    anchors: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    replayed: bool = False
    cycles: int = 0
    directory_rows: int = 0


@dataclass(frozen=True)
class Head:
    """The ledger's last event: what an auditor writes down to check against later."""

    seq: int
    hash: str

    @property
    def anchor(self) -> str:
        """``SEQ:HASH``, as ``audit verify --anchor`` takes it."""
        return f"{self.seq}:{self.hash}"


def log(db: Database, *, cycle_id: int | None = None,
        limit: int | None = None) -> list[dict[str, Any]]:
    """Ledger events oldest first (the last ``limit`` of them), optionally of one cycle."""
    from thidua.workflow.audit.log import log as read_log

    return read_log(db, cycle_id=cycle_id, limit=limit)


def parse_anchors(texts: Sequence[str]) -> list[Anchor]:
    """``SEQ:HASH`` texts as anchors; a malformed one is bad input."""
    try:
        return [Anchor.parse(t) for t in texts]
    except ValueError as exc:
        raise InvalidInput(told(exc)) from None


def damaged(walked: Walk, damage: Damage, where: str = "ledger") -> IntegrityFailure:
    """The error for the first damage a walk found."""
    return IntegrityFailure(_("{where} damaged at event {seq} ({kind}): {detail}; {events} "
                              "events before it verify").format(
                                where=where, seq=damage.seq, kind=damage.kind,
                                detail=damage.detail, events=walked.events),
                            seq=damage.seq, kind=damage.kind)


def verify(db: Database, *, anchors: Sequence[str] = (), fast: bool = False,
           on_progress: Callable[[int], None] | None = None) -> Verified:
    """Re-hash the whole ledger, check its append-only triggers, re-hash every stored
    document and definition version, then (unless ``fast``) replay every cycle and the
    directory from the events and compare them with the stored rows. Raise
    :class:`IntegrityFailure` at the first bad event, naming a missing or changed trigger, the
    missing and changed documents, or the first rows that differ from the ledger. Each anchor
    (``SEQ:HASH``) must still be on the chain."""
    checked = parse_anchors(anchors)
    # One snapshot for every read, so that what the chain proves is what the rows are compared
    # with; a long read that on SQLite leaves steps free to go on.
    with store_engine.snapshot(db.engine) as conn:
        walked = chain.verify_ledger(conn, anchors=checked, on_progress=on_progress)
        if walked.damage is not None:
            raise damaged(walked, walked.damage)
        triggers = _check_triggers(conn)
        problems, stored = _document_problems(conn, dict(walked.documents))
        problems += _compiled_problems(conn, dict(walked.definitions))
        problems += _definition_problems(conn, dict(walked.definitions))
        _raise_content(problems)
        replayed = None if fast else replay.check(conn, list(walked.definitions))
    if replayed is not None and replayed.found.count:
        more = replayed.found.count - len(replayed.found.shown)
        raise IntegrityFailure(_("records differ from the ledger: {shown}{value}").format(
                                   shown="; ".join(
            replayed.found.shown),
                                   value=f" (and {more} more)" if more > 0 else ""),
            kind="diverged")
    return Verified(walked.events, walked.head_seq, walked.head_hash, stored,
                    [str(a) for a in checked], triggers, replayed is not None,
                    replayed.cycles if replayed else 0,
                    replayed.directory_rows if replayed else 0)


def _check_triggers(conn: Connection) -> list[str]:
    """The append-only triggers, which must all stand as the migrations made them."""
    wrong = triggers.problems(conn)
    if wrong:
        raise IntegrityFailure(
            _("the ledger is no longer append-only: {items}: someone with the database's "
              "rights changed it; verify with an anchor kept elsewhere (see "
              "docs/architecture.md, Threat model)").format(
                items="; ".join(
                f"trigger {name} is {what}" for name, what in wrong)), kind="unprotected")
    return triggers.expected(conn)


def _raise_content(problems: list[tuple[int | None, str, str]]) -> None:
    if not problems:
        return
    problems.sort(key=lambda p: (p[0] is None, p[0] or 0))
    first_seq, kind, _text = problems[0]
    shown = "; ".join(p[2] for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        shown = _("{shown} (and {more} more)").format(shown=shown, more=more)
    raise IntegrityFailure(_("stored content damaged: {shown}").format(shown=shown),
                           seq=first_seq, kind=kind)


def head(db: Database) -> Head:
    """The last event's sequence number and hash (0 and 64 zeros for an empty ledger)."""
    with db.transaction(write=False) as session:
        seq, digest = ledger.head(session)
    return Head(seq, digest)


def _document_problems(conn: Connection,
                       cited: dict[str, int]) -> tuple[list[tuple[int | None, str, str]], int]:
    """(citing event, kind, message) for each changed or missing document; and the count of
    stored documents."""
    problems: list[tuple[int | None, str, str]] = []
    seen, named = 0, _cited_names(conn, cited)
    for doc in stored_documents.described(conn):
        seen += 1
        by = cited.pop(doc.sha256, None)
        where = f"document {doc.name!r} ({doc.sha256[:12]})" + (
            f" cited by event {by}" if by is not None else "")
        if by is None:
            problems.append((None, "inserted", f"{where} has no event: no step cites it"))
            continue
        if named.get(doc.sha256, doc.name) != doc.name:
            problems.append((by, "altered", f"{where} was renamed: event {by} gives "
                                            f"{named[doc.sha256]!r}"))
        if doc.kind != "blob":
            problems.append((by, "altered", _("{where} was changed: it is stored as {kind}, "
                                              "not as bytes").format(where=where, kind=doc.kind)))
            continue
        actual, length = content_hash(conn, doc)  # a chunk at a time
        if actual != doc.sha256:
            problems.append((by, "altered", _("{where} was changed: its content hashes to "
                                              "{actual}").format(
                                                where=where, actual=actual[:12])))
        elif length != doc.size:
            problems.append((by, "altered", _("{where} was changed: {length} bytes, recorded "
                                              "as {size}").format(
                                                where=where, length=length, size=doc.size)))
    for digest, by in sorted(cited.items(), key=lambda item: item[1]):
        problems.append((by, "missing", _("document {digest} cited by event {by} is missing "
                                          "from the database").format(digest=digest[:12], by=by)))
    return problems, seen


def _compiled_problems(conn: Connection,
                       cited: dict[str, int]) -> list[tuple[int | None, str, str]]:
    """(citing event, kind, message) for each compiled form that steps would read (of the
    current format) and that is not what its stored source compiles to."""
    problems: list[tuple[int | None, str, str]] = []
    for row in stored_definitions.compiled_forms(conn):
        if row.format != compiled.FORMAT:
            continue  # never read: the version is parsed from its source instead
        by = cited.get(row.hash)
        again = compiled.compile_source(row.source) if isinstance(row.source, str) else None
        if again is None or again[1] != row.body:
            problems.append((by, "altered", f"the compiled form of definition {row.hash[:12]}"
                             + (f" cited by event {by}" if by is not None else "")
                             + " was changed: it is not what its source compiles to"))
    return problems


def _cited_names(conn: Connection, cited: dict[str, int]) -> dict[str, str]:
    """The name each cited document had when the first event that cites it attached it (a
    document input records its ``sha256`` and ``name``); a document an event cites without
    such an input has no name to check."""
    names: dict[str, str] = {}
    for row in records.inputs_of(conn, list(cited.values())):
        try:
            inputs = json.loads(row.inputs)
        except ValueError:
            continue  # the chain walk names an event that does not decode
        for value in inputs.values() if isinstance(inputs, dict) else ():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and isinstance(item.get("name"), str) \
                        and cited.get(str(item.get("sha256"))) == row.seq:
                    names.setdefault(item["sha256"], item["name"])
    return names


def _definition_problems(conn: Connection,
                         cited: dict[str, int]) -> list[tuple[int | None, str, str]]:
    """(citing event, kind, message) for each definition version whose stored source no
    longer hashes to its key, or that an event cites and is not stored."""
    problems: list[tuple[int | None, str, str]] = []
    for digest, _label, source in stored_definitions.sources(conn):
        by = cited.pop(digest, None)
        if not isinstance(source, str):
            problems.append((by, "altered", _("definition {digest}{cited} was changed: it is "
                                              "stored as bytes, not as text").format(
                                                digest=digest[:12], cited=_cited(by))))
        elif hashlib.sha256(source.encode("utf-8")).hexdigest() != digest:
            problems.append((by, "altered", _("definition {digest}{cited} was changed: its "
                                              "source text no longer hashes to it").format(
                                                digest=digest[:12], cited=_cited(by))))
    for digest, by in sorted(cited.items(), key=lambda item: item[1]):
        problems.append((by, "missing", _("definition {digest} cited by event {by} is "
                                          "missing from the database").format(
                                            digest=digest[:12], by=by)))
    return problems


def _cited(by: int | None) -> str:
    return _(" cited by event {seq}").format(seq=by) if by is not None else ""
