"""The compiled state machine: one ``transitions.Machine`` per definition content hash.

Guards are checked by :mod:`workflow.services` before the trigger is fired (so that every reason
is collected, not just the first); the machine decides which moves exist and performs them.
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine, MachineError

from thidua.workflow.errors import TransitionRefused
from thidua.workflow.language.loader import Loaded


class Token:
    """The model object a machine moves; it carries nothing but the state."""

    state: str


_MACHINES: dict[str, Machine] = {}


def machine_for(loaded: Loaded) -> Machine:
    """The machine of ``loaded``, built once per content hash and shared by all cycles."""
    machine = _MACHINES.get(loaded.hash)
    if machine is None:
        machine = _MACHINES[loaded.hash] = _build(loaded)
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
        # dest None is an internal transition in `transitions`: the state is kept.
        machine.add_transition(t.trigger, list[Any](t.source), t.dest)
    return machine


# One token per machine and thread, added to the machine once: adding a model binds every
# trigger to it, which cost twenty times the move itself. Each move first sets its state.
_TOKENS = threading.local()


def _token(loaded: Loaded, machine: Machine) -> Token:
    tokens: dict[str, Token] = _TOKENS.__dict__.setdefault("by_hash", {})
    token = tokens.get(loaded.hash)
    if token is None:
        token = tokens[loaded.hash] = Token()
        machine.add_model(token, initial=machine.initial)
    return token


def move(loaded: Loaded, state: str, trigger: str) -> str:
    """Fire ``trigger`` from ``state`` on the shared machine and return the new state."""
    machine = machine_for(loaded)
    token = _token(loaded, machine)
    machine.set_state(state, model=token)
    try:
        token.trigger(trigger)  # type: ignore[attr-defined]
    except MachineError:
        raise TransitionRefused(trigger, [f"{trigger} cannot be fired from state {state!r}"]) \
            from None
    return token.state


def triggers_from(loaded: Loaded, state: str) -> list[str]:
    """The triggers the machine accepts from ``state``, in definition order."""
    return list(dict.fromkeys(machine_for(loaded).get_triggers(state)))
