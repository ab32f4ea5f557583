"""Checks across a whole definition, run before a definition object can exist.

Each problem carries the path of the field it concerns, so that the loader can name the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import ValidationError

from thidua.workflow.language.parameters import check_parameters
from thidua.workflow.language.reads import check_reads
from thidua.workflow.rules.library import ACTIONS, EFFECTS, GUARDS
from thidua.workflow.rules.registry import Entry

if TYPE_CHECKING:
    from thidua.workflow.language.model import Call, Definition, Transition

Path = tuple[str | int, ...]
Found = tuple[Path, str]


class StructureProblems(Exception):
    """Raised out of pydantic (it is not a ValueError) with every structural problem."""

    def __init__(self, problems: list[Found]) -> None:
        super().__init__(problems)
        self.problems = problems


def check_definition(defn: Definition) -> None:
    """Raise :class:`StructureProblems` listing everything structurally wrong with ``defn``."""
    problems = [
        *_states(defn),
        *_references(defn),
        *_calls(defn),
        *_graph(defn),
        *_scenarios(defn),
        *_catalogue(defn),
        *check_parameters(defn),
    ]
    if problems:
        raise StructureProblems(problems)


def _states(defn: Definition) -> Iterator[Found]:
    seen: set[str] = set()
    for i, state in enumerate(defn.states):
        if state.name in seen:
            yield ("states", i, "name"), f"state {state.name!r} is defined twice"
        seen.add(state.name)
        if state.initial and state.final:
            yield ("states", i), f"state {state.name!r} cannot be both initial and final"
        if state.due and not _valid_month_day(state.due):
            yield ("states", i, "due"), f"{state.due!r} is not a date of the year"
        elif state.due and state.due.endswith("02-29"):
            yield ("states", i, "due"), f"{state.due!r} is not a date of every year (use 02-28)"
    for i, t in enumerate(defn.transitions):
        if t.due and not _valid_month_day(t.due):
            yield ("transitions", i, "due"), f"{t.due!r} is not a date of the year"
    initial = [s.name for s in defn.states if s.initial]
    if len(initial) != 1:
        found = ", ".join(initial) if initial else "none"
        yield ("states",), f"exactly one state must be initial (found: {found})"
    if not any(s.final for s in defn.states):
        yield ("states",), "no state is final: a cycle could never end"


def _valid_month_day(due: str) -> bool:
    month, day = due.removeprefix("+1-").split("-")
    try:
        dt.date(2024, int(month), int(day))  # a leap year admits 02-29
    except ValueError:
        return False
    return True


def _references(defn: Definition) -> Iterator[Found]:
    roles = set(defn.roles)
    for i, role in enumerate(defn.start_roles):
        if role not in roles:
            yield ("start_roles", i), f"role {role!r} is not among the definition's roles"
    pairs: set[tuple[str, str]] = set()
    for i, t in enumerate(defn.transitions):
        yield from _transition_references(defn, ("transitions", i), t, pairs)


def _transition_references(defn: Definition, where: Path, t: Transition,
                           pairs: set[tuple[str, str]]) -> Iterator[Found]:
    states = {s.name for s in defn.states}
    for j, source in enumerate(t.source):
        if source not in states:
            yield (*where, "source", j), f"{t.trigger}: unknown source state {source!r}"
        if (t.trigger, source) in pairs:
            yield (*where, "source", j), f"{t.trigger} is defined twice from {source!r}"
        pairs.add((t.trigger, source))
    if t.dest is not None and t.dest not in states:
        yield (*where, "dest"), f"{t.trigger}: unknown destination state {t.dest!r}"
    if not t.roles:
        yield (*where, "roles"), f"{t.trigger} names no roles: say who may fire it"
    for j, role in enumerate(t.roles):
        if role not in defn.roles:
            yield (*where, "roles", j), (
                f"{t.trigger}: role {role!r} is not among the definition's roles")


def _calls(defn: Definition) -> Iterator[Found]:
    per_unit = {t.records for t in defn.transitions if t.per_unit}
    for i, t in enumerate(defn.transitions):
        for kind, registry, calls in (("guards", GUARDS, t.guards),
                                      ("effects", EFFECTS, t.effects),
                                      ("actions", ACTIONS, t.actions)):
            for j, call in enumerate(calls):
                where: Path = ("transitions", i, kind, j)
                call_problems = list(_call(where, t, call, registry, kind))
                yield from call_problems
                if call_problems:
                    continue
                fact = call.params.get("fact")
                if call.name == "all_members" and fact not in per_unit:
                    yield where, (f"{t.trigger}: all_members needs a per-unit fact; "
                                  f"no step records {fact!r} per unit")
    yield from check_reads(defn)


def _call(path: Path, t: Transition, call: Call, registry: dict[str, Entry],
          kind: str) -> Iterator[Found]:
    entry = registry.get(call.name)
    if entry is None:
        known = ", ".join(sorted(registry))
        yield path, f"{t.trigger}: unknown {kind[:-1]} {call.name!r} (known: {known})"
        return
    try:
        entry.params.model_validate(call.params)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "parameters"
            yield path, f"{t.trigger}: {call.name} parameter {field}: {err['msg'].lower()}"


def _edges(defn: Definition) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {s.name: set() for s in defn.states}
    for t in defn.transitions:
        for source in t.source:
            if t.dest is not None and source in edges and t.dest in edges:
                edges[source].add(t.dest)
    return edges


def _graph(defn: Definition) -> Iterator[Found]:
    finals = {s.name for s in defn.states if s.final}
    for i, t in enumerate(defn.transitions):
        for source in t.source:
            if source in finals and t.dest not in (None, source):
                yield ("transitions", i, "dest"), (
                    f"{t.trigger} leaves the final state {source!r}; from a final state a step "
                    "may only record (no dest)")
    for i, t in enumerate(defn.transitions):
        if t.due and not _valid_month_day(t.due):
            yield ("transitions", i, "due"), f"{t.due!r} is not a date of the year"
    initial = [s.name for s in defn.states if s.initial]
    if len(initial) != 1:
        return
    edges = _edges(defn)
    reached = _reach(edges, initial[0])
    for i, state in enumerate(defn.states):
        if state.name not in reached:
            yield ("states", i), f"state {state.name!r} cannot be reached from {initial[0]!r}"
        elif not state.final and not (_reach(edges, state.name) & finals):
            yield ("states", i), f"from state {state.name!r} no final state can be reached"


def _reach(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


NEEDS = {"scores": "score_sheet", "award": "awards"}


QUOTA_TYPES = {"count": "quota", "groups": "groups", "share_of_remaining": "fraction",
               "persons": "integer"}


def _catalogue(defn: Definition) -> Iterator[Found]:
    for name, award in defn.awards.items():
        quota = award.quota.model_dump(exclude_none=True) if award.quota else {}
        for key, parameter in quota.items():
            if parameter not in defn.parameters:
                yield ("awards", name, "quota", key), (
                    f"award {name!r}: quota parameter {parameter!r} is not defined")
            elif defn.parameters[parameter].type != QUOTA_TYPES[key]:
                yield ("awards", name, "quota", key), (
                    f"award {name!r}: quota {key} reads {parameter!r} as a "
                    f"{QUOTA_TYPES[key]}, but it is a {defn.parameters[parameter].type}")
        yield from _per_group(defn, name, quota)
    for i, t in enumerate(defn.transitions):
        for input_name, spec in t.inputs.items():
            needed = NEEDS.get(spec.type)
            if needed and not getattr(defn, needed):
                yield ("transitions", i, "inputs", input_name, "type"), (
                    f"{t.trigger}: input {input_name!r} of type {spec.type} needs a "
                    f"{needed} in the definition")


def _per_group(defn: Definition, name: str, quota: dict[str, str]) -> Iterator[Found]:
    """A quota given per group names the groups, and gives a number for each of them."""
    count = defn.parameters.get(quota.get("count", ""))
    if count is None or not isinstance(count.value, dict):
        return
    groups = defn.parameters.get(quota.get("groups", ""))
    if groups is None or not isinstance(groups.value, dict):
        yield ("awards", name, "quota"), (
            f"award {name!r}: {quota['count']!r} gives a quota per group: name the groups "
            "parameter (groups:)")
    elif set(count.value) != set(groups.value):
        yield ("awards", name, "quota"), (
            f"award {name!r}: {quota['count']!r} gives quotas for "
            f"{', '.join(sorted(count.value))}, the groups are "
            f"{', '.join(sorted(groups.value))}")


def _scenarios(defn: Definition) -> Iterator[Found]:
    triggers = {t.trigger for t in defn.transitions}
    states = {s.name for s in defn.states}
    for i, scenario in enumerate(defn.scenarios):
        for j, step in enumerate(scenario.steps):
            where: Path = ("scenarios", i, "steps", j)
            if step.fire not in triggers:
                yield (*where, "fire"), f"scenario {scenario.name!r}: unknown trigger {step.fire!r}"
            if step.expect_state is not None and step.expect_state not in states:
                yield (*where, "expect_state"), (
                    f"scenario {scenario.name!r}: unknown state {step.expect_state!r}")
