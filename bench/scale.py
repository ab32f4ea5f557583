"""Scale: the reads an office makes all day stay as fast on years of records as on a new
database.

Two databases hold the demo's reference cycle. The "empty" one holds nothing else; the "full" one
also holds, inserted with the bare driver for speed, many more cycles (in many clusters, each
with its members and leadership) and ledger events spread over them, hash-chained as thidua
chains them. ``cycle show``, ``cycle history``, ``cycle list --state closed`` (a state only the
reference cycle is in, so that both print the same rows: what is measured is finding them, not
printing more) and ``audit log --cycle ID`` run in-process through the CLI (a new engine each
time, as a command gets), turn about on each database. Target: at most 1.5x the empty database's
time, for every command.

    python bench/scale.py                      # 10,000 cycles, 200,000 events
    python bench/scale.py --events 1000000     # the full size
    python bench/scale.py --cycles 1000 --events 20000 --rounds 5
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import report

TARGET = 1.5
CLUSTER_SIZE = 4
PERIODS = 20  # cycles per cluster: one per emulation year


def reference(folder: Path) -> tuple[Path, int]:
    """The empty database: the demo's reference cycle and nothing else."""
    from thidua.workflow.services import demo
    from thidua.workflow.services.db import Database

    path = folder / "empty.db"
    db = Database(str(path))
    cycle_id = demo.run(db).cycle_id
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path, cycle_id


