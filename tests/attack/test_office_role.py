"""The PostgreSQL grants docs/architecture.md recommends (Threat model), run as written: a login
of the offices' role takes steps and verifies, but cannot change the ledger or its triggers, nor
leave replica mode's door open; what it may change behind thidua's back, the replay names."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.cli.helpers import invoke, ok, plain_error, start
from tests.conftest import SECRETARY, populate
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database

pytestmark = [pytest.mark.attack, pytest.mark.postgres]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def recommended_grants() -> str:
    """The SQL block of the threat model's PostgreSQL section, as the page shows it."""
    section = DOCS.read_text(encoding="utf-8").split("**PostgreSQL: who can switch")[1]
    found = re.search(r"```sql\n(.*?)```", section, flags=re.S)
    assert found is not None
    return found.group(1)


@pytest.fixture
def office(pg_url: str) -> Iterator[tuple[Database, str]]:
    """A database set up by its owner with a started cycle, and the URL of an office login
    made with the documented grants (role names made unique: roles are the server's)."""
    suffix = uuid.uuid4().hex[:8]
    group, login = f"thidua_office_{suffix}", f"clerk_{suffix}"
    owner = Database(pg_url, check_schema=False)
    upgrade_db(owner)
    populate(owner)
    start(owner)
    url = make_url(pg_url)
    sql = (recommended_grants().replace("thidua_office", group).replace("cao_van_thang", login)
           .replace("DATABASE thidua", f'DATABASE "{url.database}"'))
    statements = [s for s in (re.sub(r"--.*", "", part).strip() for part in sql.split(";")) if s]
    with owner.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    try:
        yield owner, url.set(username=login, password="x").render_as_string(hide_password=False)
    finally:
        owner.close()
        admin = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {login}, {group}"))
            conn.execute(text(f"DROP ROLE {login}"))
            conn.execute(text(f"DROP ROLE {group}"))
        admin.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE ledger SET actor = 'Kẻ gian' WHERE seq = 1",
    "DELETE FROM ledger WHERE seq = 1",
    "TRUNCATE ledger",
    "ALTER TABLE ledger DISABLE TRIGGER ledger_no_update",
    "DROP TRIGGER ledger_no_update ON ledger",
    "CREATE OR REPLACE FUNCTION thidua_ledger_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "SET session_replication_role = replica",
])
def test_an_office_login_cannot_open_the_ledger(office: tuple[Database, str],
                                                statement: str) -> None:
    """The office's login takes a step and verifies; it is refused every way of changing the
    ledger or its protection, by the database's privileges (not only by the triggers)."""
    _, url = office
    clerk = Database(url)
    try:
        fire(clerk, 1, "launch", actor=SECRETARY, inputs={"plan": "Kế hoạch 2023"})
        with pytest.raises(DBAPIError, match=r"permission denied|must be owner"), \
                clerk.engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        clerk.close()
    ok(invoke(url, "audit", "verify"))


def test_what_an_office_login_may_change_outside_thidua_is_named(
        office: tuple[Database, str]) -> None:
    """A record the office's login may update (a cycle's state) changed by hand: the replay
    names it, for an auditor reading with the same login."""
    _, url = office
    clerk = Database(url)
    try:
        with clerk.engine.begin() as conn:
            conn.execute(text("UPDATE cycles SET state = 'closed' WHERE id = 1"))
    finally:
        clerk.close()
    assert "cycles 1: state is 'closed', the ledger gives 'constituted'" in plain_error(
        invoke(url, "audit", "verify"), 4)
