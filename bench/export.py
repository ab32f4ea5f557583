"""Exporting: ``workflow.audit.export.export_to`` (what ``thidua audit export`` runs, as JSON
lines) over a ledger of 300,000 events, against ``audit verify --fast`` on the same ledger in
the same run: both read every raw row and SHA-256 it, and the export writes each line too.

The ledger is the one bench/verify_ledger.py builds (its realistic mix of events, documents
and reasons). Each side runs in a fresh child process, turn about; each reports its time and
cpu time. Target: the export's events per second at least half of verify's.

    python bench/export.py                   # 300,000 events
    python bench/export.py --events 50000    # a quick run
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import child_json, ledger_arguments, report
from verify_ledger import build

TARGET = 0.5


def _export(path: Path) -> int:
    from thidua.workflow.audit.export import export_to
    from thidua.workflow.services.db import Database

    db = Database(str(path))
    try:
        with open("/dev/null", "w", encoding="utf-8") as out:
            return export_to(db, out, fmt="jsonl").events
    finally:
        db.close()


def _verify(path: Path) -> int:
    from thidua.workflow.audit.verify import verify
    from thidua.workflow.services.db import Database

    db = Database(str(path))
    try:
        return verify(db, fast=True).events
    finally:
        db.close()


def child(which: str, path: Path) -> None:
    """One measurement in this fresh process, printed as JSON (imports not measured)."""
    import thidua.workflow.audit.export
    import thidua.workflow.audit.verify  # noqa: F401

    work = {"export": _export, "verify": _verify}[which]
    start, cpu = time.perf_counter(), time.process_time()
    events = work(path)
    print(json.dumps({"events": events, "seconds": time.perf_counter() - start,
                      "cpu": time.process_time() - cpu}))


def main() -> None:
    """Build the ledger, measure both sides turn about, print the ratio."""
    args = ledger_arguments(__doc__, events=300_000)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "ledger.db"
        if not path.exists():
            build(path, args.events)
        runs: dict[str, list[dict[str, Any]]] = {"export": [], "verify": []}
        for _ in range(args.rounds):
            for which in runs:
                runs[which].append(child_json(__file__, which, str(path)))
    rate = {k: [r["events"] / r["seconds"] for r in v] for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()}
    ratio = statistics.median(rate["export"]) / statistics.median(rate["verify"])
    detail = (f"export {min(rate['export']):,.0f}–{max(rate['export']):,.0f} events/s "
              f"(cpu {cpu['export']:.2f} s), verify --fast {min(rate['verify']):,.0f}–"
              f"{max(rate['verify']):,.0f} events/s (cpu {cpu['verify']:.2f} s), "
              f"{runs['export'][0]['events']:,} events, {args.rounds} rounds; cpu ratio "
              f"{cpu['verify'] / cpu['export']:.2f}x")
    sys.exit(0 if report("export", ratio, TARGET, at_most=False, detail=detail) else 1)


if __name__ == "__main__":
    main()
