"""A fire while an export runs: ``thidua cycle fire`` during ``thidua audit export`` of a ledger of
1,000,000 events, on SQLite (the default database), against the same fires with no export
running, in the same run. Target: every fire during the export finishes in under 1 s.

An export reads inside one read transaction, which on SQLite never takes the write lock, so a
step is not held up by it (it once was: the export held the write lock for its whole run, and a
fire waited out the 30 s busy timeout and failed "database is busy").

The database: two clusters with the demo's people and one started cycle each (as bench/fire.py
makes them), then the filler bench/scale.py adds with the bare driver (many more cycles in many
clusters, and the ledger events, hash-chained as thidua chains them). The two started cycles are
real, their events first in the ledger: a step replays its cycle's own events and refuses a row
that does not match them. Each run works on a fresh copy, so that a ``--keep`` build stays
unfired and can be reused.

The run: a warm-up command; the floor's first half (the first steps of the reference year, as
bench/fire.py takes them, in cycle A, each a ``thidua cycle fire`` process, timed); then
``thidua audit export -o FILE`` starts, and once its partial file is non-empty (it has begun
reading inside its transaction) the same steps are fired in cycle B, each timed and checked to
have ended while the export still ran; the export must exit 0; then the floor's second half in
cycle A. At the end ``thidua audit verify --fast`` must pass (the chain, with every step just
recorded, the triggers, the documents, the definitions), and both cycles' rows must match a
replay of their events, as ``audit verify`` replays a cycle. (The full ``audit verify`` would
replay scale.py's filler too, whose cycles and events are synthetic and do not replay: it is
not run.) Exit 0 when every fire during the export ended in under 1 s while the export still
ran, 1 otherwise.

Each fire's cpu time (user and system) is printed beside its time: a fire held up by a lock
waits, its time well above its cpu time; so does one that waits for a core or for the disk. A
fire is a new process, its cpu mostly Python's imports; the export keeps one core busy, so on
a machine of two cores whose other core is also busy (a test suite, a build) the fires wait
for it (the load average is printed at the end). ``--to pipe`` has the export write to a pipe
``--to null`` has the export write to /dev/null instead of a file: no 600 MiB written beside
the database while the fires sync theirs. Then nothing shows when it has begun reading: the
fires start NULL_DELAY_S after it (to a file, it begins writing 0.5 to 0.8 s after its start
on a machine of two cores, busy or not).

    python bench/export_fire.py                              # 1,000,000 events
    python bench/export_fire.py --events 50000               # a quick run
    python bench/export_fire.py --keep /tmp/exportfire.db    # build once, reuse after
    python bench/export_fire.py --to null                    # the export writes no file
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import child_env, machine, thidua

TARGET_S = 1.0
MAX_FIRES = 13  # the first steps of the reference year before the one that attaches minutes
START_TIMEOUT_S = 300.0
NULL_DELAY_S = 2.0


def build(path: Path, cycles: int, events: int) -> None:
    """Two started cycles (ids 1 and 2), then scale.py's ``cycles`` cycles and ``events``
    ledger events."""
    import fire
    import scale

    from thidua.workflow.services.db import Database

    db = Database(str(path))
    ids = fire.populate(db, 2)
    db.close()
    if ids != [1, 2]:
        raise SystemExit(f"expected the started cycles to be 1 and 2, got {ids}")
    scale.fill(path, cycles, events)


def ledger_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])
    finally:
        conn.close()


def step_argv(db: Path, cycle_id: int, step: tuple[Any, ...]) -> list[str]:
    """``thidua --db DB cycle fire ...`` for one step of demo.STEPS."""
    when, who, trigger, unit, inputs, reason, _ = step
    argv = [*thidua(), "--db", str(db), "--lang", "en", "cycle", "fire", str(cycle_id),
            trigger, "--as", who, "--at", when]
    if unit:
        argv += ["--unit", unit]
    if reason:
        argv += ["--reason", reason]
    for key, value in inputs.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        argv += ["-i", f"{key}={text}"]
    return argv


def timed_fire(db: Path, cycle_id: int, step: tuple[Any, ...]) -> tuple[float, float]:
    """Seconds one ``thidua cycle fire`` process takes, and its cpu seconds (user and
    system: a fire slower than its cpu time waited, for a lock, a core or the disk); it must
    exit 0."""
    argv = step_argv(db, cycle_id, step)
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, env=child_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"cycle {cycle_id} {step[2]} failed ({done.returncode}) after "
                         f"{elapsed:.2f} s: {done.stderr.strip() or done.stdout.strip()}")
    return elapsed, cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


class Export:
    """``thidua audit export`` in a process of its own: to a file (``-o``, in a folder of its
    own, so that its partial file shows when it has begun), or to /dev/null."""

    def __init__(self, db: Path, folder: Path, to: str) -> None:
        argv = [*thidua(), "--db", str(db), "--lang", "en", "audit", "export"]
        self.out = folder / "export"
        self.out.mkdir()
        self.said = bytearray()  # its summary line, when it writes to a file
        self.ended: list[float] = []  # when the process exited, as its waiter saw it
        self.to = to
        if to == "file":
            argv += ["-o", str(self.out / "ledger.jsonl")]
        self.errors = open(self.out / "stderr", "w+b")  # noqa: SIM115 (closed in finish)
        self.launched = time.perf_counter()
        self.process = subprocess.Popen(
            argv, env=child_env(), stderr=self.errors,
            stdout=subprocess.PIPE if to == "file" else subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._read)
        self.reader.start()

    def _read(self) -> None:
        if self.process.stdout is not None:
            while chunk := os.read(self.process.stdout.fileno(), 1 << 16):
                self.said += chunk
        self.process.wait()
        self.ended.append(time.perf_counter())

    def started(self) -> bool:
        """Whether it has written anything yet."""
        if self.to == "null":
            return time.perf_counter() - self.launched >= NULL_DELAY_S
        return any(p.is_file() and p.name != "stderr" and p.stat().st_size > 0
                   for p in self.out.iterdir())

    def finish(self) -> None:
        self.reader.join()
        self.errors.close()

    def summary(self) -> str:
        """What it said: its summary line (to a file), or its errors."""
        errors = (self.out / "stderr").read_bytes().decode(errors="replace").strip()
        if errors or self.process.returncode:
            return errors
        if self.to == "file":
            return self.said.decode().strip()
        return "exported the ledger to /dev/null"


def check(db: Path, cycle_ids: list[int]) -> str:
    """``audit verify --fast``, and each cycle's row against a replay of its events."""
    done = subprocess.run([*thidua(), "--db", str(db), "--lang", "en", "audit", "verify",
                           "--fast"], env=child_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"audit verify --fast failed ({done.returncode}): "
                         f"{done.stderr.strip() or done.stdout.strip()}")
    from thidua.workflow.engine.rows import load_cycle
    from thidua.workflow.services.cycles import matches_its_ledger
    from thidua.workflow.services.db import Database

    database = Database(str(db))
    try:
        with database.transaction(write=False) as session:
            for cycle_id in cycle_ids:  # raises IntegrityFailure on a row its events do not give
                matches_its_ledger(session, load_cycle(session, cycle_id),
                                   dt.datetime.now(dt.UTC))
    finally:
        database.close()
    return done.stdout.strip()


