"""The auditor's replay of the directory: every administrative event a service records, and
every action a step may run, has its handler (a new one cannot be forgotten); and what the
services write, the replay gives back exactly, grants revoked on the business day included."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from tests.cli.helpers import start
from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from tests.workflow.test_year import run_year
from thidua.store import records
from thidua.workflow.audit import directory_replay
from thidua.workflow.audit.verify import verify
from thidua.workflow.errors import IntegrityFailure
from thidua.workflow.rules.library import ACTIONS
from thidua.workflow.services import identity, membership
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database, record

WORKFLOW = Path(__file__).resolve().parents[2] / "workflow"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_record(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "record")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "record"))


def _passed(tree: ast.Module, function: ast.FunctionDef, parameter: str) -> list[ast.expr]:
    """What the calls of ``function`` in the module pass for its ``parameter``."""
    position = [a.arg for a in function.args.args].index(parameter)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == function.name:
            given = _keyword(node, parameter)
            found.append(given if given is not None else node.args[position])
    return found


def recorded_triggers(path: Path) -> tuple[set[tuple[str, str]], list[str]]:
    """(kind, trigger) of every ``record(...)`` call in the module at ``path`` whose kind is
    ``admin`` or ``definition``; a trigger passed in by the enclosing function is looked up in
    that function's callers. Also the calls whose trigger cannot be told (file:line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    unknown: list[str] = []
    for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        for call in [n for n in ast.walk(function) if _is_record(n)]:
            assert isinstance(call, ast.Call)
            kind, trigger = _keyword(call, "kind"), _keyword(call, "trigger")
            if not isinstance(kind, ast.Constant) or kind.value not in ("admin", "definition"):
                continue
            given = [trigger]
            if isinstance(trigger, ast.Name) and trigger.id in [a.arg for a in
                                                                function.args.args]:
                given = _passed(tree, function, trigger.id)
            for value in given:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add((kind.value, value.value))
                else:
                    unknown.append(f"{path.name}:{call.lineno}")
    return found, unknown


def test_every_recorded_administrative_event_has_a_replay_handler() -> None:
    """Each admin (and definition) trigger a service (or any workflow module) records has a
    handler in workflow/audit/directory_replay.py: a new event without one fails here."""
    found: set[tuple[str, str]] = set()
    unknown: list[str] = []
    for path in sorted(WORKFLOW.rglob("*.py")):
        triggers, unclear = recorded_triggers(path)
        found |= triggers
        unknown += unclear
    assert unknown == [], "record(...) calls whose trigger is not a literal the test can read"
    handled = {"admin": directory_replay.ADMIN, "definition": directory_replay.DEFINITION}
    assert sorted(f"{k} {t}" for k, t in found if t not in handled[k]) == []
    assert {"cluster_add", "member_add", "member_leave", "actor_revoke"} <= {
        t for k, t in found if k == "admin"}  # literals and triggers passed in are both seen


def test_the_scanner_finds_an_event_without_a_handler(tmp_path: Path) -> None:
    """A module recording an admin trigger the replay does not know, directly or through a
    helper, is seen (so the test above can fail); a trigger it cannot read is reported."""
    module = tmp_path / "people.py"
    module.write_text(
        "def disable(db, name):\n"
        "    record(session, db, kind='admin', trigger='unit_dissolve', actor=name)\n"
        "def _change(db, trigger, name):\n"
        "    record(session, db, kind='admin', trigger=trigger, actor=name)\n"
        "def login(db, name):\n"
        "    _change(db, 'unit_rename', name)\n"
        "def odd(db, name):\n"
        "    record(session, db, kind='admin', trigger=name.upper(), actor=name)\n",
        encoding="utf-8")
    found, unknown = recorded_triggers(module)
    assert found == {("admin", "unit_dissolve"), ("admin", "unit_rename")}
    assert not {t for _, t in found} & set(directory_replay.ADMIN)
    assert unknown == ["people.py:8"]


def test_every_action_of_the_library_has_a_replay_handler() -> None:
    """Each action a definition may run from a step (the handover) has a replay handler."""
    assert set(ACTIONS) == set(directory_replay.ACTIONS)


# --- what the services write, the replay gives back --------------------------------------

def test_a_whole_year_with_a_handover_that_changes_members_replays(populated: Database) -> None:
    """The handover's joins, leaves and change of head, and a merger into a new unit, replay
    to exactly what was stored."""
    steps = [s if s[0] != "hand_over" else
             ("hand_over", s[1], None, {**s[3], "joining": ["Phú Thọ"],
                                        "leaving": ["Bắc Giang"]}, None)
             for s in HAPPY_PATH]
    cut = next(i for i, s in enumerate(steps) if s[0] == "hand_over") + 1
    run_year(populated, steps=steps[:cut])
    membership.merge(populated, "Vĩnh Phúc", "Hội CCB tỉnh Phú Thọ", dt.date(2025, 7, 1))
    done = verify(populated)
    assert (done.replayed, done.cycles) == (True, 1)
    assert done.directory_rows > 21


