"""``thidua actor``: register people and grant them roles."""

from __future__ import annotations

import pytest

from tests.cli.helpers import ok, parsed, plain_error
from tests.conftest import CLUSTER, SECRETARY, Invoke
from thidua.workflow.services.db import Database

NEW = "Nguyễn Văn Mới"


def test_add_with_unit(populated: Database, cli: Invoke) -> None:
    """`actor add --unit` registers the person and says so; the ledger records it."""
    assert ok(cli("actor", "add", NEW, "--unit", "Hà Nội")).strip() == f"registered {NEW} of Hà Nội"
    event = parsed(cli("audit", "log", "--limit", "1", json=True))[-1]
    assert event["trigger"] == "actor_add"
    assert event["inputs"] == {"name": NEW, "unit": "Hà Nội", "login": None}


def test_add_without_unit(cli: Invoke) -> None:
    """A person need not belong to a unit (council, auditors)."""
    assert ok(cli("actor", "add", NEW)).strip() == f"registered {NEW}"


def test_add_duplicate(populated: Database, cli: Invoke) -> None:
    """Registering a name twice is bad input (exit 2)."""
    message = plain_error(cli("actor", "add", SECRETARY), 2)
    assert f"'{SECRETARY}' is already registered" in message


def test_add_duplicate_login(populated: Database, cli: Invoke) -> None:
    """A login that already belongs to someone is bad input (exit 2); nobody is added."""
    ok(cli("actor", "add", NEW, "--login", "moi"))
    message = plain_error(cli("actor", "add", "Người Khác", "--login", "moi"), 2)
    assert "'moi' already belongs" in message
    assert plain_error(cli("actor", "grant", "Người Khác", "council"), 5)


def test_add_unknown_unit(populated: Database, cli: Invoke) -> None:
    """A unit that does not exist is not found (exit 5) and nobody is registered."""
    message = plain_error(cli("actor", "add", NEW, "--unit", "Atlantis"), 5)
    assert "no unit 'Atlantis'" in message
    ok(cli("actor", "add", NEW))  # the name is still free


def test_grant(populated: Database, cli: Invoke) -> None:
    """`actor grant` grants a role in a cluster for a period and says so."""
    ok(cli("actor", "add", NEW))
    out = ok(cli("actor", "grant", NEW, "secretariat", "--cluster", CLUSTER, "--period", "2023"))
    assert out.strip() == f"granted secretariat to {NEW} in {CLUSTER} for 2023"
    event = parsed(cli("audit", "log", "--limit", "1", json=True))[-1]
    assert event["trigger"] == "actor_grant"
    assert event["inputs"] == {"name": NEW, "role": "secretariat", "cluster": CLUSTER,
                               "period": 2023}


def test_grant_takes_effect(populated: Database, cli: Invoke) -> None:
    """A granted secretariat may start a cycle, which was refused before the grant."""
    ok(cli("actor", "add", NEW))
    start = ("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", NEW)
    assert "holds none of the roles" in plain_error(cli(*start), 1)
    ok(cli("actor", "grant", NEW, "secretariat", "--cluster", CLUSTER))
    assert "start: - -> constituted" in ok(cli(*start))


def test_grant_everywhere(populated: Database, cli: Invoke) -> None:
    """Without --cluster and --period the grant holds everywhere, and the message says so."""
    ok(cli("actor", "add", NEW))
    assert ok(cli("actor", "grant", NEW, "auditor")).strip() == f"granted auditor to {NEW}"


def test_grant_unknown_person(populated: Database, cli: Invoke) -> None:
    """Granting to someone not registered is not found (exit 5)."""
    message = plain_error(cli("actor", "grant", "Không Ai", "council"), 5)
    assert "no person 'Không Ai'" in message


def test_grant_unknown_cluster(populated: Database, cli: Invoke) -> None:
    """Granting in a cluster that does not exist is not found (exit 5)."""
    message = plain_error(cli("actor", "grant", SECRETARY, "council", "--cluster", "Cụm 99"), 5)
    assert "no cluster 'Cụm 99'" in message


@pytest.mark.parametrize("role", ["member_unit", "cluster_head"])
def test_grant_derived_role(populated: Database, cli: Invoke, role: str) -> None:
    """Derived roles cannot be granted (exit 2) and nothing is ledgered."""
    before = parsed(cli("audit", "log", json=True))
    message = plain_error(cli("actor", "grant", SECRETARY, role, "--cluster", CLUSTER), 2)
    assert f"'{role}' is not granted" in message
    assert parsed(cli("audit", "log", json=True)) == before


def test_grant_unknown_role(populated: Database, cli: Invoke) -> None:
    """A role no definition knows (a typo) is bad input (exit 2), not silently granted."""
    before = parsed(cli("audit", "log", json=True))
    message = plain_error(cli("actor", "grant", SECRETARY, "secretariet", "--cluster", CLUSTER), 2)
    assert "secretariet" in message
    assert parsed(cli("audit", "log", json=True)) == before


def test_grant_period_out_of_range(populated: Database, cli: Invoke) -> None:
    """A period that is no emulation year is bad input (exit 2), on every backend."""
    message = plain_error(cli("actor", "grant", SECRETARY, "council", "--period", "99999999999"),
                          2)
    assert "99999999999" in message
