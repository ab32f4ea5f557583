"""One stress process: opens its own database handle and fires at random on shared cycles,
counting what succeeded, what the rules refused and what conflicted.

Every command carries a unique token as its reason, so that the ledger can be searched for
the trace of each command afterwards. It runs in a spawned process: arguments and results
are plain data.
"""

from __future__ import annotations

import random
import traceback
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from typing import Any

from tests.stress.harness import MEMBER, OUTSIDER, SECRETARY
from thidua.workflow.errors import Conflict, TransitionRefused
from thidua.workflow.services.cycles import Fired, fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show

REQUEST_ID_SHARE = 0.2  # commands that carry a request id, and are retried once on success


@dataclass
class Tally:
    """What one process did: successes by (seq, cycle, trigger, version, token), the tokens
    of refused and conflicting commands, idempotent retries, and anything unexpected."""

    worker: int
    fired: list[tuple[int, int, str, int, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    stale: int = 0  # conflicts provoked on purpose with an outdated expected version
    repeats: int = 0  # retried request ids that returned the first result
    request_ids: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Command:
    """One call of :func:`workflow.services.cycles.fire`."""

    cycle_id: int
    trigger: str
    actor: str
    token: str
    unit: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    request_id: str | None = None

    def run(self, db: Database) -> Fired:
        """Fire it."""
        return fire(db, self.cycle_id, self.trigger, actor=self.actor, unit=self.unit,
                    inputs=self.inputs, reason=self.token, expected_version=self.expected_version,
                    request_id=self.request_id)


def choose(db: Database, rng: random.Random, cycle_id: int, token: str,
           finish_cycle: int | None) -> tuple[Command, bool]:
    """A random command on ``cycle_id``, and whether it is meant to be stale."""
    roll = rng.random()
    if roll < 0.45:  # look, then take the step the state allows, expecting the version seen
        view = show(db, cycle_id)
        trigger = "flip" if view.state == "even" else "flop"
        if finish_cycle == cycle_id and view.state == "odd" and rng.random() < 0.2:
            trigger = "finish"
        return Command(cycle_id, trigger, SECRETARY, token, expected_version=view.version), False
    if roll < 0.50 and (version := show(db, cycle_id).version) > 1:  # an outdated look
        return Command(cycle_id, rng.choice(["flip", "flop"]), SECRETARY, token,
                       expected_version=version - 1), True
    if roll < 0.75:  # blind: refused when the state is the other one
        return Command(cycle_id, rng.choice(["flip", "flop"]), SECRETARY, token), False
    if roll < 0.95:  # a member unit notes something for itself (a repeatable per-unit fact)
        unit = rng.choice(sorted(MEMBER))
        return Command(cycle_id, "note", MEMBER[unit], token, inputs={"text": token}), False
    return Command(cycle_id, "flip", OUTSIDER, token), False  # holds no role: refused


def work(url: str, worker: int, cycle_ids: list[int], fires: int, seed: int,
         finish_cycle: int | None, start: Barrier | None = None) -> Tally:
    """Fire ``fires`` commands on 2–3 of ``cycle_ids`` (all of them when fewer)."""
    rng = random.Random(seed)
    tally = Tally(worker)
    db = Database(url)
    mine = rng.sample(cycle_ids, min(len(cycle_ids), rng.choice([2, 3])))
    if start is not None:
        start.wait()
    try:
        for i in range(fires):
            late = i >= fires * 0.9  # the cycle is finished only late, so most steps toggle
            _one(db, rng, tally, rng.choice(mine), f"w{worker}-{i}",
                 finish_cycle if late else None)
    finally:
        db.close()
    return tally


def _one(db: Database, rng: random.Random, tally: Tally, cycle_id: int, token: str,
         finish_cycle: int | None) -> None:
    try:
        command, stale = choose(db, rng, cycle_id, token, finish_cycle)
        if rng.random() < REQUEST_ID_SHARE:
            command = Command(**{**command.__dict__, "request_id": f"req-{token}"})
            tally.request_ids.append(f"req-{token}")
        try:
            fired = command.run(db)
        except TransitionRefused:
            tally.refused.append(token)
            return
        except Conflict:
            tally.conflicts.append(token)
            tally.stale += stale
            return
        if stale:
            tally.unexpected.append(f"{token}: an outdated expected version was accepted")
        tally.fired.append((fired.seq, fired.cycle_id, fired.trigger, fired.version, token))
        if command.request_id:  # the same command again, as a client retrying would send it
            again = command.run(db)
            if not again.repeated or (again.seq, again.version) != (fired.seq, fired.version):
                tally.unexpected.append(f"{token}: retry gave {again}, first {fired}")
            tally.repeats += 1
    except Exception:  # anything else is a finding: keep it for the report, keep going
        tally.unexpected.append(f"{token}: {traceback.format_exc(limit=-3)}")


def work_to_queue(queue: Any, *args: Any) -> None:
    """Run :func:`work` and put its tally (or the failure) on ``queue``."""
    try:
        queue.put(work(*args))
    except BaseException:
        queue.put(traceback.format_exc())
        raise
