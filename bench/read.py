"""A read: ``thidua cycle show ID`` against a bare script that imports SQLAlchemy and runs the
same SELECTs.

The statements are captured from thidua itself (every statement its engine sends to the driver,
the schema check included), so the floor always asks the database exactly what thidua asks;
what is left is thidua's own cost: Click, the ORM, reading the stored definition, rendering.
The database holds the reference cycle of the demo. Target: at most 1.2x.

    python bench/read.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import child_env, interleaved, ms, report, run_once, thidua

TARGET = 1.2

# The connection set-up thidua's engine performs on connect, then the captured statements.
BARE = '''
import json, sys
from sqlalchemy import create_engine, event

engine = create_engine("sqlite:///" + sys.argv[1], connect_args={"timeout": 30})

@event.listens_for(engine, "connect")
def _connect(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000",
                   "foreign_keys=ON"):
        cursor.execute("PRAGMA " + pragma)
    cursor.close()

with open(sys.argv[2], encoding="utf-8") as f:
    statements = json.load(f)
with engine.connect() as conn:
    for sql, params in statements:
        conn.exec_driver_sql(sql, tuple(params)).fetchall()
'''


def prepare(folder: Path) -> tuple[Path, int]:
    """A database with the demo's reference cycle; returns its path and the cycle id."""
    from thidua.workflow.services import demo
    from thidua.workflow.services.db import Database

    path = folder / "read.db"
    db = Database(str(path))
    cycle_id = demo.run(db).cycle_id
    db.close()
    return path, cycle_id


def capture(path: Path, cycle_id: int) -> list[tuple[str, list[Any]]]:
    """Every statement ``thidua cycle show`` sends to the driver, with its parameters."""
    from click.testing import CliRunner
    from sqlalchemy import Engine, event

    from thidua.cli.main import root

    seen: list[tuple[str, list[Any]]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append((statement, list(parameters or ())))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        result = CliRunner().invoke(root, ["--db", str(path), "cycle", "show", str(cycle_id)])
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    if result.exit_code != 0:
        raise SystemExit(f"cycle show failed: {result.output}")
    return seen


def main(argv: list[str] | None = None) -> bool:
    """Measure and print the ratio; True when the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="runs of each (default 20)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, cycle_id = prepare(folder)
        statements = capture(path, cycle_id)
        (folder / "statements.json").write_text(json.dumps(statements), encoding="utf-8")
        (folder / "bare.py").write_text(BARE, encoding="utf-8")
        env = child_env()
        show = [*thidua(), "--db", str(path), "cycle", "show", str(cycle_id)]
        bare = [sys.executable, str(folder / "bare.py"), str(path),
                str(folder / "statements.json")]
        subject, floor = interleaved(lambda: run_once(show, cwd=folder, env=env),
                                     lambda: run_once(bare, cwd=folder, env=env), args.rounds)
    return report("read", subject / floor, TARGET, at_most=True,
                  detail=f"thidua cycle show {ms(subject)}, bare SQLAlchemy script running the "
                         f"same {len(statements)} statements {ms(floor)} "
                         f"(median of {args.rounds})")


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
