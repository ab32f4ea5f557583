"""What the stress and crash tests share: a prepared database of toggle cycles, and the checks
that a store is consistent (the ledger chain whole, every cycle replaying to its row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.replay import replayed_matches
from thidua.store.ledger import GENESIS
from thidua.store.models import Cycle, LedgerRow
from thidua.workflow.audit import verify as audit
from thidua.workflow.language.loader import Loaded, load_file
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import start_cycle
from thidua.workflow.services.db import Database

DEFINITION = Path(__file__).with_name("toggle.yaml")
CLUSTER = "Cụm thử tải"
UNITS = ["Hà Nội", "Bắc Ninh", "Bắc Giang"]
SECRETARY = "Thư ký"  # holds the secretariat role: flips, flops, finishes
MEMBER = {unit: f"Đại diện {unit}" for unit in UNITS}  # each notes for their own unit
OUTSIDER = "Khách"  # holds no role: every step of theirs is refused
PERIOD = dt.date.today().year


def definition() -> Loaded:
    """The test-only toggle definition."""
    return load_file(DEFINITION)


def prepare(db: Database, cycles: int) -> list[int]:
    """A cluster, its people and ``cycles`` started toggle cycles (one a year, back from
    this one); returns their ids."""
    directory.add_cluster(db, CLUSTER, members=UNITS, head=UNITS[0], deputy=UNITS[1],
                          period=PERIOD, joined_on=dt.date(PERIOD - cycles, 1, 1))
    directory.add_actor(db, SECRETARY, unit_name=None)
    identity.grant(db, SECRETARY, "secretariat", cluster_name=CLUSTER)
    for unit, person in MEMBER.items():
        directory.add_actor(db, person, unit_name=unit)
    directory.add_actor(db, OUTSIDER, unit_name=None)
    loaded = definition()
    return [start_cycle(db, loaded, CLUSTER, PERIOD - k, actor=SECRETARY, draft=True).cycle_id
            for k in range(cycles)]


@dataclass(frozen=True)
class Ledger:
    """The whole ledger, read back: its events in order, by kind."""

    rows: list[Any]

    def fires(self, cycle_id: int | None = None) -> list[Any]:
        """The 'fire' events (of one cycle)."""
        return [r for r in self.rows if r.kind == "fire"
                and (cycle_id is None or r.cycle_id == cycle_id)]


def read_ledger(db: Database) -> Ledger:
    """Every ledger row, oldest first."""
    with db.transaction() as session:
        return Ledger(list(session.scalars(select(LedgerRow).order_by(LedgerRow.seq))))


def versions(db: Database) -> dict[int, tuple[str, int]]:
    """Each cycle's stored (state, version)."""
    with db.transaction() as session:
        return {c.id: (c.state, c.version) for c in session.scalars(select(Cycle))}


def chain_problems(ledger: Ledger) -> list[str]:
    """Gaps and forks: every seq follows the one before, every prev_hash is the hash before."""
    problems = []
    prev_seq, prev_hash = 0, GENESIS
    for row in ledger.rows:
        if row.seq != prev_seq + 1:
            problems.append(f"event {row.seq} follows event {prev_seq}")
        if row.prev_hash != prev_hash:
            problems.append(f"event {row.seq} chains to {row.prev_hash[:12]}, "
                            f"not to {prev_hash[:12]}")
        prev_seq, prev_hash = row.seq, row.hash
    return problems


def assert_consistent(db: Database) -> Ledger:
    """The store is consistent: the chain has no gap or fork, `audit verify` passes, each
    cycle's version counts its events and its ledger replays to its state, version and facts."""
    ledger = read_ledger(db)
    assert chain_problems(ledger) == []
    verified = audit.verify(db)
    assert verified.events == len(ledger.rows)
    for cycle_id, (_state, version) in versions(db).items():
        events = [r for r in ledger.rows if r.cycle_id == cycle_id]
        assert [r.cycle_version for r in events] == list(range(1, version + 1)), cycle_id
        assert replayed_matches(db, cycle_id), f"cycle {cycle_id} does not replay"
    return ledger
