"""A cycle's stored row, loaded and checked: a row thidua cannot have written (a state its
definition lacks, facts that are not a JSON object) is an integrity failure, whoever reads it —
a step, or a view that loads nothing else of the engine."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from thidua.store import cycles
from thidua.workflow.errors import IntegrityFailure, NotFound
from thidua.workflow.i18n import _

if TYPE_CHECKING:
    from thidua.store.query import Target


def load_cycle(target: Target, cycle_id: int, *, lock: bool = False) -> Any:
    """The row of cycle ``cycle_id``; locked on PostgreSQL when ``lock``."""
    row = cycles.load(target, cycle_id, lock=lock)
    if row is None:
        raise NotFound(_("no cycle {cycle_id} (see: thidua cycle list)").format(
            cycle_id=cycle_id))
    return row


def checked_facts(cycle: Any, states: Collection[str], ref: str) -> dict[str, Any]:
    """The cycle row's facts, once its state is found among ``states`` (those of its
    definition ``ref``); a row that is neither was changed outside thidua."""
    damage = None
    if cycle.state not in states:
        damage = f"is in state {str(cycle.state)[:40]!r}, which {ref} does not have"
    else:
        try:
            facts = json.loads(cycle.facts)
        except (TypeError, ValueError, RecursionError):
            facts = None
        if isinstance(facts, dict):
            return facts
        damage = "holds facts that are not a JSON object"
    raise IntegrityFailure(f"cycle {cycle.id} {damage}: it was changed outside thidua; "
                           "run thidua audit verify", kind="altered")
