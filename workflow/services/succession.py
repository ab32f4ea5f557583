"""Opening next year's cycle from a closed one: same cluster and definition, members carried
over (membership lives in the directory), head and deputy from the year-end election or, when
none was recorded, from the rotation rule (default: this year's deputy is next year's head)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thidua.store import directory as queries
from thidua.workflow.engine.judge import context
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import InvalidInput, TransitionRefused
from thidua.workflow.i18n import _
from thidua.workflow.services.cycles import Fired, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.publish import in_force

ROTATIONS = ("deputy_becomes_head", "elected")


def next_leadership(facts: dict[str, Any], rotation: str, head: str | None,
                    deputy: str | None) -> tuple[str, str | None] | None:
    """Next year's (head, deputy): as elected at the year-end summary, else by rotation."""
    ballot = facts.get("ballot") or {}
    if ballot.get("next_head"):
        return ballot["next_head"], ballot.get("next_deputy")
    if rotation == "deputy_becomes_head" and deputy is not None:
        return deputy, None
    if rotation == "deputy_becomes_head" and head is not None:
        return head, None  # no deputy to rotate in: the head stays until one is set
    return None


def start_next(db: Database, from_id: int, *, actor: str | None = None,
               occurred_at: str | dt.datetime | None = None) -> Fired:
    """Start the cycle of the year after closed cycle ``from_id``."""
    with db.transaction() as session:
        cycle = load_cycle(session, from_id)
        ctx = context(session, cycle, dt.date(cycle.period, 12, 31))
        if not ctx.loaded.definition.state(cycle.state).final:
            raise TransitionRefused("start", [
                _("cycle {from_id} is in {state!r}: close it before opening the next year").format(
                    from_id=from_id, state=cycle.state)])
        rotation = str(ctx.loaded.definition.parameter_values().get(
            "rotation", "deputy_becomes_head"))
        if rotation not in ROTATIONS:
            known = ", ".join(ROTATIONS)
            raise InvalidInput(_("unknown rotation rule {rotation!r} (known: {known})").format(
                                   rotation=rotation, known=known))
        head, deputy = queries.leadership(session, cycle.cluster_id, cycle.period)
        already = queries.leadership(session, cycle.cluster_id, cycle.period + 1)
        leadership = None if already[0] else next_leadership(ctx.facts, rotation, head, deputy)
        def_id, cluster, period = ctx.loaded.definition.id, ctx.cluster.name, cycle.period + 1
    # The new year runs on the version of the definition in force for it.
    loaded = in_force(db, def_id, period)
    return start_cycle(db, loaded, cluster, period, actor=actor, occurred_at=occurred_at,
                       leadership=leadership)
