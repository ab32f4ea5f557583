"""Human output: aligned tables, colour only on a terminal and never with NO_COLOR, dates in the
database's business zone, values escaped, progress on standard error, the language from the
locale, and a root help that groups the commands by the people who use them."""

from __future__ import annotations

import io
import json
import sys
import time
import unicodedata
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from tests.cli.helpers import ok, start
from tests.conftest import SECRETARY, Invoke
from thidua.cli import output
from thidua.cli.main import GROUPS, USERS, root
from thidua.workflow.services.db import Database

ANSI = "\x1b["


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard output and error are terminals, and NO_COLOR is unset."""
    monkeypatch.setattr(output, "_is_terminal", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The user is in Hà Nội (UTC+7)."""
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def captured(fn: object, *args: object) -> str:
    """What ``fn(*args)`` echoes, ANSI codes kept."""
    runner = CliRunner()

    @click.command()
    def run() -> None:
        fn(*args)  # type: ignore[operator]

    return runner.invoke(run, color=True).output


@pytest.mark.parametrize(("tty", "no_color", "expected"), [
    (True, None, True), (True, "1", False), (True, "", True), (False, None, False),
])
def test_colour_only_on_a_terminal_and_never_with_no_color(
        monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str | None, expected: bool) -> None:
    """Colour is on for a terminal unless NO_COLOR has a value (https://no-color.org)."""
    monkeypatch.setattr(output, "_is_terminal", lambda stream: tty)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert output.colour_on() is expected
    assert (ANSI in output.paint("blocked", "blocked")) is expected


def test_a_pipe_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream that is not a terminal (a pipe, a file, a capture) gets no colour."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert output.colour_on() is False


@pytest.mark.parametrize(("text", "columns"), [
    ("abc", 3), ("Cụm 5", 5), (unicodedata.normalize("NFD", "Cụm 5"), 5),
    ("Bắc Ninh", 8), ("漢字", 4), ("", 0),
])
def test_width_counts_terminal_columns(text: str, columns: int) -> None:
    """Combining accents take no column, wide characters two."""
    assert output.width(text) == columns


def test_table_aligns_decomposed_vietnamese() -> None:
    """A table stays aligned when a name is typed with combining accents."""
    decomposed = unicodedata.normalize("NFD", "Hà Nội")
    lines = captured(output.table, ["unit", "n"], [[decomposed, 1], ["Bắc Ninh", 2]]).splitlines()
    assert [output.width(line) for line in lines[2:]] == [11, 11]
    assert lines[1] == "--------  -"


def test_styled_cells_keep_the_alignment(terminal: None) -> None:
    """Painted cells are padded as if plain: the columns line up with and without colour."""
    rows = [[output.Styled("ready", "ready"), "x"], [output.Styled("blocked", "blocked"), "y"]]
    painted = captured(output.table, ["mark", "step"], rows)
    assert ANSI in painted
    assert click.unstyle(painted).splitlines()[2:] == ["ready    x", "blocked  y"]


def test_pairs_align_keys() -> None:
    """Keys are padded to the widest; a missing value prints as nothing."""
    out = captured(output.pairs, [("cycle", 1), ("definition", "x"), ("head", None)])
    assert out.splitlines() == ["cycle       1", "definition  x", "head"]


def test_local_time_shows_the_business_zone(zone: None) -> None:
    """A UTC time is shown in the zone given; midnight in Hà Nội is 17:00 the day before."""
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    assert output.local_time("2023-01-04T17:00:00.000000Z", hanoi) == "2023-01-05 00:00:00"
    assert output.local_time("2023-01-04T17:00:00.000000Z", hanoi, date_only=True) == "2023-01-05"
    assert output.local_time(None, hanoi) == ""
    assert output.local_time("2023-01-05", hanoi) == "2023-01-05"  # a date alone has no zone


def test_local_time_ignores_tz(user_tz: str) -> None:
    """The process's TZ does not move a time shown in the business zone."""
    assert output.local_time("2023-06-29T04:00:00.000000Z", ZoneInfo("UTC")) == \
        "2023-06-29 04:00:00"
    assert output.local_time("2023-06-29T04:00:00.000000Z", ZoneInfo("Asia/Ho_Chi_Minh")) == \
        "2023-06-29 11:00:00"


@pytest.mark.attack
def test_a_stored_time_that_is_no_time_is_shown_escaped() -> None:
    """A forged stored time is shown as it is, escaped, not as a traceback."""
    assert output.local_time("x\x1b[2K", ZoneInfo("UTC")) == "x\\x1b[2K"


