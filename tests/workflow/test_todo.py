"""`todo` judges open cycles only, narrows to a cluster, and says what judging each cycle on
its own (show, then why) says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from thidua.workflow.errors import NotFound
from thidua.workflow.language.loader import find
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import list_cycles, show, todo, why

OTHER = "Cụm 6"
DAY = dt.date(2023, 4, 1)


def _one_by_one(db: Database, actor: str, today: dt.date) -> list[dict[str, Any]]:
    """What todo means: every cycle shown, the final ones left out, the rest judged."""
    rows = []
    for cycle_id in sorted(r["id"] for r in list_cycles(db)):
        view = show(db, cycle_id, today=today)
        if view.final:
            continue
        options = why(db, cycle_id, actor=actor, today=today)
        rows.append({"cycle": cycle_id, "cluster": view.cluster, "period": view.period,
                     "state": view.state, "due": view.due, "overdue": view.overdue,
                     "definition": view.definition, "draft": view.draft,
                     "ready": [o.trigger for o in options if o.allowed],
                     "blocked": {o.trigger: o.reasons for o in options
                                 if not o.allowed and o.role_held}})
    return rows


@pytest.fixture
def three_cycles(populated: Database) -> tuple[int, int, int]:
    """A closed cycle and an open one in Cluster 5, an open one in a second cluster."""
    annual = find("ccb-cluster-annual")
    closed = start_cycle(populated, annual, CLUSTER, 2023, actor=SECRETARY,
                         occurred_at="2023-01-05").cycle_id
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        fire(populated, closed, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    directory.add_cluster(populated, OTHER, members=["Hải Dương", "Hưng Yên"],
                          head="Hải Dương", deputy="Hưng Yên", period=2023,
                          joined_on=dt.date(2023, 1, 1))
    identity.grant(populated, SECRETARY, "secretariat", cluster_name=OTHER)
    other = start_cycle(populated, annual, OTHER, 2023, actor=SECRETARY,
                        occurred_at="2023-01-05").cycle_id
    directory.add_cluster(populated, "Cụm 7", members=["Nam Định"], head="Nam Định",
                          deputy=None, period=2023, joined_on=dt.date(2023, 1, 1))
    identity.grant(populated, SECRETARY, "secretariat", cluster_name="Cụm 7")
    third = start_cycle(populated, annual, "Cụm 7", 2023, actor=SECRETARY,
                        occurred_at="2023-01-05").cycle_id
    assert show(populated, closed).final
    return closed, other, third


def test_todo_leaves_out_closed_cycles_and_agrees_with_each_cycle_judged_alone(
        populated: Database, three_cycles: tuple[int, int, int]) -> None:
    """Final cycles are not listed; the open ones read as show and why say, cycle by cycle."""
    _, other, third = three_cycles
    rows = todo(populated, actor=SECRETARY, today=DAY)
    assert [r["cycle"] for r in rows] == [other, third]
    assert rows == _one_by_one(populated, SECRETARY, DAY)
    assert rows[0]["ready"] or rows[0]["blocked"]


def test_todo_narrows_to_one_cluster(populated: Database,
                                     three_cycles: tuple[int, int, int]) -> None:
    """--cluster keeps that cluster's open cycles (none for a cluster whose cycle is closed);
    a cluster that does not exist is not found, with the closest name suggested."""
    _, other, _ = three_cycles
    assert [r["cycle"] for r in todo(populated, actor=SECRETARY, cluster=OTHER)] == [other]
    assert todo(populated, actor=SECRETARY, cluster=CLUSTER) == []
    with pytest.raises(NotFound, match="Cụm 6"):
        todo(populated, actor=SECRETARY, cluster="Cụm 66")