def spread(times: list[float]) -> str:
    return (f"min {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms")


def run(work: Path, folder: Path, fires: int, to: str) -> bool:
    """The measurement on ``work`` (a fresh copy); True when the target is met."""
    from thidua.workflow.services import demo

    steps = demo.STEPS[:fires]
    floor_cycle, subject_cycle = 1, 2
    before = math.ceil(fires / 2)
    subprocess.run([*thidua(), "--db", str(work), "cycle", "show", "1"], env=child_env(),
                   capture_output=True, check=True)  # warm-up: imports, the file's pages
    floor_runs = [timed_fire(work, floor_cycle, step) for step in steps[:before]]

    export = Export(work, folder, to)
    launched = export.launched
    while not export.started():
        if export.process.poll() is not None:
            if to == "null" and export.process.returncode == 0:
                raise SystemExit(f"the export ended within {NULL_DELAY_S:.0f} s, before the "
                                 "fires: give more --events, or --to file")
            raise SystemExit(f"the export ended before it wrote anything: {export.summary()}")
        if time.perf_counter() - launched > START_TIMEOUT_S:
            export.process.kill()
            raise SystemExit(f"the export wrote nothing in {START_TIMEOUT_S:.0f} s")
        time.sleep(0.01)
    reading = time.perf_counter() - launched
    during: list[tuple[float, float, bool]] = []
    for step in steps:
        elapsed, cpu = timed_fire(work, subject_cycle, step)
        during.append((elapsed, cpu, not export.ended))
    export.finish()
    exported = export.ended[0] - launched
    if export.process.returncode != 0:
        raise SystemExit(f"the export failed ({export.process.returncode}): "
                         f"{export.summary()}")

    floor_runs += [timed_fire(work, floor_cycle, step) for step in steps[before:]]
    verified = check(work, [floor_cycle, subject_cycle])

    subject = [t for t, _, _ in during]
    floor_cpu = statistics.median(c for _, c in floor_runs)
    floor = [t for t, _ in floor_runs]
    began = "began writing after" if to == "file" else "the fires began"
    print(f"export_fire: {export.summary()} in {exported:.1f} s ({began} {reading:.2f} s)")
    for i, ((elapsed, cpu, running), step) in enumerate(zip(during, steps, strict=True), 1):
        print(f"export_fire: fire {i} ({step[2]}) during the export: {elapsed * 1000:.0f} ms "
              f"({f'cpu {cpu * 1000:.0f} ms' if running else 'cpu not told apart'}), "
              f"{'under' if elapsed < TARGET_S else 'NOT under'} {TARGET_S:.0f} s"
              f"{'' if running else '; the export had ENDED by then: not a fire during it'}")
    overlapping = [c for _, c, running in during if running]
    cpu_line = (f"; median cpu {statistics.median(overlapping) * 1000:.0f} ms" if overlapping
                else "")
    print(f"export_fire: during the export: {spread(subject)}{cpu_line}")
    print(f"export_fire: no export running (floor, {before} before and {fires - before} "
          f"after): {spread(floor)}; by step: "
          + ", ".join(f"{step[2]} {t * 1000:.0f} ms"
                      for step, t in zip(steps, floor, strict=True))
          + f"; median cpu {floor_cpu * 1000:.0f} ms")
    ratio = statistics.median(subject) / statistics.median(floor)
    print(f"export_fire: ratio of medians {ratio:.2f}x")
    print(f"export_fire: {verified}; both cycles match their events")
    met = all(t < TARGET_S for t in subject)
    overlapped = all(running for _, _, running in during)
    print(f"export_fire: {sum(t < TARGET_S for t in subject)}/{fires} fires during the export "
          f"under {TARGET_S:.0f} s  target: all  {'MET' if met else 'MISSED'}"
          f"{'' if overlapped else '  (but not every fire overlapped the export: see above)'}"
          f"  ({machine()}; load average {os.getloadavg()[0]:.1f})")
    return met and overlapped


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="ledger events of filler (default 1,000,000)")
    parser.add_argument("--cycles", type=int, default=10_000,
                        help="filler cycles, as scale.py adds them (default 10,000)")
    parser.add_argument("--fires", type=int, default=5,
                        help=f"fires during the export, and as many as the floor (default 5, "
                             f"at most {MAX_FIRES})")
    parser.add_argument("--keep", type=Path,
                        help="build the database here, or reuse it if present (it is copied, "
                             "never fired in)")
    parser.add_argument("--to", choices=("file", "null"), default="file",
                        help="where the export writes: a file (-o, the default) or /dev/null")
    parser.add_argument("--dir", type=Path, default=None, help="where the working files go")
    args = parser.parse_args()
    if not 1 <= args.fires <= MAX_FIRES:
        parser.error(f"--fires must be from 1 to {MAX_FIRES}")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        source = args.keep or folder / "built.db"
        if source.exists():
            print(f"export_fire: reusing {source} ({ledger_size(source):,} events)")
        else:
            start = time.perf_counter()
            build(source, args.cycles, args.events)
            print(f"export_fire: built {args.cycles:,} filler cycles and {args.events:,} "
                  f"events in {time.perf_counter() - start:.0f} s "
                  f"({source.stat().st_size / 2**20:.0f} MiB)")
        work = folder / "work.db"
        shutil.copyfile(source, work)
        return run(work, folder, args.fires, args.to)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
