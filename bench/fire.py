"""Firing: in-process ``workflow.services.cycles.fire`` throughput against the bare stdlib-sqlite3
transaction that a step needs, in the same durability mode.

The floor replays, event for event, the steps thidua recorded: BEGIN IMMEDIATE; SELECT the
cycle; UPDATE it with a version check; SELECT the ledger's head; INSERT the ledger row with its
SHA-256 chained to the head; COMMIT, with WAL and synchronous=FULL (thidua's default: a recorded
step survives a power cut). What thidua adds is the rules: roles, guards, inputs, the machine,
the facts. Target: at least 0.35x the floor's throughput (the aim beyond it: 0.5x).

With ``--pg URL`` (a postgresql:// URL of a role that may create databases) both sides run on
PostgreSQL instead: each on a database of its own, copied from one template made as
bench/writers.py makes its database (upgraded through thidua's migrations, then populated), and
the floor is the same step on bare psycopg: BEGIN; SELECT the cycle FOR UPDATE; UPDATE it with a
version check; take thidua's ledger lock (pg_advisory_xact_lock); SELECT the ledger's head;
INSERT the ledger row chained to it; COMMIT. Target: at least 0.4x. The databases are dropped at
the end.

    python bench/fire.py [--cycles N] [--rounds N] [--dir PATH]
    python bench/fire.py --pg URL [--cycles N] [--rounds N]
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
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _common import report

TARGET = 0.35
PG_TARGET = 0.4
PG_PREFIX = "thidua_bench_fire"
CHAIN_LOCK = 7246021  # store/ledger.py ``lock``
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


def run_thidua(path: Path | str, ids: list[int]) -> None:
    """Fire the first steps of the reference year in every cycle of ``ids``."""
    from thidua.workflow.services.db import Database

    db = Database(str(path))
    for cycle_id in ids:
        fire_cycle(db, cycle_id)
    db.close()


RECORDED = "SELECT * FROM ledger WHERE kind = 'fire' ORDER BY seq"


def recorded_steps(path: Path, ids: list[int]) -> list[dict[str, Any]]:
    """Fire every step with thidua on ``path`` and return what it wrote, oldest first: each
    ledger row with the facts the cycle was updated to, so that the floor writes the same."""
    facts = captured_facts(lambda: run_thidua(path, ids))
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = [dict(row) for row in conn.execute(RECORDED).fetchall()]
    conn.close()
    return with_facts(rows, facts)


def captured_facts(run: Callable[[], None]) -> list[str]:
    """The facts each ``UPDATE cycles`` that ``run`` makes writes, in order."""
    from sqlalchemy import Engine, event

    facts: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("UPDATE cycles"):
            # Positional on SQLite (facts is the third column set), named on psycopg.
            facts.append(parameters["facts"] if isinstance(parameters, dict) else parameters[2])

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    return facts


def with_facts(rows: list[dict[str, Any]], facts: list[str]) -> list[dict[str, Any]]:
    """Each ledger row with the facts its step wrote."""
    if len(rows) != len(facts):
        raise SystemExit("could not capture the cycle updates thidua made")
    return [{**row, "facts": text} for row, text in zip(rows, facts, strict=True)]


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
    spent = turn_about(db, ids, events, lambda event: _bare_step(conn, INSERT, event))
    db.close()
    conn.close()
    return spent


def turn_about(db: Any, ids: list[int], events: list[dict[str, Any]],
               bare_step: Callable[[dict[str, Any]], None]) -> tuple[float, float]:
    """Seconds spent by thidua (on ``db``) and by ``bare_step`` on the steps of each cycle of
    ``ids`` in turn, who goes first alternating."""
    spent = [0.0, 0.0]
    for i, cycle_id in enumerate(ids):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            if which == 0:
                fire_cycle(db, cycle_id)
            else:
                for event in events:
                    if event["cycle_id"] == cycle_id:
                        bare_step(event)
            spent[which] += time.perf_counter() - start
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
    conn.execute(insert, chained(event, row, version))
    conn.execute("COMMIT")


def chained(event: dict[str, Any], head: Any, version: int) -> tuple[Any, ...]:
    """The ledger row of ``event`` after ``head`` (seq and hash, None for an empty ledger),
    its cycle at ``version`` + 1: the values of LEDGER_COLUMNS, prev_hash, hash."""
    seq, prev = head if head else (0, "0" * 64)
    values = {**{c: event[c] for c in LEDGER_COLUMNS}, "seq": seq + 1,
              "cycle_version": version + 1}
    digest = hashlib.sha256((prev + "\n" + canonical_json(values)).encode()).hexdigest()
    return (*(values[c] for c in LEDGER_COLUMNS), prev, digest)


# PostgreSQL: both sides on databases of their own, copied from one template.

def pg_url(url: str, name: str) -> str:
    """``url`` naming database ``name`` instead."""
    return urlsplit(url)._replace(path=f"/{name}").geturl()


class Server:
    """The PostgreSQL server of ``url``: databases made from a template and dropped."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.admin = psycopg.connect(url, autocommit=True)
        self.made: list[str] = []

    def create(self, name: str, template: str | None = None) -> str:
        """A new (or, given ``template``, copied) database ``name``; its URL."""
        self.drop(name)
        copied = f" TEMPLATE {template}" if template else ""
        self.admin.execute(f"CREATE DATABASE {name}{copied}")
        self.made.append(name)
        return pg_url(self.url, name)

    def drop(self, name: str) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.made:
            self.made.remove(name)

    def describe(self) -> str:
        """The server's version and durability settings, for the detail line."""
        version = self.admin.execute("SHOW server_version").fetchone()
        sync = self.admin.execute("SHOW synchronous_commit").fetchone()
        fsync = self.admin.execute("SHOW fsync").fetchone()
        assert version and sync and fsync
        return (f"PostgreSQL {version[0].split()[0]}, synchronous_commit={sync[0]}, "
                f"fsync={fsync[0]}")

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.admin.close()


