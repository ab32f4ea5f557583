"""Linting a definition: the structural checks, then the domain's own rules.

Each finding names file, line and field, and is an **error** (the definition must not be
published) or a **warning** (it works, but an administrator should look). The domain rules:
roles that no step uses; due dates outside the period (the emulation year N and its commendation
months, until ``TAIL_END`` of N+1) or earlier than the state that leads to them; awards that are
not in the catalogue (checked only when the definition has one); returns, refusals and
revocations without a required reason; parameters without a legal basis or an effective date;
labels missing, blank or untranslated; scenarios that cannot run, or more of them (or of their
steps) than one run takes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from thidua.workflow import limits
from thidua.workflow.errors import InvalidDefinition, NotFound, Problem
from thidua.workflow.i18n import _
from thidua.workflow.language.loader import files_or_shipped, load_file
from thidua.workflow.language.model import Definition, Label
from thidua.workflow.language.parameters import as_fraction, meant
from thidua.workflow.language.reader import Path as FieldPath
from thidua.workflow.language.reader import dotted

Severity = Literal["error", "warning"]
Check = tuple[Severity, FieldPath, str]
ERROR: Severity = "error"
WARNING: Severity = "warning"

TAIL_END = "+1-06-30"  # the last day a state of a cycle for year N may be due
SIDE_PATH = re.compile(r"^(return_|refuse_|revoke|reject)")
AWARD_INPUTS = frozenset({"award", "awards", "title_sought", "titles_sought"})
GRANTED_NEVER = frozenset({"member_unit", "cluster_head"})  # they follow from the records
# A document's number as Vietnamese documents write it: 15/HD-TĐKT, 06/2022/QH15, 98/2023/NĐ-CP.
DOCUMENT_NUMBER = re.compile(r"\d+/(\d{4}/)?[A-ZĐ][\w-]*")


@dataclass(frozen=True)
class Finding:
    """One thing an administrator should know about a definition, and where it stands."""

    severity: Severity
    message: str
    file: str
    line: int | None
    field: str

    def __str__(self) -> str:
        return str(self.problem())

    def problem(self) -> Problem:
        """The finding as a :class:`Problem` (file:line: field: message)."""
        return Problem(self.message, file=self.file, line=self.line, field=self.field)


@dataclass(frozen=True)
class LintReport:
    """Everything found in one definition file."""

    file: str
    ref: str | None
    hash: str | None
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """The findings that forbid using the definition."""
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """The findings an administrator should look at."""
        return [f for f in self.findings if f.severity == WARNING]

    def check(self) -> None:
        """Raise :class:`InvalidDefinition` naming every error (warnings pass)."""
        if self.errors:
            raise InvalidDefinition([f.problem() for f in self.errors])


def lint_file(path: str | Path) -> LintReport:
    """Lint the definition file at ``path``: structural problems first, then domain rules."""
    file = str(path)
    try:
        loaded = load_file(path)
    except InvalidDefinition as exc:
        return LintReport(file, None, None, [
            Finding(ERROR, p.message, p.file or file, p.line, p.field) for p in exc.problems])
    except NotFound as exc:
        return LintReport(file, None, None, [Finding(ERROR, str(exc), file, None, "")])
    findings = [Finding(severity, message, *loaded.where(where), dotted(where))
                for severity, where, message in domain_checks(loaded.definition)]
    return LintReport(file, loaded.ref, loaded.hash, findings)


def lint_files(files: list[str]) -> list[LintReport]:
    """Lint each file (every shipped definition when ``files`` is empty)."""
    paths = files_or_shipped(files)
    return [lint_file(path) for path in paths]


def domain_checks(defn: Definition) -> list[Check]:
    """Every finding of the domain rules on a structurally valid definition."""
    return [*_roles(defn), *_dues(defn), *_awards(defn), *_reasons(defn), *_parameters(defn),
            *_quota_sources(defn), *_labels(defn), *_scenarios(defn)]


def _roles(defn: Definition) -> Iterator[Check]:
    used = set(defn.start_roles) | {role for t in defn.transitions for role in t.roles}
    for i, role in enumerate(defn.roles):
        if role not in used:
            yield WARNING, ("roles", i), _("role {role!r} is declared but no step names it").format(
                                             role=role)


def depths(defn: Definition) -> dict[str, int]:
    """Each state's distance in steps from the initial state (unreachable states absent)."""
    found = {defn.initial.name: 0}
    frontier = [defn.initial.name]
    while frontier:
        following = []
        for state in frontier:
            for t in defn.transitions:
                if state in t.source and t.dest is not None and t.dest not in found:
                    found[t.dest] = found[state] + 1
                    following.append(t.dest)
        frontier = following
    return found


