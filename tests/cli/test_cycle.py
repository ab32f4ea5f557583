"""``thidua cycle``: start, list, show, fire, why, history — success and every refusal."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.cli.helpers import (
    START_AT,
    advance,
    error,
    input_args,
    invoke,
    ok,
    parsed,
    plain_error,
    snapshot,
    start,
)
from tests.conftest import (
    AUDITOR,
    CLUSTER,
    COUNCIL,
    HAPPY_PATH,
    HEAD,
    MEMBER,
    SECRETARY,
    UNITS,
    Invoke,
)
from thidua.workflow.language.loader import find
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

START = ("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", SECRETARY)


@pytest.fixture
def cycle(populated: Database) -> int:
    """Cluster 5's 2023 cycle, just started (state constituted, version 1)."""
    return start(populated)


@pytest.fixture
def registering(populated: Database, cycle: int) -> int:
    """The cycle in registration_open, with only Hà Nội registered."""
    advance(populated, cycle, until="register", occurrence=2)
    return cycle


# --- start ---------------------------------------------------------------------------------

def test_start(populated: Database, cli: Invoke) -> None:
    """`cycle start` opens the cycle in its initial state at version 1."""
    out = ok(cli(*START, "--at", START_AT))
    assert out.startswith("cycle 1: start: - -> constituted (version 1, event ")
    rows = parsed(cli("cycle", "list", json=True))
    assert [(r["cluster"], r["period"], r["state"], r["version"]) for r in rows] == [
        (CLUSTER, 2023, "constituted", 1)]


def test_start_json(populated: Database, cli: Invoke) -> None:
    """`--json cycle start` prints the outcome as JSON."""
    fired = parsed(cli(*START, json=True))
    assert {k: fired[k] for k in ("cycle_id", "trigger", "from_state", "to_state", "version",
                                  "repeated")} == {
        "cycle_id": 1, "trigger": "start", "from_state": None, "to_state": "constituted",
        "version": 1, "repeated": False}
    assert fired["seq"] == parsed(cli("audit", "log", json=True))[-1]["seq"]


def test_start_from_definition_file_is_refused(populated: Database, cli: Invoke) -> None:
    """`--definition FILE` is refused (exit 2) with the way to try a draft; nothing starts."""
    from thidua.workflow.language.loader import shipped_dir

    before = parsed(cli("audit", "log", json=True))
    path = str(shipped_dir() / "ccb-cluster-annual.yaml")
    message = plain_error(cli(*START, "--definition", path), 2)
    assert "is a file: a cycle starts on a published or shipped version" in message
    assert "thidua def test FILE" in message and "--draft FILE" in message
    assert parsed(cli("cycle", "list", json=True)) == []
    assert parsed(cli("audit", "log", json=True)) == before


def test_start_unknown_cluster(populated: Database, cli: Invoke) -> None:
    """An unknown cluster is not found (exit 5)."""
    message = plain_error(cli("cycle", "start", "-c", "Cụm 99", "-p", "2023", "--as", SECRETARY),
                          5)
    assert "no cluster 'Cụm 99'" in message


def test_start_unknown_person(populated: Database, cli: Invoke) -> None:
    """An unknown --as is not found (exit 5)."""
    message = plain_error(cli("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", "Không Ai"),
                          5)
    assert "no person 'Không Ai'" in message


def test_start_without_role(populated: Database, cli: Invoke) -> None:
    """A person without a starting role is refused (exit 1) and nothing is recorded."""
    before = parsed(cli("audit", "log", json=True))
    person = MEMBER["Hà Nội"]
    message = plain_error(cli("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", person), 1)
    assert f"{person} holds none of the roles secretariat, cluster_head in {CLUSTER} 2023" in (
        message)
    assert parsed(cli("cycle", "list", json=True)) == []
    assert parsed(cli("audit", "log", json=True)) == before


def test_start_twice(populated: Database, cli: Invoke, cycle: int) -> None:
    """A second cycle for the same cluster and year is refused (exit 1)."""
    before = parsed(cli("audit", "log", json=True))
    message = plain_error(cli(*START), 1)
    assert f"{CLUSTER} already has cycle {cycle} of ccb-cluster-annual for 2023" in message
    assert len(parsed(cli("cycle", "list", json=True))) == 1
    assert parsed(cli("audit", "log", json=True)) == before


