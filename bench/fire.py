"""Firing: in-process ``workflow.services.cycles.fire`` throughput against the bare stdlib-sqlite3
transaction that a step needs, in the same durability mode.

The floor replays, event for event, the steps thidua recorded: BEGIN IMMEDIATE; SELECT the
cycle; UPDATE it with a version check; SELECT the ledger's head; INSERT the ledger row with its
SHA-256 chained to the head; COMMIT, with WAL and synchronous=FULL (thidua's default: a recorded
step survives a power cut). What thidua adds is the rules: roles, guards, inputs, the machine,
the facts. Target: at least 0.5x the floor's throughput.

    python bench/fire.py [--cycles N] [--rounds N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import report

TARGET = 0.5
PERIOD = 2023
# The first steps of the reference year: each touches only its own cycle.
STEPS_PER_CYCLE = 14
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "foreign_keys=ON")
LEDGER_COLUMNS = ("seq", "cycle_id", "cycle_version", "kind", "trigger", "from_state",
                  "to_state", "actor", "operator", "role", "unit", "at", "occurred_at", "inputs",
                  "reason", "documents", "definition_hash", "idempotency_key")


def template(folder: Path, cycles: int) -> tuple[Path, list[int]]:
    """A database with ``cycles`` clusters, the demo's people and one started cycle each."""
    from thidua.workflow.services.db import Database

    path = folder / "template.db"
    db = Database(str(path))
    ids = populate(db, cycles)
    db.close()
    _checkpoint(path)
    return path, ids


def populate(db: Any, cycles: int) -> list[int]:
    """``cycles`` clusters, the demo's people and one started cycle each, in ``db``."""
    import datetime as dt

    from thidua.workflow.language.loader import find
    from thidua.workflow.services import demo, directory, identity
    from thidua.workflow.services.cycles import start_cycle

    clusters = [f"Cụm {i + 1}" for i in range(cycles)]
    for cluster in clusters:
        directory.add_cluster(db, cluster, members=[demo.HN, demo.BN, demo.BG, demo.VP],
                              head=demo.BN, deputy=demo.HN, period=PERIOD,
                              joined_on=dt.date(PERIOD, 1, 1))
    for name, unit, role in demo.PEOPLE:
        directory.add_actor(db, name, unit_name=unit)
        if role:
            identity.grant(db, name, role, cluster_name=None)
    loaded = find("ccb-cluster-annual")
    return [start_cycle(db, loaded, cluster, PERIOD, actor=demo.SECRETARIAT,
                        occurred_at="2023-01-05").cycle_id for cluster in clusters]


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def copy(template_path: Path, name: str) -> Path:
    """A fresh copy of the template database."""
    target = template_path.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template_path, target)
    return target


def fire_cycle(db: Any, cycle_id: int) -> None:
    """Fire the first steps of the reference year in cycle ``cycle_id``."""
    from thidua.workflow.services import demo
    from thidua.workflow.services.cycles import fire

    for when, who, trigger, unit, inputs, reason, _ in demo.STEPS[:STEPS_PER_CYCLE]:
        fire(db, cycle_id, trigger, actor=who, unit=unit, inputs=inputs, reason=reason,
             occurred_at=when)


def run_thidua(path: Path, ids: list[int]) -> None:
    """Fire the first steps of the reference year in every cycle of ``ids``."""
    from thidua.workflow.services.db import Database

    db = Database(str(path))
    for cycle_id in ids:
        fire_cycle(db, cycle_id)
    db.close()


def recorded_steps(path: Path, ids: list[int]) -> list[dict[str, Any]]:
    """Fire every step with thidua on ``path`` and return what it wrote, oldest first: each
    ledger row with the facts the cycle was updated to, so that the floor writes the same."""
    from sqlalchemy import Engine, event

    facts: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("UPDATE cycles"):
            facts.append(parameters[2])

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        run_thidua(path, ids)
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM ledger WHERE kind = 'fire' ORDER BY seq").fetchall()
    conn.close()
    if len(rows) != len(facts):
        raise SystemExit("could not capture the cycle updates thidua made")
    return [{**dict(row), "facts": text} for row, text in zip(rows, facts, strict=True)]


