"""What a step does to a cycle's facts, as one pure function shared by firing and replaying.

Because :func:`apply_step` depends only on the definition and the ledger event, replaying the
ledger from the start gives back the stored state, version and facts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from thidua.workflow.i18n import _
from thidua.workflow.language.loaded import Loaded
from thidua.workflow.language.model import Transition
from thidua.workflow.rules.library import EFFECTS
from thidua.workflow.rules.registry import Facts, Situation, key_of


def _copied(value: Any) -> Any:
    """A copy of JSON-shaped ``value`` (objects and lists copied, the rest shared: strings,
    numbers, booleans and None never change); anything else is deep-copied. Facts are
    read from JSON and built from checked inputs: several times faster than ``deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def apply_step(facts: Facts, transition: Transition, situation: Situation,
               occurred_at: str) -> Facts:
    """The facts after ``transition`` was taken in ``situation`` (``facts`` is not changed)."""
    after = _copied(facts)
    if transition.records is not None:
        value = {**situation.inputs, "recorded_by": situation.actor, "occurred_at": occurred_at}
        if transition.per_unit and transition.repeatable:
            after.setdefault(transition.records, {}).setdefault(situation.unit, []).append(value)
        elif transition.per_unit:
            after.setdefault(transition.records, {})[situation.unit] = value
        elif transition.keyed_by is not None:
            key = key_of(situation.inputs.get(transition.keyed_by))
            after.setdefault(transition.records, {})[key] = value
        else:
            after[transition.records] = value
    if situation.reason:
        after.setdefault("reasons", []).append(
            {"trigger": transition.trigger, "reason": situation.reason, "occurred_at": occurred_at})
    for call in transition.effects:
        entry = EFFECTS[call.name]
        entry.fn(after, situation, entry.params.model_validate(call.params))
    return after


@dataclass(frozen=True)
class Replayed:
    """A cycle as rebuilt from its ledger events."""

    state: str | None
    version: int
    facts: Facts


def replay(loaded: Loaded, events: Iterable[dict[str, Any]],
           resolve: Callable[[str], Loaded] | None = None) -> Replayed:
    """Rebuild a cycle from its ledger events, oldest first.

    ``loaded`` is the definition the cycle started on. A cycle that was migrated changes
    definition at its ``migrate`` event: ``resolve`` gives the version of a content hash.
    """
    state: str | None = None
    version = 0
    facts: Facts = {}
    for event in events:
        if event["kind"] == "start":
            state, version, facts = event["to"], 1, {}
            if resolve is not None and event["definition"]:
                loaded = resolve(event["definition"])
            continue
        if event["kind"] == "migrate":
            if resolve is None:
                raise ValueError(_("event {seq}: a migrated cycle replays only with a "
                                   "resolver of definition versions").format(seq=event['seq']))
            loaded = resolve(event["definition"])
            state, version = event["to"], version + 1
            continue
        if event["kind"] != "fire":
            continue
        transition = loaded.definition.transition(event["trigger"], event["from"])
        if transition is None:
            raise ValueError(_("event {seq}: {trigger} from {value} is not in the "
                               "definition").format(
                                 seq=event['seq'], trigger=event['trigger'],
                                 value=event['from']))
        situation = Situation(facts=facts, members=(),
                              parameters=loaded.definition.parameter_values(),
                              actor=event["actor"], unit=event["unit"], inputs=event["inputs"],
                              reason=event["reason"], occurred_at=event["occurred_at"],
                              definition=loaded.definition, cycle_id=event["cycle"])
        facts = apply_step(facts, transition, situation, event["occurred_at"])
        state, version = event["to"], version + 1
    return Replayed(state, version, facts)
