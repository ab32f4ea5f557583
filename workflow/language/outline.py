"""What views read of a definition version — its label and its states — from the compiled JSON
(:mod:`workflow.language.compiled`), as plain data: no YAML, no pydantic, no rules. A command
that only shows a cycle needs no more, and loads no more.

A version stored without a compiled form of this ``FORMAT`` (by an older thidua, or migrated by
hand) is compiled here from its source, which then does load the parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thidua.store import definitions
from thidua.workflow.errors import IntegrityFailure, InvalidInput, NotFound

if TYPE_CHECKING:
    from thidua.store.query import Target

FORMAT = 1  # the shape of the compiled JSON this thidua writes and reads


@dataclass(frozen=True)
class Text:
    """A text in Vietnamese and in English (a definition's label)."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``vi`` or ``en``)."""
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class StateOutline:
    """A state as views show it: its label, its due date (MM-DD or +1-MM-DD), final or not."""

    name: str
    label: Text | None
    due: str | None
    final: bool


@dataclass(frozen=True)
class Outline:
    """A definition version as views show it."""

    ref: str  # id@version
    states: dict[str, StateOutline]
    meetings: frozenset[str] = frozenset()  # the triggers of its meeting steps


def outline_of(target: Target, content_hash: str) -> Outline:
    """The outline of the stored version ``content_hash``, read from its row each time (a
    view reads one or a few: what the row holds now is what is shown, or refused)."""
    row = definitions.with_compiled(target, content_hash)
    if row is None:
        raise NotFound(f"no stored definition {content_hash[:12]}")
    if not isinstance(row.source, str):
        raise IntegrityFailure(f"stored definition {content_hash[:12]} is not text: it was "
                               "changed outside thidua; run thidua audit verify",
                               kind="altered")
    try:
        return _outline(json.loads(row.body) if row.format == FORMAT
                        and isinstance(row.body, str) else _parsed(content_hash, row))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise IntegrityFailure(f"the compiled form of stored definition {content_hash[:12]} "
                               "no longer reads: it was changed outside thidua; run thidua "
                               "audit verify", kind="altered") from None


def _parsed(content_hash: str, row: Any) -> dict[str, Any]:
    """The model of a version stored without a compiled form, parsed from its source (which
    thidua stored only after parsing it: anything else was put there outside thidua)."""
    from thidua.workflow.language.loader import parse  # the parser: only for such a version

    try:
        loaded = parse(row.source, f"{row.def_id}@{row.version}")
    except InvalidInput:
        raise IntegrityFailure(f"stored definition {content_hash[:12]} no longer reads as a "
                               "definition: it was changed outside thidua; run thidua audit "
                               "verify", kind="altered") from None
    model: dict[str, Any] = loaded.definition.model_dump(mode="json")
    return model


def _outline(data: dict[str, Any]) -> Outline:
    states = {}
    for state in data["states"]:
        label = state.get("label")
        states[state["name"]] = StateOutline(
            state["name"], Text(label["vi"], label["en"]) if label else None,
            state.get("due"), bool(state.get("final")))
    meetings = frozenset(t["trigger"] for t in data.get("transitions", []) if t.get("meeting"))
    return Outline(f"{data['id']}@{data['version']}", states, meetings)
