"""Meetings (the mid-year review, the year-end summary, a compact signing): a meeting is held
over one or more days, and is recorded on or after its last day."""

from __future__ import annotations

import datetime as dt

from thidua.workflow.i18n import _
from thidua.workflow.rules.registry import InputName, Params, Situation
from thidua.workflow.timeutil import business_day

MEETING_DAYS = 31  # the longest meeting recorded as one: beyond, it is a mistyped date


class MeetingParams(Params):
    """The inputs holding the meeting's first and last day."""

    starts_on: InputName = "starts_on"
    ends_on: InputName = "ends_on"


def meeting_dates(situation: Situation, params: MeetingParams) -> list[str]:
    """The meeting's last day is not before its first, nor after the day it is recorded."""
    starts, ends = situation.inputs.get(params.starts_on), situation.inputs.get(params.ends_on)
    if starts is None or ends is None:
        return []
    first, last = dt.date.fromisoformat(starts), dt.date.fromisoformat(ends)
    if last < first:
        return [_("the meeting ends ({last}) before it starts ({first})").format(
            last=last, first=first)]
    if (last - first).days >= MEETING_DAYS:
        return [_("the meeting lasts more than {days} days ({first} to {last})").format(
            days=MEETING_DAYS, first=first, last=last)]
    if situation.occurred_at and situation.zone is not None:
        day = business_day(situation.occurred_at, situation.zone)
        if last > day:
            return [_("the meeting ends on {last}, after the day it is recorded ({day})").format(
                last=last, day=day)]
    return []
