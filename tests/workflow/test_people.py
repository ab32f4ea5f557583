"""People over time: a person disabled, a login changed, a delegation revoked; each ledgered
with what a replay needs to rebuild the directory's rows exactly."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import CLUSTER, COUNCIL, HEAD, MEMBER, SECRETARY, populate
from tests.logins import Opener, opener
from thidua.workflow.audit.verify import verify
from thidua.workflow.errors import InvalidInput, NotFound, TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import history

ROOT = "Quản trị viên"
ANNUAL = find("ccb-cluster-annual")
TODAY = dt.date.today().isoformat()


@pytest.fixture
def login(db_url: str, db: Database) -> Iterator[Opener]:
    """Open the database as a named operator."""
    opened: list[Database] = []
    yield opener(db_url, db, opened)
    for handle in opened:
        handle.close()


@pytest.fixture
def root(db: Database, login: Opener) -> Database:
    """Cluster 5 and its people (the secretary with the login `thang`), and the administrator
    for everything, opened by their login `admin`."""
    populate(db)
    directory.change_login(db, SECRETARY, "thang")
    directory.add_actor(db, ROOT, unit_name=None, login="admin")
    identity.grant(db, ROOT, "administrator", cluster_name=None)
    return login("admin")


def admin_events(db: Database) -> list[dict[str, Any]]:
    """The admin events of the ledger, oldest first: trigger, actor and inputs."""
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT trigger, actor, inputs FROM ledger "
                                 "WHERE kind = 'admin' ORDER BY seq"))
        return [{"trigger": r.trigger, "actor": r.actor, "inputs": json.loads(r.inputs)}
                for r in rows]


@pytest.mark.attack
def test_a_disabled_person_neither_acts_nor_is_acted_for(root: Database,
                                                         login: Opener) -> None:
    """Once disabled, the secretary cannot act by their own login, nor be acted for through a
    delegation, nor act for another with their login, nor be granted or delegated anything;
    their history stays and the ledger still verifies."""
    thang = login("thang")
    identity.delegate(root, SECRETARY, "clerk")
    identity.delegate(root, HEAD, "thang")
    cycle_id = start_cycle(thang, ANNUAL, CLUSTER, 2023).cycle_id
    assert directory.disable_actor(root, SECRETARY) == TODAY
    assert admin_events(root)[-1] == {"trigger": "actor_disable", "actor": ROOT,
                                      "inputs": {"name": SECRETARY, "on": TODAY}}
    disabled = re.escape(f"{SECRETARY} is disabled (since {TODAY})")
    plan = {"plan": "kế hoạch"}
    for act in (lambda: fire(thang, cycle_id, "launch", inputs=plan),
                lambda: fire(login("clerk"), cycle_id, "launch", actor=SECRETARY, inputs=plan),
                lambda: identity.grant(root, SECRETARY, "council", cluster_name=CLUSTER),
                lambda: identity.delegate(root, SECRETARY, "other")):
        with pytest.raises(TransitionRefused, match=disabled) as refused:
            act()
        assert refused.value.exit_code == 1
    with pytest.raises(TransitionRefused, match=f"the login 'thang' belongs to {SECRETARY}, "
                                                f"disabled since {TODAY}"):
        fire(thang, cycle_id, "launch", actor=HEAD, inputs={"plan": "kế hoạch"})
    with pytest.raises(InvalidInput, match="already disabled"):
        directory.disable_actor(root, SECRETARY)
    assert [e["actor"] for e in history(root, cycle_id)] == [SECRETARY]
    assert SECRETARY in identity.people(root)
    verify(root)


@pytest.mark.attack
def test_a_disabled_administrator_administers_nothing(root: Database, login: Opener) -> None:
    """A second administrator disables the first, whose login is then refused every change."""
    directory.add_actor(root, "Phó quản trị", unit_name=None, login="admin2")
    identity.grant(root, "Phó quản trị", "administrator", cluster_name=None)
    directory.disable_actor(login("admin2"), ROOT)
    with pytest.raises(TransitionRefused, match=f"{ROOT} is disabled"):
        directory.add_actor(root, "Người mới", unit_name=None)


def test_a_login_changes_hands(root: Database, login: Opener) -> None:
    """A person's login is changed: the new one acts as them, the old one no longer does; a
    login another person has, a blank or an unchanged one is refused (exit 2)."""
    assert directory.change_login(root, HEAD, "dung") is None
    cycle_id = start_cycle(login("dung"), ANNUAL, CLUSTER, 2023).cycle_id
    assert directory.change_login(root, HEAD, "dung2") == "dung"
    assert admin_events(root)[-1]["inputs"] == {"name": HEAD, "old": "dung", "new": "dung2"}
    with pytest.raises(InvalidInput, match="no person is registered for the login 'dung'"):
        fire(login("dung"), cycle_id, "launch", inputs={"plan": "kế hoạch"})
    fire(login("dung2"), cycle_id, "launch", inputs={"plan": "kế hoạch"})
    before = admin_events(root)
    for new, needle in (("admin", f"already belongs to {ROOT}"), ("  ", "login is empty"),
                        ("dung2", "already 'dung2'")):
        with pytest.raises(InvalidInput, match=needle) as refused:
            directory.change_login(root, HEAD, new)
        assert refused.value.exit_code == 2
    with pytest.raises(NotFound):
        directory.change_login(root, "Không Ai", "x")
    assert admin_events(root) == before


def test_a_delegation_is_revoked_and_given_again(root: Database, login: Opener) -> None:
    """A revoked delegation lets the login enter nothing more; revoking it twice is bad input;
    given again, it is the same row, in force again."""
    clerk = login("clerk")
    identity.delegate(root, HEAD, "clerk")
    cycle_id = start_cycle(clerk, ANNUAL, CLUSTER, 2023, actor=HEAD).cycle_id
    identity.delegate(root, HEAD, "clerk", revoke=True)
    assert admin_events(root)[-1]["inputs"] == {"name": HEAD, "login": "clerk", "on": TODAY}
    with pytest.raises(TransitionRefused, match="may not enter steps for Đào Anh Dũng"):
        fire(clerk, cycle_id, "launch", actor=HEAD, inputs={"plan": "kế hoạch"})
    with pytest.raises(InvalidInput, match="no delegation to revoke"):
        identity.delegate(root, HEAD, "clerk", revoke=True)
    with pytest.raises(InvalidInput, match="no delegation to revoke"):
        identity.delegate(root, HEAD, "never", revoke=True)
    identity.delegate(root, HEAD, "clerk")
    fire(clerk, cycle_id, "launch", actor=HEAD, inputs={"plan": "kế hoạch"})
    with root.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*), MAX(revoked_on) FROM delegations "
                                 "WHERE login = 'clerk'")).one() == (1, None)


class Directory:
    """The people, grants and delegations rebuilt from the admin events alone."""

    def __init__(self) -> None:
        self.actors: dict[str, dict[str, Any]] = {}
        self.grants: list[dict[str, Any]] = []
        self.delegations: dict[tuple[str, str], str | None] = {}

    def apply(self, trigger: str, i: dict[str, Any]) -> None:
        """One admin event."""
        if trigger == "actor_add":
            self.actors[i["name"]] = {"unit": i["unit"], "login": i["login"], "disabled": None}
        elif trigger == "actor_login":
            assert self.actors[i["name"]]["login"] == i["old"]
            self.actors[i["name"]]["login"] = i["new"]
        elif trigger == "actor_disable":
            self.actors[i["name"]]["disabled"] = i["on"]
        elif trigger == "actor_grant":
            self.grants.append({**{k: i[k] for k in ("name", "role", "cluster", "period")},
                                "revoked": None})
        elif trigger == "actor_revoke":
            for g in self.grants:
                if g["revoked"] is None and all(g[k] == i[k] for k in
                                                ("name", "role", "cluster", "period")):
                    g["revoked"] = i["on"]
        elif trigger in ("actor_delegate", "actor_delegate_revoke"):
            self.delegations[(i["login"], i["name"])] = (
                i["on"] if trigger == "actor_delegate_revoke" else None)


STORED_ACTORS = """SELECT a.name, u.name AS unit, a.login, a.disabled_on FROM actors a
    LEFT JOIN units u ON u.id = a.unit_id"""
STORED_GRANTS = """SELECT a.name, g.role, c.name AS cluster, g.period, g.revoked_on FROM grants g
    JOIN actors a ON a.id = g.actor_id LEFT JOIN clusters c ON c.id = g.cluster_id
    ORDER BY g.id"""
STORED_DELEGATIONS = """SELECT d.login, a.name, d.revoked_on FROM delegations d
    JOIN actors a ON a.id = d.actor_id"""


def test_the_directory_rebuilds_from_its_admin_events(root: Database, login: Opener) -> None:
    """People, grants and delegations replayed from the admin events' inputs alone equal the
    stored rows after logins changed, grants revoked, delegations revoked and renewed, and a
    person disabled."""
    directory.change_login(root, HEAD, "dung")
    identity.grant(root, HEAD, "council", cluster_name=CLUSTER, period=2024)
    identity.grant(root, HEAD, "council", cluster_name=CLUSTER, period=2024)
    identity.revoke(root, HEAD, "council", cluster_name=CLUSTER, period=2024)
    identity.grant(root, HEAD, "council", cluster_name=CLUSTER, period=2024)
    identity.revoke(root, COUNCIL, "council", cluster_name=CLUSTER, period=None)
    identity.delegate(root, HEAD, "clerk")
    identity.delegate(root, MEMBER["Hà Nội"], "clerk")
    identity.delegate(root, HEAD, "clerk", revoke=True)
    identity.delegate(root, MEMBER["Hà Nội"], "clerk", revoke=True)
    identity.delegate(root, HEAD, "clerk")
    directory.disable_actor(root, MEMBER["Vĩnh Phúc"])
    rebuilt = Directory()
    for event in admin_events(root):
        rebuilt.apply(event["trigger"], event["inputs"])
    with root.engine.connect() as conn:
        actors = {r.name: {"unit": r.unit, "login": r.login, "disabled": r.disabled_on}
                  for r in conn.execute(text(STORED_ACTORS))}
        grants = [{"name": r.name, "role": r.role, "cluster": r.cluster, "period": r.period,
                   "revoked": r.revoked_on} for r in conn.execute(text(STORED_GRANTS))]
        delegations = {(r.login, r.name): r.revoked_on
                       for r in conn.execute(text(STORED_DELEGATIONS))}
    assert rebuilt.actors == actors
    assert rebuilt.grants == grants
    assert rebuilt.delegations == delegations
    assert any(g["revoked"] for g in grants) and any(delegations.values())
