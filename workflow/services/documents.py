"""Documents attached to steps: hashed with SHA-256 and stored once, by content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from thidua.store import documents as stored
from thidua.store import ledger
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.services.db import Database


def store(session: Session, attachment: Attachment) -> str:
    """Keep ``attachment`` (once per content) and return its hash."""
    digest = attachment.sha256
    if not stored.has(session, digest):
        stored.add(session, sha256=digest, name=attachment.name, content=attachment.content)
    return digest


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
    if len(digest) < 8:
        raise InvalidInput("give at least 8 characters of the document's hash")
    with db.transaction(write=False) as session:
        rows = stored.starting(session, digest)
        if not rows:
            raise NotFound(f"no document {digest}")
        if len(rows) > 1:
            raise InvalidInput(f"{digest} matches several documents: give more of the hash")
        doc = rows[0]
        cited = ledger.citing(session, doc.sha256)
        return DocumentView(doc.sha256, doc.name, doc.size,
                            hashlib.sha256(doc.content).hexdigest() == doc.sha256,
                            [{"seq": s, "cycle": c, "trigger": t} for s, c, t in cited])
