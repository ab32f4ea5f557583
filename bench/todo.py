"""``cycle todo`` at national scale: the cpu time it spends per open cycle, on databases of
100, 1,000 and 10,000 cycles (half of them closed), against the same read of those cycles'
rows with the bare sqlite3 driver, measured in the same run.

Each database is the demo's (the reference cycle, closed) with cycles added in many clusters
by bench/scale.py's filler (members and a head and deputy per year); every second added cycle
is then closed. ``workflow.services.views.todo`` runs in-process on a new handle each round,
for the demo's secretariat; its cpu time is divided by the open cycles it lists. Target: at most
0.3 ms of cpu per open cycle at 10,000 cycles.

    python bench/todo.py                       # 100, 1,000 and 10,000 cycles
    python bench/todo.py --sizes 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import report
from scale import fill, reference

TARGET_MS = 0.3
ACTOR = "Cao Văn Thắng"


def _todo(path: Path) -> tuple[float, int]:
    """Cpu seconds of one ``todo`` on a new handle, and the open cycles it lists."""
    from thidua.workflow.services.db import Database
    from thidua.workflow.services.views import todo

    db = Database(str(path))
    try:
        db.zone  # noqa: B018 - the handle's first read is not what is measured
        start = time.process_time()
        rows = todo(db, actor=ACTOR)
        return time.process_time() - start, len(rows)
    finally:
        db.close()


def _floor(path: Path) -> float:
    """Cpu seconds to read every open cycle's row with the bare driver."""
    start = time.process_time()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT * FROM cycles WHERE state != 'closed' ORDER BY id").fetchall()
    conn.close()
    assert rows
    return time.process_time() - start


def measure(folder: Path, empty: Path, size: int, rounds: int) -> tuple[float, float, int]:
    """Median cpu per open cycle of todo and of the floor, and the open cycles."""
    path = folder / f"todo-{size}.db"
    shutil.copy(empty, path)
    fill(path, size, events=size)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE cycles SET state = 'closed' WHERE id % 2 = 0")
    _todo(path)  # warm: the definition read once per process, as a long-lived caller has it
    times, floors, listed = [], [], 0
    for _ in range(rounds):
        cpu, listed = _todo(path)
        times.append(cpu / listed)
        floors.append(_floor(path) / listed)
    return statistics.median(times), statistics.median(floors), listed


def main() -> None:
    """Build each size, measure, report the largest against the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        empty, _ = reference(folder)
        results = {size: measure(folder, empty, size, args.rounds) for size in args.sizes}
    for size, (per, floor, listed) in results.items():
        print(f"todo: {size:,} cycles, {listed:,} open: {per * 1000:.3f} ms cpu per open cycle "
              f"(floor, the bare read of their rows: {floor * 1000:.4f} ms)")
    largest = max(results)
    per, floor, listed = results[largest]
    met = report("todo", per * 1000 / TARGET_MS, 1.0, at_most=True,
                 detail=f"{per * 1000:.3f} ms cpu per open cycle at {largest:,} cycles "
                        f"({listed:,} open), target {TARGET_MS} ms (ratio to the target)")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