def pg_template(server: Server, cycles: int) -> tuple[str, list[int]]:
    """A template database upgraded through thidua's migrations with ``cycles`` started
    cycles (as bench/writers.py makes its database); its name and the cycles' ids."""
    from thidua.workflow.services import admin
    from thidua.workflow.services.db import Database

    name = f"{PG_PREFIX}_template"
    url = server.create(name)
    db = Database(url, check_schema=False)
    admin.upgrade_db(db)
    db.close()
    db = Database(url)
    ids = populate(db, cycles)
    db.close()  # a template is copied only while nobody is connected to it
    return name, ids


def pg_recorded_steps(url: str, ids: list[int]) -> list[dict[str, Any]]:
    """As :func:`recorded_steps`, on the PostgreSQL database of ``url``."""
    import psycopg
    from psycopg.rows import dict_row

    facts = captured_facts(lambda: run_thidua(url, ids))
    with psycopg.connect(url, row_factory=dict_row) as conn:
        rows = conn.execute(RECORDED).fetchall()
    return with_facts(rows, facts)


PG_INSERT = (f"INSERT INTO ledger ({', '.join(LEDGER_COLUMNS)}, prev_hash, hash) "
             f"VALUES ({', '.join(['%s'] * (len(LEDGER_COLUMNS) + 2))})")


def _pg_step(conn: Any, event: dict[str, Any]) -> None:
    conn.execute("BEGIN")
    row = conn.execute("SELECT version, facts FROM cycles WHERE id = %s FOR UPDATE",
                       (event["cycle_id"],)).fetchone()
    version, facts = row
    json.loads(facts)  # the facts are read, as thidua reads them, and written as thidua did
    changed = conn.execute(
        "UPDATE cycles SET state = %s, version = %s, facts = %s, updated_at = %s "
        "WHERE id = %s AND version = %s",
        (event["to_state"], version + 1, event["facts"], event["at"], event["cycle_id"],
         version)).rowcount
    if changed != 1:
        raise SystemExit("version check failed in the floor")
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
    head = conn.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute(PG_INSERT, chained(event, head, version))
    conn.execute("COMMIT")


def pg_measure(server: Server, template_name: str, ids: list[int],
               events: list[dict[str, Any]], name: str) -> tuple[float, float]:
    """As :func:`measure`, on two copies of the template on the server."""
    import psycopg

    from thidua.workflow.services.db import Database

    subject, bare = f"{PG_PREFIX}_{name}_thidua", f"{PG_PREFIX}_{name}_bare"
    db = Database(server.create(subject, template_name))
    conn = psycopg.connect(server.create(bare, template_name), autocommit=True)
    try:
        spent = turn_about(db, ids, events, lambda event: _pg_step(conn, event))
    finally:
        db.close()
        conn.close()
    server.drop(subject)
    server.drop(bare)
    return spent


def pg_main(url: str, cycles: int, rounds: int) -> bool:
    """The PostgreSQL mode of :func:`main`."""
    import psycopg

    try:
        server = Server(url)
    except psycopg.Error as exc:
        raise SystemExit(f"fire: cannot connect to {url}: {exc}") from None
    try:
        template_name, ids = pg_template(server, cycles)
        # A first run warms thidua up and records what the floor will write.
        warm = f"{PG_PREFIX}_warm"
        events = pg_recorded_steps(server.create(warm, template_name), ids)
        server.drop(warm)
        measured = [pg_measure(server, template_name, ids, events, f"round{r}")
                    for r in range(rounds)]
        settings = server.describe()
    finally:
        server.close()
    return summary("fire (PostgreSQL)", measured, len(events), PG_TARGET, "bare psycopg",
                   settings)


def summary(name: str, rounds: list[tuple[float, float]], steps: int, target: float,
            floor_name: str, settings: str) -> bool:
    """Print the ratio of the floor's time to thidua's over every round; True when met."""
    subject = sum(r[0] for r in rounds) / (steps * len(rounds))
    floor = sum(r[1] for r in rounds) / (steps * len(rounds))
    spread = ", ".join(f"{b / a:.2f}x" for a, b in rounds)
    return report(name, floor / subject, target, at_most=False,
                  detail=f"thidua fire {1 / subject:.0f} steps/s ({subject * 1000:.2f} ms), "
                         f"{floor_name} transaction {1 / floor:.0f} steps/s "
                         f"({floor * 1000:.2f} ms); {steps} steps a round, "
                         f"{len(rounds)} rounds ({spread}); {settings}")


def main(argv: list[str] | None = None) -> bool:
    """Measure and print the ratio; True when the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20,
                        help=f"cycles per round, {STEPS_PER_CYCLE} steps each (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the databases go (default: a temporary folder; put it on "
                             "the disk you care about: its fsync is most of the floor)")
    parser.add_argument("--pg", metavar="URL",
                        help="run both sides on PostgreSQL: a postgresql:// URL of a role that "
                             "may create databases")
    args = parser.parse_args(argv)
    if args.pg:
        if args.dir is not None:
            parser.error("--dir is for SQLite; the server keeps its own databases")
        return pg_main(args.pg, args.cycles, args.rounds)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path, ids = template(Path(tmp), args.cycles)
        # A first run warms thidua up (the definition is parsed once per process) and records
        # what the floor will write.
        events = recorded_steps(copy(path, "warm.db"), ids)
        rounds = [measure(path, ids, events, f"round{r}") for r in range(args.rounds)]
    return summary("fire", rounds, len(events), TARGET, "bare sqlite3", "WAL, synchronous=FULL")


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
