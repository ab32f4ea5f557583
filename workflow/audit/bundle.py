"""Audit bundles: the whole ledger, the definitions it cites and its documents, in one ZIP
that verifies offline, with thidua alone and no database.

Members, in this order: ``README.txt``; ``ledger.jsonl`` (one event per line, canonical JSON,
with ``prev_hash`` and ``hash``); ``definitions/<sha256>.yaml`` (the source text of every
definition version an event cites, named by its SHA-256); ``documents.jsonl`` (hash, name,
size and first citing event of every stored document); ``documents/<sha256>`` (their content,
with ``--with-documents``); ``manifest.json`` (size and SHA-256 of every other member, head).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from thidua.store import definitions as stored_definitions
from thidua.store import documents as stored_documents
from thidua.store import files
from thidua.store.chain import Walk, walk
from thidua.store.ledger import canonical_json, raw_event, raw_rows
from thidua.workflow.audit.storedzip import LayoutError, Sink, Writer
from thidua.workflow.audit.verify import damaged
from thidua.workflow.audit.verify import verify as verify_database
from thidua.workflow.errors import Conflict, IntegrityFailure, InvalidInput
from thidua.workflow.i18n import _, told
from thidua.workflow.services.db import Database
from thidua.workflow.timeutil import iso, now

FORMAT = "thidua-bundle/1"
LEDGER, DOCUMENTS, MANIFEST = "ledger.jsonl", "documents.jsonl", "manifest.json"

README = """thidua audit bundle
===================

This archive holds the audit ledger of a thidua database and what is needed to check it
without that database.

  ledger.jsonl       every event, oldest first, one JSON object a line, with prev_hash and hash
  definitions/       the source text of every definition version the events cite, each file
                     named by the SHA-256 of its UTF-8 text (the events' "definition" field)
  documents.jsonl    every stored document: sha256, name, size, the first event citing it
  documents/         the documents' content, when the bundle was made --with-documents
  manifest.json      the size and SHA-256 of every other member, the head of the ledger

Each event's hash is sha256(prev_hash + "\\n" + canonical_json(event)), where the event is the
line without prev_hash and hash, and canonical JSON has sorted keys, compact separators and
UTF-8 text; the first event's prev_hash is 64 zeros. Every line is written in canonical form.

To check it, with only thidua installed:

    thidua audit verify --bundle THIS.zip
    thidua audit verify --bundle THIS.zip --anchor SEQ:HASH

The second form also checks that the ledger still passes through an anchor you kept (printed
by `thidua audit head`, e.g. in the year-end minutes): a ledger rebuilt with recomputed hashes
verifies on its own, but no longer passes through the anchors taken before the rebuild.
Any byte changed in this archive makes verification fail, naming the member and the event.
"""


@dataclass(frozen=True)
class Bundled:
    """A bundle written: where, and what it holds."""

    file: str
    events: int
    head_seq: int
    head_hash: str
    definitions: int
    documents: int
    with_documents: bool


def write_bundle(db: Database, path: str, *, with_documents: bool = False,
                 on_progress: Callable[[int], None] | None = None) -> Bundled:
    """Verify the database (ledger, definitions, documents), then write its bundle to
    ``path`` (written to ``FILE.partial`` and moved into place when whole, so that a failure
    leaves no half bundle, and a killed run's partial file is removed by the next)."""
    verify_database(db, on_progress=on_progress)
    target = Path(path)
    try:
        with files.partial(target) as partial:
            with db.reader.connect() as conn, partial.open("wb") as file:
                result = _write(conn, Writer(file), with_documents, db.operator)
            os.replace(partial, target)
    except files.BeingWritten as exc:
        raise Conflict(told(exc)) from None
    except OSError as exc:
        raise InvalidInput(_("cannot write {path}: {strerror}").format(
            path=path, strerror=exc.strerror)) from None
    except LayoutError as exc:
        raise InvalidInput(f"cannot write {path}: {exc}") from None
    return Bundled(str(target), result.events, result.head_seq, result.head_hash,
                   len(result.definitions), len(result.documents), with_documents)


def _write(conn: Connection, writer: Writer, with_documents: bool, operator: str) -> Walk:
    with writer.member("README.txt") as sink:
        sink.write(README.encode("utf-8"))
    with writer.member(LEDGER) as sink:
        walked = walk(_lines_to(sink, raw_rows(conn)))
    if walked.damage is not None:
        raise damaged(walked, walked.damage)
    for digest in sorted(walked.definitions):
        source = stored_definitions.source_of(conn, digest)
        if source is None:  # verified a moment ago: only a concurrent deletion could do it
            raise IntegrityFailure(f"definition {digest[:12]} cited by event "
                                   f"{walked.definitions[digest]} is missing from the database",
                                   seq=walked.definitions[digest], kind="missing")
        if not isinstance(source, str):  # verified a moment ago: changed since
            raise IntegrityFailure(f"definition {digest[:12]} is stored as bytes, not as text",
                                   kind="altered")
        with writer.member(f"definitions/{digest}.yaml") as sink:
            sink.write(source.encode("utf-8"))
    listed = _documents(conn, walked.documents, writer, with_documents)
    manifest = {"format": FORMAT, "created_at": iso(now()), "created_by": operator,
                "events": walked.events, "head": {"seq": walked.head_seq,
                                                  "hash": walked.head_hash},
                "definitions": len(walked.definitions), "documents": listed,
                "with_documents": with_documents,
                "members": [{"name": m.name, "size": m.size, "sha256": m.sha256}
                            for m in writer.members]}
    with writer.member(MANIFEST) as sink:
        sink.write((json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    writer.close()
    return walked


def _documents(conn: Connection, cited: dict[str, int], writer: Writer,
               with_documents: bool) -> int:
    """Write documents.jsonl and, when asked, each document's content; return the count."""
    listed = 0
    with writer.member(DOCUMENTS) as sink:
        for digest, name, size in stored_documents.listed(conn):
            entry = {"sha256": digest, "name": name, "size": size, "cited_by": cited.get(digest)}
            sink.write((canonical_json(entry) + "\n").encode("utf-8"))
            listed += 1
    if with_documents:
        for doc in stored_documents.described(conn):
            if doc.kind != "blob":  # verified a moment ago: changed since
                raise IntegrityFailure(f"document {doc.sha256[:12]} is stored as {doc.kind}, "
                                       "not as bytes", kind="altered")
            with writer.member(f"documents/{doc.sha256}") as sink:
                for chunk in stored_documents.chunks(conn, doc.sha256):
                    sink.write(chunk)
    return listed


def _lines_to(sink: Sink, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Pass ``rows`` on, writing each to ``sink`` as a canonical JSON line."""
    for row in rows:
        line = {**raw_event(row), "prev_hash": row[-2], "hash": row[-1]}
        sink.write((canonical_json(line) + "\n").encode("utf-8"))
        yield row
