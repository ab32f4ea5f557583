"""Records forged directly in the database, the ledger left alone: `thidua audit verify` replays
the cycles and the directory from the events and names each forgery by its table and key
(exit 4), while `--fast` (the chain, the documents and the definitions only) does not see it:
what the replay adds. And the append-only triggers themselves: dropped, disabled or replaced,
they are named. On SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import pytest
from sqlalchemy import text

from tests.cli.helpers import advance, ok, plain_error, start
from tests.conftest import CLUSTER, MEMBER, Invoke
from thidua.workflow.language.loader import find
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

PERSON = MEMBER["Vĩnh Phúc"]  # Lê Anh Thư, a member unit's representative
UNIT = "(SELECT id FROM units WHERE name = '{}')"
ACTOR = f"(SELECT id FROM actors WHERE name = '{PERSON}')"
CLUSTER_ID = f"(SELECT id FROM clusters WHERE name = '{CLUSTER}')"

# (forgery: statements, what verify names)
FORGERIES = {
    "cycle-state": (["UPDATE cycles SET state = 'decision_issued' WHERE id = 1"],
                    "cycles 1: state is 'decision_issued', the ledger gives 'registration_open'"),
    "cycle-facts": (["UPDATE cycles SET facts = '{\"plan\": {\"plan\": \"Kế hoạch khác\"}}' "
                     "WHERE id = 1"],
                    "cycles 1: fact 'plan.occurred_at' is absent, the ledger gives \""),
    "administrator-grant": ([f"INSERT INTO grants (actor_id, role) VALUES ({ACTOR}, "
                             "'administrator')"],
                            f"grants: administrator for {PERSON} has no event"),
    "delegation": ([f"INSERT INTO delegations (login, actor_id) VALUES ('mallory', {ACTOR})"],
                   f"delegations: login mallory for {PERSON} has no event"),
    "membership-ended": (["UPDATE memberships SET left_on = '2023-02-01' WHERE unit_id = "
                          + UNIT.format("Bắc Giang")],
                         f"memberships Bắc Giang in {CLUSTER} from 2023-01-01: left_on is "
                         "'2023-02-01', the ledger gives None"),
    "membership-added": (["INSERT INTO units (name) VALUES ('Phú Thọ')",
                          "INSERT INTO memberships (cluster_id, unit_id, joined_on) VALUES "
                          f"({CLUSTER_ID}, {UNIT.format('Phú Thọ')}, '2023-01-01')"],
                         "units: Phú Thọ has no event"),
    "head": (["UPDATE leaderships SET head_unit_id = " + UNIT.format("Vĩnh Phúc")],
             f"leaderships {CLUSTER} 2023: head is 'Vĩnh Phúc', the ledger gives 'Bắc Ninh'"),
    "head-changed": (["INSERT INTO leadership_changes (cluster_id, period, since, "
                      f"head_unit_id) VALUES ({CLUSTER_ID}, 2023, '2023-02-01', "
                      f"{UNIT.format('Vĩnh Phúc')})"],
                     f"leadership_changes: {CLUSTER} 2023 from 2023-02-01 has no event"),
    "login": ([f"UPDATE actors SET login = 'mallory' WHERE id = {ACTOR}"],
              f"actors {PERSON}: login is 'mallory', the ledger gives None"),
    "merger": (["INSERT INTO mergers (unit_id, into_unit_id, merged_on) VALUES ("
                f"{UNIT.format('Bắc Giang')}, {UNIT.format('Bắc Ninh')}, '2023-02-01')"],
               "mergers: Bắc Giang has no event"),
    "cycle-removed": (["DELETE FROM cycles WHERE id = 1"],
                      "cycles 1: missing from the table"),
    "name-in-nfd": ([f"UPDATE actors SET name = '{unicodedata.normalize('NFD', PERSON)}' "
                     f"WHERE name = '{PERSON}'"],
                    f"(stored as '{unicodedata.normalize('NFD', PERSON)}' in NFD form) has no "
                    "event"),
    "time-zone": (["UPDATE settings SET value = 'America/New_York' WHERE key = 'time_zone'"],
                  "settings time_zone: value is 'America/New_York', the ledger gives "
                  "'Asia/Ho_Chi_Minh'"),
    "document-limit": (["UPDATE settings SET value = '1073741824' WHERE key = "
                        "'document_limit'"],
                       "settings document_limit: value is '1073741824', the ledger gives "
                       "'52428800'"),
    "setting-removed": (["DELETE FROM settings WHERE key = 'time_zone'"],
                        "settings: time_zone is missing (the migrations write it)"),
    "setting-added": (["INSERT INTO settings (key, value) VALUES ('foo', 'bar')"],
                      "settings: foo has no event"),
}


@pytest.fixture
def registering(populated: Database) -> int:
    """Cluster 5's 2023 cycle in registration, Hà Nội registered: what an attacker forges."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="register", occurrence=2)
    return cycle_id