def test_start_another_year(populated: Database, cli: Invoke, cycle: int) -> None:
    """Another year of the same cluster is a new cycle."""
    assert "cycle 2: start" in ok(cli("cycle", "start", "-c", CLUSTER, "-p", "2024",
                                      "--as", SECRETARY))


@pytest.mark.parametrize(("args", "code", "needle"), [
    (("-p", "1800"), 2, "period 1800 is not an emulation year"),
    (("-p", "2023", "--at", "2199-01-01"), 2, "is in the future"),
    (("-p", "2023", "--at", "someday"), 2, "'someday' is not a date"),
    (("-p", "2023", "-d", "no-such-definition"), 5, "'no-such-definition'"),
])
def test_start_bad_input(populated: Database, cli: Invoke, args: tuple[str, ...], code: int,
                         needle: str) -> None:
    """A bad period, date or definition is refused with its exit code; nothing is started."""
    message = plain_error(cli("cycle", "start", "-c", CLUSTER, "--as", SECRETARY, *args), code)
    assert needle in message
    assert parsed(cli("cycle", "list", json=True)) == []


def test_start_missing_options(cli: Invoke) -> None:
    """`cycle start` without --cluster is a usage error (exit 2)."""
    assert "--cluster" in error(cli("cycle", "start", "-p", "2023"), 2)


def test_start_without_as_and_no_login(populated: Database, cli: Invoke) -> None:
    """Without --as and no person for the operator's login, the message asks for --as (2)."""
    message = plain_error(cli("cycle", "start", "-c", CLUSTER, "-p", "2023"), 2)
    assert "--as NAME" in message


def test_start_request_id_repeated(populated: Database, cli: Invoke) -> None:
    """A repeated `cycle start --request-id` returns the first cycle and records nothing new."""
    ok(cli(*START, "--request-id", "start-1"))
    before = parsed(cli("audit", "log", json=True))
    assert "(already recorded by this request id)" in ok(cli(*START, "--request-id", "start-1"))
    assert parsed(cli("audit", "log", json=True)) == before


def test_start_request_id_reused_for_another_cluster(populated: Database, cli: Invoke) -> None:
    """A request id reused to start another cluster's cycle is refused (2), not 'repeated'."""
    directory.add_cluster(populated, "Cụm 6", members=["Hải Dương"], head=None, deputy=None,
                          period=2023, joined_on=dt.date(2023, 1, 1))
    ok(cli(*START, "--request-id", "start-1"))
    message = plain_error(cli("cycle", "start", "-c", "Cụm 6", "-p", "2023", "--as", SECRETARY,
                              "--request-id", "start-1"), 2)
    assert "start-1" in message


# --- list ----------------------------------------------------------------------------------

@pytest.fixture
def three(populated: Database, cycle: int) -> list[int]:
    """Three cycles: Cụm 5 2023 in registration_open, Cụm 5 2024 and Cụm 6 2023 constituted."""
    advance(populated, cycle, until="register")
    second = start(populated, period=2024)
    directory.add_cluster(populated, "Cụm 6", members=["Hải Dương"], head=None, deputy=None,
                          period=2023, joined_on=dt.date(2023, 1, 1))
    identity.grant(populated, SECRETARY, "secretariat", cluster_name="Cụm 6")
    from thidua.workflow.language.loader import find
    from thidua.workflow.services.cycles import start_cycle

    third = start_cycle(populated, find("ccb-cluster-annual"), "Cụm 6", 2023,
                        actor=SECRETARY).cycle_id
    return [cycle, second, third]


def test_list_text(cli: Invoke, three: list[int]) -> None:
    """`cycle list` shows every cycle, newest first, in a table."""
    lines = ok(cli("cycle", "list")).splitlines()
    assert lines[0].split() == ["id", "cluster", "period", "state", "version", "definition"]
    assert [line.split()[0] for line in lines[2:]] == ["3", "2", "1"]
    assert "registration_open" in lines[4]


@pytest.mark.parametrize(("filters", "expected"), [
    ((), [3, 2, 1]),
    (("--state", "constituted"), [3, 2]),
    (("--state", "registration_open"), [1]),
    (("--cluster", CLUSTER), [2, 1]),
    (("--cluster", "Cụm 6"), [3]),
    (("--period", "2023"), [3, 1]),
    (("--cluster", CLUSTER, "--period", "2023"), [1]),
    (("--state", "closed"), []),
])
def test_list_filters(cli: Invoke, three: list[int], filters: tuple[str, ...],
                      expected: list[int]) -> None:
    """`cycle list` filters by state, cluster and period, alone and together."""
    rows = parsed(cli("cycle", "list", *filters, json=True))
    assert [r["id"] for r in rows] == expected


