"""Checks across a whole definition, run before a definition object can exist.

Each problem carries the path of the field it concerns, so that the loader can name the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import ValidationError

from thidua.workflow.i18n import _
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
            yield ("states", i, "name"), _("state {state!r} is defined twice").format(
                                             state=state.name)
        seen.add(state.name)
        if state.initial and state.final:
            yield ("states", i), _("state {state!r} cannot be both initial and final").format(
                                     state=state.name)
        if state.due and not _valid_month_day(state.due):
            yield ("states", i, "due"), _("{due!r} is not a date of the year").format(
                                            due=state.due)
        elif state.due and state.due.endswith("02-29"):
            yield ("states", i, "due"), _("{due!r} is not a date of every year (use 02-28)").format(
                                            due=state.due)
    for i, t in enumerate(defn.transitions):
        if t.due and not _valid_month_day(t.due):
            yield ("transitions", i, "due"), _("{due!r} is not a date of the year").format(
                                                 due=t.due)
    initial = [s.name for s in defn.states if s.initial]
    if len(initial) != 1:
        found = ", ".join(initial) if initial else _("none")
        yield ("states",), _("exactly one state must be initial (found: {found})").format(
                               found=found)
    if not any(s.final for s in defn.states):
        yield ("states",), _("no state is final: a cycle could never end")


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
            yield ("start_roles", i), _("role {role!r} is not among the definition's roles").format(
                                          role=role)
    pairs: set[tuple[str, str]] = set()
    for i, t in enumerate(defn.transitions):
        yield from _transition_references(defn, ("transitions", i), t, pairs)


def _transition_references(defn: Definition, where: Path, t: Transition,
                           pairs: set[tuple[str, str]]) -> Iterator[Found]:
    states = {s.name for s in defn.states}
    for j, source in enumerate(t.source):
        if source not in states:
            yield (*where, "source", j), _("{trigger}: unknown source state {source!r}").format(
                                             trigger=t.trigger, source=source)
        if (t.trigger, source) in pairs:
            yield (*where, "source", j), _("{trigger} is defined twice from {source!r}").format(
                                             trigger=t.trigger, source=source)
        pairs.add((t.trigger, source))
    if t.dest is not None and t.dest not in states:
        yield (*where, "dest"), _("{trigger}: unknown destination state {dest!r}").format(
                                    trigger=t.trigger, dest=t.dest)
    if not t.roles:
        yield (*where, "roles"), _("{trigger} names no roles: say who may fire it").format(
                                     trigger=t.trigger)
    for j, role in enumerate(t.roles):
        if role not in defn.roles:
            yield (*where, "roles", j), (
                _("{trigger}: role {role!r} is not among the definition's roles").format(
                    trigger=t.trigger, role=role))


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
                    yield where, (_("{trigger}: all_members needs a per-unit fact; no step "
                                    "records {fact!r} per unit").format(
                                      trigger=t.trigger, fact=fact))
    yield from check_reads(defn)


def _call(path: Path, t: Transition, call: Call, registry: dict[str, Entry],
          kind: str) -> Iterator[Found]:
    entry = registry.get(call.name)
    if entry is None:
        known = ", ".join(sorted(registry))
        yield path, _("{trigger}: unknown {kind} {call!r} (known: {known})").format(
                        trigger=t.trigger, kind=kind[:-1], call=call.name, known=known)
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
                    _("{trigger} leaves the final state {source!r}; from a final state a "
                      "step may only record (no dest)").format(trigger=t.trigger, source=source))
    for i, t in enumerate(defn.transitions):
        if t.due and not _valid_month_day(t.due):
            yield ("transitions", i, "due"), _("{due!r} is not a date of the year").format(
                                                 due=t.due)
    initial = [s.name for s in defn.states if s.initial]
    if len(initial) != 1:
        return
    edges = _edges(defn)
    reached = _reach(edges, initial[0])
    for i, state in enumerate(defn.states):
        if state.name not in reached:
            yield ("states", i), _("state {state!r} cannot be reached from {initial!r}").format(
                                     state=state.name, initial=initial[0])
        elif not state.final and not (_reach(edges, state.name) & finals):
            yield ("states", i), _("from state {state!r} no final state can be reached").format(
                                     state=state.name)


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
                    _("award {name!r}: quota parameter {parameter!r} is not defined").format(
                        name=name, parameter=parameter))
            elif defn.parameters[parameter].type != QUOTA_TYPES[key]:
                yield ("awards", name, "quota", key), (
                    _("award {name!r}: quota {key} reads {parameter!r} as a {expected}, but it "
                      "is a {actual}").format(name=name, key=key, parameter=parameter,
                                              expected=QUOTA_TYPES[key],
                                              actual=defn.parameters[parameter].type))
        yield from _per_group(defn, name, quota)
    for i, t in enumerate(defn.transitions):
        for input_name, spec in t.inputs.items():
            needed = NEEDS.get(spec.type)
            if needed and not getattr(defn, needed):
                yield ("transitions", i, "inputs", input_name, "type"), (
                    _("{trigger}: input {input_name!r} of type {type} needs a {needed} in "
                      "the definition").format(
                        trigger=t.trigger, input_name=input_name, type=spec.type, needed=needed))


def _per_group(defn: Definition, name: str, quota: dict[str, str]) -> Iterator[Found]:
    """A quota given per group names the groups, and gives a number for each of them."""
    count = defn.parameters.get(quota.get("count", ""))
    if count is None or not isinstance(count.value, dict):
        return
    groups = defn.parameters.get(quota.get("groups", ""))
    if groups is None or not isinstance(groups.value, dict):
        yield ("awards", name, "quota"), (
            _("award {name!r}: {count!r} gives a quota per group: name the groups "
              "parameter (groups:)").format(name=name, count=quota["count"]))
    elif set(count.value) != set(groups.value):
        yield ("awards", name, "quota"), (
            _("award {name!r}: {count!r} gives quotas for {quotas}, the groups are "
              "{groups}").format(name=name, count=quota["count"],
                                 quotas=", ".join(sorted(count.value)),
                                 groups=", ".join(sorted(groups.value))))


def _scenarios(defn: Definition) -> Iterator[Found]:
    triggers = {t.trigger for t in defn.transitions}
    states = {s.name for s in defn.states}
    for i, scenario in enumerate(defn.scenarios):
        for j, step in enumerate(scenario.steps):
            where: Path = ("scenarios", i, "steps", j)
            if step.fire not in triggers:
                yield (*where, "fire"), _("scenario {scenario!r}: unknown trigger {fire!r}").format(
                                            scenario=scenario.name, fire=step.fire)
            if step.expect_state is not None and step.expect_state not in states:
                yield (*where, "expect_state"), (
                    _("scenario {scenario!r}: unknown state {expect_state!r}").format(
                        scenario=scenario.name, expect_state=step.expect_state))
