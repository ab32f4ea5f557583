"""Where ``extends:`` looks for a base that is not shipped: the versions published in a
database, when one is at hand.

The language knows no database; a service that has one (publishing, starting a cycle on a
file, comparing) or the ``thidua def`` commands install a finder for the time of their work with
:func:`published_from`. Without one, only shipped definitions can be extended. This module
imports nothing heavy, so that the command line can install a finder before it knows whether
one will be needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thidua.workflow.language.loader import Loaded

Finder = Callable[[str], "Loaded | None"]

_FINDER: ContextVar[Finder | None] = ContextVar("thidua_published_bases", default=None)


@contextmanager
def published_from(finder: Finder) -> Iterator[None]:
    """While the block runs, a base that is not shipped is looked up with ``finder``
    (``id@version`` → the published version, or None)."""
    token = _FINDER.set(finder)
    try:
        yield
    finally:
        _FINDER.reset(token)


def published(ref: str) -> Loaded | None:
    """The published version ``ref`` (``id@version``), when a database is at hand and has it."""
    finder = _FINDER.get()
    return finder(ref) if finder is not None else None