def test_list_json_fields(cli: Invoke, three: list[int]) -> None:
    """`--json cycle list` rows carry id, cluster, period, state, version, definition and
    whether that definition is a draft."""
    row = parsed(cli("cycle", "list", "--state", "registration_open", json=True))[0]
    assert row == {"id": 1, "cluster": CLUSTER, "period": 2023, "state": "registration_open",
                   "version": 3, "definition": "ccb-cluster-annual@2023.1", "draft": False}


def test_list_empty(cli: Invoke) -> None:
    """With no cycles, `cycle list` exits 0 with only the header (JSON: [])."""
    assert len(ok(cli("cycle", "list")).splitlines()) == 2
    assert parsed(cli("cycle", "list", json=True)) == []


# --- show ----------------------------------------------------------------------------------

def test_show_text(cli: Invoke, registering: int) -> None:
    """`cycle show` prints state with its English label, version, due date and members."""
    out = ok(cli("cycle", "show", str(registering)))
    assert f"cluster     {CLUSTER}" in out
    assert "state       registration_open — Registration open" in out
    assert "version     4" in out
    assert "due         2023-03-31" in out
    assert "OVERDUE" in out  # 31 March 2023 has passed
    for unit in UNITS:
        assert unit in out
    assert "facts       plan, registration" in out


def test_show_in_vietnamese(db_url: str, registering: int) -> None:
    """With --lang vi the state's label is Vietnamese."""
    from click.testing import CliRunner

    from thidua.cli.main import root

    result = CliRunner().invoke(root, ["--db", db_url, "--lang", "vi", "cycle", "show",
                                       str(registering)], catch_exceptions=False)
    assert "registration_open — Đăng ký thi đua" in ok(result)


def test_show_json(cli: Invoke, registering: int) -> None:
    """`--json cycle show` is valid JSON with id, state, version, due, overdue, facts, members."""
    view = parsed(cli("cycle", "show", str(registering), json=True))
    assert set(view) >= {"id", "state", "version", "due", "overdue", "facts", "members"}
    assert view["id"] == registering
    assert view["state"] == "registration_open"
    assert view["version"] == 4
    assert view["due"] == "2023-03-31"
    assert view["overdue"] is True
    assert sorted(view["members"]) == sorted(UNITS)
    assert list(view["facts"]["registration"]) == ["Hà Nội"]


def test_show_unknown(cli: Invoke) -> None:
    """An unknown cycle is not found (exit 5)."""
    assert "no cycle 42" in plain_error(cli("cycle", "show", "42"), 5)


def test_show_not_a_number(cli: Invoke) -> None:
    """A cycle id that is not a number is a usage error (exit 2)."""
    assert "CYCLE_ID" in error(cli("cycle", "show", "one"), 2)


# --- fire: success -------------------------------------------------------------------------

def test_fire(cli: Invoke, cycle: int) -> None:
    """`cycle fire` takes the step, bumps the version and appends one ledger event."""
    _, _, events = snapshot(cli, cycle)
    out = ok(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=Kế hoạch", "--as", HEAD))
    assert out.startswith(f"cycle {cycle}: launch: constituted -> launched (version 2, event ")
    assert snapshot(cli, cycle) == ("launched", 2, events + 1)
    last = parsed(cli("audit", "log", "--limit", "1", json=True))[0]
    assert (last["trigger"], last["actor"], last["inputs"]) == ("launch", HEAD,
                                                                {"plan": "Kế hoạch"})


def test_fire_json(cli: Invoke, cycle: int) -> None:
    """`--json cycle fire` prints the outcome as JSON."""
    fired = parsed(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD,
                       json=True))
    assert fired["to_state"] == "launched"
    assert fired["version"] == 2
    assert fired["repeated"] is False


