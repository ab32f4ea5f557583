"""Where each part of a definition was written: a line of its own file, or, for a definition
that extends another, of the base's file for what it inherits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from thidua.workflow.language.reader import Path, Source


class Locator(Protocol):
    """Where a part of a definition was written."""

    def locate(self, path: Path) -> tuple[str, int | None]:
        """The file and line of the field at ``path``."""


@dataclass(frozen=True)
class InSource:
    """The lines of one YAML file."""

    source: Source

    def locate(self, path: Path) -> tuple[str, int | None]:
        """The file and line of ``path`` (or of its nearest ancestor) in this file."""
        return self.source.file, self.source.line_of(path)


@dataclass
class Origins:
    """Where each part of a resolved definition came from: a prefix of its path maps to a
    locator and the path there (the extending file, or the base, itself perhaps resolved)."""

    table: dict[Path, tuple[Locator, Path]] = field(default_factory=dict)

    def locate(self, path: Path) -> tuple[str, int | None]:
        """The file and line where the field at ``path`` was written."""
        for n in range(len(path), -1, -1):
            found = self.table.get(path[:n])
            if found is not None:
                locator, origin = found
                return locator.locate((*origin, *path[n:]))
        return "<definition>", None
