"""Arguments built to break the command line: bytes that are not UTF-8, dates at the ends
of the calendar, numbers beyond any the database holds. Each is one plain line (exit 2, or 5
for an id that names nothing), nothing recorded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.attack.processes import events, one_line, thidua
from tests.cli.helpers import advance, error, invoke, plain_error, start
from tests.conftest import HEAD, MEMBER, SECRETARY, Invoke
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack


NOT_UTF8 = b"C\xe1m 5"  # Latin-1 bytes of a Vietnamese-looking name: not UTF-8
BYTE_COMMANDS = [
    ["cycle", "show", NOT_UTF8], ["cycle", "list", "--cluster", NOT_UTF8],
    ["cluster", "show", NOT_UTF8], ["cluster", "add", NOT_UTF8, "-m", "A"],
    ["actor", "add", NOT_UTF8], ["actor", "grant", NOT_UTF8, "secretariat"],
    ["cycle", "start", "-c", NOT_UTF8, "-p", "2023"], ["audit", "export", "--actor", NOT_UTF8],
    ["def", "validate", NOT_UTF8], ["doc", "show", NOT_UTF8],
    ["cycle", "fire", "1", "launch", "-i", b"plan=" + NOT_UTF8, "--as", HEAD],
]


@pytest.mark.parametrize("args", BYTE_COMMANDS, ids=lambda a: " ".join(
    x if isinstance(x, str) else "BYTES" for x in a))
def test_arguments_that_are_not_utf8(sqlite_db: Database, args: list[str | bytes]) -> None:
    """An argument whose bytes are not UTF-8 is one line, exit 2, naming it; nothing is
    recorded."""
    before = events(sqlite_db)
    done = thidua("--db", sqlite_db.url.removeprefix("sqlite:///"), *args)
    assert "is not UTF-8 text" in one_line(done, 2)
    assert events(sqlite_db) == before


def test_a_database_path_that_is_not_utf8(tmp_path: Path) -> None:
    """THIDUA_DB whose bytes are not UTF-8 is one line, exit 2; no file is created."""
    done = thidua("cycle", "list", env={"THIDUA_DB": os.fsdecode(bytes(tmp_path) + b"/\xff.db")})
    assert "THIDUA_DB is not UTF-8 text" in one_line(done, 2)
    assert list(tmp_path.iterdir()) == []


DATES = [
    ["cycle", "fire", "1", "launch", "-i", "plan=x", "--as", HEAD, "--at", "0001-01-01"],
    ["cycle", "fire", "1", "launch", "-i", "plan=x", "--as", HEAD, "--at", "9999-12-31"],
    ["audit", "export", "--until", "9999-12-31"], ["audit", "export", "--since", "0001-01-01"],
    ["cycle", "state-at", "1", "9999-12-31"], ["cycle", "state-at", "1", "0001-01-01T00:00"],
    ["audit", "state-at", "-c", "Cụm 5", "-p", "2023", "9999-12-31"],
]


@pytest.mark.parametrize("args", DATES, ids=" ".join)
def test_dates_out_of_range(sqlite_db: Database, args: list[str]) -> None:
    """A date at the ends of the calendar is one line, exit 2, nothing recorded."""
    before = events(sqlite_db)
    message = plain_error(invoke(sqlite_db.url.removeprefix("sqlite:///"), *args), 2)
    assert "out of range" in message
    assert events(sqlite_db) == before


def _integer_options() -> Iterator[tuple[list[str], str]]:
    """Every command path and each of its options or arguments that takes a whole number."""
    import importlib

    import click

    from thidua.cli.main import GROUPS

    def walk(path: list[str], command: click.Command) -> Iterator[tuple[list[str], str]]:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk([*path, name], sub)
            return
        for param in command.params:
            kind = param.type
            if isinstance(kind, click.types.IntParamType) or getattr(kind, "name", "") == "year":
                yield path, param.opts[0] if isinstance(param, click.Option) else param.name

    for name, (module, _) in GROUPS.items():
        yield from walk([name], importlib.import_module(module).command)


@pytest.mark.parametrize(("path", "param"), list(_integer_options()),
                         ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_huge_integers(sqlite_db: Database, path: list[str], param: str) -> None:
    """2**70 given to any option or argument that takes a whole number is one plain line,
    exit 2 (a number out of range), or 5 for an id that names nothing (a filter included);
    nothing is recorded."""
    import click

    from thidua.cli.main import root

    command: click.Command = root
    for name in path:
        command = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
    huge = str(2**70)
    args: list[str] = []
    for p in command.params:  # every required value, with the huge one where it goes
        value = huge if (p.opts[0] if isinstance(p, click.Option) else p.name) == param else None
        if isinstance(p, click.Argument):
            args.append(value or ("1" if isinstance(p.type, click.types.IntParamType) else "x"))
        elif value is not None:
            args += [p.opts[0], value]
        elif p.required:
            args += [p.opts[0], "1" if isinstance(p.type, click.types.IntParamType) else "x"]
    before = events(sqlite_db)
    result = invoke(sqlite_db.url.removeprefix("sqlite:///"), *path, *args)
    assert result.exit_code in (2, 5), result.output
    error(result, result.exit_code)
    assert events(sqlite_db) == before


JSON_HIDDEN = [
    pytest.param("titles_sought", '["a\\u001b[2Kb","c"]', "U+001B", id="escape-in-list"),
    pytest.param("titles_sought", '["Cờ thi đua","c\\u202ed"]', "U+202E", id="bidi-in-list"),
    pytest.param("titles_sought", '["a\\u200bb"]', "U+200B", id="zero-width-in-list"),
]


@pytest.mark.parametrize(("name", "value", "char"), JSON_HIDDEN)
def test_hidden_characters_inside_json_inputs(populated: Database, cli: Invoke, name: str,
                                              value: str, char: str) -> None:
    """A control, bidi or invisible character written as a JSON escape inside a list input
    (invisible on the command line, present once parsed) is refused, exit 2, naming the
    input and the character; nothing is recorded."""
    cycle = start(populated)
    advance(populated, cycle, until="register")
    before = events(populated)
    message = plain_error(cli("cycle", "fire", str(cycle), "register", "-i", "targets=x",
                              "-i", f"{name}={value}", "--as", MEMBER["Hà Nội"]), 2)
    assert f"input {name!r} contains {char}" in message
    assert events(populated) == before


def test_hidden_characters_in_json_keys(populated: Database, cli: Invoke) -> None:
    """A key of a JSON object input (the votes of a ballot) with a control character is
    refused, exit 2, naming the input; nothing is recorded."""
    cycle = start(populated)
    advance(populated, cycle, until="record_ballot")
    before = events(populated)
    votes = '{"B\\u1eafc Ninh\\u001b[2K": 4, "V\\u0129nh Ph\\u00fac": 3}'
    message = plain_error(cli("cycle", "fire", str(cycle), "record_ballot",
                              "-i", "ballots_issued=4", "-i", "ballots_returned=4",
                              "-i", "ballots_valid=4", "-i", f"votes={votes}",
                              "-i", "next_head=Hà Nội", "-i", "next_deputy=Bắc Giang",
                              "--as", SECRETARY), 2)
    assert "a key of input 'votes' contains U+001B" in message
    assert events(populated) == before