def _due_order(due: str) -> tuple[bool, str]:
    return due.startswith("+1-"), due.removeprefix("+1-")


def _dues(defn: Definition) -> Iterator[Check]:
    index = {s.name: i for i, s in enumerate(defn.states)}
    for i, state in enumerate(defn.states):
        if state.due and _due_order(state.due) > _due_order(TAIL_END):
            yield ERROR, ("states", i, "due"), (
                _("state {state!r} is due {due}, outside the period (the year N and its "
                  "commendation months until {TAIL_END})").format(
                    state=state.name, due=state.due, TAIL_END=TAIL_END))
    depth, dues = depths(defn), {s.name: s.due for s in defn.states}
    for t in defn.transitions:
        for source in t.source:
            before, after = dues.get(source), dues.get(t.dest or source)
            if (t.dest and before and after and depth.get(t.dest, 0) > depth.get(source, 0)
                    and _due_order(after) < _due_order(before)):
                yield WARNING, ("states", index[t.dest], "due"), (
                    _("state {dest!r} is due {after}, before {source!r} ({before}) that "
                      "leads to it by {trigger}").format(
                        dest=t.dest, after=after, source=source, before=before,
                        trigger=t.trigger))


def _catalogue(defn: Definition) -> tuple[set[str], set[str]]:
    """The award ids of the catalogue, and ids together with their labels."""
    awards: dict[str, Any] = getattr(defn, "awards", None) or {}
    labels = {text for award in awards.values() if isinstance(getattr(award, "label", None), Label)
              for text in (award.label.vi, award.label.en)}
    return set(awards), set(awards) | labels


def _awards(defn: Definition) -> Iterator[Check]:
    ids, known = _catalogue(defn)
    if not ids:
        return  # no catalogue: nothing to check against
    for i, t in enumerate(defn.transitions):
        for name, spec in t.inputs.items():
            if spec.type == "award" or name in AWARD_INPUTS:
                allowed = ids if spec.type == "award" else known
                for j, choice in enumerate(spec.choices or []):
                    if choice not in allowed:
                        yield ERROR, ("transitions", i, "inputs", name, "choices", j), (
                            _("{trigger}: {choice!r} is not an award of the catalogue").format(
                                trigger=t.trigger, choice=choice))
        yield from _call_awards(i, t, ids)
    yield from _scenario_awards(defn, ids, known)


def _call_awards(i: int, t: Any, ids: set[str]) -> Iterator[Check]:
    for kind in ("guards", "effects", "actions"):
        for j, call in enumerate(getattr(t, kind, [])):
            named = [call.params.get(key) for key in ("award", "awards", "held", "for_award")]
            for ref in [ref for value in named for ref in _listed(value)]:
                if ref not in ids:
                    yield ERROR, ("transitions", i, kind, j), (
                        _("{trigger}: {call} names {ref!r}, not an award of the catalogue").format(
                            trigger=t.trigger, call=call.name, ref=ref))


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _scenario_awards(defn: Definition, ids: set[str], known: set[str]) -> Iterator[Check]:
    for i, scenario in enumerate(defn.scenarios):
        for j, step in enumerate(scenario.steps):
            specs = {name: spec for t in defn.transitions_for(step.fire)
                     for name, spec in t.inputs.items()}
            for name, value in step.inputs.items():
                spec = specs.get(name)
                if spec is None or not (spec.type == "award" or name in AWARD_INPUTS):
                    continue
                allowed = ids if spec.type == "award" else known
                for ref in _listed(value):
                    if ref not in allowed:
                        yield ERROR, ("scenarios", i, "steps", j, "inputs", name), (
                            _("scenario {scenario!r}: {ref!r} is not an award of the "
                              "catalogue").format(scenario=scenario.name, ref=ref))


