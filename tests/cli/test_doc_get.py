"""`thidua doc get`: a stored document written back byte for byte, its hash checked first; a
document whose stored bytes were changed gives exit 4 and no file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import error, ok, parsed, plain_error
from tests.conftest import Invoke
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.services import documents
from thidua.workflow.services.db import Database

# Two and a half chunks of bytes that are not text: every byte value, in no simple order.
CONTENT = hashlib.shake_256(b"to trinh").digest((5 << 20) // 2) + bytes(range(256))


@pytest.fixture
def digest(db: Database) -> str:
    """A stored document larger than two chunks."""
    with db.transaction() as session:
        return documents.store(session, Attachment("tờ trình.pdf", CONTENT))


def test_doc_get_writes_the_exact_bytes(cli: Invoke, digest: str, tmp_path: Path) -> None:
    """To a file and to standard output, the bytes written hash to the document's name."""
    target = tmp_path / "back.pdf"
    out = ok(cli("doc", "get", digest[:10], "-o", str(target)))
    assert out.strip() == (f"wrote tờ trình.pdf ({len(CONTENT)} bytes, sha256 {digest[:12]}) "
                           f"to {target}")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "back.pdf.partial").exists()
    streamed = cli("doc", "get", digest)
    assert streamed.exit_code == 0
    assert hashlib.sha256(streamed.stdout_bytes).hexdigest() == digest
    assert parsed(cli("doc", "get", digest, "-o", str(target), json=True)) == {
        "sha256": digest, "name": "tờ trình.pdf", "size": len(CONTENT), "file": str(target)}


@pytest.mark.attack
def test_doc_get_refuses_changed_bytes(cli: Invoke, db: Database, digest: str,
                                       tmp_path: Path) -> None:
    """Stored bytes changed behind thidua's back: exit 4, nothing on standard output, no file
    written, an existing file left as it was."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET content = :c"), {"c": CONTENT[:-1] + b"!"})
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "back.pdf"
    target.write_bytes(b"before")
    assert "no longer matches its hash" in error(cli("doc", "get", digest, "-o", str(target)),
                                                 4)
    assert target.read_bytes() == b"before" and os.listdir(tmp_path / "out") == ["back.pdf"]
    streamed = cli("doc", "get", digest)
    assert streamed.exit_code == 4 and streamed.stdout_bytes.count(b"\n") <= 1
    assert CONTENT[:100] not in streamed.stdout_bytes


@pytest.mark.parametrize(("args", "code", "says"), [
    (["0" * 12], 5, "no document"),
    (["abc"], 2, "at least 8 characters"),
])
def test_doc_get_mistakes(cli: Invoke, digest: str, args: list[str], code: int,
                          says: str) -> None:
    """An unknown or too short hash: one line, its exit code."""
    assert says in plain_error(cli("doc", "get", *args), code)


def test_doc_get_to_a_folder_is_refused(cli: Invoke, digest: str, tmp_path: Path) -> None:
    """A target that cannot be written: exit 2, naming it."""
    assert "cannot write" in plain_error(
        cli("doc", "get", digest, "-o", str(tmp_path / "no" / "such" / "x.pdf")), 2)
