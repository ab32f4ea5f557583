"""Administration without holes: administrators limited to a cluster or a year administer only
there, the last administrator stays, set-up mode never comes back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import CLUSTER, COUNCIL, HEAD, MEMBER, SECRETARY, populate
from tests.logins import Opener, opener
from tests.revisions import version_2
from thidua.workflow.errors import TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services import directory, identity, membership, migrate
from thidua.workflow.services.cycles import start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.publish import publish

ROOT, C5, C5Y = "Quản trị viên", "Quản trị cụm 5", "Quản trị cụm 5 năm 2024"
OTHER = "Cụm 6"
EVERYWHERE = "every cluster and year"


@pytest.fixture
def login(db_url: str, db: Database) -> Iterator[Opener]:
    """Open the database as a named operator."""
    opened: list[Database] = []
    yield opener(db_url, db, opened)
    for handle in opened:
        handle.close()


@pytest.fixture
def admins(db: Database, login: Opener) -> dict[str, Database]:
    """Clusters 5 and 6 with their people, a cycle of each, and three administrators: for
    everything (login `admin`), for Cluster 5 (`admin5`), for Cluster 5 in 2024 (`admin5y`)."""
    populate(db)
    directory.add_cluster(db, OTHER, members=["Hải Dương", "Hưng Yên"], head="Hải Dương",
                          deputy="Hưng Yên", period=2024, joined_on=dt.date(2024, 1, 1))
    identity.grant(db, SECRETARY, "secretariat", cluster_name=OTHER)
    start_cycle(db, find("ccb-cluster-annual"), CLUSTER, 2023, actor=SECRETARY)
    start_cycle(db, find("ccb-cluster-annual"), OTHER, 2024, actor=SECRETARY)
    directory.add_actor(db, "Thanh tra", unit_name=None)
    identity.grant(db, "Thanh tra", "auditor", cluster_name=None)
    for name, who in ((ROOT, "admin"), (C5, "admin5"), (C5Y, "admin5y")):
        directory.add_actor(db, name, unit_name=None, login=who)
    identity.grant(db, ROOT, "administrator", cluster_name=None)
    root = login("admin")
    identity.grant(root, C5, "administrator", cluster_name=CLUSTER)
    identity.grant(root, C5Y, "administrator", cluster_name=CLUSTER, period=2024)
    return {"root": root, "c5": login("admin5"), "c5y": login("admin5y")}


def events(db: Database) -> list[Any]:
    """The ledger's rows as (trigger, actor, inputs)."""
    with db.engine.connect() as conn:
        return list(conn.execute(text("SELECT trigger, actor, inputs FROM ledger ORDER BY seq")))


def test_a_cluster_administrator_administers_their_cluster(admins: dict[str, Database],
                                                           tmp_path: Path) -> None:
    """Within Cluster 5 its administrator adds and removes members, sets a head, grants and
    revokes roles, delegates and migrates its cycle, but not Cluster 6's; the ledger names
    them."""
    c5 = admins["c5"]
    publish(admins["root"], version_2(tmp_path, rename=False))
    with pytest.raises(TransitionRefused, match=f"needs an administrator of {OTHER} for 2024"):
        migrate.apply(c5, 2, "2024.1")
    before = len(events(c5))
    membership.add_member(c5, CLUSTER, "Phú Thọ", dt.date(2024, 3, 1))
    membership.leave(c5, CLUSTER, "Phú Thọ", dt.date(2024, 6, 1))
    membership.set_leadership(c5, CLUSTER, 2025, "Hà Nội", "Bắc Giang")
    identity.grant(c5, HEAD, "secretariat", cluster_name=CLUSTER, period=2024)
    identity.revoke(c5, HEAD, "secretariat", cluster_name=CLUSTER, period=2024)
    identity.delegate(c5, MEMBER["Hà Nội"], "clerk")
    identity.delegate(c5, MEMBER["Hà Nội"], "clerk", revoke=True)
    identity.delegate(c5, COUNCIL, "clerk")
    migrate.apply(c5, 1, "2024.1")
    done = events(c5)[before:]
    assert [row.trigger for row in done] == [
        "member_add", "member_leave", "cluster_head", "actor_grant", "actor_revoke",
        "actor_delegate", "actor_delegate_revoke", "actor_delegate", "migrate"]
    assert {row.actor for row in done} == {C5}


