"""Verifying: ``workflow.audit.verify.verify`` (what ``thidua audit verify --fast`` runs: the
chain walk) over a ledger of 1,000,000 events, against the floor: bare SHA-256 over the same
rows, read with the bare sqlite3 driver, in the same run.

The ledger is built with the bare driver for speed, each event chained with
``store.ledger.event_hash`` exactly as thidua chains it, with a realistic mix of events
(Vietnamese names and inputs, reasons, documents, idempotency keys, cycles on two definition
versions, directory changes interleaved). The floor reads the same
columns in the same order and, for each row, SHA-256s its fields joined by a separator and
compares the digest with the stored hash: the least any verifier must do. thidua must instead
rebuild each event's canonical JSON, check its link to the one before, and re-hash stored
documents. Both run in child processes, turn about; each reports its own time and the growth
of its peak resident memory while it ran; one more run of thidua under tracemalloc gives the
peak of the Python heap. Targets: at least 0.8x the floor's events per second,
and a peak under 100 MB whatever the ledger's size.

    python bench/verify_ledger.py                   # 1,000,000 events
    python bench/verify_ledger.py --events 50000    # a quick run
    python bench/verify_ledger.py --keep /tmp/ledger.db --rounds 5
"""

from __future__ import annotations

import hashlib
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from _common import ROOT, child_env, ledger_arguments, report

TARGET, MEMORY_MB = 0.8, 100.0
PEOPLE = ["Cao Văn Thắng", "Đào Anh Dũng", "Lê Anh Thư", "Phạm Hồng Thắng", "Hội đồng",
          "Kiểm tra", "Người Hà Nội", "Người Bắc Giang"]
UNITS = ["Hội CCB TP Hà Nội", "Hội CCB tỉnh Bắc Ninh", "Hội CCB tỉnh Bắc Giang",
         "Hội CCB tỉnh Vĩnh Phúc", None, None]
STEPS = [("register", "registration_open", "registration_open", "member_unit"),
         ("submit_midyear_report", "midyear_review", "midyear_review", "secretariat"),
         ("launch", "constituted", "launched", "cluster_head"),
         ("open_registration", "launched", "registration_open", "secretariat"),
         ("submit_year_report", "self_assessment", "self_assessment", "member_unit"),
         ("return_dossier", "council_review", "proposal_submitted", "council")]


def _inputs(rng: random.Random, i: int) -> dict[str, Any]:
    kind = i % 5
    if kind == 0:
        return {}
    if kind == 1:
        return {"plan": f"Kế hoạch thi đua năm {2000 + i % 30}, đợt {i}"}
    if kind == 2:
        return {"targets": f"Hoàn thành xuất sắc {rng.randint(1, 99)} chỉ tiêu",
                "titles_sought": ["Cờ thi đua", "Bằng khen"][: 1 + i % 2]}
    if kind == 3:
        return {"summary": f"Báo cáo sơ kết 6 tháng đầu năm, mục {i}",
                "self_scores": {"c1": rng.randint(0, 30), "c2": rng.randint(0, 40)}}
    return {"place": "tỉnh Bắc Ninh", "minutes": f"Biên bản hội nghị số {i}/BB-CTĐ",
            "second_half_tasks": ["Tiếp tục thực hiện kế hoạch", "Chuẩn bị tổng kết"]}


def _document(seq: int) -> bytes:
    return f"Biên bản hội nghị số {seq}/BB-CTĐ".encode()


def _event(rng: random.Random, seq: int, definitions: list[str]) -> dict[str, Any]:
    trigger, source, dest, role = STEPS[seq % len(STEPS)]
    day, cycle = 1 + seq % 28, 1 + seq // 40
    if seq % 25 == 0:  # directory changes, interleaved with the cycles' steps
        return {"seq": seq, "cycle": None, "cycle_version": None, "kind": "admin",
                "trigger": "grant", "from": None, "to": None, "actor": PEOPLE[0],
                "operator": "quantri", "role": "administrator", "unit": None,
                "at": f"2026-03-{day:02d}T08:00:{seq % 60:02d}.{seq % 999983:06d}Z",
                "occurred_at": f"2026-03-{day:02d}T08:00:00.000000Z",
                "inputs": {"person": PEOPLE[seq % len(PEOPLE)], "role": "secretariat"},
                "reason": None, "documents": [], "definition": None, "idempotency_key": None}
    return {
        "seq": seq, "cycle": cycle, "cycle_version": 1 + seq % 40, "kind": "fire",
        "trigger": trigger, "from": source, "to": dest, "actor": PEOPLE[seq % len(PEOPLE)],
        "operator": "thuky", "role": role, "unit": UNITS[seq % len(UNITS)],
        "at": f"2026-03-{day:02d}T08:{seq % 60:02d}:{seq % 59:02d}.{seq % 999983:06d}Z",
        "occurred_at": f"2023-06-{day:02d}T01:00:00.000000Z",
        "inputs": _inputs(rng, seq),
        "reason": "thiếu xác nhận của đơn vị" if seq % 11 == 0 else None,
        "documents": [hashlib.sha256(_document(seq)).hexdigest()] if seq % 97 == 0 else [],
        "definition": definitions[cycle % len(definitions)],
        "idempotency_key": f"req-{seq}" if seq % 13 == 0 else None,
    }


