"""The services: start, fire, refusals, replay."""

from __future__ import annotations

import pytest

from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from tests.replay import replayed_matches
from thidua.workflow.errors import TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show


def _start(db: Database) -> int:
    return start_cycle(db, find("ccb-cluster-annual"), CLUSTER, 2023, actor=SECRETARY,
                       occurred_at="2023-01-05").cycle_id


def test_happy_path_reaches_closed(populated: Database) -> None:
    """The scripted year fires every step and ends in `closed`, and the ledger replays to it."""
    cycle_id = _start(populated)
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    view = show(populated, cycle_id)
    assert view.state == "closed"
    assert view.version == len(HAPPY_PATH) + 1
    assert replayed_matches(populated, cycle_id)


def test_refused_guard_lists_every_unit_and_changes_nothing(populated: Database) -> None:
    """Signing the compact before every member registered names the missing units."""
    cycle_id = _start(populated)
    for trigger, person, unit, inputs, reason in HAPPY_PATH[:3]:
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    before = show(populated, cycle_id)
    with pytest.raises(TransitionRefused) as refused:
        fire(populated, cycle_id, "sign_compact", actor=SECRETARY)
    assert refused.value.reasons == [
        "member units without registration: Bắc Giang, Bắc Ninh, Vĩnh Phúc"]
    assert show(populated, cycle_id) == before
