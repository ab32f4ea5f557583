"""Running a definition's scenarios: executable examples on a throwaway store.

Each scenario gets a new in-memory SQLite database with the real schema (the Alembic
migrations, run once per file and copied), its own cluster, members, head, deputy and people,
and a cycle started on the definition under test; its steps are then fired through
:func:`workflow.services.cycles.fire`, exactly as the command line fires them. A document
input is written as its file name (or as ``{name: ..., text: ...}``) and attached with that
text. A step passes when it is taken (and leaves the cycle in ``expect_state``, if given) or,
with ``expect_refused``, when it is refused with a reason that contains that text. The first
step that does otherwise fails the scenario. Scenarios beyond the bounds of one run
(:data:`workflow.limits.SCENARIOS_MAX`, :data:`workflow.limits.SCENARIO_STEPS_MAX`) are
refused before any runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thidua.store.backup import copy_sqlite
from thidua.workflow import i18n
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import (
    InvalidDefinition,
    InvalidInput,
    Problem,
    ScenariosFailed,
    ThiduaError,
    TransitionRefused,
)
from thidua.workflow.i18n import _
from thidua.workflow.language.lint import scenario_bounds
from thidua.workflow.language.loader import Loaded, files_or_shipped, load_file
from thidua.workflow.language.model import Scenario, ScenarioSetup, ScenarioStep
from thidua.workflow.language.reader import dotted
from thidua.workflow.services import directory, identity
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database


@dataclass(frozen=True)
class StepFailure:
    """Where a scenario went wrong: its step (0 is the setup), the line, and why; ``file``
    when that line is in another file than the definition's (its base's, for a scenario it
    inherits)."""

    index: int
    line: int | None
    step: str
    why: str
    file: str | None = None


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario."""

    name: str
    line: int | None
    steps: int
    failure: StepFailure | None

    @property
    def passed(self) -> bool:
        """True when every step did what the scenario says."""
        return self.failure is None


@dataclass(frozen=True)
class TestReport:
    """The scenarios of one definition file, run."""

    __test__ = False  # not a pytest class, whatever its name

    file: str
    ref: str
    hash: str
    results: list[ScenarioResult]

    @property
    def failed(self) -> list[ScenarioResult]:
        """The scenarios that failed."""
        return [r for r in self.results if not r.passed]

    def check(self) -> None:
        """Raise :class:`ScenariosFailed` when any scenario failed."""
        if self.failed:
            raise ScenariosFailed(self.file, [describe(r) for r in self.failed],
                                  len(self.results))


def describe(result: ScenarioResult) -> str:
    """One line: the scenario, and where and why it failed."""
    failure = result.failure
    if failure is None:
        return f"{result.name!r} passed"
    where = "setup" if failure.index == 0 else f"step {failure.index} ({failure.step})"
    line = _(" at line {line}").format(line=failure.line) if failure.line else ""
    if failure.file and failure.line:
        line = f" at {failure.file}:{failure.line}"
    return _("{result!r} failed at {where}{line}: {why}").format(
               result=result.name, where=where, line=line, why=failure.why)


def run_file(path: str | Path) -> TestReport:
    """Run every scenario of the definition file at ``path``."""
    return run_scenarios(load_file(path))


def run_files(files: list[str]) -> list[TestReport]:
    """Run the scenarios of each file (every shipped definition when ``files`` is empty)."""
    paths = files_or_shipped(files)
    return [run_file(path) for path in paths]


def run_scenarios(loaded: Loaded) -> TestReport:
    """Run every scenario of ``loaded``, each on its own throwaway store; refuse
    (:class:`InvalidDefinition`) scenarios beyond the bounds of one run, before any runs."""
    beyond = [Problem(message, file=file or loaded.file, line=line, field=dotted(where))
              for where, message in scenario_bounds(loaded.definition)
              for file, line in [loaded.where(where)]]
    if beyond:
        raise InvalidDefinition(beyond)
    results = []
    template = Database("sqlite://", check_schema=False)
    try:
        upgrade_db(template)  # once; each scenario starts on a copy
        for i, scenario in enumerate(loaded.definition.scenarios):
            lines = [_where(loaded, ("scenarios", i, "steps", j))
                     for j in range(len(scenario.steps))]
            results.append(_run(loaded, scenario, _where(loaded, ("scenarios", i)), lines,
                                template))
    finally:
        template.close()
    return TestReport(loaded.file, loaded.ref, loaded.hash, results)


Where = tuple[str | None, int | None]


def _where(loaded: Loaded, path: tuple[str | int, ...]) -> Where:
    """The line of ``path``, and its file when that is not the definition's own."""
    file, line = loaded.where(path)
    return (file if file != loaded.file else None), line


