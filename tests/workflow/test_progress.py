"""Long work reports its progress: verify, export and bundle tell how many events they read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.cli.helpers import advance, start
from thidua.store import ledger
from thidua.workflow.audit.bundle import write_bundle
from thidua.workflow.audit.export import export_to
from thidua.workflow.audit.verify import head, verify
from thidua.workflow.services.db import Database


@pytest.fixture
def recorded(populated: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A database with some events, read in batches of 7 so progress comes in several calls."""
    monkeypatch.setattr(ledger, "BATCH", 7)
    advance(populated, start(populated), until="sign_compact")
    return populated


def test_verify_reports_every_event(recorded: Database) -> None:
    """The progress calls add up to the ledger's length, in more than one batch."""
    calls: list[int] = []
    result = verify(recorded, on_progress=calls.append)
    assert sum(calls) == result.events == head(recorded).seq
    assert len(calls) > 1


def test_export_and_bundle_report_their_events(recorded: Database, tmp_path: Path) -> None:
    """Export and bundle report the events they go through."""
    exported: list[int] = []
    out = io.StringIO()
    done = export_to(recorded, out, on_progress=exported.append)
    assert sum(exported) == done.events == head(recorded).seq
    bundled: list[int] = []
    write_bundle(recorded, str(tmp_path / "b.zip"), on_progress=bundled.append)
    assert sum(bundled) == head(recorded).seq


def test_no_listener_adds_nothing() -> None:
    """Without a listener the rows are handed on as they are (no wrapper)."""
    rows = iter([(1,), (2,)])
    assert ledger.reporting(rows, None) is rows
