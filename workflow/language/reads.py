"""Checking the names a rule reads against the definition that names the rule.

Every fact, input and parameter a guard, an effect or an action reads is a field of its
parameters (see :mod:`thidua.workflow.rules.registry`). A definition that renames a fact or an
input in one place and not in the other is refused here, naming the step and the rule, rather
than failing later in a cycle with a reason about missing data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from thidua.workflow.i18n import _
from thidua.workflow.rules.library import BY_KIND
from thidua.workflow.rules.registry import Params, Reads, declared

if TYPE_CHECKING:
    from thidua.workflow.language.model import Call, Definition, Transition

Found = tuple[tuple[str | int, ...], str]


def _params(kind: str, call: Call) -> Params | None:
    entry = BY_KIND[kind].get(call.name)
    if entry is None:
        return None
    try:
        return entry.params.model_validate(call.params)
    except ValueError:  # reported by the structural checks, with the field
        return None


def _calls(t: Transition) -> Iterator[tuple[str, int, Call]]:
    for kind in ("guards", "effects", "actions"):
        for j, call in enumerate(getattr(t, kind)):
            yield kind, j, call


def written_facts(defn: Definition) -> set[str]:
    """Every fact a step records or an effect writes."""
    facts = {t.records for t in defn.transitions if t.records}
    for t in defn.transitions:
        for kind, _where, call in _calls(t):
            params = _params(kind, call)
            if params is not None:
                facts |= {name for _, marker, name in declared(params)
                          if marker.what == "writes"}
    return facts


def check_reads(defn: Definition) -> Iterator[Found]:
    """A problem for every name a rule of ``defn`` reads that ``defn`` does not have."""
    facts = written_facts(defn)
    for i, t in enumerate(defn.transitions):
        for kind, j, call in _calls(t):
            params = _params(kind, call)
            if params is None:
                continue
            where = ("transitions", i, kind, j)
            for field, marker, name in declared(params):
                problem = _problem(defn, t, params, marker, name, facts)
                if problem:
                    yield where, f"{t.trigger}: {call.name} reads {problem} ({field}: {name})"


def _problem(defn: Definition, t: Transition, params: Params, marker: Reads, name: str,
             facts: set[str]) -> str | None:
    if marker.what == "fact" and name not in facts:
        return _("the fact {name!r}, which no step records").format(name=name)
    if marker.what == "input" and name not in t.inputs:
        return _("the input {name!r}, which {trigger} does not take").format(
                   name=name, trigger=t.trigger)
    if marker.what == "parameter" and name not in defn.parameters:
        return _("the parameter {name!r}, which is not defined").format(name=name)
    if marker.what == "parameter" and marker.type is not None:
        declared_type = defn.parameters[name].type
        if declared_type not in (None, marker.type):
            return _("the parameter {name!r} as a {type}, but it is a {declared_type}").format(
                       name=name, type=marker.type, declared_type=declared_type)
    if marker.what == "field" and marker.of is not None:
        fact = getattr(params, marker.of)
        lacking = [s.trigger for s in defn.transitions
                   if s.records == fact and name not in s.inputs]
        if lacking:
            return (_("the input {name!r} of the fact {fact!r}, which {fromkeys} does not "
                      "take").format(
                        name=name, fact=fact, fromkeys=', '.join(dict.fromkeys(lacking))))
    return None