def _reasons(defn: Definition) -> Iterator[Check]:
    depth = depths(defn)
    for i, t in enumerate(defn.transitions):
        if t.reason_required:
            continue
        if SIDE_PATH.match(t.trigger):
            yield ERROR, ("transitions", i, "trigger"), (
                _("{trigger} returns, refuses or revokes: it must require a written reason "
                  "(reason_required: true)").format(trigger=t.trigger))
            continue
        for source in t.source:
            if t.dest is not None and depth.get(t.dest, 0) < depth.get(source, 0):
                yield WARNING, ("transitions", i, "dest"), (
                    _("{trigger} goes back from {source!r} to {dest!r} without a required "
                      "reason (reason_required: true)").format(
                        trigger=t.trigger, source=source, dest=t.dest))
                break


def _parameters(defn: Definition) -> Iterator[Check]:
    for name, parameter in defn.parameters.items():
        if not parameter.basis.strip():
            yield ERROR, ("parameters", name, "basis"), _("parameter {name!r} has no legal "
                                                          "basis").format(name=name)
        if parameter.type is None:
            yield WARNING, ("parameters", name), (
                _("parameter {name!r} does not say its type (type: fraction, integer, date, "
                  "choice or text)").format(name=name))
        elif parameter.type == "fraction":
            yield from _rounded_share(name, parameter.value)
        if parameter.effective_from is None:
            yield WARNING, ("parameters", name), (
                _("parameter {name!r} has no effective date (effective_from); it is taken as "
                  "effective from the definition's {isoformat}").format(
                    name=name, isoformat=defn.effective_from.isoformat()))


def _quota_sources(defn: Definition) -> Iterator[Check]:
    """A quota is set each year by a guidance document: its basis names that document's
    number, or the parameter says it is an example (``example: true``)."""
    named = {p for award in defn.awards.values() if award.quota is not None
             for p in award.quota.model_dump(exclude_none=True).values()}
    for name in sorted(named):
        parameter = defn.parameters.get(name)
        if parameter is None or parameter.example or DOCUMENT_NUMBER.search(parameter.basis):
            continue
        yield WARNING, ("parameters", name, "basis"), (
            f"quota parameter {name!r}: its basis names no document number (such as "
            "15/HD-TĐKT): say which year's guidance sets it, or mark it example: true")


def _labels(defn: Definition) -> Iterator[Check]:
    yield from _label(("title",), defn.title, _("the title"))
    for i, state in enumerate(defn.states):
        yield from _label(("states", i, "label"), state.label, f"state {state.name!r}")
    for i, t in enumerate(defn.transitions):
        yield from _label(("transitions", i, "label"), t.label, f"step {t.trigger!r}")
        for name, spec in t.inputs.items():
            yield from _label(("transitions", i, "inputs", name, "label"), spec.label,
                              _("input {name!r} of {trigger}").format(
                                  name=name, trigger=t.trigger))
    awards: dict[str, Any] = getattr(defn, "awards", None) or {}
    for name, award in awards.items():
        yield from _label(("awards", name, "label"), getattr(award, "label", None),
                          f"award {name!r}")


def _label(where: FieldPath, label: Label | None, what: str) -> Iterator[Check]:
    if label is None:
        yield WARNING, where[:-1], _("{what} has no label (vi and en): users see its name").format(
                                       what=what)
        return
    for lang in ("vi", "en"):
        if not label.get(lang).strip():
            yield ERROR, (*where, lang), _("{what} has a blank {lang} label").format(
                                             what=what, lang=lang)
    if label.vi.strip() == label.en.strip() and not label.en.isascii():
        yield WARNING, (*where, "en"), (
            _("{what}: the English label is the Vietnamese one ({en!r}): translate it").format(
                what=what, en=label.en))


def scenario_steps(scenario: Any) -> int:
    """What running ``scenario`` takes: its steps, and its setup's member units, people and
    roles (each recorded like a step)."""
    setup = scenario.setup
    prepared = 0 if setup is None else len(setup.members) + sum(
        1 + len(person.roles) for person in setup.people)
    return len(scenario.steps) + prepared


