"""The vocabulary of the rules library: what a rule sees, its parameters, and how it says which
names of the definition it reads.

A definition holds no code. It names a guard, an effect or an action of the library and gives it
parameters, checked against the entry's parameter model when the definition loads. Every name a
rule reads from the cycle — a fact, an input of the step, a field of a recorded fact, a
parameter of the definition — is a field of that model, marked with what it names and given the
usual name as its default, so ``def lint`` can check each against the definition and an
administrator can rename it in the YAML.

Guards come in two kinds, kept apart as python-statemachine keeps validators from conditions:
a **condition** looks at the cycle as it stands (every unit registered, scores published); a
**validator** looks at what the step is given (its inputs, the unit it concerns). ``why`` and
``todo`` ask conditions only; firing asks both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict

from thidua.workflow import i18n

Facts = dict[str, Any]
Kind = Literal["condition", "validator", "effect", "action"]


@dataclass(frozen=True)
class Situation:
    """What a rule may look at: the cycle as it stands and the step asked for."""

    facts: Facts
    members: tuple[str, ...]
    parameters: dict[str, Any]
    actor: str = ""
    actor_unit: str | None = None
    unit: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    occurred_at: str = ""
    head: str | None = None
    deputy: str | None = None
    definition: Any = None  # the Definition, for its score sheet and catalogue
    zone: Any = None  # the database's business zone (a tzinfo), for the dates a rule names
    cycle_id: int | None = None
    period: int | None = None
    # The award register of every other cycle, read only when a rule asks (see rules/register)
    history: Callable[[], tuple[Any, ...]] | None = None


@dataclass(frozen=True)
class Reads:
    """Marks a parameter field as the name of something in the definition.

    ``what`` is ``fact`` (recorded by a step, or written by an effect), ``input`` (given with
    this step), ``field`` (an input of the step that records the fact named by the parameter
    field ``of``), ``parameter`` (of the definition) or ``writes`` (a fact an effect writes).
    """

    what: Literal["fact", "input", "field", "parameter", "writes"]
    of: str | None = None
    type: str | None = None  # for a parameter: the type it must declare (e.g. fraction)


FactName = Annotated[str, Reads("fact")]
InputName = Annotated[str, Reads("input")]
ParameterName = Annotated[str, Reads("parameter")]
ShareParameter = Annotated[str, Reads("parameter", type="fraction")]
WrittenFact = Annotated[str, Reads("writes")]


def field_of(fact_field: str) -> Reads:
    """Marks a field naming an input recorded by the step that records ``fact_field``'s fact."""
    return Reads("field", fact_field)


class Params(BaseModel):
    """Base of every rule's parameter model."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class NoParams(Params):
    """No parameters."""


class FactParams(Params):
    """Names one fact of the cycle."""

    fact: FactName


def declared(params: Params) -> Iterator[tuple[str, Reads, str]]:
    """Each ``(field, marker, name)`` that ``params`` says the rule reads or writes (a field
    left empty, such as an optional ``person`` input, reads nothing)."""
    for name, info in type(params).model_fields.items():
        for marker in info.metadata:
            if isinstance(marker, Reads) and getattr(params, name) is not None:
                yield name, marker, getattr(params, name)


@dataclass(frozen=True)
class Entry:
    """A rule of the library: its name, kind, parameter model and function."""

    name: str
    kind: Kind
    params: type[Params]
    fn: Callable[..., Any]

    @property
    def doc(self) -> str:
        """The first paragraph of the function's docstring."""
        return (self.fn.__doc__ or "").strip().split("\n\n")[0]


def fact_label(fact: str, definition: Any = None) -> str:
    """How a fact name reads in a sentence: in English its name (``registration``); in
    another language the label of the step that records it, from ``definition``
    (``đăng ký thi đua``), when there is one."""
    lang = i18n.current()
    if lang != "en" and definition is not None:
        for transition in definition.transitions:
            if transition.records == fact and transition.label is not None:
                text = str(transition.label.get(lang))
                return text[:1].lower() + text[1:]
    return fact.replace("_", " ")


def key_of(value: Any) -> str:
    """The key a step keyed by an input records its fact under: a person's name, or the text."""
    return str(value.get("name")) if isinstance(value, dict) else str(value)


def number(value: Any, default: int = 0) -> int:
    """An input read as a whole number (absent: ``default``)."""
    return default if value is None else int(value)
