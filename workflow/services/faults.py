"""A test-only pause inside a step's transaction, so that crash tests can kill a process there.

Setting ``THIDUA_PAUSE_AT`` to a point's name makes the process announce
``THIDUA_PAUSED <name>`` on standard error and sleep there until it is killed. Unset (always,
outside tests), a checkpoint costs one environment lookup.
"""

from __future__ import annotations

import os
import sys
import time

POINTS = ("locked", "written", "ledgered")


def checkpoint(name: str) -> None:
    """Pause here when the test environment asks for it."""
    if os.environ.get("THIDUA_PAUSE_AT") == name:
        print(f"THIDUA_PAUSED {name}", file=sys.stderr, flush=True)
        time.sleep(3600)
