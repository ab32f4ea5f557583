"""The cost of the replay: ``audit verify`` (the chain, then every cycle and the directory
replayed and compared with the stored rows) against ``audit verify --fast`` (the chain, the
triggers, the documents and the definitions only) on the same database, in the same run.

Two databases, both written through thidua's own services so that every record is real: the
demo (``thidua demo``: one cycle, its handover and two mergers, about 55 events), and a ledger
of about 10,000 events: clusters of four units with their people, each running the reference
year (every step of the shipped annual definition, documents and the handover included) for
year after year. Each measurement runs in a fresh child process, turn about; each reports its
time and the growth of its peak resident memory. There is no target yet: the figures are what
the replay costs.

    python bench/verify_records.py                  # the demo and ~10,000 events
    python bench/verify_records.py --events 2000    # a quick run
    python bench/verify_records.py --keep /tmp/records.db --rounds 5
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, child_env, ledger_arguments, machine

UNITS = ["Hà Nội", "Bắc Ninh", "Bắc Giang", "Vĩnh Phúc"]


def _people(cluster: str) -> dict[str, str]:
    return {"secretary": f"Thư ký {cluster}", "head": f"Cụm trưởng {cluster}",
            "council": f"Hội đồng {cluster}", "chairman": f"Chủ tịch {cluster}",
            "auditor": f"Kiểm tra {cluster}",
            **{unit: f"Đại diện {unit} {cluster}" for unit in UNITS}}


def _year(people: dict[str, str], units: list[str]) -> list[tuple[Any, ...]]:
    """The reference year's steps: (trigger, person, unit, inputs, reason)."""
    from thidua.workflow.engine.inputs import Attachment

    dossier = {"submission": Attachment("to-trinh.txt", "Tờ trình".encode()),
               "minutes": Attachment("bien-ban.txt", "Biên bản".encode()),
               "achievement_reports": [Attachment("thanh-tich.txt", "Thành tích".encode())]}
    sec, head, council = people["secretary"], people["head"], people["council"]
    return [
        ("launch", head, None, {"plan": "Kế hoạch"}, None),
        ("open_registration", sec, None, {}, None),
        *[("register", people[u], None, {"targets": "chỉ tiêu", "titles_sought": ["Cờ thi đua"]},
           None) for u in UNITS],
        ("sign_compact", head, None, {}, None), ("begin_first_half", sec, None, {}, None),
        ("open_midyear_review", sec, None, {}, None),
        *[("submit_midyear_report", sec, u, {"summary": "6 tháng"}, None) for u in units],
        ("hold_midyear_review", head, None, {"place": "Bắc Ninh", "chaired_by": head,
                                             "starts_on": "2000-01-01",
                                             "ends_on": "2000-01-01",
                                             "minutes": Attachment("bb.txt", b"bb"),
                                             "second_half_tasks": ["tiếp tục"]}, None),
        ("hand_over", sec, None, {"outgoing_head": units[0], "incoming_head": units[1]}, None),
        ("open_self_assessment", sec, None, {}, None),
        *[("submit_year_report", people[u], None,
           {"report": "báo cáo", "self_scores": {"political_tasks": 36 + i, "organisation": 22,
                                                  "movements": 18, "propaganda": 13}}, None)
          for i, u in enumerate(UNITS)],
        ("close_self_assessment", sec, None, {}, None),
        ("publish_scores", sec, None, {}, None),
        ("record_ballot", sec, None, {"ballots_issued": 4, "ballots_returned": 4,
                                      "ballots_valid": 4, "votes": {units[1]: 4, units[3]: 3},
                                      "next_head": units[1], "next_deputy": units[0]}, None),
        ("propose", sec, units[3], {"award": "co_thi_dua"}, None),
        ("submit_proposal", sec, None, dossier, None),
        ("start_council_review", council, None, {}, None),
        ("council_vote", council, None, {"candidate": units[3], "votes_for": 9,
                                         "votes_against": 1, "abstaining": 1,
                                         "members_total": 11}, None),
        ("issue_decision", people["chairman"], None,
         {"number": "12/QĐ", "date": "2024-03-01", "lines": [units[3]]}, None),
        ("close", people["auditor"], None, {}, None),
    ]


