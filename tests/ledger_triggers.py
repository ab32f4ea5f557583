"""Test helpers: what an attacker with the database's rights does to the ledger's append-only
triggers, dropping them for an edit and putting them back afterwards, as the migrations made
them, so that only what the edit left behind can give it away."""

from __future__ import annotations

from sqlalchemy import text

from thidua.store import triggers
from thidua.workflow.services.db import Database

DROP = {
    "sqlite": [f"DROP TRIGGER {name}" for name in triggers.SQLITE],
    "postgresql": [f"DROP TRIGGER {name} ON ledger" for name in triggers.POSTGRESQL],
}
RESTORE = {
    "sqlite": [*(f"DROP TRIGGER IF EXISTS {name}" for name in triggers.SQLITE),
               *triggers.SQLITE.values()],
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS {name} ON ledger" for name in triggers.POSTGRESQL),
        """CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger
           FOR EACH ROW EXECUTE FUNCTION thidua_ledger_append_only()""",
        """CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
           FOR EACH STATEMENT EXECUTE FUNCTION thidua_ledger_append_only()""",
        "ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_update",
        "ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_truncate",
    ],
}


def _run(db: Database, statements: list[str]) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def drop_triggers(db: Database) -> None:
    """Drop every append-only trigger of the ledger."""
    _run(db, DROP[db.engine.dialect.name])


def restore_triggers(db: Database) -> None:
    """Create the append-only triggers again (those left standing too), exactly as the
    migrations did."""
    _run(db, RESTORE[db.engine.dialect.name])