def test_fire_whole_year(populated: Database, cli: Invoke, cycle: int) -> None:
    """Every step of the happy path, entered through the CLI, brings the cycle to closed."""
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        typed = input_args(inputs)
        if typed is None:  # attachments are set up through the library
            fire(populated, cycle, trigger, actor=person, unit=unit, inputs=inputs,
                 reason=reason)
            continue
        args = ["cycle", "fire", str(cycle), trigger, "--as", person, *typed]
        args += (["--unit", unit] if unit else []) + (["--reason", reason] if reason else [])
        ok(cli(*args))
    view = parsed(cli("cycle", "show", str(cycle), json=True))
    assert (view["state"], view["version"]) == ("closed", len(HAPPY_PATH) + 1)
    assert view["overdue"] is False
    assert "ledger intact" in ok(cli("audit", "verify"))


def test_fire_dated(cli: Invoke, cycle: int) -> None:
    """`--at` dates the step; the history shows that date."""
    ok(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD,
           "--at", "2023-01-16"))
    events = parsed(cli("cycle", "history", str(cycle), json=True))
    assert events[-1]["occurred_at"].startswith("2023-01-1")


def test_fire_without_as_uses_the_login(populated: Database, cli: Invoke, cycle: int) -> None:
    """Without --as the person registered with the operator's login acts; both are ledgered."""
    ok(cli("actor", "add", "Thư ký", "--unit", "Bắc Ninh", "--login", populated.operator))
    ok(cli("actor", "grant", "Thư ký", "secretariat", "--cluster", CLUSTER))
    ok(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x"))
    last = parsed(cli("audit", "log", "--limit", "1", json=True))[0]
    assert (last["actor"], last["operator"]) == ("Thư ký", populated.operator)


# --- fire: refusals ------------------------------------------------------------------------

def test_fire_unknown_trigger(cli: Invoke, cycle: int) -> None:
    """An unknown trigger is bad input (exit 2), naming the known ones; nothing changes."""
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "fly", "--as", HEAD), 2)
    assert "unknown trigger 'fly'" in message
    assert "launch" in message
    assert snapshot(cli, cycle) == before


def test_fire_unknown_cycle(populated: Database, cli: Invoke) -> None:
    """Firing in a cycle that does not exist is not found (exit 5)."""
    assert "no cycle 42" in plain_error(cli("cycle", "fire", "42", "launch", "-i", "plan=x",
                                            "--as", HEAD), 5)


def test_fire_unknown_person(cli: Invoke, cycle: int) -> None:
    """An unknown --as is not found (exit 5); nothing changes."""
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x",
                              "--as", "Không Ai"), 5)
    assert "no person 'Không Ai'" in message
    assert snapshot(cli, cycle) == before


def test_fire_not_from_this_state(cli: Invoke, cycle: int) -> None:
    """A trigger of another state is refused by the rules (exit 1); nothing changes."""
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "sign_compact", "--as", HEAD), 1)
    assert "sign_compact cannot be fired from state 'constituted'" in message
    assert snapshot(cli, cycle) == before


def test_fire_guard_refusal(cli: Invoke, registering: int) -> None:
    """Signing the compact before all registered is refused (1), naming the units; no change."""
    before = snapshot(cli, registering)
    message = plain_error(cli("cycle", "fire", str(registering), "sign_compact", "--as", HEAD), 1)
    assert message == ("Error: sign_compact refused: member units without registration: "
                       "Bắc Giang, Bắc Ninh, Vĩnh Phúc")
    assert snapshot(cli, registering) == before


def test_fire_wrong_role(cli: Invoke, cycle: int) -> None:
    """A member unit's person cannot launch (exit 1); nothing changes."""
    before = snapshot(cli, cycle)
    person = MEMBER["Hà Nội"]
    message = plain_error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x",
                              "--as", person), 1)
    assert f"{person} holds none of the roles cluster_head, secretariat in {CLUSTER} 2023" in (
        message)
    assert snapshot(cli, cycle) == before


def test_fire_auditor_changes_nothing(cli: Invoke, cycle: int) -> None:
    """The auditor may read but not launch (exit 1)."""
    before = snapshot(cli, cycle)
    plain_error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", AUDITOR), 1)
    assert snapshot(cli, cycle) == before


def test_fire_for_another_unit(cli: Invoke, registering: int) -> None:
    """A member unit may not record for another unit (exit 1); nothing changes."""
    before = snapshot(cli, registering)
    person = MEMBER["Vĩnh Phúc"]
    message = plain_error(cli("cycle", "fire", str(registering), "register", "--unit",
                              "Bắc Giang", "-i", "targets=x", "--as", person), 1)
    assert "only for their own unit (Vĩnh Phúc), not for Bắc Giang" in message
    assert snapshot(cli, registering) == before


