"""Names at the command line: one record per name in any Unicode form, hidden characters
refused (exit 2, naming them), filters that name nothing not found (exit 5, with the closest
names), and every stored value printed escaped, on success paths too."""

from __future__ import annotations

import json
import unicodedata

import pytest
from sqlalchemy import text

from tests.cli.helpers import error, ok, parsed, snapshot, start
from tests.conftest import CLUSTER, SECRETARY, Invoke
from thidua.workflow.services.db import Database, record

NFD_UNIT = unicodedata.normalize("NFD", "Bắc Ninh")
NFD_PERSON = unicodedata.normalize("NFD", SECRETARY)
ESC = "\x1b[2K\r"


def _sql(db: Database, statement: str, **params: object) -> None:
    """Change the database behind thidua's back (rows from before, or forged)."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.mark.attack
def test_a_unit_typed_in_nfd_is_not_a_second_member(cli: Invoke, populated: Database) -> None:
    """`Bắc Ninh` in NFD is the member already there: refused, and listed once."""
    message = error(cli("cluster", "member", "add", CLUSTER, NFD_UNIT, "--on", "2023-02-01"), 2)
    assert "already a member" in message
    members = parsed(cli("cluster", "show", CLUSTER, json=True))["members"]
    assert members.count("Bắc Ninh") == 1 and NFD_UNIT not in members


@pytest.mark.attack
def test_a_person_typed_in_nfd_is_the_same_person(cli: Invoke, populated: Database) -> None:
    """A second, identical-looking person is refused; a grant in NFD goes to the first."""
    assert "already registered" in error(cli("actor", "add", NFD_PERSON), 2)
    ok(cli("actor", "grant", NFD_PERSON, "council", "--cluster", CLUSTER))
    events = parsed(cli("audit", "log", json=True))
    assert events[-1]["inputs"]["name"] == SECRETARY


@pytest.mark.attack
@pytest.mark.parametrize(("reason", "code"), [
    (f"r{ESC}ledger intact: 0 events", "U+001B"), ("\u200b", "U+200B"),
    ("đồng ý\u202e", "U+202E"), ("   ", "empty"),
])
def test_a_hidden_reason_is_refused_and_nothing_recorded(cli: Invoke, populated: Database,
                                                         reason: str, code: str) -> None:
    """ANSI escapes, zero-width characters, bidi overrides and blanks: exit 2, naming the
    character, nothing recorded."""
    cycle_id = start(populated)
    before = snapshot(cli, cycle_id)
    message = error(cli("cycle", "fire", str(cycle_id), "launch", "-i", "plan=Kế hoạch",
                        "--as", "Đào Anh Dũng", "--reason", reason), 2)
    assert "--reason" in message and code in message
    assert "\x1b" not in message
    assert snapshot(cli, cycle_id) == before


@pytest.mark.attack
def test_a_100_kb_name_is_refused(cli: Invoke, populated: Database) -> None:
    """A name of 100 KB is refused before the database sees it, on SQLite as on PostgreSQL."""
    message = error(cli("actor", "add", "x" * 102400), 2)
    assert "at most 200" in message
    assert len(message) < 300


@pytest.mark.attack
def test_a_stored_escape_is_printed_escaped(cli: Invoke, populated: Database) -> None:
    """A reason and a unit stored with escapes (before, or forged) print as `\\x1b`, in
    `audit log`, `cycle history`, `report cycle`, tables and JSON alike."""
    cycle_id = start(populated)
    with populated.transaction() as session:
        record(session, populated, kind="fire", trigger="launch", actor=f"Đào{ESC}",
               cycle_id=cycle_id, cycle_version=2, from_state="constituted",
               to_state="launched", reason=f"r{ESC}ledger intact: 0 events\u202e\x9b")
    _sql(populated, "UPDATE units SET name = :name WHERE name = 'Vĩnh Phúc'",
         name=f"Vĩnh{ESC}Phúc\u200b")
    for args in (["audit", "log"], ["cycle", "history", str(cycle_id)],
                 ["report", "cycle", str(cycle_id)], ["cluster", "show", CLUSTER],
                 ["report", "cycle", str(cycle_id), "--format", "markdown"]):
        out = ok(cli(*args))
        assert "\x1b" not in out and "\r" not in out and "\u202e" not in out, args
        assert "\x9b" not in out and "\u200b" not in out, args
    assert "r\\x1b[2K\\rledger intact" in ok(cli("audit", "log"))
    assert "Vĩnh\\x1b[2K\\rPhúc\\u200b" in ok(cli("cluster", "show", CLUSTER))
    out = cli("audit", "log", json=True).output
    assert "\x9b" not in out and "\u202e" not in out and "\\u009b" in out
    assert json.loads(out)[-1]["reason"].endswith("\u202e\x9b")


@pytest.mark.attack
def test_an_error_naming_a_stored_escape_is_escaped(cli: Invoke, populated: Database) -> None:
    """An error that names a stored value prints it escaped too."""
    _sql(populated, "UPDATE clusters SET name = :name", name=f"Cụm 5{ESC}")
    message = error(cli("cycle", "list", "-c", "Cụm 5"), 5)
    assert "\x1b" not in message and "\\x1b" in message


@pytest.mark.parametrize("args", [
    ["cycle", "list", "-c", "Cum 5"], ["audit", "export", "-c", "Cum 5"],
    ["audit", "export", "--actor", "Cao Van Thang"], ["cycle", "todo", "--as", "Cao Van Thang"],
    ["audit", "state-at", "-c", "Cum 5", "-p", "2023", "2023-06-29"],
    ["cluster", "show", "Cum 5"],
])
def test_a_filter_that_names_nothing_is_not_found(cli: Invoke, populated: Database,
                                                  args: list[str]) -> None:
    """Exit 5, with the closest existing name suggested."""
    start(populated)
    message = error(cli(*args), 5)
    assert "did you mean: 'Cụm 5'" in message or "did you mean: 'Cao Văn Thắng'" in message


def test_an_actor_recorded_in_set_up_mode_is_a_filter(cli: Invoke, populated: Database) -> None:
    """`audit export --actor` also takes a login that acted in set-up mode, and a person's
    name in NFD."""
    operator = parsed(cli("audit", "log", json=True))[0]["actor"]
    assert ok(cli("audit", "export", "--actor", operator)).count("\n") >= 1
    start(populated)
    lines = ok(cli("audit", "export", "--actor", NFD_PERSON)).splitlines()
    assert [json.loads(line)["trigger"] for line in lines] == ["store_definition", "start"]


def test_names_stored_in_nfd_before_still_work(cli: Invoke, populated: Database) -> None:
    """A unit stored in NFD (before names were normalised) is found in NFC, keeps its spelling
    in the cycle's facts, and `db current` names it."""
    _sql(populated, "UPDATE units SET name = :nfd WHERE name = 'Bắc Ninh'", nfd=NFD_UNIT)
    assert "stored in another Unicode form" in ok(cli("db", "current"))
    cycle_id = start(populated)
    ok(cli("cycle", "fire", str(cycle_id), "launch", "-i", "plan=Kế hoạch",
           "--as", "Đào Anh Dũng"))
    ok(cli("cycle", "fire", str(cycle_id), "open_registration", "--as", SECRETARY))
    ok(cli("cycle", "fire", str(cycle_id), "register", "--unit", "Bắc Ninh", "-i", "targets=x",
           "--as", SECRETARY))
    facts = parsed(cli("cycle", "show", str(cycle_id), json=True))["facts"]
    assert list(facts["registration"]) == [NFD_UNIT]
    message = error(cli("cycle", "fire", str(cycle_id), "register", "--unit", "Bắc Ninh",
                        "-i", "targets=y", "--as", SECRETARY), 1)
    assert "already recorded" in message


def test_nfd_twins_from_before_are_named(cli: Invoke, populated: Database) -> None:
    """Two units stored under one name in two forms are named by `db current`; the NFC one is
    found by that name."""
    _sql(populated, "INSERT INTO units (name) VALUES (:nfd)", nfd=NFD_UNIT)
    status = parsed(cli("db", "current", json=True))
    assert any("2 units are named 'Bắc Ninh'" in n for n in status["names"])
    assert "registered Người mới of Bắc Ninh" in ok(cli("actor", "add", "Người mới",
                                                       "--unit", NFD_UNIT))
