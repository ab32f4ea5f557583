"""Rendering, in one place: JSON, aligned tables, labels in the chosen language."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from workflow.db import Database


class Env:
    """What every command shares: the database (opened on first use), output options."""

    def __init__(self, db_url: str | None, as_json: bool, lang: str) -> None:
        self.db_url = db_url
        self.as_json = as_json
        self.lang = lang
        self._db: Database | None = None

    def db(self, *, check_schema: bool = True) -> Database:
        """The database, opened (and, for a new SQLite file, created) on first use."""
        if self._db is None:
            from workflow.db import Database

            self._db = Database(self.db_url, check_schema=check_schema)
        return self._db

    def close(self) -> None:
        """Release the database connections."""
        if self._db is not None:
            self._db.close()

    def label(self, label: Any, fallback: str) -> str:
        """A definition label in the chosen language, or ``fallback``."""
        return str(label.get(self.lang)) if label is not None else fallback


pass_env = click.make_pass_decorator(Env)


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


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON (UTF-8, not ASCII-escaped)."""
    click.echo(json.dumps(plain(value), ensure_ascii=False, indent=2, sort_keys=False))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print an aligned table."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def pairs(items: Sequence[tuple[str, Any]]) -> None:
    """Print ``name: value`` lines, aligned."""
    width = max(len(k) for k, _ in items)
    for key, value in items:
        click.echo(f"{key.ljust(width)}  {'' if value is None else value}")
