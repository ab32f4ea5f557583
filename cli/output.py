"""Rendering, in one place: JSON, aligned tables, labels in the chosen language, colour
(only on a terminal, never with ``NO_COLOR``), times in the database's business zone, progress
bars, and every value from a user or the database escaped (control and format characters as
``\x1b``, ``\u200b``), on success paths as on errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import click

from thidua.workflow.i18n import _
from thidua.workflow.names import escape, hidden
from thidua.workflow.timeutil import is_emulation_year

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from thidua.workflow.services.db import Database


class Env:
    """What every command shares: the database (opened on first use), output options."""

    def __init__(self, db_url: str | None, as_json: bool, lang: str) -> None:
        self.db_url = db_url
        self.as_json = as_json
        self.lang = lang
        self._db: Database | None = None

    def db(self, *, check_schema: bool = True) -> Database:
        """The database, opened on first use; a new SQLite file is created only for a
        command that records something (see CREATING): reading never creates one."""
        if self._db is None:
            from thidua.workflow.services.db import Database

            self._db = Database(self.db_url, check_schema=check_schema,
                                create=_command() in CREATING)
        return self._db

    def close(self) -> None:
        """Release the database connections."""
        if self._db is not None:
            self._db.close()

    def zone(self) -> ZoneInfo:
        """The database's business time zone, in which every date and time is shown."""
        return self.db().zone

    def time(self, stored: str | None, *, date_only: bool = False) -> str:
        """A stored UTC time shown in the business zone (see :func:`local_time`)."""
        return local_time(stored, self.zone(), date_only=date_only)

    def label(self, label: Any, fallback: str) -> str:
        """A definition label in the chosen language, or ``fallback``."""
        return str(label.get(self.lang)) if label is not None else fallback


pass_env = click.make_pass_decorator(Env)

# The commands that record something, with `db upgrade` and `demo`: only these create a SQLite
# database that is not there yet. Every other command finds no database there (exit 5).
CREATING = frozenset({
    "db upgrade", "db set", "demo", "cluster add", "cluster head", "cluster member add",
    "cluster member leave", "cluster member merge", "actor add", "actor grant", "actor revoke",
    "actor delegate", "cycle start", "cycle fire", "cycle migrate", "def publish",
})


def _command() -> str:
    """The command being run, without the program's name: ``cycle fire``."""
    ctx = click.get_current_context(silent=True)
    return " ".join(ctx.command_path.split()[1:]) if ctx is not None else ""