def test_fire_for_a_unit_outside_the_cluster(cli: Invoke, registering: int) -> None:
    """The secretariat cannot record for a unit that is not a member (exit 1)."""
    message = plain_error(cli("cycle", "fire", str(registering), "register", "--unit",
                              "Atlantis", "-i", "targets=x", "--as", SECRETARY), 1)
    assert f"Atlantis is not a member unit of {CLUSTER}" in message


def test_fire_per_unit_twice(cli: Invoke, registering: int) -> None:
    """A unit registering a second time is refused (exit 1); nothing changes."""
    before = snapshot(cli, registering)
    message = plain_error(cli("cycle", "fire", str(registering), "register", "-i", "targets=y",
                              "--as", MEMBER["Hà Nội"]), 1)
    assert "Hà Nội has already recorded registration" in message
    assert snapshot(cli, registering) == before


def test_fire_secretariat_for_a_unit(cli: Invoke, registering: int) -> None:
    """The secretariat may record for a member unit named with --unit."""
    ok(cli("cycle", "fire", str(registering), "register", "--unit", "Bắc Giang",
           "-i", "targets=x", "--as", SECRETARY))
    view = parsed(cli("cycle", "show", str(registering), json=True))
    assert sorted(view["facts"]["registration"]) == ["Bắc Giang", "Hà Nội"]


def test_fire_missing_input(cli: Invoke, cycle: int) -> None:
    """A missing required input is bad input (exit 2); nothing changes."""
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "launch", "--as", HEAD), 2)
    assert "missing input 'plan'" in message
    assert snapshot(cli, cycle) == before


@pytest.mark.parametrize(("inputs", "needle"), [
    (("-i", "plan=x", "-i", "colour=red"), "unknown input 'colour'"),
    (("-i", "plan=   "), "'plan'"),
])
def test_fire_bad_inputs(cli: Invoke, cycle: int, inputs: tuple[str, ...], needle: str) -> None:
    """Unknown or blank inputs are bad input (exit 2); nothing changes."""
    before = snapshot(cli, cycle)
    assert needle in plain_error(cli("cycle", "fire", str(cycle), "launch", *inputs,
                                     "--as", HEAD), 2)
    assert snapshot(cli, cycle) == before


def _numeric_step() -> tuple[int, str]:
    """The index in the happy path of the first step with a numeric input, and that input."""
    definition = find("ccb-cluster-annual").definition
    for index, (trigger, _, _, inputs, _) in enumerate(HAPPY_PATH):
        for step in definition.transitions_for(trigger):
            for name, spec in step.inputs.items():
                if spec.type in ("integer", "number") and name in inputs:
                    return index, name
    raise AssertionError("no step of the happy path takes a number")


def test_fire_wrong_input_type(populated: Database, cli: Invoke, cycle: int) -> None:
    """A number input given as words is bad input (exit 2); nothing changes."""
    index, name = _numeric_step()
    trigger, person, unit, inputs, reason = HAPPY_PATH[index]
    for step in HAPPY_PATH[:index]:
        fire(populated, cycle, step[0], actor=step[1], unit=step[2], inputs=step[3],
             reason=step[4])
    before = snapshot(cli, cycle)
    typed = input_args({**inputs, name: "many"})
    assert typed is not None
    args = ["cycle", "fire", str(cycle), trigger, "--as", person, *typed]
    args += (["--unit", unit] if unit else []) + (["--reason", reason] if reason else [])
    message = plain_error(cli(*args), 2)
    assert f"input '{name}' must be a" in message
    assert snapshot(cli, cycle) == before


@pytest.mark.parametrize("item", ["plan", "=x"])
def test_fire_bad_input_syntax(cli: Invoke, cycle: int, item: str) -> None:
    """An --input that is not KEY=VALUE is a usage error (exit 2); nothing changes."""
    before = snapshot(cli, cycle)
    assert "is not KEY=VALUE" in error(cli("cycle", "fire", str(cycle), "launch", "-i", item,
                                           "--as", HEAD), 2)
    assert snapshot(cli, cycle) == before


