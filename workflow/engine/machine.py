"""The compiled state machine: one ``transitions.Machine`` per definition content hash, and the
machine runs every step.

Each transition of a definition is added with the same three callbacks, which the machine calls
on the model it moves (a :class:`~thidua.workflow.engine.step.Step`):

- ``judged``, the one *condition*: roles and every guard, keeping all the reasons;
- ``apply``, *before* the state changes: effects on the facts, and actions;
- ``persist``, *after* the state changed: the cycle row and the ledger event.

The machine is shared by every cycle on that definition; the models are throwaway objects, one
per step, never added to it (adding a model binds every trigger to it, which would cost more
than the step). ``transitions`` keeps a new state on the model even when a later callback
raises: the database transaction, not the machine, is the unit of atomicity.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from transitions import EventData, Machine, MachineError

from thidua.workflow.errors import TransitionRefused
from thidua.workflow.i18n import _
from thidua.workflow.language.loaded import Loaded

CONDITION, BEFORE, AFTER = "judged", "apply", "persist"


class Model(Protocol):
    """What the machine moves: a state, and the three callbacks."""

    state: str

    def judged(self) -> bool: ...
    def apply(self) -> None: ...
    def persist(self) -> None: ...


_MACHINES: dict[str, Machine] = {}
_LOCK = threading.Lock()


def machine_for(loaded: Loaded) -> Machine:
    """The machine of ``loaded``, built once per content hash and shared by all cycles."""
    machine = _MACHINES.get(loaded.hash)
    if machine is None:
        with _LOCK:
            machine = _MACHINES.get(loaded.hash) or _build(loaded)
            _MACHINES[loaded.hash] = machine
    return machine


def _build(loaded: Loaded) -> Machine:
    definition = loaded.definition
    machine = Machine(
        model=None,
        states=[state.name for state in definition.states],
        initial=definition.initial.name,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )
    for t in definition.transitions:
        # dest None is an internal transition in `transitions`: callbacks run, the state stays.
        machine.add_transition(t.trigger, list[Any](t.source), t.dest,
                               conditions=CONDITION, before=BEFORE, after=AFTER)
    return machine


def trigger(loaded: Loaded, model: Model, name: str) -> bool:
    """Fire ``name`` on ``model``: False when its condition refused it (nothing applied),
    True when it was applied and persisted."""
    machine = machine_for(loaded)
    event = machine.events.get(name)
    if event is None:
        raise TransitionRefused(name, [_("{name} is not a step of {ref}").format(
                                           name=name, ref=loaded.ref)])
    try:
        return bool(event.trigger(model))
    except MachineError:
        raise TransitionRefused(name, [_("{name} cannot be fired from state {state!r}").format(
                                           name=name, state=model.state)]) \
            from None


def conditions_hold(loaded: Loaded, model: Model, name: str) -> bool:
    """Ask the machine whether ``name`` may be taken from ``model``'s state, evaluating only
    its conditions (nothing is applied, the state does not change)."""
    machine = machine_for(loaded)
    event = machine.events[name]
    data = EventData(machine.get_model_state(model), event, machine, model, args=(), kwargs={})
    return all(all(c.check(data) for c in t.conditions)
               for t in event.transitions[model.state])


def triggers_from(loaded: Loaded, state: str) -> list[str]:
    """The triggers the machine accepts from ``state``, in definition order."""
    return list(dict.fromkeys(machine_for(loaded).get_triggers(state)))