def build(path: Path, events: int) -> int:
    """A database of about ``events`` events, written through thidua's services."""
    from thidua.workflow.audit.verify import head
    from thidua.workflow.language.loader import find
    from thidua.workflow.services import directory, identity
    from thidua.workflow.services.cycles import fire, start_cycle
    from thidua.workflow.services.db import Database

    db, definition, number = Database(str(path)), find("ccb-cluster-annual"), 0
    while head(db).seq < events:
        number += 1
        cluster, people = f"Cụm {number}", _people(f"{number}")
        units = [f"{u} {number}" for u in UNITS]
        directory.add_cluster(db, cluster, members=units, head=units[0], deputy=units[1],
                              period=2000, joined_on=dt.date(2000, 1, 1))
        for role, name in people.items():
            unit = units[UNITS.index(role)] if role in UNITS else (
                units[0] if role in ("secretary", "head") else None)
            directory.add_actor(db, name, unit_name=unit)
        for role, key in (("secretariat", "secretary"), ("council", "council"),
                          ("chairman", "chairman"), ("auditor", "auditor")):
            identity.grant(db, people[key], role, cluster_name=cluster)
        for period in range(2000, 2200):
            if head(db).seq >= events:
                break
            _run_year(db, definition, cluster, period, people, units, start_cycle, fire)
    db.close()
    return number


def _run_year(db: Any, definition: Any, cluster: str, period: int, people: dict[str, str],
              units: list[str], start_cycle: Any, fire: Any) -> None:
    from thidua.workflow.services.membership import set_leadership

    if period > 2000:  # each year the same head and deputy; the handover swaps them
        set_leadership(db, cluster, period, units[0], units[1])
    cycle = start_cycle(db, definition, cluster, period, actor=people["secretary"],
                        occurred_at=f"{min(period, 2024)}-01-05").cycle_id
    for trigger, who, unit, inputs, reason in _year(people, units):
        fire(db, cycle, trigger, actor=who, unit=unit, inputs=inputs, reason=reason)


def child(which: str, path: Path) -> None:
    """One measurement in this (fresh) process, printed as JSON."""
    from thidua.workflow.audit.verify import verify
    from thidua.workflow.services.db import Database

    db = Database(str(path))
    start = time.perf_counter()
    done = verify(db, fast=which == "fast")
    seconds = time.perf_counter() - start
    db.close()
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"events": done.events, "cycles": done.cycles,
                      "directory_rows": done.directory_rows, "seconds": seconds,
                      "peak_kb": peak}))


def measure(which: str, path: Path) -> dict[str, Any]:
    """One measurement in a child process."""
    done = subprocess.run([sys.executable, __file__, "--child", which, str(path)],
                          env=child_env(), capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def compare(name: str, path: Path, rounds: int) -> None:
    """Measure ``audit verify`` and ``--fast`` turn about on ``path``; print the figures."""
    runs: dict[str, list[dict[str, Any]]] = {"full": [], "fast": []}
    for _ in range(rounds):
        for which in runs:
            runs[which].append(measure(which, path))
    full, fast = (statistics.median(r["seconds"] for r in runs[w]) for w in ("full", "fast"))
    last = runs["full"][-1]
    replay = max(full - fast, 0.0)
    print(f"{name}: {last['events']:,} events, {last['cycles']:,} cycles, "
          f"{last['directory_rows']:,} directory rows")
    print(f"{name}: verify {full:.2f} s, --fast {fast:.2f} s: the replay costs {replay:.2f} s "
          f"({full / fast:.2f}x the fast verify; {last['events'] / max(replay, 1e-9):,.0f} "
          f"events/s); peak resident {max(r['peak_kb'] for r in runs['full']) / 1024:.0f} MB "
          f"(--fast {max(r['peak_kb'] for r in runs['fast']) / 1024:.0f} MB)  ({machine()})")


def main() -> None:
    """Build (or reuse) the databases, measure turn about, print the figures."""
    args = ledger_arguments(__doc__, events=10_000)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    sys.path.insert(0, str(ROOT))
    folder = tempfile.TemporaryDirectory(prefix="thidua-records-")
    demo = Path(folder.name) / "demo.db"
    from thidua.workflow.services import demo as demo_service
    from thidua.workflow.services.db import Database

    handle = Database(str(demo))
    demo_service.run(handle)
    handle.close()
    compare("demo", demo, args.rounds)
    path = args.keep or Path(folder.name) / "records.db"
    if not path.exists():
        start = time.perf_counter()
        clusters = build(path, args.events)
        print(f"built {args.events:,}+ events in {clusters} clusters in "
              f"{time.perf_counter() - start:.0f} s")
    compare("records", path, args.rounds)
    folder.cleanup()


if __name__ == "__main__":
    main()
