"""Time travel: a cycle rebuilt from its ledger as it stood on any date.

The property: whatever the steps and their dates, `state_at` today is the stored cycle, and on
every past date it agrees with `history` (the state entered by the last step taken by then,
the version, the last event, when that state was entered)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from tests.copies import fresh_copy, populated_template
from thidua.workflow.errors import IntegrityFailure, NotFound, TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.timetravel import cluster_state_at, cutoff, state_at
from thidua.workflow.services.views import history, show
from thidua.workflow.timeutil import parse_stored

LOADED = find("ccb-cluster-annual")
START = dt.datetime(2023, 1, 5, 9, 0)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema and Cluster 5's people, copied for each example."""
    return populated_template(tmp_path_factory.mktemp("timetravel"))


def _year(db: Database, steps: int, gaps: list[int]) -> tuple[int, dt.datetime]:
    """Start the 2023 cycle and take the first ``steps`` scripted steps, ``gaps[i]`` hours
    apart; return the cycle and the moment of its last step."""
    moment = START
    cycle_id = start_cycle(db, LOADED, CLUSTER, 2023, actor=SECRETARY,
                           occurred_at=moment.isoformat()).cycle_id
    for (trigger, person, unit, inputs, reason), gap in zip(HAPPY_PATH[:steps], gaps,
                                                            strict=False):
        moment += dt.timedelta(hours=gap)
        try:
            fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason,
                 occurred_at=moment.isoformat())
        except TransitionRefused:  # a guard on the calendar (e.g. a due date): skip it
            continue
    return cycle_id, moment


def _expected(events: list[dict[str, Any]], date: str, zone: dt.tzinfo) -> dict[str, Any]:
    """What `history` says the cycle was at the end of ``date`` (a day in ``zone``)."""
    until = cutoff(date, zone)[0]
    taken = [e for e in events if parse_stored(e["occurred_at"]) < until]
    steps = [e for e in taken if e["kind"] in ("start", "fire", "migrate")]
    entered = [e for e in taken if e["kind"] == "start" or e["to"] != e["from"]]
    return {"state": steps[-1]["to"] if steps else None, "version": len(steps),
            "last_event": taken[-1]["seq"] if taken else None,
            "since": entered[-1]["occurred_at"] if entered else None}


@settings(max_examples=15, deadline=None)
@given(steps=st.integers(0, len(HAPPY_PATH)),
       gaps=st.lists(st.sampled_from([0, 0, 1, 5, 24, 30, 24 * 9]), min_size=len(HAPPY_PATH),
                     max_size=len(HAPPY_PATH)),
       offsets=st.lists(st.integers(-3, 24 * 40), min_size=1, max_size=6))
def test_state_at_agrees_with_the_stored_cycle_and_with_history(
        template: Path, steps: int, gaps: list[int], offsets: list[int]) -> None:
    """Today: the stored state, version and facts. Any past date: what history says."""
    with fresh_copy(template) as db:
        cycle_id, last = _year(db, steps, gaps)
        stored = show(db, cycle_id)
        today = state_at(db, cycle_id, dt.date.today().isoformat())
        assert (today.state, today.version, today.facts) == (
            stored.state, stored.version, stored.facts)
        events = history(db, cycle_id)
        for hours in offsets:
            date = (START + (last - START) * (hours / (24 * 40))
                    + dt.timedelta(days=hours // 24 % 3)).date().isoformat()
            view = state_at(db, cycle_id, date)
            expected = _expected(events, date, db.zone)
            assert {"state": view.state, "version": view.version,
                    "last_event": view.last_event, "since": view.since} == expected, date
            assert view.started == (expected["state"] is not None)


@pytest.fixture
def year(populated: Database) -> int:
    """Cluster 5's 2023 cycle, a step every other day up to the mid-year review."""
    cycle_id, _ = _year(populated, 12, [48] * 12)
    return cycle_id


def test_a_date_counts_to_its_end_a_moment_up_to_itself(populated: Database, year: int) -> None:
    """`2023-01-07` includes the step of 7 January at 09:00; `2023-01-07T08:59` does not."""
    assert state_at(populated, year, "2023-01-07").state == "launched"
    assert state_at(populated, year, "2023-01-07T08:59").state == "constituted"
    assert state_at(populated, year, "2023-01-07T09:00").state == "launched"


def test_days_in_state_run_to_the_end_of_the_date(populated: Database, year: int) -> None:
    """On 8 January the cycle had been launched since 7 January 09:00: 1.625 days."""
    view = state_at(populated, year, "2023-01-08")
    assert (view.state, view.days_in_state) == ("launched", round(39 / 24, 2))


def test_before_the_start_there_is_no_state(populated: Database, year: int) -> None:
    """Before its start event the cycle has no state, version 0, no facts."""
    view = state_at(populated, year, "2023-01-04")
    assert (view.started, view.state, view.version, view.facts, view.last_event) == (
        False, None, 0, {}, None)


def test_cluster_state_at_lists_each_cycle(populated: Database, year: int) -> None:
    """Every cycle of the cluster and year, with the members on that date."""
    views = cluster_state_at(populated, CLUSTER, 2023, "2023-01-09")
    assert [(v.cycle_id, v.state) for v in views] == [(year, "registration_open")]
    assert len(views[0].members) == 4
    with pytest.raises(NotFound):
        cluster_state_at(populated, CLUSTER, 2030, "2023-01-09")
    with pytest.raises(NotFound):
        cluster_state_at(populated, "Cụm 99", 2023, "2023-01-09")


def test_an_altered_event_is_not_replayed(populated: Database, year: int) -> None:
    """An event of the cycle that no longer hashes to its hash stops the rebuild (exit 4)."""
    with populated.engine.begin() as conn:
        on = " ON ledger" if populated.engine.dialect.name == "postgresql" else ""
        conn.execute(text(f"DROP TRIGGER ledger_no_update{on}"))
        seq = conn.execute(text("SELECT seq FROM ledger WHERE trigger = 'launch'")).scalar()
        conn.execute(text("UPDATE ledger SET actor = 'Kẻ gian' WHERE seq = :seq"), {"seq": seq})
    with pytest.raises(IntegrityFailure) as failure:
        state_at(populated, year, "2023-12-31")
    assert (failure.value.seq, failure.value.exit_code) == (seq, 4)