def _run(loaded: Loaded, scenario: Scenario, where: Where, lines: list[Where],
         template: Database) -> ScenarioResult:
    count, (file, line) = len(scenario.steps), where
    if scenario.setup is None:
        why = _("no setup: name the cluster, members, people and who starts the cycle")
        return ScenarioResult(scenario.name, line, count,
                              StepFailure(0, line, "setup", why, file))
    db = Database("sqlite://", check_schema=False)
    try:
        copy_sqlite(template.engine, db.engine)
        try:
            cycle_id = _set_up(db, loaded, scenario.setup)
        except ThiduaError as exc:
            return ScenarioResult(scenario.name, line, count,
                                  StepFailure(0, line, "setup", str(exc), file))
        for index, (step, (step_file, step_line)) in enumerate(
                zip(scenario.steps, lines, strict=True), 1):
            problem = _step(db, loaded, cycle_id, step)
            if problem is not None:
                failure = StepFailure(index, step_line, f"{step.fire} as {step.actor}", problem,
                                      step_file)
                return ScenarioResult(scenario.name, line, count, failure)
    finally:
        db.close()
    return ScenarioResult(scenario.name, line, count, None)


def _set_up(db: Database, loaded: Loaded, setup: ScenarioSetup) -> int:
    directory.add_cluster(db, setup.cluster, members=setup.members, head=setup.head,
                          deputy=setup.deputy, period=setup.period,
                          joined_on=dt.date(setup.period, 1, 1))
    for person in setup.people:
        directory.add_actor(db, person.name, unit_name=person.unit)
        for role in person.roles:
            identity.grant(db, person.name, role, cluster_name=setup.cluster)
    started = start_cycle(db, loaded, setup.cluster, setup.period, actor=setup.start.actor,
                          occurred_at=_moment(setup.start.at), draft=True)
    return started.cycle_id


def _moment(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _inputs(loaded: Loaded, step: ScenarioStep) -> dict[str, Any]:
    """The step's inputs, with documents (a name, or ``{name, text}``) made attachments."""
    kinds = {name: spec.type for t in loaded.definition.transitions_for(step.fire)
             for name, spec in t.inputs.items()}
    values = dict(step.inputs)
    for name, value in step.inputs.items():
        if kinds.get(name) == "document":
            values[name] = _document(value)
        elif kinds.get(name) == "documents":
            values[name] = [_document(v) for v in (value if isinstance(value, list) else [value])]
    return values


def _document(value: Any) -> Attachment:
    if isinstance(value, dict) and "name" in value:
        return Attachment(str(value["name"]), str(value.get("text", value["name"])).encode())
    return Attachment(str(value), str(value).encode())


def _step(db: Database, loaded: Loaded, cycle_id: int, step: ScenarioStep) -> str | None:
    """Why ``step`` did not do what the scenario says (None: it did)."""
    try:
        # A scenario's expect_refused quotes the English reason, whatever the user's language.
        with i18n.speaking("en"):
            fired = fire(db, cycle_id, step.fire, actor=step.actor,
                         inputs=_inputs(loaded, step), reason=step.reason, unit=step.unit,
                         occurred_at=_moment(step.at))
    except (TransitionRefused, InvalidInput) as exc:
        reasons = exc.reasons if isinstance(exc, TransitionRefused) else [str(exc)]
        if step.expect_refused is None:
            return "refused: " + "; ".join(reasons)
        wanted = step.expect_refused.casefold()
        if not any(wanted in reason.casefold() for reason in reasons):
            return (_("refused, but not for {expect_refused!r}: {reasons}").format(
                        expect_refused=step.expect_refused, reasons="; ".join(reasons)))
        return _state_is(db, cycle_id, step.expect_state)
    except ThiduaError as exc:
        return f"{type(exc).__name__}: {exc}"
    if step.expect_refused is not None:
        return (_("expected a refusal mentioning {expect_refused!r}, but it was taken: "
                  "{from_state} -> {to_state}").format(
                    expect_refused=step.expect_refused, from_state=fired.from_state,
                    to_state=fired.to_state))
    if step.expect_state is not None and fired.to_state != step.expect_state:
        return _("expected state {expect_state!r}, but the cycle is in {to_state!r}").format(
                   expect_state=step.expect_state, to_state=fired.to_state)
    return None


def _state_is(db: Database, cycle_id: int, expected: str | None) -> str | None:
    if expected is None:
        return None
    with db.transaction(write=False) as session:
        state = load_cycle(session, cycle_id).state
    return None if state == expected else (
        _("expected state {expected!r}, but the cycle is in {state!r}").format(
            expected=expected, state=state))