@pytest.mark.parametrize(("reason", "code", "why"), [
    (None, 1, "return_dossier needs a written reason (--reason)"),
    ("   ", 2, "--reason is empty"), ("\u200b", 2, "--reason contains U+200B"),
])
def test_fire_return_without_reason(populated: Database, cli: Invoke, cycle: int,
                                    reason: str | None, code: int, why: str) -> None:
    """Returning the dossier without a written reason is refused (exit 1), and so is a blank
    or invisible one (exit 2); nothing changes."""
    advance(populated, cycle, until="return_dossier")
    before = snapshot(cli, cycle)
    extra = ["--reason", reason] if reason is not None else []
    message = plain_error(cli("cycle", "fire", str(cycle), "return_dossier", "--as", COUNCIL,
                              *extra), code)
    assert why in message
    assert snapshot(cli, cycle) == before
    ok(cli("cycle", "fire", str(cycle), "return_dossier", "--as", COUNCIL,
           "--reason", "thiếu xác nhận"))
    assert parsed(cli("cycle", "show", str(cycle), json=True))["state"] == "proposal_submitted"


def test_fire_expect_version(cli: Invoke, cycle: int) -> None:
    """A stale --expect-version is a conflict (exit 3) and nothing changes; the right one works."""
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x",
                              "--as", HEAD, "--expect-version", "7"), 3)
    assert f"cycle {cycle} is at version 1, not 7" in message
    assert snapshot(cli, cycle) == before
    ok(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD,
           "--expect-version", "1"))


def test_fire_request_id_repeated(cli: Invoke, cycle: int) -> None:
    """A repeated --request-id exits 0, says so, and records no second event."""
    args = ("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD,
            "--request-id", "req-1")
    first = ok(cli(*args))
    after_first = snapshot(cli, cycle)
    second = ok(cli(*args))
    assert second.strip() == first.strip() + " (already recorded by this request id)"
    assert parsed(cli(*args, json=True))["repeated"] is True
    assert snapshot(cli, cycle) == after_first


def test_fire_request_id_reused_for_another_step(cli: Invoke, cycle: int) -> None:
    """A request id reused for another trigger is bad input (exit 2)."""
    ok(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD,
           "--request-id", "req-1"))
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "open_registration", "--as", HEAD,
                              "--request-id", "req-1"), 2)
    assert "request id 'req-1' was already used for another step" in message
    assert snapshot(cli, cycle) == before


def test_fire_request_id_reused_for_another_unit(cli: Invoke, registering: int) -> None:
    """A request id reused to register another unit is refused (2), not reported as done."""
    ok(cli("cycle", "fire", str(registering), "register", "--unit", "Bắc Giang",
           "-i", "targets=x", "--as", SECRETARY, "--request-id", "reg-1"))
    before = snapshot(cli, registering)
    message = plain_error(cli("cycle", "fire", str(registering), "register", "--unit",
                              "Vĩnh Phúc", "-i", "targets=x", "--as", SECRETARY,
                              "--request-id", "reg-1"), 2)
    assert "reg-1" in message
    assert snapshot(cli, registering) == before


def test_fire_in_the_future(cli: Invoke, cycle: int) -> None:
    """A step dated in the future is bad input (exit 2); nothing changes."""
    before = snapshot(cli, cycle)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    message = plain_error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x",
                              "--as", HEAD, "--at", future), 2)
    assert "is in the future" in message
    assert snapshot(cli, cycle) == before


def test_fire_before_last_step(cli: Invoke, cycle: int) -> None:
    """A step dated before the cycle's last step is bad input (exit 2); nothing changes."""
    before = snapshot(cli, cycle)
    message = plain_error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x",
                              "--as", HEAD, "--at", "2022-12-31"), 2)
    assert "is before the cycle's last step" in message
    assert snapshot(cli, cycle) == before


def test_fire_at_not_a_date(cli: Invoke, cycle: int) -> None:
    """An --at that is not a date is bad input (exit 2)."""
    assert "'31/12/2023' is not a date" in plain_error(
        cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD,
            "--at", "31/12/2023"), 2)


# --- why -----------------------------------------------------------------------------------

def test_why_lists_blocked_reasons(cli: Invoke, registering: int) -> None:
    """`cycle why` lists each step from the state with every reason it is blocked."""
    out = ok(cli("cycle", "why", str(registering), "--as", HEAD))
    assert "blocked sign_compact -> compact_signed" in out
    assert "- member units without registration: Bắc Giang, Bắc Ninh, Vĩnh Phúc" in out
    assert "register -> (stays)" in out