Act = Callable[[Database], object]
BEYOND: list[Any] = [
    pytest.param(lambda d: directory.add_cluster(d, "Cụm 7", members=["Lào Cai"], head=None,
                                                 deputy=None, period=2024,
                                                 joined_on=dt.date(2024, 1, 1)),
                 EVERYWHERE, id="cluster-add"),
    pytest.param(lambda d: directory.add_actor(d, "Người mới", unit_name=None), EVERYWHERE,
                 id="actor-add"),
    pytest.param(lambda d: directory.disable_actor(d, HEAD), EVERYWHERE, id="actor-disable"),
    pytest.param(lambda d: directory.change_login(d, HEAD, "dung"), EVERYWHERE,
                 id="actor-login"),
    pytest.param(lambda d: membership.merge(d, "Bắc Giang", "Bắc Ninh", dt.date(2024, 7, 1)),
                 EVERYWHERE, id="unit-merge"),
    pytest.param(lambda d: identity.grant(d, HEAD, "administrator", cluster_name=CLUSTER),
                 EVERYWHERE, id="grant-administrator-in-the-cluster"),
    pytest.param(lambda d: identity.revoke(d, C5Y, "administrator", cluster_name=CLUSTER,
                                           period=2024), EVERYWHERE,
                 id="revoke-administrator"),
    pytest.param(lambda d: identity.grant(d, HEAD, "secretariat", cluster_name=None),
                 EVERYWHERE, id="grant-everywhere"),
    pytest.param(lambda d: identity.grant(d, HEAD, "secretariat", cluster_name=OTHER),
                 f"{OTHER} (every year)", id="grant-in-another-cluster"),
    pytest.param(lambda d: identity.revoke(d, SECRETARY, "secretariat", cluster_name=OTHER,
                                           period=None), f"{OTHER} (every year)",
                 id="revoke-in-another-cluster"),
    pytest.param(lambda d: membership.add_member(d, OTHER, "Phú Thọ", dt.date(2024, 3, 1)),
                 f"{OTHER} for 2024", id="member-of-another-cluster"),
    pytest.param(lambda d: membership.set_leadership(d, OTHER, 2025, "Hưng Yên", None),
                 f"{OTHER} for 2025", id="head-of-another-cluster"),
    pytest.param(lambda d: identity.delegate(d, "Thanh tra", "clerk"), EVERYWHERE,
                 id="delegate-for-someone-acting-everywhere"),
    pytest.param(lambda d: identity.delegate(d, SECRETARY, "clerk"), EVERYWHERE,
                 id="delegate-for-someone-acting-in-two-clusters"),
]


@pytest.mark.attack
@pytest.mark.parametrize(("act", "needed"), BEYOND)
def test_a_cluster_administrator_is_refused_beyond_it(admins: dict[str, Database], act: Act,
                                                      needed: str) -> None:
    """Beyond Cluster 5, or for what needs an administrator for everything, its administrator
    is refused in one line (exit 1) naming the scope needed, and nothing is recorded."""
    before = events(admins["root"])
    with pytest.raises(TransitionRefused) as refused:
        act(admins["c5"])
    assert refused.value.exit_code == 1
    assert refused.value.reasons == [
        f"{C5} is an administrator only of {CLUSTER} (every year): this needs an administrator "
        f"of {needed}"]
    assert "\n" not in str(refused.value)
    assert events(admins["root"]) == before


@pytest.mark.attack
def test_publishing_needs_an_administrator_for_everything(admins: dict[str, Database],
                                                          tmp_path: Path) -> None:
    """A cluster administrator cannot publish a definition (it would reach every cluster)."""
    with pytest.raises(TransitionRefused, match=f"needs an administrator of {EVERYWHERE}"):
        publish(admins["c5"], version_2(tmp_path))


