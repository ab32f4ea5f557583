"""Writers on PostgreSQL: the throughput of steps when 1, 2, 4 and 8 processes fire at once,
each on cycles of its own, against one process alone, in the same run.

For each count a fresh database is made on the server (``--pg``, a URL of a role that may
create databases), upgraded through thidua's migrations and given one started cycle per
cluster (bench/fire.py's set-up); each writer process then fires the first 14 steps of the
reference year in its cycles (``workflow.services.cycles.fire``, as ``cycle fire`` does). The
time runs from the moment every writer has loaded thidua until the last one is done. Every step
of every writer appends to the one ledger chain. Each count is measured ``--rounds`` times,
the counts in turn, and its median kept. Target: the most writers (8) at least the steps per
second of two: more offices at once must not make the whole slower. Beside it, the most against
one writer (the aim: 2x).

    python bench/writers.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    python bench/writers.py --pg URL --writers 1 2 4 8 --cycles 4 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _common import ROOT, child_env, report
from fire import STEPS_PER_CYCLE, fire_cycle, populate

TARGET = 1.0  # the most writers against two
AIM = 2.0  # the most writers against one
NAME = "thidua_bench_writers"


def _admin(url: str) -> object:
    from sqlalchemy import create_engine

    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                         isolation_level="AUTOCOMMIT")


def fresh(url: str, cycles: int) -> tuple[str, list[int]]:
    """A new database on the server of ``url`` with ``cycles`` started cycles."""
    from sqlalchemy import text

    from thidua.workflow.services import admin
    from thidua.workflow.services.db import Database

    engine = _admin(url)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {NAME}"))
    engine.dispose()  # type: ignore[attr-defined]
    target = url.rsplit("/", 1)[0] + "/" + NAME
    db = Database(target, check_schema=False)
    admin.upgrade_db(db)
    db.close()
    db = Database(target)
    ids = populate(db, cycles)
    db.close()
    return target, ids


def child(url: str, ids: list[int], start_at: float) -> None:
    """One writer: load thidua, wait for the common start, fire the steps of its cycles."""
    import thidua.workflow.services.cycles  # noqa: F401 - loaded before the start, as a step's
    from thidua.workflow.services.db import Database

    db = Database(url)
    time.sleep(max(0.0, start_at - time.time()))
    for cycle_id in ids:
        fire_cycle(db, cycle_id)
    db.close()


def measure(url: str, writers: int, per_writer: int) -> float:
    """Steps per second with ``writers`` processes at once."""
    target, ids = fresh(url, writers * per_writer)
    start_at = time.time() + 8.0  # every child has imported thidua and connected by then
    procs = [subprocess.Popen([sys.executable, __file__, "--child", target, str(start_at),
                               *map(str, ids[i::writers])], env=child_env(), cwd=ROOT)
             for i in range(writers)]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"a writer failed ({proc.returncode})")
    seconds = time.time() - start_at
    return len(ids) * STEPS_PER_CYCLE / seconds


def main() -> None:
    """Measure each count of writers; report the largest against one."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="a postgresql:// URL of a role that may create databases")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--cycles", type=int, default=4, help="cycles per writer (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], [int(i) for i in args.child[2:]], float(args.child[1]))
        return
    if not args.pg:
        parser.error("give --pg URL")
    counts = sorted(set(args.writers) | {1, 2})
    seen: dict[int, list[float]] = {count: [] for count in counts}
    for _ in range(args.rounds):
        for count in counts:
            seen[count].append(measure(args.pg, count, args.cycles))
    rates = {count: statistics.median(values) for count, values in seen.items()}
    for count, values in seen.items():
        print(f"writers: {count} at once: {min(values):.1f}/{rates[count]:.1f}/"
              f"{max(values):.1f} steps/s (min/median/max; {rates[count] / rates[1]:.2f}x one)")
    most = max(rates)
    print(f"writers: {most} against one: {rates[most] / rates[1]:.2f}x (aim >= {AIM}x)")
    met = report("writers", rates[most] / rates[2], TARGET, at_most=False,
                 detail=f"{most} writers {rates[most]:.1f} steps/s against 2: "
                        f"{rates[2]:.1f} steps/s, {args.cycles} cycles each, "
                        f"{STEPS_PER_CYCLE} steps a cycle, median of {args.rounds}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