def fill(path: Path, cycles: int, events: int, seed: int = 7) -> None:
    """Add ``cycles`` cycles and ``events`` ledger events with the stdlib driver."""
    from thidua.store.ledger import FIELDS, JSON_FIELDS, canonical_json, event_hash

    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # bulk loading: durability is not what is measured
    conn.execute("BEGIN")
    definition_hash, source = conn.execute(
        "SELECT hash, source FROM definitions JOIN cycles ON definition_hash = hash").fetchone()
    states, steps = _states_and_steps(source)
    open_states = [s for s in states if s != "closed"]
    units = [row[0] for row in conn.execute("SELECT id FROM units ORDER BY id LIMIT ?",
                                            (CLUSTER_SIZE,))]
    cycle_ids = _cycles(conn, cycles, definition_hash, open_states, units, rng)

    seq, prev = conn.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    columns = [*FIELDS.values(), "prev_hash", "hash"]
    insert = (f"INSERT INTO ledger ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' * len(columns))})")
    batch: list[tuple[Any, ...]] = []
    for i in range(events):
        seq += 1
        cycle_id = rng.choice(cycle_ids)
        trigger, source_state, dest = rng.choice(steps)
        at = f"2024-{1 + i * 12 // events:02d}-15T08:00:00.{i % 1000000:06d}Z"
        event = {"seq": seq, "cycle": cycle_id, "cycle_version": 2 + i % 40, "kind": "fire",
                 "trigger": trigger, "from": source_state, "to": dest or source_state,
                 "actor": "Cao Văn Thắng", "operator": "bench", "role": "secretariat",
                 "unit": None, "at": at, "occurred_at": at,
                 "inputs": {"note": f"bước {i}"}, "reason": None, "documents": [],
                 "definition": definition_hash, "idempotency_key": None}
        digest = event_hash(prev, event)
        row = {**event, **{name: canonical_json(event[name]) for name in JSON_FIELDS}}
        batch.append((*(row[name] for name in FIELDS), prev, digest))
        prev = digest
        if len(batch) == 10_000:
            conn.executemany(insert, batch)
            batch.clear()
    conn.executemany(insert, batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _states_and_steps(source: str) -> tuple[list[str], list[tuple[str, str, str | None]]]:
    from thidua.workflow.language.loader import parse

    definition = parse(source).definition
    steps = [(t.trigger, s, t.dest) for t in definition.transitions for s in t.source]
    return [s.name for s in definition.states], steps


def _cycles(conn: sqlite3.Connection, count: int, definition_hash: str, states: list[str],
            units: list[int], rng: random.Random) -> list[int]:
    """``count`` cycles in new clusters, with members and a head and deputy per year."""
    clusters = -(-count // PERIODS)
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM clusters").fetchone()[0]
    conn.executemany("INSERT INTO clusters (id, name, kind) VALUES (?, ?, 'cluster')",
                     [(first + i, f"Cụm thử {i + 1}") for i in range(clusters)])
    conn.executemany(
        "INSERT INTO memberships (cluster_id, unit_id, joined_on, left_on) "
        "VALUES (?, ?, '2000-01-01', NULL)",
        [(first + i, unit) for i in range(clusters) for unit in units])
    rows = []
    for n in range(count):
        cluster_id, period = first + n // PERIODS, 2000 + n % PERIODS
        rows.append((definition_hash, cluster_id, period, rng.choice(states), 1 + n % 40,
                     json.dumps({"plan": {"plan": f"Kế hoạch {period}"}}, ensure_ascii=False),
                     f"{period}-01-05T00:00:00.000000Z", f"{period}-06-01T00:00:00.000000Z"))
    conn.executemany("INSERT INTO leaderships (cluster_id, period, head_unit_id, deputy_unit_id) "
                     "VALUES (?, ?, ?, ?)",
                     [(r[1], r[2], units[0], units[1]) for r in rows])
    before = conn.execute("SELECT coalesce(max(id), 0) FROM cycles").fetchone()[0]
    conn.executemany(
        "INSERT INTO cycles (definition_hash, cluster_id, period, state, version, facts, "
        "started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return list(range(before + 1, before + 1 + count))


COMMANDS = {
    "cycle show": ["cycle", "show", "{id}"],
    "cycle history": ["cycle", "history", "{id}"],
    "cycle list --state closed": ["cycle", "list", "--state", "closed"],
    "audit log --cycle": ["audit", "log", "--cycle", "{id}"],
}


def timed(path: Path, args: list[str]) -> tuple[float, str]:
    """Seconds one in-process run of ``thidua --db PATH ARGS`` takes, and its output."""
    from click.testing import CliRunner

    from thidua.cli.main import root

    runner = CliRunner()
    gc.collect()  # the garbage of earlier runs is not this run's cost
    start = time.perf_counter()
    result = runner.invoke(root, ["--db", str(path), "--lang", "en", *args])
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"thidua {' '.join(args)} failed: {result.output}")
    return elapsed, result.output


def compare(empty: Path, full: Path, cycle_id: int, rounds: int) -> dict[str, tuple[float, float]]:
    """The best time of each command on the empty and on the full database."""
    results = {}
    for name, template in COMMANDS.items():
        args = [a.format(id=cycle_id) for a in template]
        _, expected = timed(empty, args)
        _, got = timed(full, args)  # warm both, and check they print the same
        if got != expected:
            raise SystemExit(f"{name}: the full database prints other rows than the empty one")
        times: tuple[list[float], list[float]] = ([], [])
        for i in range(rounds):
            order = (empty, full) if i % 2 == 0 else (full, empty)
            for path in order:
                times[path is full].append(timed(path, args)[0])
        # The best run of each: what the query costs when the machine's other work does not
        # get in the way (this bench is about the data, and the data does not change).
        results[name] = (min(times[0]), min(times[1]))
    return results


def main(argv: list[str] | None = None) -> bool:
    """Measure and print the ratios; True when every target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10_000, help="cycles (default 10,000)")
    parser.add_argument("--events", type=int, default=200_000,
                        help="ledger events (default 200,000; the full size is 1,000,000)")
    parser.add_argument("--rounds", type=int, default=20, help="runs of each (default 20)")
    parser.add_argument("--dir", type=Path, default=None, help="where the databases go")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        empty, cycle_id = reference(Path(tmp))
        full = Path(tmp) / "full.db"
        shutil.copyfile(empty, full)
        start = time.perf_counter()
        fill(full, args.cycles, args.events)
        print(f"scale: filled {args.cycles:,} cycles and {args.events:,} events in "
              f"{time.perf_counter() - start:.0f} s ({full.stat().st_size / 2**20:.0f} MiB)")
        results = compare(empty, full, cycle_id, args.rounds)
    met = True
    for name, (small, big) in results.items():
        met &= report(f"scale: {name}", big / small, TARGET, at_most=True,
                      detail=f"{big * 1000:.1f} ms with {args.cycles:,} cycles and "
                             f"{args.events:,} events, {small * 1000:.1f} ms with one cycle "
                             f"(best of {args.rounds}, in-process)")
    return met


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
