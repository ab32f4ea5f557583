"""The store's messages to a user: English, with named placeholders, kept on the exception.

The store imports no gettext (layers run one way: ``cli → workflow → store``); the workflow
translates a message where it reaches a user (``workflow/i18n.told``), from the template and
its values. ``tools/messages.py`` extracts the templates as it extracts ``_()``.
"""

from __future__ import annotations

from typing import Any, TypeVar

E = TypeVar("E", bound=Exception)


def said(kind: type[E], template: str, **values: Any) -> E:
    """An exception of ``kind`` saying ``template`` filled with ``values``."""
    error = kind(template.format(**values))
    error.template, error.values = template, values  # type: ignore[attr-defined]
    return error