class _Period(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """An emulation year (the engine checks the same range)."""

    name = "year"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        try:
            year = int(value)
        except (TypeError, ValueError):
            self.fail(_("{value!r} is not a year").format(value=value), param, ctx)
        if not is_emulation_year(year):
            self.fail(_("period {year} is not an emulation year").format(year=year), param, ctx)
        return year


class _Name(click.ParamType):  # type: ignore[type-arg]
    """A name typed by a user (unit, cluster, person, login, role, trigger, state, ...): one
    Unicode form, nothing hidden, not empty, bounded (``workflow.names``)."""

    name = "name"

    def __init__(self, kind: str = "name", check: str = "name") -> None:
        self.kind, self.check = kind, check

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        from thidua.workflow import names
        from thidua.workflow.errors import InvalidInput

        field = self.kind if param is None else (
            param.opts[0] if param.opts[0].startswith("-") else str(param.name))
        try:
            return getattr(names, self.check)(value, field)
        except InvalidInput as exc:
            self.fail(str(exc), param, ctx)


# Names, reasons and texts typed on the command line, checked before anything is read.
NAME = _Name()
REASON = _Name("reason", "reason")
TEXT = _Name("text", "text")
# Every --period takes an emulation year.
PERIOD = _Period()
# Every cycle id: a positive 32-bit integer, as the database stores it.
CYCLE_ID = click.IntRange(1, 2**31 - 1)
# Every --expect-version: a cycle's version, held in the same column type.
VERSION = click.IntRange(1, 2**31 - 1)


def default_lang() -> str:
    """``THIDUA_LANG``, else ``vi`` under a Vietnamese locale (``LC_ALL``, ``LC_MESSAGES`` or
    ``LANG``), else ``en`` (see ``workflow/i18n.py``)."""
    from thidua.workflow.i18n import language

    return language()


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (dataclasses and pydantic models included)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def json_text(value: Any) -> str:
    """``value`` as indented JSON: UTF-8, not ASCII-escaped, except that every control and
    format character is escaped (``json.dumps`` leaves C1 controls, zero-width characters and
    bidi overrides as they are)."""
    text = json.dumps(plain(value), ensure_ascii=False, indent=2, sort_keys=False)
    if text.isascii() and "\x7f" not in text:
        return text
    # Outside strings JSON holds only ASCII, so every such character is inside a string.
    return "".join(_json_escape(c) if c != "\n" and hidden(c) else c for c in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON (see :func:`json_text`)."""
    click.echo(json_text(value))


def say(text: Any, *, err: bool = False) -> None:
    """Print one line holding values from a user or the database, escaped: a stored name
    cannot move the cursor, rewrite a line or start another."""
    click.echo(escape(text), err=err)


def emit_json_items(items: Iterable[Any]) -> None:
    """Print ``items`` as an indented JSON list, as :func:`emit_json` would, one item at a
    time (a long list is never held whole)."""
    first = True
    for item in items:
        text = json_text(item)
        click.echo(("[\n" if first else ",\n") + "\n".join("  " + line
                                                          for line in text.splitlines()),
                   nl=False)
        first = False
    click.echo("[]" if first else "\n]")


# Colours by meaning, so that every command paints the same things alike.
COLOURS: dict[str, dict[str, Any]] = {
    "ready": {"fg": "green"},
    "ok": {"fg": "green"},
    "blocked": {"fg": "red"},
    "error": {"fg": "red", "bold": True},
    "overdue": {"fg": "yellow", "bold": True},
    "muted": {"dim": True},
}


def _is_terminal(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def colour_on(*, err: bool = False) -> bool:
    """True when output may be coloured: the stream is a terminal and ``NO_COLOR`` is unset
    (https://no-color.org: any non-empty value turns colour off)."""
    if os.environ.get("NO_COLOR"):
        return False
    return _is_terminal(sys.stderr if err else sys.stdout)


@dataclasses.dataclass(frozen=True)
class Styled:
    """A table or pair cell painted by meaning (a key of COLOURS) when colour is on."""

    text: str
    kind: str

    def __str__(self) -> str:
        return self.text


def paint(text: str, kind: str, *, err: bool = False) -> str:
    """``text`` painted as ``kind`` (see COLOURS) when colour is on, else unchanged."""
    return click.style(text, **COLOURS[kind]) if colour_on(err=err) else text


def width(text: str) -> int:
    """The columns ``text`` takes on a terminal, as the table library measures it (wcwidth):
    combining marks take none, wide characters two (Vietnamese typed with combining accents
    stays aligned)."""
    if text.isascii():
        return len(text)
    from wcwidth import wcswidth

    columns = wcswidth(text)
    # Escaped text holds no control character; one that slipped through counts as one column.
    return columns if columns >= 0 else sum(max(wcswidth(c), 1) for c in text)


def _cell(cell: Any, colour: bool) -> str:
    """A cell as it is printed: escaped, and painted when it is :class:`Styled` and colour is
    on (the table library measures a painted cell without its colour codes)."""
    text = escape(cell)
    if colour and isinstance(cell, Styled):
        return click.style(text, **COLOURS[cell.kind])
    return text


def _tabulate(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """``rows`` laid out by tabulate in the format ``fmt``: every cell kept as text (no number
    parsing: ``11.0`` stays ``11.0``), left-aligned, columns as wide as their widest cell."""
    import tabulate

    # Columns no wider than their widest cell, and cells printed as they are (both are module
    # settings of tabulate, not arguments).
    tabulate.MIN_PADDING = 0
    tabulate.PRESERVE_WHITESPACE = True
    return tabulate.tabulate([list(row) for row in rows], headers=list(headers), tablefmt=fmt,
                             disable_numparse=True, stralign="left")


def _echo_lines(text: str) -> None:
    for line in text.splitlines():
        click.echo(line.rstrip())


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print an aligned table; :class:`Styled` cells are painted when colour is on. The
    headings are translated here (``tools/messages.py`` extracts them from the call)."""
    headers = [_(h) for h in headers]
    colour = colour_on()
    _echo_lines(_tabulate([escape(h) for h in headers],
                          ([_cell(c, colour) for c in row] for row in rows), "simple"))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a GitHub-flavoured Markdown table: every cell escaped (a line break as ``\\n``)
    and its ``|`` as ``\\|``, so that every row has as many cells as the header. The headings
    are translated, as in :func:`table`."""
    def cell(value: Any) -> str:
        return escape(value).replace("|", "\\|")

    _echo_lines(_tabulate([cell(_(h)) for h in headers],
                          ([cell(c) for c in row] for row in rows), "github"))


def stream_table(headers: Sequence[str], rows: Callable[[], Iterable[Sequence[Any]]]) -> None:
    """:func:`table` for rows too many to hold: ``rows()`` is read twice, once to measure
    the columns and once to print (it must give the same rows both times). The table library
    holds every row, so this one lays the lines out itself, with the same measure and look."""
    headers = [_(h) for h in headers]
    widths = [width(h) for h in headers]
    for row in rows():
        widths = [max(w, width(escape(c))) for w, c in zip(widths, row, strict=True)]
    colour = colour_on()
    click.echo(_line(headers, widths, False))
    click.echo("  ".join("-" * w for w in widths))
    for row in rows():
        click.echo(_line(row, widths, colour))


def _line(cells: Sequence[Any], widths: Sequence[int], colour: bool) -> str:
    out = []
    for cell, columns in zip(cells, widths, strict=True):
        text = escape(cell)
        out.append(_cell(cell, colour) + " " * (columns - width(text)))
    return "  ".join(out).rstrip()


def pairs(items: Sequence[tuple[str, Any]]) -> None:
    """Print ``name  value`` lines, aligned; :class:`Styled` values are painted. The names
    are translated here (``tools/messages.py`` extracts them from the call)."""
    colour = colour_on()
    _echo_lines(_tabulate([], ([escape(_(k)), _cell(v, colour)] for k, v in items), "plain"))


def local_time(stored: str | None, zone: dt.tzinfo, *, date_only: bool = False) -> str:
    """A stored UTC time (ISO 8601) shown in ``zone``, the database's business zone (never the
    process's ``TZ``): ``YYYY-MM-DD HH:MM:SS``, or the date alone. A stored value that is no
    time is shown as it is, escaped."""
    from thidua.workflow.timeutil import shown

    try:
        return shown(stored, zone, date_only=date_only)
    except ValueError:
        return escape(stored)


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error for long work (verify, export, bundle, import),
    shown only when standard error is a terminal. Yields ``advance(n)``, which a ``workflow``
    function can take as a plain callback::

        with progress(count, "verifying") as advance:
            result = verify(db, on_progress=advance)
    """
    if length <= 0 or not _is_terminal(sys.stderr):
        yield _no_progress
        return
    with click.progressbar(length=length, label=label, file=sys.stderr,
                           color=colour_on(err=True)) as bar:
        yield bar.update


def _no_progress(_steps: int) -> None:
    """Progress that goes nowhere (not a terminal)."""
