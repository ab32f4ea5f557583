"""Identity through the CLI: an operator without delegation, a person without the role and an
auditor are refused with exit 1 and a plain reason, and nothing is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import advance, ok, parsed, plain_error, start
from tests.conftest import AUDITOR, SECRETARY, populate
from thidua.cli.main import root
from thidua.workflow.services import directory, identity
from thidua.workflow.services.db import Database


@pytest.fixture
def governed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite database with Cluster 5's people and an administrator whose login is `admin`."""
    url = str(tmp_path / "governed.db")
    monkeypatch.setenv("LOGNAME", "admin")
    db = Database(url)
    populate(db)
    cycle_id = start(db)  # set-up mode: nobody is an administrator yet
    advance(db, cycle_id, until="register")
    directory.add_actor(db, "Quản trị viên", unit_name=None, login="admin")
    for person in (AUDITOR, "Người Hà Nội"):
        identity.delegate(db, person, "admin")
    identity.grant(db, "Quản trị viên", "administrator", cluster_name=None)
    db.close()
    return url


def thidua(url: str, login: str, *args: str) -> Result:
    """Run `thidua --db URL ARGS` as the OS account `login`."""
    return CliRunner().invoke(root, ["--db", url, "--lang", "en", *args],
                              env={"LOGNAME": login, "USER": login})


def ledger_length(url: str) -> int:
    """How many events the ledger holds."""
    return len(parsed(thidua(url, "admin", "--json", "audit", "log")))


@pytest.mark.parametrize(("login", "args", "reason"), [
    pytest.param("clerk", ["cycle", "fire", "1", "register", "-i", "targets=x", "--unit",
                           "Hà Nội", "--as", SECRETARY],
                 "the login 'clerk' may not enter steps for Cao Văn Thắng: no delegation",
                 id="no-delegation"),
    pytest.param("clerk", ["actor", "add", "Người lạ"],
                 "the login 'clerk' is not a registered person: only an administrator",
                 id="directory-change-without-admin"),
    pytest.param("admin", ["cycle", "fire", "1", "sign_compact", "--as", AUDITOR],
                 f"{AUDITOR} is an auditor: an auditor reads everything and changes nothing",
                 id="auditor"),
    pytest.param("admin", ["cycle", "fire", "1", "sign_compact", "--as", "Người Hà Nội"],
                 "Người Hà Nội holds none of the roles cluster_head, secretariat",
                 id="without-the-role"),
])
def test_refused_with_exit_1_and_nothing_recorded(governed: str, login: str, args: list[str],
                                                  reason: str) -> None:
    """Each refusal is one line, exit 1, and the ledger is as it was."""
    before = ledger_length(governed)
    assert reason in plain_error(thidua(governed, login, *args), 1)
    assert ledger_length(governed) == before


def test_a_delegation_lets_the_login_enter(governed: str) -> None:
    """Once the administrator delegates, the same login may enter for that person."""
    ok(thidua(governed, "admin", "actor", "delegate", SECRETARY, "--login", "clerk"))
    ok(thidua(governed, "clerk", "cycle", "fire", "1", "register", "-i", "targets=x",
              "--unit", "Hà Nội", "--as", SECRETARY))
    assert parsed(thidua(governed, "admin", "--json", "audit", "log", "--limit", "1")
                  )[-1]["operator"] == "clerk"