def _forge(db: Database, statements: list[str], **params: Any) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_record_is_named_and_fast_does_not_see_it(
        populated: Database, cli: Invoke, registering: int, name: str) -> None:
    """Each record forged behind the ledger's back: exit 4 naming its table and key; --fast,
    which checks the chain, documents and definitions only, still passes."""
    ok(cli("audit", "verify"))
    statements, named = FORGERIES[name]
    _forge(populated, statements)
    message = plain_error(cli("audit", "verify"), 4)
    assert message.startswith("Error: records differ from the ledger: ")
    assert named in message
    assert "records not replayed" in ok(cli("audit", "verify", "--fast"))


def test_a_definition_slipped_in_under_a_used_label_is_named(
        populated: Database, cli: Invoke, registering: int) -> None:
    """A definition row inserted under the label the cycle runs on, with content of its own
    (its source hashes to its key, so the re-hash alone passes), and the cycle pointed at it:
    both are named; --fast does not see them."""
    loaded = find("ccb-cluster-annual")
    source = loaded.source.replace("roles: [cluster_head, secretariat]", "roles: [member_unit]",
                                   1)
    digest = hashlib.sha256(source.encode()).hexdigest()
    _forge(populated, [
        "INSERT INTO definitions (hash, def_id, version, title, effective_from, source, "
        "published_by, published_at) SELECT :digest, def_id, version, title, effective_from, "
        ":source, published_by, published_at FROM definitions WHERE hash = :original",
        "UPDATE cycles SET definition_hash = :digest WHERE id = 1"],
        digest=digest, source=source, original=loaded.hash)
    message = plain_error(cli("audit", "verify"), 4)
    assert f"definitions: {digest[:12]} has no event" in message
    assert f"cycles 1: definition is '{digest}', the ledger gives '{loaded.hash}'" in message
    ok(cli("audit", "verify", "--fast"))


def test_every_divergence_is_counted(populated: Database, cli: Invoke, registering: int) -> None:
    """Several forgeries at once: the first few are named, and how many more there are."""
    for name in FORGERIES:
        if name not in ("cycle-removed", "cycle-state", "time-zone", "document-limit",
                        "setting-removed"):
            _forge(populated, FORGERIES[name][0])
    message = plain_error(cli("audit", "verify"), 4)
    assert message.count(";") == 4 and "(and " in message and " more)" in message


# --- the triggers --------------------------------------------------------------------------

def _triggers(db: Database) -> list[str]:
    if db.engine.dialect.name == "postgresql":
        return ["ledger_no_update", "ledger_no_truncate"]
    return ["ledger_no_update", "ledger_no_delete", "ledger_no_replace"]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_dropped_trigger_is_named(db: Database, cli: Invoke, which: int) -> None:
    """Each append-only trigger dropped: exit 4 naming it, with --fast too."""
    names = _triggers(db)
    if which >= len(names):
        pytest.skip("PostgreSQL has two append-only triggers")
    ok(cli("audit", "verify"))
    on = " ON ledger" if db.engine.dialect.name == "postgresql" else ""
    _forge(db, [f"DROP TRIGGER {names[which]}{on}"])
    for args in ([], ["--fast"]):
        message = plain_error(cli("audit", "verify", *args), 4)
        assert f"the ledger is no longer append-only: trigger {names[which]} is missing" \
            in message


def test_a_trigger_replaced_by_one_that_lets_everything_through_is_named(
        db: Database, cli: Invoke) -> None:
    """A trigger of the same name that no longer refuses (SQLite), or the function the
    triggers call replaced by one that returns (PostgreSQL): named as changed."""
    if db.engine.dialect.name == "postgresql":
        _forge(db, ["CREATE OR REPLACE FUNCTION thidua_ledger_append_only() RETURNS trigger "
                    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"])
        assert "trigger ledger_no_update is changed; trigger ledger_no_truncate is changed" \
            in plain_error(cli("audit", "verify"), 4)
        return
    _forge(db, ["DROP TRIGGER ledger_no_delete",
                "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT 1; END"])
    assert "trigger ledger_no_delete is changed" in plain_error(cli("audit", "verify"), 4)


@pytest.mark.postgres
@pytest.mark.parametrize(("statement", "named"), [
    ("ALTER TABLE ledger DISABLE TRIGGER ledger_no_update", "ledger_no_update is disabled"),
    ("ALTER TABLE ledger DISABLE TRIGGER ALL", "ledger_no_update is disabled; trigger "
                                               "ledger_no_truncate is disabled"),
    ("ALTER TABLE ledger ENABLE TRIGGER ledger_no_truncate",
     "ledger_no_truncate is not enabled ALWAYS (a session in replica mode skips it)"),
])
def test_a_disabled_trigger_is_named_on_postgresql(pg_url: str, statement: str,
                                                   named: str) -> None:
    """On PostgreSQL a trigger disabled, or enabled only for ordinary sessions (so that
    replica mode skips it): exit 4 naming it, with --fast too."""
    from tests.cli.helpers import invoke
    from thidua.workflow.services.admin import upgrade_db

    db = Database(pg_url, check_schema=False)
    try:
        upgrade_db(db)
        ok(invoke(pg_url, "audit", "verify"))
        _forge(db, [statement])
        for args in ([], ["--fast"]):
            assert f"trigger {named}" in plain_error(invoke(pg_url, "audit", "verify", *args), 4)
    finally:
        db.close()