def test_a_revoked_grant_replays_on_the_business_day(populated: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A revocation at 20:00 UTC is dated the next day, the offices' (UTC+7); the event
    carries that date and the replay gives it back."""
    late = dt.datetime(2024, 3, 1, 20, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(identity, "now", lambda: late)
    identity.revoke(populated, SECRETARY, "secretariat", cluster_name=CLUSTER, period=None)
    with populated.engine.connect() as conn:
        revoked = [r.revoked_on for r in records.directory(conn, "grants") if r.revoked_on]
    assert revoked == ["2024-03-02"]
    verify(populated)


def _legacy_revoke(db: Database) -> dt.datetime:
    """A revocation as older versions recorded it: no date in the event; its instant."""
    with db.transaction() as session:
        row = record(session, db, kind="admin", trigger="actor_revoke", actor=SECRETARY,
                     inputs={"name": "Hội đồng", "role": "council", "cluster": CLUSTER,
                             "period": None})
    return dt.datetime.fromisoformat(row.at.replace("Z", "+00:00"))


@pytest.mark.parametrize(("hours", "days", "holds"), [
    (-12, 0, True), (14, 0, True), (-12, -1, False), (14, 1, False)])
def test_an_older_revocation_replays_within_a_day_of_its_instant(
        populated: Database, hours: int, days: int, holds: bool) -> None:
    """An older event gives no date: the date stored must be one an office somewhere had at
    the event's instant (UTC-12 to UTC+14: the machine's zone made it), and no other."""
    from sqlalchemy import text

    at = _legacy_revoke(populated)
    day = ((at + dt.timedelta(hours=hours)).date() + dt.timedelta(days=days)).isoformat()
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE grants SET revoked_on = :on WHERE role = 'council'"),
                     {"on": day})
    if holds:
        verify(populated)
        return
    with pytest.raises(IntegrityFailure, match=f"grants council for Hội đồng in {CLUSTER}: "
                                               f"revoked_on is '{day}', the ledger gives a "
                                               "date from"):
        verify(populated)


def test_unknown_administrative_event_is_named(populated: Database) -> None:
    """An admin event this version does not know cannot be replayed: exit 4 naming it."""
    with populated.transaction() as session:
        seq = record(session, populated, kind="admin", trigger="actor_rename",
                     actor=SECRETARY).seq
    with pytest.raises(IntegrityFailure, match=f"event {seq}: admin event 'actor_rename' is "
                                               "unknown to this version of thidua"):
        verify(populated)
    assert not verify(populated, fast=True).replayed


def test_the_replay_reads_in_small_batches(populated: Database,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With batches of two rows, every cycle and directory event is still read once: the
    same verdict, and a forgery in a later cycle is found."""
    first = start(populated)
    second = start(populated, period=2024)
    for cycle_id in (first, second):
        fire(populated, cycle_id, "launch", actor=SECRETARY, inputs={"plan": "Kế hoạch"})
    monkeypatch.setattr(records, "BATCH", 2)
    assert verify(populated).cycles == 2
    from sqlalchemy import text

    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET version = 7 WHERE id = :id"), {"id": second})
    with pytest.raises(IntegrityFailure, match=f"cycles {second}: version is 7, the ledger "
                                               "gives 2"):
        verify(populated)


def test_a_step_taken_while_verifying_is_neither_waited_for_nor_a_divergence(
        populated: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step committed after the replay read a cycle's events and before it read the cycle's
    row: the replay reads one snapshot, so it sees neither, and the step was not held up."""
    cycle_id = start(populated)
    events_by_cycle = records.events_by_cycle
    fired = []

    def meanwhile(conn: object) -> object:
        for n, row in enumerate(events_by_cycle(conn)):  # type: ignore[arg-type]
            if n == 0:
                fired.append(fire(populated, cycle_id, "launch", actor=SECRETARY,
                                  inputs={"plan": "Kế hoạch"}).seq)
            yield row

    monkeypatch.setattr(records, "events_by_cycle", meanwhile)
    done = verify(populated)
    assert fired and done.head_seq == fired[0] - 1 and done.cycles == 1
    monkeypatch.undo()
    assert verify(populated).head_seq == fired[0]


def test_people_disabled_logins_changed_and_delegations_revoked_replay(
        populated: Database) -> None:
    """A login changed, a delegation given then revoked, a person disabled and the business
    zone changed: the replay gives every row back; a forged date of disabling is named."""
    from sqlalchemy import text

    from thidua.workflow.services import directory
    from thidua.workflow.services.admin import set_time_zone

    directory.change_login(populated, SECRETARY, "thu-ky")
    identity.delegate(populated, SECRETARY, "van-thu")
    identity.delegate(populated, SECRETARY, "van-thu", revoke=True)
    directory.disable_actor(populated, "Hội đồng")
    set_time_zone(populated, "Asia/Bangkok")
    done = verify(populated)
    assert done.replayed
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE actors SET disabled_on = '2020-01-01' WHERE name = 'Hội đồng'"))
    with pytest.raises(IntegrityFailure, match="actors Hội đồng: disabled_on"):
        verify(populated)
