"""The handover of cluster leadership: the outgoing head hands the rotating flag to the
incoming head, and the membership changes announced take effect on that day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from thidua.workflow.engine import roster
from thidua.workflow.i18n import _
from thidua.workflow.rules.registry import InputName, Params, Situation


class HandoverParams(Params):
    """The inputs of the handover."""

    outgoing_head: InputName = "outgoing_head"
    incoming_head: InputName = "incoming_head"
    incoming_deputy: InputName = "incoming_deputy"
    leaving: InputName = "leaving"
    joining: InputName = "joining"


def handover_heads(situation: Situation, params: HandoverParams) -> list[str]:
    """The outgoing head is the head; the incoming head is a member after the changes."""
    given = situation.inputs
    outgoing, incoming = given.get(params.outgoing_head), given.get(params.incoming_head)
    leaving, joining = list(given.get(params.leaving) or []), list(given.get(params.joining) or [])
    reasons = []
    if outgoing is not None and outgoing != situation.head:
        reasons.append(_("{outgoing} is not the cluster head (the head is {head})").format(
                           outgoing=outgoing, head=situation.head))
    after = (set(situation.members) | set(joining)) - set(leaving)
    if incoming is not None and incoming not in after:
        reasons.append(_("{incoming} will not be a member unit after the handover").format(
                           incoming=incoming))
    if incoming is not None and incoming == outgoing:
        reasons.append(_("the incoming head must differ from the outgoing head"))
    strangers = [u for u in leaving if u not in situation.members]
    if strangers:
        reasons.append(_("cannot leave, not member units: {strangers}").format(
                           strangers=", ".join(strangers)))
    return reasons


@dataclass(frozen=True)
class Changes:
    """What a handover changes in the directory, from its inputs and date alone: units join,
    then units leave, then ``head`` (and ``deputy``) lead from ``day``."""

    day: dt.date
    joining: list[str]
    leaving: list[str]
    head: str
    deputy: str | None


def handover_changes(inputs: dict[str, Any], params: HandoverParams, day: dt.date) -> Changes:
    """The changes of a handover given ``inputs`` that happened on the business day ``day``:
    the step makes them, and the auditor's replay makes them again."""
    return Changes(day,
                   list(inputs.get(params.joining) or []), list(inputs.get(params.leaving) or []),
                   inputs[params.incoming_head], inputs.get(params.incoming_deputy))


def handover(session: Any, context: Any, situation: Situation, params: HandoverParams) -> None:
    """Units leave and join, and the incoming head leads from the handover's date: the day
    the step is judged on, in the database's business zone (not the UTC date)."""
    changes = handover_changes(situation.inputs, params, context.day)
    cluster_id, period = context.cycle.cluster_id, context.cycle.period
    for unit in changes.joining:
        roster.join_in(session, cluster_id, unit, changes.day)
    for unit in changes.leaving:
        roster.leave_in(session, cluster_id, unit, changes.day)
    roster.change_head(session, cluster_id, period, changes.day, changes.head, changes.deputy)
