"""A database that cannot be reached, or is not there, is told apart by its exit code: a
server that does not answer is 3 (try again once it does), a database or a folder that is not
there is 5 (not found), wrong credentials are 2. One line each, nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.attack.processes import one_line, thidua
from tests.cli.helpers import invoke, plain_error
from tests.conftest import PG_ADMIN_URL
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

COMMANDS = [("cycle", "list"), ("actor", "add", "A"), ("db", "upgrade"), ("audit", "verify")]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/x",
                                 "postgresql://postgres@no-such-host.invalid/x"],
                         ids=["refused", "unknown-host"])
def test_a_server_that_does_not_answer_is_exit_3(url: str, args: tuple[str, ...]) -> None:
    """Connection refused, or a host that is not found: exit 3, one line, nothing done."""
    line = one_line(thidua("--db", url, *args), 3)
    assert "cannot reach the database server" in line and "try again once it answers" in line


@pytest.mark.postgres
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_database_not_on_the_server_is_exit_5(args: tuple[str, ...]) -> None:
    """A PostgreSQL database that the server does not have is not found (exit 5)."""
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/thidua_no_such_database"
    message = plain_error(invoke(url, *args), 5)
    assert "no database" in message and "does not exist" in message


@pytest.mark.postgres
def test_wrong_credentials_stay_exit_2() -> None:
    """A login the server does not know is bad input (exit 2), not a server to wait for."""
    url = PG_ADMIN_URL.replace("postgres@", "thidua_no_such_login@", 1)
    assert "cannot open the database" in plain_error(invoke(url, "cycle", "list"), 2)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_missing_folder_is_exit_5(tmp_path: Path, args: tuple[str, ...]) -> None:
    """``--db`` in a folder that is not there: exit 5 for reading and writing alike, and no
    folder is made."""
    path = tmp_path / "nonexistent" / "dir" / "x.db"
    line = one_line(thidua("--db", str(path), *args), 5)
    assert str(path) in line
    assert not (tmp_path / "nonexistent").exists()


def test_audit_log_of_no_such_cycle_is_not_found(sqlite_db: Database) -> None:
    """`audit log --cycle` with an id that names no cycle, in range or not: exit 5."""
    for cycle in ("99", "2147483648"):
        assert f"no cycle {cycle}" in plain_error(
            invoke(sqlite_db.url, "audit", "log", "--cycle", cycle), 5)
