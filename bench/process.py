"""Whole processes at the terminal: ``thidua cycle show`` and ``thidua cycle fire`` as a user
types them, against bare ``python`` processes that do the same work with the stdlib sqlite3
driver (read the cycle's rows; write a step's rows in one WAL + synchronous=FULL transaction),
turn about, in the same run.

The database is the reference cycle of the demo, recorded up to the scores' validation, where
``adjust_score`` may be taken again and again (a per-unit step that is repeatable). Each command
runs as a new process; medians and spreads of N runs are printed. Target: ``cycle fire`` at most
1.5x ``cycle show`` (a step costs about one read process more than a read).

    python bench/process.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from _common import child_env, report, run_once, thidua

TARGET = 1.5

BARE_READ = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA busy_timeout=30000")
conn.execute("BEGIN DEFERRED")
cycle = conn.execute("SELECT * FROM cycles WHERE id = ?", (int(sys.argv[2]),)).fetchone()
conn.execute("SELECT * FROM compiled_definitions WHERE hash = ?", (cycle[1],)).fetchone()
conn.execute("SELECT name FROM clusters WHERE id = ?", (cycle[2],)).fetchone()
conn.execute("SELECT units.name FROM units JOIN memberships ON unit_id = units.id "
             "WHERE cluster_id = ? AND left_on IS NULL", (cycle[2],)).fetchall()
conn.execute("COMMIT")
print(cycle[4])
"""

BARE_WRITE = """
import hashlib, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
    conn.execute("PRAGMA " + pragma)
conn.execute("CREATE TABLE IF NOT EXISTS bare_steps (seq INTEGER PRIMARY KEY, version INTEGER, "
             "facts TEXT, prev_hash TEXT, hash TEXT)")
conn.execute("BEGIN IMMEDIATE")
version, facts = conn.execute("SELECT version, facts FROM cycles WHERE id = ?",
                              (int(sys.argv[2]),)).fetchone()
last = conn.execute("SELECT seq, hash FROM bare_steps ORDER BY seq DESC LIMIT 1").fetchone()
seq, prev = last or (0, "0" * 64)
digest = hashlib.sha256((prev + "\\n" + facts).encode()).hexdigest()
conn.execute("INSERT INTO bare_steps VALUES (?, ?, ?, ?, ?)", (seq + 1, version, facts, prev,
                                                               digest))
conn.execute("UPDATE bare_steps SET version = version + 1 WHERE seq = ?", (seq + 1,))
conn.execute("COMMIT")
"""


def build(folder: Path) -> tuple[Path, int, list[str]]:
    """The demo's cycle up to the scores' validation; the arguments of a repeatable step."""
    from thidua.workflow.language.loader import find
    from thidua.workflow.services import demo
    from thidua.workflow.services.cycles import fire, start_cycle
    from thidua.workflow.services.db import Database

    path = folder / "process.db"
    db = Database(str(path))
    demo._setup(db)
    cycle = start_cycle(db, find("ccb-cluster-annual"), demo.CLUSTER, demo.PERIOD,
                        actor=demo.SECRETARIAT, occurred_at="2023-01-05").cycle_id
    for when, who, trigger, unit, inputs, reason, _ in demo.STEPS:
        if trigger == "publish_scores":
            break
        fire(db, cycle, trigger, actor=who, unit=unit, inputs=inputs, reason=reason,
             occurred_at=when)
        if trigger == "hand_over":  # as the demo does: the units joining for the second half
            demo._second_half(db)
    db.close()
    step = ["cycle", "fire", str(cycle), "adjust_score", "--unit", demo.HN,
            "-i", "criterion=organisation", "-i", "points=20",
            "--reason", "thẩm định lại minh chứng", "--as", demo.SECRETARIAT]
    return path, cycle, step


def spread(times: list[float]) -> str:
    """min / median / max, in milliseconds."""
    return (f"{min(times) * 1000:.0f}/{statistics.median(times) * 1000:.0f}/"
            f"{max(times) * 1000:.0f} ms")


def main() -> None:
    """Build, measure the four processes turn about, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, cycle, step = build(Path(tmp))
        db = ["--db", str(path)]
        runs = {
            "cycle show": [*thidua(), *db, "cycle", "show", str(cycle)],
            "cycle fire": [*thidua(), *db, *step],
            "bare read": [sys.executable, "-c", BARE_READ, str(path), str(cycle)],
            "bare write": [sys.executable, "-c", BARE_WRITE, str(path), str(cycle)],
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        env = child_env()
        for _ in range(2):  # warm the disk cache and the bytecode
            for argv in runs.values():
                run_once(argv, env=env)
        for _ in range(args.rounds):
            for name, argv in runs.items():
                times[name].append(run_once(argv, env=env))
    median = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"process: {name}: {spread(t)} (min/median/max of {args.rounds})")
    print(f"process: cycle show / bare read process: "
          f"{median['cycle show'] / median['bare read']:.2f}x; cycle fire / bare write "
          f"process: {median['cycle fire'] / median['bare write']:.2f}x")
    ratio = median["cycle fire"] / median["cycle show"]
    met = report("process", ratio, TARGET, at_most=True,
                 detail=f"cycle fire {spread(times['cycle fire'])} against cycle show "
                        f"{spread(times['cycle show'])}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
