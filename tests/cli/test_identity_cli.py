"""Identity through the CLI: an operator without delegation, a person without the role and an
auditor are refused with exit 1 and a plain reason, and nothing is recorded."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from tests.cli.helpers import advance, ok, parsed, plain_error, start
from tests.conftest import AUDITOR, SECRETARY, populate
from thidua.cli.main import root
from thidua.workflow.services import directory, identity
from thidua.workflow.services.db import Database


@pytest.fixture
def governed(tmp_path: Path) -> str:
    """A SQLite database with Cluster 5's people and an administrator whose login is `admin`."""
    url = str(tmp_path / "governed.db")
    db = Database(url, operator="admin")
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
    """Run `thidua --db URL ARGS` as if the process ran as the OS account `login`. (Running it
    under another uid for real is not possible here: the interpreter lives in root's home.
    test_the_environment_does_not_name_the_operator runs a real process.)"""
    with patch("thidua.store.engine.os_account", return_value=login):
        return CliRunner().invoke(root, ["--db", url, "--lang", "en", *args])


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


@pytest.mark.attack
def test_the_environment_does_not_name_the_operator(tmp_path: Path) -> None:
    """A real `thidua` process with `LOGNAME=mallory USER=mallory` records the account it runs
    as, from the system's account database, not the name in the environment."""
    url = str(tmp_path / "spoofed.db")
    spoofed = {**os.environ, "LOGNAME": "mallory", "USER": "mallory", "USERNAME": "mallory"}
    done = subprocess.run([sys.executable, "-c", "from thidua.cli.main import main; main()",
                           "--db", url, "--json", "actor", "add", "Người lạ"],
                          capture_output=True, text=True, env=spoofed, check=False)
    assert done.returncode == 0, done.stderr
    with Database(url).transaction(write=False) as session:
        [row] = session.execute(text("SELECT operator, actor FROM ledger")).all()
    assert tuple(row) == (pwd.getpwuid(os.geteuid()).pw_name,) * 2
    assert "mallory" not in tuple(row)
