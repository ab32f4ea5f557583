"""The root command: help, usage errors, unreachable databases, out-of-range numbers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import error, invoke, ok, parsed, plain_error, start
from tests.conftest import CLUSTER, Invoke
from thidua.workflow.services.db import Database

CORE_GROUPS = ["db", "def", "cluster", "actor", "cycle", "audit", "demo"]
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/x"


def thidua(*args: str) -> Result:
    """Run ``thidua ARGS`` in-process."""
    from thidua.cli.main import root

    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def _installed() -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version("thidua")
    except PackageNotFoundError:
        return False
    return True


def _commands() -> Iterator[list[str]]:
    """Every group and command path, e.g. ['cycle'], ['cycle', 'fire']."""
    from thidua.cli.main import GROUPS

    def walk(path: list[str], command: click.Command) -> Iterator[list[str]]:
        yield path
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk([*path, name], sub)

    for name, (module, _) in GROUPS.items():
        yield from walk([name], importlib.import_module(module).command)


def test_help_lists_every_group() -> None:
    """`thidua --help` exits 0 and lists every command group with an example."""
    from thidua.cli.main import GROUPS

    out = ok(thidua("--help"))
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ") and
              line.split()}
    assert set(GROUPS) <= listed
    assert set(CORE_GROUPS) <= set(GROUPS)
    assert "Example" in out


@pytest.mark.parametrize("path", list(_commands()), ids=" ".join)
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    """Every group's and command's --help exits 0 and shows an example."""
    out = ok(thidua(*path, "--help"))
    assert "Example" in out
    assert f"{path[-1]} [OPTIONS]" in out


@pytest.mark.skipif(not _installed(), reason="thidua is not installed in this environment")
def test_version() -> None:
    """`thidua --version` exits 0 and prints the installed version."""
    from importlib.metadata import version

    assert version("thidua") in ok(thidua("--version"))


@pytest.mark.parametrize("args", [["fly"], ["cycle", "fly"], ["audit", "shred"]],
                         ids=" ".join)
def test_unknown_command(args: list[str]) -> None:
    """An unknown command is a usage error (exit 2)."""
    assert "No such command" in error(thidua(*args), 2)


@pytest.mark.parametrize("args", [["--colour", "cycle", "list"], ["--lang", "fr", "def", "list"],
                                  ["cycle", "list", "--period", "năm nay"]], ids=" ".join)
def test_bad_option(args: list[str]) -> None:
    """An unknown option or a bad option value is a usage error (exit 2)."""
    error(thidua(*args), 2)


@pytest.mark.parametrize("args", [["cycle", "list"], ["db", "current"], ["db", "upgrade"],
                                  ["audit", "verify"]], ids=" ".join)
def test_unreachable_postgresql(args: list[str]) -> None:
    """A PostgreSQL server that refuses connections gives one plain Error line, no traceback,
    exit 3: try again when it is up."""
    message = plain_error(invoke(UNREACHABLE, *args), 3)
    assert "127.0.0.1:1" in message and "cannot be reached" in message


def test_unknown_kind_of_database() -> None:
    """A URL of a database kind SQLAlchemy does not know gives one Error line (exit 2)."""
    assert "nosuchdb" in plain_error(invoke("nosuchdb://somewhere/x", "cycle", "list"), 2)


def test_sqlite_file_in_a_missing_folder(tmp_path: Path) -> None:
    """A SQLite file whose folder does not exist gives one Error line: exit 2 for a command
    that would create it, exit 5 (no database) for one that reads; no folder is created."""
    path = str(tmp_path / "no" / "such" / "folder" / "thidua.db")
    assert "cannot open the database" in plain_error(invoke(path, "actor", "add", "A"), 2)
    assert f"no database at {path}" in plain_error(invoke(path, "cycle", "list"), 5)
    assert not (tmp_path / "no").exists()


def test_definitions_need_no_database() -> None:
    """`def list` works even when the database is unreachable."""
    assert "ccb-cluster-annual" in ok(invoke(UNREACHABLE, "def", "list"))


OUT_OF_RANGE = {
    "show a huge cycle id": (("cycle", "show", "9999999999"), 5),
    "show a cycle id beyond 64 bits": (("cycle", "show", "99999999999999999999"), 5),
    "history of a huge cycle id": (("cycle", "history", "9999999999"), 5),
    "why of a huge cycle id": (("cycle", "why", "9999999999"), 5),
    "fire in a huge cycle id": (("cycle", "fire", "9999999999", "launch", "-i", "plan=x",
                                 "--as", "Đào Anh Dũng"), 5),
    "list a huge year": (("cycle", "list", "--period", "99999999999"), 2),
    "show a cluster in a huge year": (("cluster", "show", CLUSTER, "--period", "99999999999"),
                                      2),
    "add a cluster for year 10000": (("cluster", "add", "Cụm 9", "-m", "A", "--period", "10000"),
                                     2),
    "start a huge year": (("cycle", "start", "-c", CLUSTER, "-p", "99999999999",
                           "--as", "Cao Văn Thắng"), 2),
}


@pytest.mark.parametrize(("args", "code"), list(OUT_OF_RANGE.values()), ids=list(OUT_OF_RANGE))
def test_out_of_range_numbers(populated: Database, cli: Invoke, args: tuple[str, ...],
                              code: int) -> None:
    """Ids and years beyond any real one give 5 or 2 in one plain line; nothing is recorded."""
    before = parsed(cli("audit", "log", json=True))
    plain_error(cli(*args), code)
    assert parsed(cli("audit", "log", json=True)) == before


def test_out_of_range_cycle_filter(populated: Database, cli: Invoke) -> None:
    """`audit log --cycle` with an id beyond any real one finds nothing, like any unknown id."""
    start(populated)
    assert parsed(cli("audit", "log", "--cycle", "42", json=True)) == []
    assert parsed(cli("audit", "log", "--cycle", "9999999999", json=True)) == []
