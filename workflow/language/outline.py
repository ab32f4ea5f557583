"""What views and reports read of a definition version — its label, its states, its steps as an
account names them, its score sheet, awards and parameters — from the compiled JSON
(:mod:`workflow.language.compiled`), as plain data: no YAML, no pydantic, no rules. A command
that only shows or reports on a cycle needs no more, and loads no more.

A version stored without a compiled form of this ``FORMAT`` (by an older thidua, or migrated by
hand) is compiled here from its source, which then does load the parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
class CallOutline:
    """A guard or effect of a step: its name and parameters."""

    name: str
    params: dict[str, Any]


@dataclass(frozen=True)
class StepOutline:
    """A step as an account names it: its trigger and label, the fact it records (per unit,
    repeatable, a meeting's) and its effects."""

    trigger: str
    label: Text | None
    records: str | None
    per_unit: bool
    repeatable: bool
    meeting: bool
    effects: tuple[CallOutline, ...]


@dataclass(frozen=True)
class CriterionOutline:
    """A group of criteria of the score sheet and its most points."""

    id: str
    label: Text
    max: float


@dataclass(frozen=True)
class SheetOutline:
    """The score sheet: its criteria, then the most bonus and penalty points."""

    criteria: tuple[CriterionOutline, ...]
    bonus_max: float
    penalty_max: float


@dataclass(frozen=True)
class Outline:
    """A definition version as views and reports show it."""

    ref: str  # id@version
    states: dict[str, StateOutline]
    meetings: frozenset[str] = frozenset()  # the triggers of its meeting steps
    transitions: tuple[StepOutline, ...] = ()
    score_sheet: SheetOutline | None = None
    awards: dict[str, Text] = field(default_factory=dict)  # each award's label
    parameters: dict[str, Any] = field(default_factory=dict)  # each parameter's value

    def parameter_values(self) -> dict[str, Any]:
        """Each parameter's value by name."""
        return self.parameters


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


def _name(value: Any, *, optional: bool = False) -> Any:
    """A name as the compiled form must give it (a text, or None where ``optional``); any
    other value is a compiled form that no longer reads (a TypeError)."""
    if isinstance(value, str) or (optional and value is None):
        return value
    raise TypeError(f"not a name: {value!r}")


def _text(label: dict[str, Any] | None) -> Text | None:
    return Text(label["vi"], label["en"]) if label else None


def _outline(data: dict[str, Any]) -> Outline:
    states = {}
    for state in data["states"]:
        states[state["name"]] = StateOutline(state["name"], _text(state.get("label")),
                                             state.get("due"), bool(state.get("final")))
    steps = tuple(StepOutline(
        _name(t["trigger"]), _text(t.get("label")), _name(t.get("records"), optional=True),
        bool(t.get("per_unit")),
        bool(t.get("repeatable")), bool(t.get("meeting")),
        tuple(CallOutline(c["name"], dict(c.get("params") or {}))
              for c in t.get("effects") or []))
        for t in data.get("transitions", []))
    sheet = data.get("score_sheet")
    return Outline(
        f"{data['id']}@{data['version']}", states,
        frozenset(t.trigger for t in steps if t.meeting), steps,
        SheetOutline(tuple(CriterionOutline(c["id"], Text(c["label"]["vi"], c["label"]["en"]),
                                            c["max"]) for c in sheet["criteria"]),
                     sheet.get("bonus_max", 0), sheet.get("penalty_max", 0))
        if sheet else None,
        {name: Text(a["label"]["vi"], a["label"]["en"])
         for name, a in (data.get("awards") or {}).items()},
        {name: p.get("value") for name, p in (data.get("parameters") or {}).items()})