@pytest.mark.attack
def test_json_escapes_what_json_dumps_leaves() -> None:
    """C1 controls, DEL, zero-width characters and bidi overrides are escaped in JSON output,
    which still reads back the same."""
    value = {"name": "a\x9b\x7f\u200b\u202e\U000e0041b", "unit": "Bắc Ninh"}
    text = output.json_text(value)
    assert all(c not in text for c in "\x9b\x7f\u200b\u202e\U000e0041")
    assert "Bắc Ninh" in text
    assert json.loads(text) == value


def test_progress_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Piped or captured, a progress bar prints nothing at all."""
    with output.progress(10, "verifying") as advance:
        for _ in range(10):
            advance(1)
    assert capsys.readouterr() == ("", "")


def test_progress_goes_to_standard_error(terminal: None,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """On a terminal the bar is drawn on standard error; standard output stays clean."""
    with output.progress(3, "verifying") as advance:
        advance(3)
    out, err = capsys.readouterr()
    assert out == ""
    assert "verifying" in err


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "vi_VN.UTF-8"}, "vi"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "vi_VN.UTF-8"}, "vi"), ({}, "en"),
])
def test_language_follows_the_locale(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                     lang: str) -> None:
    """Vietnamese under a Vietnamese locale, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert output.default_lang() == lang


def test_why_is_coloured_on_a_terminal(populated: Database, terminal: None,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`cycle why` paints ready steps green and blocked ones red on a terminal."""
    cycle_id = start(populated)
    runner = CliRunner()
    args = ["--db", populated.url, "cycle", "why", str(cycle_id), "--as", SECRETARY]
    painted = runner.invoke(root, args, color=True).output
    assert click.style("ready  ", fg="green") in painted, painted
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in runner.invoke(root, args, color=True).output


def test_history_shows_dates_in_the_business_zone(cli: Invoke, populated: Database,
                                                  user_tz: str) -> None:
    """A step taken at 23:30 UTC on 16 January shows as 17 January (Hà Nội), whatever TZ."""
    cycle_id = start(populated)
    ok(cli("cycle", "fire", str(cycle_id), "launch", "-i", "plan=Kế hoạch", "--as",
           "Đào Anh Dũng", "--at", "2023-01-16T23:30+00:00"))
    assert "2023-01-17" in ok(cli("cycle", "history", str(cycle_id))).splitlines()[-1]


def test_errors_are_red_on_a_terminal(terminal: None) -> None:
    """A refusal's `Error:` is painted on a terminal (standard error)."""
    result = CliRunner().invoke(root, ["--db", "/nonexistent/dir/x.db", "cycle", "show", "1"],
                                color=True)
    assert result.exit_code != 0
    assert click.style("Error:", fg="red", bold=True) in result.output


def test_no_arguments_lists_the_commands_by_user() -> None:
    """`thidua` alone shows a section per user (secretariat, auditor, administrator) and every
    command group."""
    out = CliRunner().invoke(root, []).output
    for title in ("Secretariat", "Auditor", "Administrator"):
        assert f"\n{title}" in out
    for name in GROUPS:
        assert f"\n  {name} " in out


@pytest.mark.parametrize("command", [name for _, rows in USERS for name, _ in rows])
def test_every_command_listed_by_user_exists_and_teaches(command: str) -> None:
    """Each command the root help names per user is a real command with an example."""
    result = CliRunner().invoke(root, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def _cells(line: str) -> int:
    """The cells of a Markdown table row: its pipes, less the escaped ones, less one."""
    return line.count("|") - line.count("\\|") - 1


def test_markdown_cells_escape_pipes_and_line_breaks() -> None:
    """A `|` or a line break inside a cell neither adds a cell nor ends the row."""
    out = captured(output.markdown_table, ["unit", "reason|why"],
                   [["Hà Nội", "a | b"], ["Bắc Ninh", "one\ntwo|"], ["x", ""]])
    lines = out.splitlines()
    assert len(lines) == 5
    assert {_cells(line) for line in lines} == {2}
    assert "a \\| b" in out and "one\\ntwo\\|" in out and "reason\\|why" in lines[0]


def test_tables_measure_wide_and_decomposed_text_alike() -> None:
    """Wide characters take two columns in the table library's measure too."""
    lines = captured(output.table, ["a", "b"], [["漢字", 1], ["abcd", 2]]).splitlines()
    assert [output.width(line) for line in lines[2:]] == [7, 7]
