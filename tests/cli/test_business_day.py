"""One business day: `--at` is read, the rules judge and every view shows dates in the
database's time zone (Asia/Ho_Chi_Minh unless set otherwise), whatever TZ the process runs
under. Each test runs under TZ = Hà Nội, New York and UTC (the ``user_tz`` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from tests.cli.helpers import error, ok, parsed, start
from tests.conftest import CLUSTER, HAPPY_PATH, HEAD, SECRETARY, Invoke
from thidua.workflow.errors import TransitionRefused
from thidua.workflow.services import admin, demo, directory, identity, membership
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.report import cycle_report
from thidua.workflow.services.timetravel import state_at
from thidua.workflow.services.views import history

NEWCOMER, NEW_UNIT = "Người Phú Thọ", "Phú Thọ"


def _registration_open(db: Database) -> int:
    """Cluster 5's cycle open for registration on 20 January, and Phú Thọ joining on
    1 February with a person of its own."""
    cycle_id = start(db)
    fire(db, cycle_id, "launch", actor=HEAD, inputs={"plan": "Kế hoạch"}, occurred_at="2023-01-16")
    fire(db, cycle_id, "open_registration", actor=SECRETARY, occurred_at="2023-01-20")
    membership.add_member(db, CLUSTER, NEW_UNIT, dt.date(2023, 2, 1))
    directory.add_actor(db, NEWCOMER, unit_name=NEW_UNIT)
    return cycle_id


def test_a_unit_that_joined_on_a_day_acts_on_that_day(user_tz: str, cli: Invoke,
                                                      populated: Database) -> None:
    """A unit that joined on 1 February may register `--at 2023-02-01`, and `state-at` of
    that day lists it, as the day before does not."""
    cycle_id = _registration_open(populated)
    ok(cli("cycle", "fire", str(cycle_id), "register", "-i", "targets=x", "--as", NEWCOMER,
           "--at", "2023-02-01"))
    assert NEW_UNIT in parsed(cli("cycle", "state-at", str(cycle_id), "2023-02-01",
                                  json=True))["members"]
    assert NEW_UNIT not in parsed(cli("cycle", "state-at", str(cycle_id), "2023-01-31",
                                      json=True))["members"]


def test_a_step_the_day_before_it_joined_is_refused(user_tz: str, cli: Invoke,
                                                    populated: Database) -> None:
    """At 23:30 on 31 January (business time) the unit is not a member yet."""
    cycle_id = _registration_open(populated)
    message = error(cli("cycle", "fire", str(cycle_id), "register", "-i", "targets=x",
                        "--as", NEWCOMER, "--at", "2023-01-31T23:30"), 1)
    assert "holds none of the roles" in message


def test_half_past_midnight_is_that_day(user_tz: str, cli: Invoke, populated: Database) -> None:
    """`--at 2023-02-01T00:30` is business time: judged on 1 February, stored as the UTC
    instant, shown as 1 February."""
    cycle_id = _registration_open(populated)
    ok(cli("cycle", "fire", str(cycle_id), "register", "-i", "targets=x", "--as", NEWCOMER,
           "--at", "2023-02-01T00:30"))
    event = parsed(cli("cycle", "history", str(cycle_id), json=True))[-1]
    assert event["occurred_at"] == "2023-01-31T17:30:00.000000Z"
    assert ok(cli("cycle", "history", str(cycle_id))).splitlines()[-1].split()[1] == "2023-02-01"


def test_report_history_and_state_at_agree(user_tz: str, cli: Invoke,
                                           populated: Database) -> None:
    """Every step's date is the same in `report`, `history` and `state-at`, and is the date
    given with `--at`."""
    cycle_id = _registration_open(populated)
    ok(cli("cycle", "fire", str(cycle_id), "register", "-i", "targets=x", "--as", NEWCOMER,
           "--at", "2023-02-01T06:59"))
    rows = ok(cli("cycle", "history", str(cycle_id))).splitlines()[2:]
    shown = [row.split()[1] for row in rows]
    assert shown == ["2023-01-05", "2023-01-16", "2023-01-20", "2023-02-01"]
    report = parsed(cli("report", "cycle", str(cycle_id), json=True))
    assert [s["date"] for s in report["steps"]] == shown
    assert [t["entered"] for t in report["timeline"]] == shown[:3]
    assert "2023-01-05" in ok(cli("report", "cycle", str(cycle_id))).split("Timeline")[1]
    for event, day in zip(history(populated, cycle_id), shown, strict=True):
        assert state_at(populated, cycle_id, day).last_event == event["seq"]
        before = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        assert (state_at(populated, cycle_id, before).last_event or 0) < event["seq"]


def test_the_handover_takes_effect_on_its_business_day(user_tz: str,
                                                       populated: Database) -> None:
    """Units leave and join at the handover on its day in the business zone, not on the UTC
    date (the day before, for a handover in the morning in Hà Nội)."""
    cycle_id = start(populated)
    for day, (trigger, person, unit, inputs, reason) in enumerate(HAPPY_PATH, start=6):
        if trigger == "hand_over":
            break
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs,
             reason=reason, occurred_at=dt.date(2023, 1, day).isoformat())
    fire(populated, cycle_id, "hand_over", actor=HEAD, occurred_at="2023-02-01T06:00",
         inputs={"outgoing_head": "Bắc Ninh", "incoming_head": "Hà Nội",
                 "joining": [NEW_UNIT]})
    with populated.engine.connect() as conn:
        joined = conn.execute(text(
            "SELECT m.joined_on FROM memberships m JOIN units u ON u.id = m.unit_id "
            "WHERE u.name = :name"), {"name": NEW_UNIT}).scalar()
    assert joined == "2023-02-01"
    view = state_at(populated, cycle_id, "2023-02-01")
    assert NEW_UNIT in view.members and view.head == "Hà Nội"
    assert NEW_UNIT not in state_at(populated, cycle_id, "2023-01-31").members


def test_the_demo_dates_are_its_own(user_tz: str, db: Database) -> None:
    """The reference cycle's steps are dated as the demo gives them, whatever TZ, and the
    units leave at the handover on 29 June."""
    run = demo.run(db)
    dates = [s["date"] for s in cycle_report(db, run.cycle_id)["steps"]]
    assert dates == ["2023-01-05", *[step[0][:10] for step in demo.STEPS]]
    assert len(state_at(db, run.cycle_id, "2023-06-28").members) == 4
    assert state_at(db, run.cycle_id, "2023-06-29").members == [demo.HN]


def test_the_zone_is_shown_and_set(user_tz: str, cli: Invoke, populated: Database) -> None:
    """`db timezone` shows Asia/Ho_Chi_Minh, refuses an unknown zone (2), and sets another,
    in the ledger; dates are then read in it."""
    assert ok(cli("db", "timezone")).strip() == "Asia/Ho_Chi_Minh"
    assert "unknown time zone" in error(cli("db", "timezone", "Asia/Hanoi_City"), 2)
    assert "unknown time zone" in error(cli("db", "timezone", "../../etc/passwd"), 2)
    assert "was Asia/Ho_Chi_Minh" in ok(cli("db", "timezone", "UTC"))
    event = parsed(cli("audit", "log", json=True))[-1]
    assert (event["trigger"], event["inputs"]) == (
        "db_timezone", {"time_zone": "UTC", "before": "Asia/Ho_Chi_Minh"})
    assert "unchanged" in ok(cli("db", "timezone", "UTC"))
    ok(cli("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", SECRETARY,
           "--at", "2023-01-05"))
    assert parsed(cli("cycle", "history", "1", json=True))[0]["occurred_at"] == \
        "2023-01-05T00:00:00.000000Z"


def test_only_an_administrator_sets_the_zone(db_url: str, populated: Database) -> None:
    """Once an administrator exists, anyone else is refused (1) and nothing changes."""
    directory.add_actor(populated, "Quản trị", unit_name=None, login="admin")
    identity.grant(populated, "Quản trị", "administrator", cluster_name=None)
    other = Database(db_url, operator="someone")
    try:
        with pytest.raises(TransitionRefused):
            admin.set_time_zone(other, "UTC")
        assert admin.time_zone(other).time_zone == "Asia/Ho_Chi_Minh"
    finally:
        other.close()
    boss = Database(db_url, operator="admin")
    try:
        assert admin.set_time_zone(boss, "Asia/Bangkok").changed
        assert boss.zone.key == "Asia/Bangkok"
    finally:
        boss.close()


def test_audit_log_shows_times_in_the_business_zone(user_tz: str, cli: Invoke,
                                                    populated: Database) -> None:
    """`audit log` shows when each event was recorded in Hà Nội time."""
    event = parsed(cli("audit", "log", json=True))[-1]
    recorded = dt.datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
    expected = (recorded + dt.timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S")
    assert expected in ok(cli("audit", "log")).splitlines()[-1]
