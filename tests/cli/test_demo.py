"""``thidua demo``: replays the reference event's cycle into a new file and tells its story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import ok, parsed, plain_error
from tests.conftest import CLUSTER, Invoke
from thidua.workflow.services.db import Database


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with no THIDUA_DB to redirect the demo."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THIDUA_DB", raising=False)
    return tmp_path


def thidua(*args: str) -> Result:
    """Run ``thidua ARGS`` as a user would, without --db."""
    from thidua.cli.main import root

    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def test_demo_creates_its_file(here: Path) -> None:
    """`thidua demo` writes thidua-demo.db here and tells the year's story, ending closed."""
    out = ok(thidua("--lang", "en", "demo"))
    assert (here / "thidua-demo.db").is_file()
    assert not (here / "thidua.db").exists()
    for needle in ("Đào Anh Dũng", "Phạm Hồng Thắng", "Bắc Ninh", "closed", "ledger verified",
                   "reference event", "recorded in thidua-demo.db"):
        assert needle in out, needle
    assert "Traceback" not in out


def test_demo_twice(here: Path) -> None:
    """A second `thidua demo` finds the first run, says so, and records nothing new."""
    ok(thidua("--lang", "en", "demo"))
    before = parsed(thidua("--db", "thidua-demo.db", "--json", "audit", "log"))
    out = ok(thidua("--lang", "en", "demo"))
    assert "already recorded" in out
    assert "ledger verified" in out
    assert parsed(thidua("--db", "thidua-demo.db", "--json", "audit", "log")) == before


def test_demo_json(here: Path) -> None:
    """`thidua --json demo` prints one JSON document: the closed cycle and the verified ledger."""
    data = parsed(thidua("--json", "demo"))
    assert isinstance(data, dict)
    assert data["recorded"] is True
    assert '"closed"' in json.dumps(data, ensure_ascii=False)
    assert "ledger" in data
    assert parsed(thidua("--json", "demo"))["recorded"] is False


def test_demo_commands_it_suggests_work(here: Path) -> None:
    """The commands the demo suggests run on its file: the cycle is closed, the ledger intact."""
    out = ok(thidua("--lang", "en", "demo"))
    assert "thidua --db thidua-demo.db cycle show 1" in out
    view = parsed(thidua("--db", "thidua-demo.db", "--json", "cycle", "show", "1"))
    assert view["state"] == "closed"
    assert "ledger intact" in ok(thidua("--db", "thidua-demo.db", "audit", "verify"))


def test_demo_into_a_named_file(here: Path) -> None:
    """With --db the demo goes into that file and no thidua-demo.db is created."""
    ok(thidua("--db", "other.db", "--lang", "en", "demo"))
    assert (here / "other.db").is_file()
    assert not (here / "thidua-demo.db").exists()


def test_demo_into_a_database_with_other_people(populated: Database, cli: Invoke) -> None:
    """Where its people exist with other units, the demo refuses (2) before writing anything."""
    before = parsed(cli("audit", "log", json=True))
    message = plain_error(cli("demo"), 2)
    assert "Cao Văn Thắng" in message or "Đào Anh Dũng" in message
    assert parsed(cli("audit", "log", json=True)) == before
    assert parsed(cli("cluster", "show", json=True)) == [CLUSTER]
