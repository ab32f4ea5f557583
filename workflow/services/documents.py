"""Documents attached to steps: measured against the database's size limit before they are
read, hashed with SHA-256 a chunk at a time, and stored once, by content, a chunk at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from thidua.store import documents as stored
from thidua.store import ledger
from thidua.workflow import limits
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.errors import IntegrityFailure, InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.services.db import Database, setting
from thidua.workflow.services.outfile import write_file
from thidua.workflow.settings import DOCUMENT_LIMIT

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from thidua.store.query import Target

LIMIT_KEY = DOCUMENT_LIMIT
LIMIT_BOUNDS = (1 << 10, 1 << 30)  # 1 KB to 1 GB: PostgreSQL holds no larger value


def limit(session: Target) -> int:
    """The largest document this database takes, in bytes (``settings.document_limit``, as
    its ledger gives it: see :func:`workflow.services.db.setting`)."""
    text = setting(session, LIMIT_KEY)
    try:
        return int(text)
    except ValueError:
        raise IntegrityFailure(_("the setting {LIMIT_KEY} holds {text!r}, not a number of "
                                 "bytes: it was changed outside thidua (set it again with "
                                 "thidua db set document-limit)").format(
                                   LIMIT_KEY=LIMIT_KEY, text=text[:40]), kind="altered") from None


def admit(db: Database, attachments: list[Attachment]) -> None:
    """Refuse a document larger than the database's limit before reading it; hash the others
    (a chunk at a time, outside any transaction)."""
    if not attachments:
        return
    with db.reading() as conn:
        largest = limit(conn)
    for attachment in attachments:
        if attachment.size > largest:
            raise InvalidInput(_("the document {attachment!r} is {size_text}, more than this "
                                 "database's limit of {size_text2} (thidua db set "
                                 "document-limit); nothing was recorded").format(
                                   attachment=attachment.name,
                                   size_text=limits.size_text(attachment.size),
                                   size_text2=limits.size_text(largest)))
        attachment.sha256  # noqa: B018  # hashed now, outside any transaction


def store(session: Session, attachment: Attachment) -> str:
    """Keep ``attachment`` (once per content) and return its hash; its content is read
    again as it is stored, and must still hash to what the step recorded. Another step that
    stores the same document at once, on another cycle, may have committed it first: this step
    then cites that one (the same content, its hash says so)."""
    digest = attachment.sha256
    if not stored.has(session, digest):
        check = hashlib.sha256()
        written = stored.add(session, sha256=digest, name=attachment.name,
                             size=attachment.size, chunks=_hashed(attachment.chunks(), check))
        if written and check.hexdigest() != digest:
            raise InvalidInput(_("the document {attachment!r} changed while it was stored; "
                                 "nothing was recorded").format(attachment=attachment.name))
    return digest


def _hashed(chunks: Iterable[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def content_hash(target: Any, row: Any) -> tuple[str, int]:
    """The SHA-256 and length of a stored document's content, read a chunk at a time; one
    whose content is not stored as bytes was changed outside thidua."""
    if row.kind != "blob":
        raise IntegrityFailure(_("document {row!r} ({sha256}) is stored as {kind}, not as "
                                 "bytes: it was changed outside thidua; run thidua audit "
                                 "verify").format(
                                   row=row.name, sha256=row.sha256[:12], kind=row.kind),
                               kind="altered")
    digest, length = hashlib.sha256(), 0
    for chunk in stored.chunks(target, row.sha256):
        digest.update(chunk)
        length += len(chunk)
    return digest.hexdigest(), length


def _one(session: Session, digest: str) -> Any:
    """The stored document ``digest`` names (a unique prefix of 8 or more characters)."""
    if len(digest) < 8:
        raise InvalidInput(_("give at least 8 characters of the document's hash"))
    rows = stored.starting(session, digest)
    if not rows:
        raise NotFound(_("no document {digest}").format(digest=digest))
    if len(rows) > 1:
        raise InvalidInput(_("{digest} matches several documents: give more of the "
                             "hash").format(digest=digest))
    return rows[0]


@dataclass(frozen=True)
class DocumentView:
    """A stored document and the steps that cite it."""

    sha256: str
    name: str
    size: int
    intact: bool
    cited_by: list[dict[str, Any]]


def show(db: Database, digest: str) -> DocumentView:
    """The stored document ``digest`` (a unique prefix of 8 or more characters will do)."""
    with db.transaction(write=False) as session:
        doc = _one(session, digest)
        actual, length = content_hash(session, doc)
        cited = ledger.citing(session, doc.sha256)
        return DocumentView(doc.sha256, doc.name, doc.size,
                            actual == doc.sha256 and length == doc.size,
                            [{"seq": s, "cycle": c, "trigger": t} for s, c, t in cited])


@dataclass(frozen=True)
class Fetched:
    """A stored document written back: which, how many bytes, where (None: the stream)."""

    sha256: str
    name: str
    size: int
    file: str | None


def get(db: Database, digest: str, target: BinaryIO | str) -> Fetched:
    """Write the stored document ``digest`` back, byte for byte, to ``target``: an open binary
    stream or a file path. Its content must hash to its name (else :class:`IntegrityFailure`,
    and nothing is written): a file is written whole through its partial file and checked
    before it is moved into place; a stream gets the content only once it has been checked
    (read twice, in one snapshot), a chunk at a time."""
    with db.transaction(write=False) as session:
        doc = _one(session, digest)
        if isinstance(target, str):
            write_file(target, lambda file: _copy(session, doc, file))
            return Fetched(doc.sha256, doc.name, doc.size, target)
        _check(doc, *content_hash(session, doc))
        _copy(session, doc, target)
        return Fetched(doc.sha256, doc.name, doc.size, None)


def _copy(session: Session, doc: Any, out: BinaryIO) -> None:
    if doc.kind != "blob":
        content_hash(session, doc)  # says how it was changed
    digest, length = hashlib.sha256(), 0
    for chunk in stored.chunks(session, doc.sha256):
        digest.update(chunk)
        length += len(chunk)
        out.write(chunk)
    _check(doc, digest.hexdigest(), length)


def _check(doc: Any, actual: str, length: int) -> None:
    if actual != doc.sha256 or length != doc.size:
        raise IntegrityFailure(_("document {name!r} ({sha256}) no longer matches its hash: its "
                                 "stored content was changed; nothing was written; run thidua "
                                 "audit verify").format(name=doc.name, sha256=doc.sha256[:12]),
                               kind="altered")
