"""Inputs that name people and units of the directory (types ``person``, ``people``, ``unit``,
``units``): each name is checked as a name and must be registered, so that a meeting's chair,
its speakers and the units attending are the directory's, not free text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from thidua.store import directory as queries
from thidua.workflow import names
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.language.model import InputSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_KINDS = {"person": "person", "people": "person", "unit": "unit", "units": "unit"}


def check_named(session: Session, trigger: str, specs: dict[str, InputSpec],
                values: dict[str, Any]) -> None:
    """Refuse (bad input) every name among ``values`` that the directory does not hold,
    naming the input and the closest registered names."""
    known: dict[str, list[str]] = {}
    problems = []
    for key, spec in specs.items():
        kind = _KINDS.get(spec.type)
        if kind is None or key not in values:
            continue
        if kind not in known:
            known[kind] = (queries.actor_names(session) if kind == "person"
                           else queries.unit_names(session))
        given = values[key] if isinstance(values[key], list) else [values[key]]
        for name in given:
            names.name(name, f"input {key!r}")
            if name not in known[kind]:
                missing = (_("input {key!r}: no person named {name}{hint}") if kind == "person"
                           else _("input {key!r}: no unit named {name}{hint}"))
                problems.append(missing.format(key=key, name=names.escape(repr(name)),
                                               hint=names.did_you_mean(name, known[kind])))
    if problems:
        raise InvalidInput(f"{trigger}: " + "; ".join(problems))
