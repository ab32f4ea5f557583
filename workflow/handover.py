"""The handover of cluster leadership: the outgoing head hands the rotating flag to the
incoming head, and the membership changes announced take effect on that day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from thidua.workflow.registry import NoParams, Situation, action, guard


@guard("handover_heads", NoParams)
def handover_heads(situation: Situation, params: NoParams) -> list[str]:
    """The outgoing head is the head; the incoming head is a member after the changes."""
    i = situation.inputs
    outgoing, incoming = i.get("outgoing_head"), i.get("incoming_head")
    leaving, joining = list(i.get("leaving") or []), list(i.get("joining") or [])
    reasons = []
    if outgoing is not None and outgoing != situation.head:
        reasons.append(f"{outgoing} is not the cluster head (the head is {situation.head})")
    after = (set(situation.members) | set(joining)) - set(leaving)
    if incoming is not None and incoming not in after:
        reasons.append(f"{incoming} will not be a member unit after the handover")
    if incoming is not None and incoming == outgoing:
        reasons.append("the incoming head must differ from the outgoing head")
    strangers = [u for u in leaving if u not in situation.members]
    if strangers:
        reasons.append("cannot leave, not member units: " + ", ".join(strangers))
    return reasons


@action("handover", NoParams)
def handover(session: Any, context: Any, situation: Situation, params: NoParams) -> None:
    """Units leave and join, and the incoming head leads from the handover's date."""
    from thidua.workflow import membership

    day = dt.date.fromisoformat(situation.occurred_at[:10])
    cluster_id, period = context.cycle.cluster_id, context.cycle.period
    for unit in situation.inputs.get("joining") or []:
        membership.join_in(session, cluster_id, unit, day)
    for unit in situation.inputs.get("leaving") or []:
        membership.leave_in(session, cluster_id, unit, day)
    membership.change_head(session, cluster_id, period, day, situation.inputs["incoming_head"],
                           situation.inputs.get("incoming_deputy"))
