"""The crash tests' pause points are reached by a step, once each and in order, and never by
reading: quick checks that the statements they listen for are still the step's."""

from __future__ import annotations

from tests.cli.helpers import start
from tests.conftest import HEAD
from tests.stress import pause
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import history, list_cycles, show


def test_a_step_passes_each_pause_point_once_in_order(populated: Database) -> None:
    """A step on a cycle is read and locked, ledgered, written, then committed, each point
    once."""
    cycle_id = start(populated)
    seen: list[str] = []
    with pause.hooked(populated.engine, seen.append):
        fire(populated, cycle_id, "launch", actor=HEAD, inputs={"plan": "Kế hoạch 2023"})
    assert seen == [*pause.POINTS, *pause.COMMIT_POINTS]


def test_reading_a_cycle_reaches_no_pause_point(populated: Database) -> None:
    """Showing, listing and the history of a cycle read it without locking anything."""
    cycle_id = start(populated)
    seen: list[str] = []
    with pause.hooked(populated.engine, seen.append):
        show(populated, cycle_id)
        list_cycles(populated)
        history(populated, cycle_id)
    assert seen == []
