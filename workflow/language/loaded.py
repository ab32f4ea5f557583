"""A validated definition with its source text and content hash: what the loader gives and
what a step runs on, in a module of its own so that a step built from a compiled definition
imports neither the YAML reader nor the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thidua.workflow.language.model import Definition
    from thidua.workflow.language.origins import Locator
    from thidua.workflow.language.reader import Path as FieldPath


@dataclass(frozen=True)
class Loaded:
    """A validated definition together with its source text and content hash (for a
    definition that extends another: the resolved text, and where each part was written)."""

    definition: Definition
    source: str
    hash: str
    file: str
    origins: Locator | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``id@version``, as users name it."""
        return f"{self.definition.id}@{self.definition.version}"

    def locator(self) -> Locator:
        """Where each field of the definition was written."""
        if self.origins is not None:
            return self.origins
        from thidua.workflow.language.origins import InSource  # the YAML reader: on demand
        from thidua.workflow.language.reader import read_cached

        return InSource(read_cached(self.source, self.file))

    def where(self, path: FieldPath) -> tuple[str, int | None]:
        """The file and line of the field at ``path`` (a base's, for an inherited field)."""
        found: tuple[str, int | None] = self.locator().locate(path)
        return found
