"""The ledger's append-only triggers as the migrations create them, and how they stand now.

An attacker who can write the database drops a trigger, disables it, or replaces it (or, on
PostgreSQL, the function it calls) with one that lets everything through; each of these leaves
the chain intact, so the auditor looks at the triggers themselves:

- SQLite: ``ledger_no_update``, ``ledger_no_delete`` (migration 0001) and ``ledger_no_replace``
  (0003), each compared, whitespace aside, with the statement that created it;
- PostgreSQL: ``ledger_no_update`` (BEFORE UPDATE OR DELETE, each row) and ``ledger_no_truncate``
  (BEFORE TRUNCATE), each enabled ALWAYS (``tgenabled = 'A'``, migration 0004: a session in
  replica mode cannot skip them) and calling ``thidua_ledger_append_only()``, whose body still
  raises.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SQLITE = {
    "ledger_no_update": """CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE refused'); END""",
    "ledger_no_delete": """CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: DELETE refused'); END""",
    "ledger_no_replace": """CREATE TRIGGER ledger_no_replace BEFORE INSERT ON ledger
    WHEN EXISTS (SELECT 1 FROM ledger WHERE seq = NEW.seq
                 OR idempotency_key = NEW.idempotency_key)
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: INSERT over a recorded event refused');
    END""",
}
# pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32.
POSTGRESQL = {"ledger_no_update": 1 | 2 | 8 | 16, "ledger_no_truncate": 2 | 32}
FUNCTION = "thidua_ledger_append_only"
FUNCTION_BODY = "BEGIN RAISE EXCEPTION 'the ledger is append-only: % refused', TG_OP; END"

_SQLITE_STATE = text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                     "AND tbl_name = 'ledger'")
_POSTGRESQL_STATE = text(
    "SELECT t.tgname, t.tgenabled, t.tgtype, p.proname, p.prosrc FROM pg_trigger t "
    "JOIN pg_proc p ON p.oid = t.tgfoid "
    "WHERE t.tgrelid = to_regclass('ledger') AND NOT t.tgisinternal")


def _words(sql: str | None) -> str:
    return " ".join((sql or "").split())


def expected(conn: Connection) -> list[str]:
    """The names of the append-only triggers this kind of database must have."""
    return list(POSTGRESQL if conn.dialect.name == "postgresql" else SQLITE)


def problems(conn: Connection) -> list[tuple[str, str]]:
    """(trigger, what is wrong with it) for each append-only trigger that is missing,
    disabled or changed; empty when all stand as the migrations made them."""
    if conn.dialect.name == "postgresql":
        return _postgresql(conn)
    found = {name: sql for name, sql in conn.execute(_SQLITE_STATE)}
    wrong = []
    for name, sql in SQLITE.items():
        if name not in found:
            wrong.append((name, "missing"))
        elif _words(found[name]) != _words(sql):
            wrong.append((name, "changed"))
    return wrong


def _postgresql(conn: Connection) -> list[tuple[str, str]]:
    found = {row.tgname: row for row in conn.execute(_POSTGRESQL_STATE)}
    wrong = []
    for name, kind in POSTGRESQL.items():
        row = found.get(name)
        if row is None:
            wrong.append((name, "missing"))
        elif row.tgenabled == "D":
            wrong.append((name, "disabled"))
        elif row.tgenabled != "A":
            wrong.append((name, "not enabled ALWAYS (a session in replica mode skips it)"))
        elif (row.tgtype != kind or row.proname != FUNCTION
              or _words(row.prosrc) != FUNCTION_BODY):
            wrong.append((name, "changed"))
    return wrong
