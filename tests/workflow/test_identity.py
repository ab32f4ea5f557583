"""Identity: the operator from the environment, delegations, administrators and auditors."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from tests.conftest import AUDITOR, CLUSTER, HAPPY_PATH, HEAD, SECRETARY, populate
from thidua.workflow.errors import TransitionRefused
from thidua.workflow.language.loader import find
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show

ADMIN = "Quản trị viên"
Login = Callable[[str], Database]


@pytest.fixture
def login(db_url: str, db: Database) -> Iterator[Login]:
    """Open the database as another operator: an OS account on SQLite, a login on PostgreSQL."""
    opened: list[Database] = []

    def open_as(name: str) -> Database:
        if db.engine.dialect.name == "sqlite":
            handle = Database(db_url, operator=name)
        else:
            with db.engine.begin() as conn:
                exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                                      {"n": name}).scalar()
                if not exists:
                    conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
                conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"'))
                conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{name}"'))
            handle = Database(db_url.replace("postgres@", f"{name}@", 1))
        assert handle.operator == name
        opened.append(handle)
        return handle

    yield open_as
    for handle in opened:
        handle.close()


@pytest.fixture
def governed(db: Database, login: Login) -> Database:
    """Cluster 5 and its people, then an administrator whose login is `admin`."""
    populate(db)
    directory.add_actor(db, ADMIN, unit_name=None, login="admin")
    identity.grant(db, ADMIN, "administrator", cluster_name=None)
    return login("admin")


def test_operator_is_the_login(login: Login) -> None:
    """The operator is the account given by the embedding program on SQLite and the database
    login on PostgreSQL."""
    assert login("clerk").operator == "clerk"


def test_set_up_mode_until_an_administrator_exists(populated: Database) -> None:
    """With no administrator, the operator may set up and enter for anyone."""
    with populated.transaction(write=False) as session:
        assert identity.setup_mode(session)
    start_cycle(populated, find("ccb-cluster-annual"), CLUSTER, 2023, actor=SECRETARY)


def test_only_an_administrator_changes_the_directory(governed: Database, login: Login) -> None:
    """Once an administrator exists, another login is refused and nothing is added."""
    clerk = login("clerk")
    with pytest.raises(TransitionRefused) as refused:
        directory.add_actor(clerk, "Người lạ", unit_name=None)
    assert refused.value.reasons == [
        "the login 'clerk' is not a registered person: only an administrator may do this"]
    assert refused.value.exit_code == 1
    directory.add_actor(governed, "Người mới", unit_name=None)
    assert "Người lạ" not in identity.people(governed)
    assert "Người mới" in identity.people(governed)


def test_entering_for_someone_needs_a_delegation(governed: Database, login: Login) -> None:
    """A login enters steps for a person only with a delegation; the refusal records nothing."""
    clerk = login("clerk")
    with pytest.raises(TransitionRefused) as refused:
        start_cycle(clerk, find("ccb-cluster-annual"), CLUSTER, 2023, actor=SECRETARY)
    assert "the login 'clerk' may not enter steps for Cao Văn Thắng: no delegation" in str(
        refused.value)
    identity.delegate(governed, SECRETARY, "clerk")
    cycle_id = start_cycle(clerk, find("ccb-cluster-annual"), CLUSTER, 2023,
                           actor=SECRETARY).cycle_id
    with pytest.raises(TransitionRefused):
        fire(clerk, cycle_id, "launch", actor=HEAD, inputs={"plan": "kế hoạch"})
    assert show(governed, cycle_id).version == 1


def test_auditor_changes_nothing_but_closes_the_books(populated: Database) -> None:
    """An auditor is refused every step but the one given to the auditor role."""
    cycle_id = start_cycle(populated, find("ccb-cluster-annual"), CLUSTER, 2023,
                           actor=SECRETARY).cycle_id
    with pytest.raises(TransitionRefused) as refused:
        fire(populated, cycle_id, "launch", actor=AUDITOR, inputs={"plan": "kế hoạch"})
    assert refused.value.reasons == [
        f"{AUDITOR} is an auditor: an auditor reads everything and changes nothing"]
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    assert show(populated, cycle_id).state == "closed"


def test_revoked_grant_no_longer_counts(populated: Database) -> None:
    """A revoked grant is kept but gives the role no more."""
    identity.revoke(populated, SECRETARY, "secretariat", cluster_name=CLUSTER, period=None)
    cycle_id = start_cycle(populated, find("ccb-cluster-annual"), CLUSTER, 2023,
                           actor=HEAD).cycle_id
    fire(populated, cycle_id, "launch", actor=HEAD, inputs={"plan": "kế hoạch"})
    with pytest.raises(TransitionRefused) as refused:
        fire(populated, cycle_id, "submit_midyear_report", actor=SECRETARY)
    assert refused.value.exit_code == 1
