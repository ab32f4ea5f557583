"""Named guards and effects: the only behaviour a definition can refer to.

A definition holds no code. It names a guard or an effect from this registry and gives it
parameters, which are checked against the entry's parameter model when the definition loads.
A guard returns every reason it refuses (an empty list lets the step through); an effect changes
the cycle's facts. Both are pure functions of the situation, so replaying the ledger re-applies
them and arrives at the same facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

Facts = dict[str, Any]


@dataclass(frozen=True)
class Situation:
    """What a guard or an effect may look at: the cycle as it stands and the step asked for."""

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


class Params(BaseModel):
    """Base of every guard's and effect's parameter model."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FactParams(Params):
    """Parameters naming one fact of the cycle."""

    fact: str


GuardFn = Callable[[Situation, Any], list[str]]
EffectFn = Callable[[Facts, Situation, Any], None]
# An action changes the directory (memberships, heads) inside the step's transaction; it is not
# replayed, since its result is stored and the step's ledger event records its inputs.
ActionFn = Callable[[Any, Any, Situation, Any], None]


@dataclass(frozen=True)
class Entry:
    """A registered guard or effect with the model of its parameters."""

    name: str
    params: type[Params]
    fn: Callable[..., Any]
    doc: str


GUARDS: dict[str, Entry] = {}
EFFECTS: dict[str, Entry] = {}
ACTIONS: dict[str, Entry] = {}


def guard(name: str, params: type[Params]) -> Callable[[GuardFn], GuardFn]:
    """Register ``fn`` as the guard ``name`` taking ``params``."""
    def register(fn: GuardFn) -> GuardFn:
        GUARDS[name] = Entry(name, params, fn, (fn.__doc__ or "").strip())
        return fn
    return register


def effect(name: str, params: type[Params]) -> Callable[[EffectFn], EffectFn]:
    """Register ``fn`` as the effect ``name`` taking ``params``."""
    def register(fn: EffectFn) -> EffectFn:
        EFFECTS[name] = Entry(name, params, fn, (fn.__doc__ or "").strip())
        return fn
    return register


def action(name: str, params: type[Params]) -> Callable[[ActionFn], ActionFn]:
    """Register ``fn`` as the action ``name`` taking ``params``."""
    def register(fn: ActionFn) -> ActionFn:
        ACTIONS[name] = Entry(name, params, fn, (fn.__doc__ or "").strip())
        return fn
    return register


def fact_label(fact: str) -> str:
    """How a fact name reads in a sentence."""
    return fact.replace("_", " ")


@guard("all_members", FactParams)
def all_members(situation: Situation, params: FactParams) -> list[str]:
    """Every member unit of the cluster has recorded the per-unit fact."""
    recorded = situation.facts.get(params.fact) or {}
    missing = [unit for unit in situation.members if unit not in recorded]
    if not missing:
        return []
    return [f"member units without {fact_label(params.fact)}: " + ", ".join(missing)]


@guard("fact_recorded", FactParams)
def fact_recorded(situation: Situation, params: FactParams) -> list[str]:
    """The cycle has recorded the fact (e.g. the council's acceptance)."""
    if params.fact in situation.facts:
        return []
    return [f"no {fact_label(params.fact)} has been recorded"]


@guard("fact_absent", FactParams)
def fact_absent(situation: Situation, params: FactParams) -> list[str]:
    """The cycle has not recorded the fact yet (a one-time step)."""
    if params.fact not in situation.facts:
        return []
    return [f"{fact_label(params.fact)} has already been recorded"]


@effect("clear_fact", FactParams)
def clear_fact(facts: Facts, situation: Situation, params: FactParams) -> None:
    """Set a fact aside so that the step that records it must be taken again.

    The old value stays in the ledger and under ``superseded`` in the facts: nothing is erased.
    """
    if params.fact in facts:
        facts.setdefault("superseded", {}).setdefault(params.fact, []).append(
            facts.pop(params.fact))


class NoParams(Params):
    """No parameters."""


class ParameterParams(Params):
    """Names the definition parameter that holds a threshold."""

    parameter: str


def load_rules() -> None:
    """Register the domain's guards, effects and actions (modules register on import)."""
    from thidua.workflow import ballot, commendation, handover, scoring  # noqa: F401
