"""``thidua actor delegate --revoke``, ``actor disable``, ``actor login`` and the refusals of
administration: plain lines, documented exit codes, ledgered inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cli.helpers import ok, parsed, plain_error
from tests.conftest import CLUSTER, HEAD, SECRETARY, Invoke
from tests.logins import AsLogin, cli_as
from thidua.workflow.services.db import Database

TODAY = dt.date.today().isoformat()
ROOT = "Quản trị viên"


def last_event(cli: Invoke) -> dict[str, object]:
    """The ledger's last event."""
    event: dict[str, object] = parsed(cli("audit", "log", "--limit", "1", json=True))[-1]
    return event


def test_delegate_and_revoke_the_delegation(populated: Database, cli: Invoke) -> None:
    """`--revoke` ends a delegation and says so; revoking one that is not in force is bad
    input (exit 2)."""
    ok(cli("actor", "delegate", HEAD, "--login", "clerk"))
    out = ok(cli("actor", "delegate", HEAD, "--login", "clerk", "--revoke"))
    assert out.strip() == f"clerk may no longer enter steps for {HEAD}"
    assert last_event(cli)["trigger"] == "actor_delegate_revoke"
    assert last_event(cli)["inputs"] == {"name": HEAD, "login": "clerk", "on": TODAY}
    message = plain_error(cli("actor", "delegate", HEAD, "--login", "clerk", "--revoke"), 2)
    assert "there is no delegation to revoke" in message


def test_disable(populated: Database, cli: Invoke) -> None:
    """`actor disable` says from when; twice is bad input (exit 2), nobody is not found
    (exit 5); a disabled person's step is refused (exit 1)."""
    assert ok(cli("actor", "disable", HEAD)).strip() == f"disabled {HEAD} from {TODAY}"
    assert last_event(cli)["inputs"] == {"name": HEAD, "on": TODAY}
    assert "already disabled" in plain_error(cli("actor", "disable", HEAD), 2)
    assert "no person 'Không Ai'" in plain_error(cli("actor", "disable", "Không Ai"), 5)
    message = plain_error(cli("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", HEAD), 1)
    assert message == f"Error: start refused: {HEAD} is disabled (since {TODAY}): their " \
                      "history stays, they act no more"


def test_login(populated: Database, cli: Invoke) -> None:
    """`actor login` sets and changes a login, naming the old one; a login another person has
    is bad input (exit 2)."""
    assert ok(cli("actor", "login", HEAD, "dung")).strip() == f"{HEAD}'s login is now dung"
    assert ok(cli("actor", "login", HEAD, "dung2")).strip() == (
        f"{HEAD}'s login is now dung2 (was dung)")
    assert last_event(cli)["inputs"] == {"name": HEAD, "old": "dung", "new": "dung2"}
    ok(cli("actor", "login", SECRETARY, "thang"))
    message = plain_error(cli("actor", "login", HEAD, "thang"), 2)
    assert message == f"Error: the login 'thang' already belongs to {SECRETARY}"


@pytest.fixture
def thidua(db_url: str, populated: Database, cli: Invoke) -> AsLogin:
    """Cluster 5 with an administrator for everything (`admin`) and one of Cluster 5
    (`admin5`); `thidua` entered by a named login."""
    ok(cli("actor", "add", ROOT, "--login", "admin"))
    ok(cli("actor", "grant", ROOT, "administrator"))
    run = cli_as(db_url, populated)
    ok(run("admin", "actor", "add", "Quản trị cụm 5", "--login", "admin5"))
    ok(run("admin", "actor", "grant", "Quản trị cụm 5", "administrator", "--cluster", CLUSTER))
    return run


@pytest.mark.attack
@pytest.mark.parametrize(("login", "args", "line"), [
    pytest.param("admin", ["actor", "revoke", ROOT, "administrator"],
                 f"actor revoke refused: {ROOT} is the last administrator for every cluster "
                 "and year: grant the role to another person first (without it nobody could "
                 "administer this database)", id="last-administrator-revoked"),
    pytest.param("admin", ["actor", "disable", ROOT],
                 f"actor disable refused: {ROOT} is the last administrator", id="last-disabled"),
    pytest.param("admin5", ["cluster", "add", "Cụm 7", "-m", "Lào Cai"],
                 "cluster add refused: Quản trị cụm 5 is an administrator only of Cụm 5 "
                 "(every year): this needs an administrator of every cluster and year",
                 id="scoped-cluster-add"),
    pytest.param("admin5", ["actor", "login", HEAD, "dung"],
                 "actor login refused: Quản trị cụm 5 is an administrator only of Cụm 5 "
                 "(every year): this needs an administrator of every cluster and year",
                 id="scoped-login"),
    pytest.param("admin5", ["actor", "grant", HEAD, "secretariat"],
                 "actor grant refused: Quản trị cụm 5 is an administrator only of Cụm 5 "
                 "(every year): this needs an administrator of every cluster and year",
                 id="scoped-grant"),
    pytest.param("admin5", ["cluster", "head", CLUSTER, "--period", "2025", "--head",
                            "Hà Nội"], None, id="scoped-head-allowed"),
])
def test_administration_refusals_are_one_line(thidua: AsLogin, login: str, args: list[str],
                                              line: str | None) -> None:
    """Each refusal is one line, exit 1, saying why (the scope needed, the last
    administrator), and the ledger is unchanged; within its scope the act is done."""
    before = parsed(thidua("admin", "audit", "log", json=True))
    result = thidua(login, *args)
    if line is None:
        ok(result)
        return
    assert plain_error(result, 1).startswith(f"Error: {line}")
    assert parsed(thidua("admin", "audit", "log", json=True)) == before
