"""``thidua cluster``: add and show clusters."""

from __future__ import annotations

from tests.cli.helpers import error, ok, parsed, plain_error
from tests.conftest import CLUSTER, DEPUTY_UNIT, HEAD_UNIT, UNITS, Invoke
from thidua.workflow.services.db import Database

NEW = "Cụm 6"
ADD = ("cluster", "add", NEW, "-m", "Hải Dương", "-m", "Hưng Yên", "-m", "Thái Bình",
       "--head", "Hưng Yên", "--deputy", "Thái Bình", "--period", "2023")


def test_add(cli: Invoke) -> None:
    """`cluster add` creates the cluster with members, head and deputy and prints it."""
    out = ok(cli(*ADD))
    assert f"cluster      {NEW}" in out
    members = next(line for line in out.splitlines() if line.startswith("members"))
    assert set(members.removeprefix("members").strip().split(", ")) == {
        "Hải Dương", "Hưng Yên", "Thái Bình"}
    assert "head 2023    Hưng Yên" in out
    assert "deputy 2023  Thái Bình" in out
    assert NEW in parsed(cli("cluster", "show", json=True))


def test_add_json_and_block(cli: Invoke) -> None:
    """`--json cluster add --block` prints the new block as JSON."""
    view = parsed(cli("cluster", "add", "Khối 1", "-m", "Sở A", "-m", "Sở B", "--block",
                      "--period", "2023", json=True))
    assert view == {"name": "Khối 1", "kind": "block", "members": ["Sở A", "Sở B"],
                    "head": None, "deputy": None, "period": 2023}


def test_add_is_ledgered(cli: Invoke) -> None:
    """Adding a cluster appends one admin event to the ledger."""
    before = len(parsed(cli("audit", "log", json=True)))
    ok(cli(*ADD))
    events = parsed(cli("audit", "log", json=True))
    assert len(events) == before + 1
    assert events[-1]["trigger"] == "cluster_add"
    assert events[-1]["inputs"]["cluster"] == NEW


def test_add_duplicate_name(populated: Database, cli: Invoke) -> None:
    """A second cluster with the same name is bad input (exit 2) and nothing is added."""
    before = parsed(cli("audit", "log", json=True))
    message = plain_error(cli("cluster", "add", CLUSTER, "-m", "Nam Định"), 2)
    assert f"'{CLUSTER}' already exists" in message
    assert parsed(cli("audit", "log", json=True)) == before


def test_add_head_not_a_member(cli: Invoke) -> None:
    """A head that is not among the members is bad input (exit 2); no cluster is created."""
    message = plain_error(cli("cluster", "add", NEW, "-m", "A", "-m", "B", "--head", "C"), 2)
    assert "'C' is not among the member units" in message
    assert NEW not in parsed(cli("cluster", "show", json=True))


def test_add_deputy_not_a_member(cli: Invoke) -> None:
    """A deputy that is not among the members is bad input (exit 2)."""
    message = plain_error(cli("cluster", "add", NEW, "-m", "A", "--head", "A",
                              "--deputy", "Z"), 2)
    assert "deputy 'Z'" in message


def test_add_head_equals_deputy(cli: Invoke) -> None:
    """The same unit as head and deputy is bad input (exit 2)."""
    message = plain_error(cli("cluster", "add", NEW, "-m", "A", "-m", "B", "--head", "A",
                              "--deputy", "A"), 2)
    assert "different" in message


def test_add_without_members_is_usage_error(cli: Invoke) -> None:
    """`cluster add` without --member is a usage error (exit 2)."""
    assert "--member" in error(cli("cluster", "add", NEW), 2)
    assert parsed(cli("cluster", "show", json=True)) == []


def test_add_bad_date_is_usage_error(cli: Invoke) -> None:
    """A --since that is not a date is a usage error (exit 2)."""
    assert "--since" in error(cli("cluster", "add", NEW, "-m", "A", "--since", "soon"), 2)


def test_show_one(populated: Database, cli: Invoke) -> None:
    """`cluster show NAME --period` lists members, head and deputy of that year."""
    out = ok(cli("cluster", "show", CLUSTER, "--period", "2023"))
    assert ", ".join(sorted(UNITS)) in out
    assert f"head 2023    {HEAD_UNIT}" in out
    assert f"deputy 2023  {DEPUTY_UNIT}" in out


def test_show_one_json(populated: Database, cli: Invoke) -> None:
    """`--json cluster show NAME` is the cluster as JSON."""
    view = parsed(cli("cluster", "show", CLUSTER, "--period", "2023", json=True))
    assert view == {"name": CLUSTER, "kind": "cluster", "members": sorted(UNITS),
                    "head": HEAD_UNIT, "deputy": DEPUTY_UNIT, "period": 2023}


def test_show_other_period_has_no_head(populated: Database, cli: Invoke) -> None:
    """In a year without leadership set, head and deputy are shown as '-'."""
    out = ok(cli("cluster", "show", CLUSTER, "--period", "2030"))
    assert "head 2030    -" in out


def test_show_list(populated: Database, cli: Invoke) -> None:
    """`cluster show` without a name lists every cluster (text and JSON)."""
    ok(cli(*ADD))
    assert ok(cli("cluster", "show")).splitlines() == [CLUSTER, NEW]
    assert parsed(cli("cluster", "show", json=True)) == [CLUSTER, NEW]


def test_show_list_empty(cli: Invoke) -> None:
    """With no clusters, `cluster show` says how to add one."""
    assert "thidua cluster add" in ok(cli("cluster", "show"))


def test_show_unknown(cli: Invoke) -> None:
    """An unknown cluster exits 5 with one plain line naming it."""
    assert "no cluster 'Cụm 99'" in plain_error(cli("cluster", "show", "Cụm 99"), 5)
