"""The model of a cycle definition: frozen pydantic models that forbid unknown fields.

Field-level rules live here; the checks across the whole definition (references, reachability,
the registry) run in :mod:`workflow.language.checks` from the ``model_validator`` below, so that no
definition object exists that has not passed them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from thidua.workflow.i18n import _
from thidua.workflow.names import visible
from thidua.workflow.timeutil import FIRST_YEAR, LAST_YEAR

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
DUE_PATTERN = re.compile(r"(\+1-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")  # MM-DD or +1-MM-DD


def _name(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(_("{value!r} is not a valid name: use lower-case letters, digits "
                           "and underscores, starting with a letter").format(value=value))
    return value


# The JSON Schema (`thidua def schema`) states the same rule as a pattern, for editors.
NAME_SCHEMA: dict[str, Any] = {"type": "string", "pattern": f"^{NAME_PATTERN.pattern}$"}
Name = Annotated[str, AfterValidator(_name), WithJsonSchema(NAME_SCHEMA)]
InputType = Literal["text", "number", "integer", "list", "date", "bool", "scores", "tally",
                    "award", "document", "documents", "person", "people", "unit", "units"]
# What a meeting step must ask for, by input name and type (see ``Transition.meeting``).
MEETING_INPUTS = {"place": "text", "starts_on": "date", "ends_on": "date", "chaired_by": "person"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _shown(value: str) -> str:
    if not visible(value):
        raise ValueError(_("is blank: white space and invisible characters alone show "
                           "nothing"))
    return value


# A label or a basis: a text that shows something (not only spaces, zero-width characters...).
Shown = Annotated[str, Field(min_length=1), AfterValidator(_shown)]


class Label(_Frozen):
    """A text in Vietnamese and in English."""

    vi: Shown
    en: Shown

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``vi`` or ``en``)."""
        return self.vi if lang == "vi" else self.en


class Parameter(_Frozen):
    """A named threshold of the rules, with its type and its legal basis."""

    value: Any
    type: Literal["fraction", "integer", "date", "choice", "text", "quota", "groups"] | None \
        = None
    choices: list[str] | None = None
    basis: Shown
    effective_from: dt.date | None = None
    example: StrictBool = False  # an illustrative value, from no document (lint says so)


class InputSpec(_Frozen):
    """One input a step asks for."""

    type: InputType = "text"
    required: StrictBool = True
    label: Label | None = None
    choices: list[str] | None = None


def _call_short_forms(schema: dict[str, Any]) -> None:
    """The schema of a call accepts the short forms that ``Call._short_forms`` reads."""
    full = dict(schema)
    schema.clear()
    schema.update(title=full.pop("title", "Call"), anyOf=[
        {**NAME_SCHEMA, "description": "a guard, effect or action without parameters"},
        {"type": "object", "minProperties": 1, "maxProperties": 1,
         "propertyNames": NAME_SCHEMA,
         "additionalProperties": {"anyOf": [{"type": "object"}, {"type": "null"}]},
         "description": "{name: {parameters}}"},
        full,
    ])


class Call(_Frozen):
    """A guard or effect named from the registry, with its parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_call_short_forms)

    name: str
    params: dict[str, Any] = {}

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        # YAML writes a call as a bare name or as {name: {params}}.
        if isinstance(data, str):
            return {"name": data}
        if isinstance(data, dict) and len(data) == 1 and "name" not in data:
            (name, params), = data.items()
            return {"name": name, "params": params if params is not None else {}}
        return data


def _due(value: str | None) -> str | None:
    if value is not None and not DUE_PATTERN.fullmatch(value):
        raise ValueError(_("{value!r} is not a due date: write MM-DD, or +1-MM-DD for a "
                           "date in the following year").format(value=value))
    return value


class State(_Frozen):
    """A state of the cycle."""

    name: Name
    label: Label | None = None
    initial: StrictBool = False
    final: StrictBool = False
    due: str | None = None
    description: str | None = None

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None) -> str | None:
        return _due(value)


class Transition(_Frozen):
    """A step: fired by a trigger from one of its sources, to ``dest`` (or staying put)."""

    trigger: Name
    source: Annotated[list[Name], WithJsonSchema(
        {"anyOf": [NAME_SCHEMA, {"type": "array", "items": NAME_SCHEMA}]})]
    dest: Name | None = None
    roles: list[Name]
    label: Label | None = None
    guards: list[Call] = []
    effects: list[Call] = []
    records: Name | None = None
    per_unit: StrictBool = False
    keyed_by: Name | None = None
    repeatable: StrictBool = False
    actions: list[Call] = []
    inputs: dict[Name, InputSpec] = {}
    reason_required: StrictBool = False
    meeting: StrictBool = False  # the step records a meeting (see MEETING_INPUTS)
    due: str | None = None  # the last day the step may be taken (MM-DD or +1-MM-DD)

    @field_validator("due")
    @classmethod
    def _last_day(cls, value: str | None) -> str | None:
        return _due(value)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _per_unit_records(self) -> Transition:
        if self.per_unit and self.records is None:
            raise ValueError(_("a per-unit step must name the fact it records (records:)"))
        if self.repeatable and not self.per_unit:
            raise ValueError(_("only a per-unit step can be repeatable"))
        if self.keyed_by is not None:
            if self.records is None or self.per_unit:
                raise ValueError(_("a step keyed by an input records a fact (records:) and is "
                                   "not per unit"))
            if self.keyed_by not in self.inputs or not self.inputs[self.keyed_by].required:
                raise ValueError(_("keyed_by names {input!r}, which is not a required input "
                                   "of the step").format(input=self.keyed_by))
        if self.meeting:
            if self.records is None or self.per_unit:
                raise ValueError(_("a meeting step records one fact for the cluster (records:, "
                                   "not per_unit)"))
            wrong = [f"{name} ({kind})" for name, kind in MEETING_INPUTS.items()
                     if name not in self.inputs or self.inputs[name].type != kind]
            if wrong:
                raise ValueError(_("a meeting step asks for {inputs}").format(
                    inputs=", ".join(wrong)))
        return self


class Criterion(_Frozen):
    """One group of criteria of the score sheet, with its maximum points."""

    id: Name
    label: Label
    max: Annotated[float, Field(gt=0)]


class ScoreSheet(_Frozen):
    """The score sheet: criteria groups adding up to the total, capped bonus and penalty."""

    total: Annotated[float, Field(gt=0)]
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    bonus_max: Annotated[float, Field(ge=0)] = 0
    penalty_max: Annotated[float, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _adds_up(self) -> ScoreSheet:
        if abs(sum(c.max for c in self.criteria) - self.total) > 1e-9:
            raise ValueError(_("the criteria maxima add up to {sum:g}, not the total "
                               "{total:g}").format(
                                 sum=sum(c.max for c in self.criteria), total=self.total))
        return self

    def caps(self) -> dict[str, float]:
        """The most points each criterion, the bonus and the penalty can take."""
        return {c.id: c.max for c in self.criteria} | {"bonus": self.bonus_max,
                                                       "penalty": self.penalty_max}

    def criterion(self, cid: str) -> Criterion | None:
        """The criterion ``cid``, if the sheet has it."""
        return next((c for c in self.criteria if c.id == cid), None)


class Quota(_Frozen):
    """How many proposals of an award a cluster may make, from named parameters: a ``count``
    (a ``quota`` parameter: one number for the cluster, or one per emulation group of the
    ``groups`` parameter), or a share of the members not proposed for a counted award."""

    count: Name | None = None
    groups: Name | None = None
    share_of_remaining: Name | None = None
    persons: Name | None = None  # how many persons may be proposed for it


class Award(_Frozen):
    """An entry of the catalogue: a title (danh hiệu) or a form of commendation (hình thức)."""

    kind: Literal["title", "form"]
    label: Label
    level: str | None = None
    quota: Quota | None = None
    recipients: Annotated[list[Literal["unit", "person"]], Field(min_length=1)] = \
        ["unit", "person"]


class ScenarioStep(_Frozen):
    """One step of a scenario: who fires what, and what must follow."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    actor: Annotated[str, Field(alias="as")]
    fire: Name
    unit: str | None = None
    inputs: dict[str, Any] = {}
    reason: str | None = None
    expect_state: Name | None = None
    expect_refused: str | None = None
    at: dt.date | None = None


