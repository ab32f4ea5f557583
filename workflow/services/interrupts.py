"""Ctrl-C (SIGINT) around a commit, so that what a command prints is what happened.

An interrupt before a change is committed aborts it: nothing is recorded. Once the commit has
begun, an interrupt is only noted: the change is recorded (or the commit fails on its own), the
command goes on to print its usual line, and the interrupt takes effect when the next change
begins (a command of many changes stops there) or is dropped when the command ends. In the
``thidua`` process itself (:func:`hold_after_commit`), once a change is committed Ctrl-C stays
held until the process exits: an interrupt after the last commit can no longer turn the exit
status of a command that recorded its change into 130 ("interrupted, nothing recorded").
Only the main thread can receive signals; elsewhere nothing changes.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

_state: dict[str, Any] = {"deferred": False, "previous": None, "pending": False,
                         "recorded": 0, "hold": False}


def _note(_signum: int, _frame: FrameType | None) -> None:
    _state["pending"] = True


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def defer() -> None:
    """From now on, note SIGINT instead of raising KeyboardInterrupt."""
    if not _state["deferred"] and _main_thread():
        _state["previous"] = signal.signal(signal.SIGINT, _note)
        _state["deferred"] = True


def resume(*, raise_pending: bool = True) -> None:
    """Let SIGINT raise again; an interrupt noted meanwhile is raised now (``raise_pending``)
    or dropped. When the work is over (not ``raise_pending``) in a process that holds
    interrupts after a commit, and a change was committed, SIGINT stays held."""
    if not raise_pending and _state["hold"] and _state["recorded"]:
        defer()
        _state["pending"] = False
        return
    if _state["deferred"] and _main_thread():
        previous = _state["previous"]
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)
        _state["deferred"], _state["previous"] = False, None
    pending, _state["pending"] = _state["pending"], False
    if pending and raise_pending:
        raise KeyboardInterrupt


def begin() -> None:
    """A new command begins in this process: nothing held, nothing counted yet."""
    _state["recorded"] = 0
    resume(raise_pending=False)


def hold_after_commit() -> None:
    """This process ends with its command: once a change is committed, hold SIGINT until it
    exits (see the module's text)."""
    _state["hold"] = True


def committed() -> None:
    """Count one change committed by this process."""
    _state["recorded"] += 1


def recorded() -> int:
    """How many changes this process has committed."""
    count: int = _state["recorded"]
    return count