@pytest.mark.attack
def test_a_year_administrator_administers_only_that_year(admins: dict[str, Database]) -> None:
    """An administrator of Cluster 5 for 2024 acts on 2024 only, and records no delegation
    (a delegation holds in every year)."""
    c5y = admins["c5y"]
    membership.set_leadership(c5y, CLUSTER, 2024, "Hà Nội", "Bắc Giang")
    membership.add_member(c5y, CLUSTER, "Phú Thọ", dt.date(2024, 3, 1))
    identity.grant(c5y, HEAD, "council", cluster_name=CLUSTER, period=2024)
    scope = f"{C5Y} is an administrator only of {CLUSTER} for 2024: this needs an administrator"
    for act, needed in [
            (lambda: membership.set_leadership(c5y, CLUSTER, 2025, "Hà Nội", None),
             f"{CLUSTER} for 2025"),
            (lambda: membership.leave(c5y, CLUSTER, "Phú Thọ", dt.date(2025, 2, 1)),
             f"{CLUSTER} for 2025"),
            (lambda: identity.grant(c5y, HEAD, "council", cluster_name=CLUSTER),
             f"{CLUSTER} (every year)"),
            (lambda: identity.delegate(c5y, MEMBER["Hà Nội"], "clerk"),
             f"{CLUSTER} (every year)")]:
        with pytest.raises(TransitionRefused) as refused:
            act()
        assert refused.value.reasons == [f"{scope} of {needed}"]


def test_the_last_administrator_stays(admins: dict[str, Database], login: Opener) -> None:
    """The only administrator for everything cannot be revoked, disabled or made an auditor
    (exit 1, saying why; scoped administrators do not count); with a second one, they can."""
    root = admins["root"]
    before = events(root)
    for act in (lambda: identity.revoke(root, ROOT, "administrator", cluster_name=None,
                                        period=None),
                lambda: directory.disable_actor(root, ROOT),
                lambda: identity.grant(root, ROOT, "auditor", cluster_name=None)):
        with pytest.raises(TransitionRefused) as refused:
            act()
        assert refused.value.exit_code == 1
        assert f"{ROOT} is the last administrator for every cluster and year" in str(
            refused.value)
    assert events(root) == before
    directory.add_actor(root, "Phó quản trị", unit_name=None, login="admin2")
    identity.grant(root, "Phó quản trị", "administrator", cluster_name=None)
    identity.revoke(root, ROOT, "administrator", cluster_name=None, period=None)
    second = login("admin2")
    with pytest.raises(TransitionRefused, match="Phó quản trị is the last administrator"):
        directory.disable_actor(second, "Phó quản trị")
    identity.revoke(second, C5, "administrator", cluster_name=CLUSTER, period=None)
    with second.transaction(write=False) as session:
        assert not identity.setup_mode(session)
        assert identity.able_administrators(session) == ["Phó quản trị"]


def test_set_up_mode_is_only_before_the_first_administrator(db: Database,
                                                            login: Opener) -> None:
    """A new database is in set-up mode; the first administrator must hold the role for
    everything and have a login (else refused, nothing recorded); from then on set-up mode
    is over."""
    populate(db)
    with db.transaction(write=False) as session:
        assert identity.setup_mode(session)
    before = events(db)
    with pytest.raises(TransitionRefused, match="the first administrator must hold the role"):
        identity.grant(db, SECRETARY, "administrator", cluster_name=CLUSTER)
    with pytest.raises(TransitionRefused, match="be a person with a login"):
        identity.grant(db, SECRETARY, "administrator", cluster_name=None)
    assert events(db) == before
    directory.change_login(db, SECRETARY, "thang")
    identity.grant(db, SECRETARY, "administrator", cluster_name=None)
    with db.transaction(write=False) as session:
        assert not identity.setup_mode(session)
    with pytest.raises(TransitionRefused, match="not a registered person"):
        directory.add_actor(login("mallory"), "Người lạ", unit_name=None)


@pytest.mark.attack
def test_revoked_grants_do_not_reopen_set_up_mode(admins: dict[str, Database],
                                                  login: Opener) -> None:
    """Every administrator grant marked revoked in the database directly: set-up mode does not
    come back, and a stranger still changes nothing."""
    with admins["root"].engine.begin() as conn:
        conn.execute(text("UPDATE grants SET revoked_on = '2024-01-01' "
                          "WHERE role = 'administrator'"))
    stranger = login("mallory")
    with stranger.transaction(write=False) as session:
        assert not identity.setup_mode(session)
    with pytest.raises(TransitionRefused, match="not a registered person"):
        identity.grant(stranger, HEAD, "administrator", cluster_name=None)
    with pytest.raises(TransitionRefused, match="no delegation"):
        start_cycle(stranger, find("ccb-cluster-annual"), CLUSTER, 2024, actor=SECRETARY)