def scenario_bounds(defn: Definition) -> Iterator[tuple[FieldPath, str]]:
    """Where ``defn``'s scenarios go beyond the bounds of one run (``limits.SCENARIOS_MAX``
    scenarios, ``limits.SCENARIO_STEPS_MAX`` steps in all)."""
    count = len(defn.scenarios)
    if count > limits.SCENARIOS_MAX:
        yield ("scenarios", limits.SCENARIOS_MAX), (
            f"{count} scenarios: at most {limits.SCENARIOS_MAX} are run")
    steps = [scenario_steps(scenario) for scenario in defn.scenarios]
    if sum(steps) > limits.SCENARIO_STEPS_MAX:
        beyond = next(i for i in range(len(steps))
                      if sum(steps[:i + 1]) > limits.SCENARIO_STEPS_MAX)
        yield ("scenarios", beyond), (
            f"the scenarios take {sum(steps)} steps (their setups' member units, people and "
            f"roles included): at most {limits.SCENARIO_STEPS_MAX} in all are run")


def _scenarios(defn: Definition) -> Iterator[Check]:
    for where, message in scenario_bounds(defn):
        yield ERROR, where, message
    names: set[str] = set()
    for i, scenario in enumerate(defn.scenarios):
        if scenario.name in names:
            yield WARNING, ("scenarios", i, "name"), _("scenario {scenario!r} is named "
                                                       "twice").format(
                                                         scenario=scenario.name)
        names.add(scenario.name)
        if scenario.setup is None:
            yield ERROR, ("scenarios", i), (
                _("scenario {scenario!r} has no setup (cluster, members, people, start): it "
                  "cannot run").format(scenario=scenario.name))
            continue
        yield from _setup(defn, i, scenario)


def _setup(defn: Definition, i: int, scenario: Any) -> Iterator[Check]:
    setup, where = scenario.setup, ("scenarios", i, "setup")
    people = {p.name for p in setup.people}
    for key in ("head", "deputy"):
        unit = getattr(setup, key)
        if unit is not None and unit not in setup.members:
            yield ERROR, (*where, key), (
                _("scenario {scenario!r}: {key} {unit!r} is not a member").format(
                    scenario=scenario.name, key=key, unit=unit))
    for j, person in enumerate(setup.people):
        if person.unit is not None and person.unit not in setup.members:
            yield ERROR, (*where, "people", j, "unit"), (
                _("scenario {scenario!r}: {person}'s unit {unit!r} is not a member").format(
                    scenario=scenario.name, person=person.name, unit=person.unit))
        for k, role in enumerate(person.roles):
            if role not in defn.roles or role in GRANTED_NEVER:
                yield ERROR, (*where, "people", j, "roles", k), (
                    _("scenario {scenario!r}: {role!r} cannot be granted (granted roles: "
                      "{items})").format(
                        scenario=scenario.name, role=role,
                        items=", ".join(r for r in defn.roles if r not in GRANTED_NEVER)))
    if setup.start.actor not in people:
        yield ERROR, (*where, "start"), (
            _("scenario {scenario!r}: {actor!r} is not among its people").format(
                scenario=scenario.name, actor=setup.start.actor))
    for j, step in enumerate(scenario.steps):
        if step.actor not in people:
            yield ERROR, ("scenarios", i, "steps", j, "as"), (
                _("scenario {scenario!r}: {actor!r} is not among its people").format(
                    scenario=scenario.name, actor=step.actor))


def _rounded_share(name: str, value: Any) -> Iterator[Check]:
    try:
        simple = meant(as_fraction(value), value)
    except ValueError:
        return  # the structural checks say what is wrong with it
    if simple is not None:
        yield WARNING, ("parameters", name, "value"), (
            _("parameter {name!r} is {value}, close to {simple} but not it: write \"{simple}\" "
              "for an exact share (rules count exactly, and {value} of {denominator} units "
              "is not {simple} of them)").format(
                name=name, value=value, simple=simple, denominator=simple.denominator * 2))