class ScenarioPerson(_Frozen):
    """Someone who acts in a scenario: the unit they belong to, the roles granted to them."""

    name: Annotated[str, Field(min_length=1)]
    unit: str | None = None
    roles: list[Name] = []


class ScenarioStart(_Frozen):
    """Who starts the scenario's cycle, and when (default: now)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    actor: Annotated[str, Field(alias="as")]
    at: dt.date | None = None


class ScenarioSetup(_Frozen):
    """The world a scenario runs in: a cluster, its members, head and deputy, the people."""

    cluster: Annotated[str, Field(min_length=1)] = "Cluster"
    period: Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
    members: Annotated[list[str], Field(min_length=1)]
    head: str | None = None
    deputy: str | None = None
    people: list[ScenarioPerson] = []
    start: ScenarioStart


class Scenario(_Frozen):
    """An executable example of the definition (run by ``thidua def test``)."""

    name: str
    setup: ScenarioSetup | None = None
    steps: list[ScenarioStep]


ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# A version label names one content: ASCII letters and digits, then dots, hyphens and
# underscores too, so that no two labels look alike (no spaces, no look-alike digits, nothing
# invisible).
VERSION_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]*$"


class BasedOn(_Frozen):
    """The definition another one extends, as it stood when that one was resolved: its
    ``id@version`` and the SHA-256 of its text (see :mod:`workflow.language.extends`)."""

    ref: Annotated[str, Field(pattern=ID_PATTERN[:-1] + "@.+$")]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Definition(_Frozen):
    """A whole cycle definition."""

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
    version: Annotated[str, Field(pattern=VERSION_PATTERN, max_length=64)]
    based_on: BasedOn | None = None
    title: Label
    effective_from: dt.date
    legal_basis: list[str] = []
    roles: Annotated[list[Name], Field(min_length=1)]
    start_roles: Annotated[list[Name], Field(min_length=1)]
    parameters: dict[Name, Parameter] = {}
    score_sheet: ScoreSheet | None = None
    awards: dict[Name, Award] = {}
    states: Annotated[list[State], Field(min_length=1)]
    transitions: Annotated[list[Transition], Field(min_length=1)]
    scenarios: list[Scenario] = []

    @model_validator(mode="after")
    def _whole(self) -> Definition:
        from thidua.workflow.language.checks import check_definition

        check_definition(self)
        return self

    @property
    def initial(self) -> State:
        """The initial state."""
        return next(state for state in self.states if state.initial)

    def state(self, name: str) -> State:
        """The state called ``name``."""
        return next(state for state in self.states if state.name == name)

    def transitions_for(self, trigger: str) -> list[Transition]:
        """Every transition fired by ``trigger`` (one per distinct source list)."""
        return [t for t in self.transitions if t.trigger == trigger]

    def transition(self, trigger: str, state: str) -> Transition | None:
        """The transition ``trigger`` fires from ``state``, if any."""
        return next((t for t in self.transitions_for(trigger) if state in t.source), None)

    def parameter_values(self) -> dict[str, Any]:
        """Each parameter's value by name."""
        return {name: p.value for name, p in self.parameters.items()}