def test_why_ready(populated: Database, cli: Invoke, cycle: int) -> None:
    """Once every unit registered, `cycle why` shows the compact as ready."""
    advance(populated, cycle, until="sign_compact")
    out = ok(cli("cycle", "why", str(cycle), "--as", HEAD))
    assert "ready   sign_compact -> compact_signed" in out


def test_why_role(cli: Invoke, cycle: int) -> None:
    """`cycle why --as` a person without the role says so."""
    out = ok(cli("cycle", "why", str(cycle), "--as", MEMBER["Hà Nội"]))
    assert "blocked launch" in out
    assert "holds none of the roles cluster_head, secretariat" in out


def test_why_trigger_from_another_state(cli: Invoke, registering: int) -> None:
    """`cycle why ID TRIGGER` for a step of another state says where it starts from."""
    out = ok(cli("cycle", "why", str(registering), "launch"))
    assert "blocked launch" in out
    assert "cannot be fired from state 'registration_open'; it starts from constituted" in out


def test_why_lists_required_inputs_only(cli: Invoke, registering: int) -> None:
    """`why` names the same (required) inputs of a step whatever the cycle's state."""
    [option] = parsed(cli("cycle", "why", str(registering), "launch", json=True))
    assert option["inputs"] == ["plan"]


def test_why_json(cli: Invoke, populated: Database, registering: int) -> None:
    """`--json cycle why` gives each option with its reasons and 'allowed'."""
    options = parsed(cli("cycle", "why", str(registering), "--as", SECRETARY, json=True))
    by_trigger = {o["trigger"]: o for o in options}
    assert set(by_trigger) == {"register", "sign_compact"}
    assert by_trigger["sign_compact"]["allowed"] is False
    assert by_trigger["sign_compact"]["reasons"] == [
        "member units without registration: Bắc Giang, Bắc Ninh, Vĩnh Phúc"]
    assert by_trigger["register"]["allowed"] is True  # for Bắc Ninh, the secretary's own unit


def test_why_unknown_trigger(cli: Invoke, cycle: int) -> None:
    """`cycle why` with an unknown trigger is bad input (exit 2)."""
    assert "unknown trigger 'fly'" in plain_error(cli("cycle", "why", str(cycle), "fly"), 2)


def test_why_unknown_cycle(cli: Invoke) -> None:
    """`cycle why` on a cycle that does not exist is not found (exit 5)."""
    assert "no cycle 42" in plain_error(cli("cycle", "why", "42"), 5)


def test_why_unknown_person(cli: Invoke, cycle: int) -> None:
    """`cycle why --as` someone unknown is not found (exit 5)."""
    assert "no person 'Không Ai'" in plain_error(cli("cycle", "why", str(cycle), "--as",
                                                     "Không Ai"), 5)


# --- history -------------------------------------------------------------------------------

def test_history_text(cli: Invoke, registering: int) -> None:
    """`cycle history` lists the steps oldest first with actor, role, unit and days."""
    lines = ok(cli("cycle", "history", str(registering))).splitlines()
    assert lines[0].split() == ["seq", "occurred", "step", "from", "to", "actor", "role",
                                "unit", "days"]
    steps = [line.split()[2] for line in lines[2:]]
    assert steps == ["start", "launch", "open_registration", "register"]
    assert "2023-01-05" in lines[2]
    assert "Hà Nội" in lines[-1]


def test_history_json(cli: Invoke, registering: int) -> None:
    """`--json cycle history` is a list of events; state changes carry days_in_state."""
    events = parsed(cli("cycle", "history", str(registering), json=True))
    assert isinstance(events, list)
    assert [e["trigger"] for e in events] == ["start", "launch", "open_registration", "register"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert all("days_in_state" in e for e in events[:2])
    assert events[0]["days_in_state"] >= 0
    assert events[-1]["unit"] == "Hà Nội"
    json.dumps(events)


def test_history_unknown(cli: Invoke) -> None:
    """`cycle history` of a cycle that does not exist is not found (exit 5)."""
    assert "no cycle 42" in plain_error(cli("cycle", "history", "42"), 5)


def test_history_empty_db_json(db_url: str, db: Database) -> None:
    """Reading an unknown cycle in JSON mode is still one plain Error line (exit 5)."""
    assert "no cycle 1" in plain_error(invoke(db_url, "cycle", "history", "1", json=True), 5)