def canonical_json(value: Any) -> str:
    """As thidua hashes: sorted keys, compact, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def bare_connection(path: Path) -> sqlite3.Connection:
    """A stdlib connection in thidua's durability mode."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    return conn


INSERT = (f"INSERT INTO ledger ({', '.join(LEDGER_COLUMNS)}, prev_hash, hash) "
          f"VALUES ({', '.join('?' * (len(LEDGER_COLUMNS) + 2))})")


def measure(template_path: Path, ids: list[int], events: list[dict[str, Any]],
            name: str) -> tuple[float, float]:
    """Seconds spent by thidua and by the floor on the same steps, cycle by cycle in turn
    (who goes first alternates), so that the disk's and the machine's moods fall on both."""
    from thidua.workflow.services.db import Database

    db = Database(str(copy(template_path, f"{name}-thidua.db")))
    conn = bare_connection(copy(template_path, f"{name}-bare.db"))
    spent = [0.0, 0.0]
    for i, cycle_id in enumerate(ids):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            if which == 0:
                fire_cycle(db, cycle_id)
            else:
                for event in events:
                    if event["cycle_id"] == cycle_id:
                        _bare_step(conn, INSERT, event)
            spent[which] += time.perf_counter() - start
    db.close()
    conn.close()
    return spent[0], spent[1]


def _bare_step(conn: sqlite3.Connection, insert: str, event: dict[str, Any]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    version, facts = conn.execute("SELECT version, facts FROM cycles WHERE id = ?",
                                  (event["cycle_id"],)).fetchone()
    json.loads(facts)  # the facts are read, as thidua reads them, and written as thidua did
    changed = conn.execute(
        "UPDATE cycles SET state = ?, version = ?, facts = ?, updated_at = ? "
        "WHERE id = ? AND version = ?",
        (event["to_state"], version + 1, event["facts"], event["at"], event["cycle_id"],
         version)).rowcount
    if changed != 1:
        raise SystemExit("version check failed in the floor")
    row = conn.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = row if row else (0, "0" * 64)
    values = {**{c: event[c] for c in LEDGER_COLUMNS}, "seq": seq + 1,
              "cycle_version": version + 1}
    digest = hashlib.sha256((prev + "\n" + canonical_json(values)).encode()).hexdigest()
    conn.execute(insert, (*(values[c] for c in LEDGER_COLUMNS), prev, digest))
    conn.execute("COMMIT")


def main(argv: list[str] | None = None) -> bool:
    """Measure and print the ratio; True when the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20,
                        help=f"cycles per round, {STEPS_PER_CYCLE} steps each (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the databases go (default: a temporary folder; put it on "
                             "the disk you care about: its fsync is most of the floor)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path, ids = template(Path(tmp), args.cycles)
        # A first run warms thidua up (the definition is parsed once per process) and records
        # what the floor will write.
        events = recorded_steps(copy(path, "warm.db"), ids)
        rounds = [measure(path, ids, events, f"round{r}") for r in range(args.rounds)]
    subject = sum(r[0] for r in rounds) / (len(events) * args.rounds)
    floor = sum(r[1] for r in rounds) / (len(events) * args.rounds)
    spread = ", ".join(f"{b / a:.2f}x" for a, b in rounds)
    return report("fire", floor / subject, TARGET, at_most=False,
                  detail=f"thidua fire {1 / subject:.0f} steps/s ({subject * 1000:.2f} ms), "
                         f"bare sqlite3 transaction {1 / floor:.0f} steps/s "
                         f"({floor * 1000:.2f} ms); {len(events)} steps a round, "
                         f"{args.rounds} rounds ({spread}); WAL, synchronous=FULL")


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