def build(path: Path, events: int) -> None:
    """A thidua database whose ledger holds ``events`` chained events."""
    from thidua.store.ledger import FIELDS, GENESIS, canonical_json, event_hash
    from thidua.workflow.language.loader import find
    from thidua.workflow.services.db import Database

    Database(str(path)).close()  # the schema, through thidua's own migrations
    columns = [*FIELDS.values(), "prev_hash", "hash"]
    insert = (f"INSERT INTO ledger ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' * len(columns))})")
    rng, prev, batch = random.Random(2023), GENESIS, []
    shipped = [find("ccb-cluster-annual"),
               find(str(ROOT / "definitions" / "ccb-cluster-annual-handover-at-summary.yaml"))]
    definitions = [loaded.hash for loaded in shipped]
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        conn.executemany("INSERT INTO definitions (hash, def_id, version, title, "
                         "effective_from, source, published_by, published_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [(d.hash, d.definition.id, d.definition.version, "bench", "2023-01-01",
                           d.source, "bench", "2026-01-01T00:00:00.000000Z") for d in shipped])
        conn.executemany("INSERT INTO documents (sha256, name, size, content) VALUES (?, ?, ?, ?)",
                         [(hashlib.sha256(_document(s)).hexdigest(), f"bien-ban-{s}.txt",
                           len(_document(s)), _document(s))
                          for s in range(97, events + 1, 97) if s % 25])  # cited, see _event
        for seq in range(1, events + 1):
            event = _event(rng, seq, definitions)
            digest = event_hash(prev, event)
            values = [canonical_json(event[n]) if n in ("inputs", "documents") else event[n]
                      for n in FIELDS]
            batch.append((*values, prev, digest))
            prev = digest
            if len(batch) == 20000:
                conn.executemany(insert, batch)
                batch.clear()
        conn.executemany(insert, batch)
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def floor(path: Path) -> int:
    """Bare SHA-256 over the same rows, read with the bare sqlite3 driver."""
    from thidua.store.ledger import COLUMNS

    sha256, count = hashlib.sha256, 0
    conn = sqlite3.connect(path)
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM ledger ORDER BY seq"):
        if sha256("\x1f".join(map(str, row)).encode()).hexdigest() == row[-1]:
            count -= 1  # never: the floor hashes other bytes, but must compare all the same
        count += 1
    conn.close()
    return count


def subject(path: Path) -> int:
    """thidua's own verification service, as `thidua audit verify --fast` calls it: the chain
    walk, the triggers, the documents and the definitions (the replay of the records, which
    this synthetic ledger has none of, is measured by bench/verify_records.py)."""
    from thidua.workflow.audit.verify import verify
    from thidua.workflow.services.db import Database

    db = Database(str(path))
    try:
        return verify(db, fast=True).events
    finally:
        db.close()


def _peak_kb() -> int:
    """This process's peak resident memory, in KiB. VmHWM belongs to the process image (on
    Linux ru_maxrss also counts the parent's size at the fork that made the child)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(which: str, path: Path) -> None:
    """Run one measurement in this (fresh) process and print it as JSON. ``traced`` runs
    thidua under tracemalloc, for the peak of the Python heap (not timed: it slows it)."""
    work = {"floor": floor, "thidua": subject, "traced": subject}[which]
    import thidua.store.ledger  # imports are not what is measured
    import thidua.workflow.audit.verify  # noqa: F401

    if which == "traced":
        tracemalloc.start()
    before = _peak_kb()
    start, cpu = time.perf_counter(), time.process_time()
    events = work(path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = _peak_kb()
    heap = tracemalloc.get_traced_memory()[1] if which == "traced" else 0
    print(json.dumps({"events": events, "seconds": seconds, "cpu": cpu,
                      "peak_growth_kb": after - before, "peak_kb": after, "heap_peak": heap}))


def measure(which: str, path: Path) -> dict[str, Any]:
    """One measurement in a child process."""
    done = subprocess.run([sys.executable, __file__, "--child", which, str(path)],
                          env=child_env(), capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    """Build (or reuse) the ledger, measure turn about, print the figures."""
    args = ledger_arguments(__doc__, events=1_000_000)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    folder = tempfile.TemporaryDirectory(prefix="thidua-verify-")
    path = args.keep or Path(folder.name) / "ledger.db"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.events)
        print(f"built {args.events:,} events in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "thidua": []}
    for _ in range(args.rounds):
        for which in ("thidua", "floor"):
            runs[which].append(measure(which, path))
    traced = measure("traced", path)
    folder.cleanup()
    _print(runs, traced)


def _print(runs: dict[str, list[dict[str, Any]]], traced: dict[str, Any]) -> None:
    events = runs["thidua"][0]["events"]
    assert all(r["events"] == events for rs in runs.values() for r in rs), "counts differ"
    wall = {k: statistics.median(r["seconds"] for r in rs) for k, rs in runs.items()}
    cpu = {k: statistics.median(r["cpu"] for r in rs) for k, rs in runs.items()}
    peak = max(r["peak_growth_kb"] for r in runs["thidua"]) / 1024
    rate = {k: events / s for k, s in wall.items()}
    report("verify", wall["floor"] / wall["thidua"], TARGET, at_most=False,
           detail=f"{events:,} events: thidua {rate['thidua']:,.0f} events/s "
                  f"({wall['thidua']:.2f} s, cpu {cpu['thidua']:.2f} s), floor "
                  f"{rate['floor']:,.0f} events/s ({wall['floor']:.2f} s, cpu "
                  f"{cpu['floor']:.2f} s); cpu ratio {cpu['floor'] / cpu['thidua']:.2f}x")
    heap = traced["heap_peak"] / 2**20
    report("verify memory", max(peak, heap), MEMORY_MB, at_most=True,
           detail=f"peak resident memory grew by {peak:.1f} MB while verifying (floor: "
                  f"{max(r['peak_growth_kb'] for r in runs['floor']) / 1024:.1f} MB); "
                  f"Python heap peak {heap:.1f} MB (tracemalloc); peak resident "
                  f"{max(r['peak_kb'] for r in runs['thidua']) / 1024:.0f} MB in all")


if __name__ == "__main__":
    main()
