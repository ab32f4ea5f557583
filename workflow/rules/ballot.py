"""The secret ballot: only the counting committee's tally is recorded, never a choice.

Quorum and threshold are parameters of the definition (defaults: at least 2/3 of the member
units vote; a candidate needs more than 50 % of all member units). Shares are exact fractions,
compared in integers: 2/3 of 6 units is 4, never 5.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from thidua.workflow.i18n import _
from thidua.workflow.language.parameters import as_fraction, at_least
from thidua.workflow.rules.registry import (
    InputName,
    Params,
    ShareParameter,
    Situation,
    number,
)


def share(value: Any) -> Fraction:
    """A share parameter (``2/3``, ``0.5``) as an exact fraction."""
    return as_fraction(value)

class QuorumParams(Params):
    """The quorum's share parameter and the input with the ballots returned."""

    parameter: ShareParameter
    returned: InputName = "ballots_returned"

def ballot_quorum(situation: Situation, params: QuorumParams) -> list[str]:
    """Enough member units returned a ballot."""
    given = situation.parameters[params.parameter]
    quorum = share(given)
    members = len(situation.members)
    returned = number(situation.inputs.get(params.returned))
    needed = at_least(quorum, members)
    if returned >= needed:
        return []
    return [_("ballot below quorum: {returned} of {members} member units voted, at least "
              "{needed} needed ({parameter} {given})").format(
                returned=returned, members=members, needed=needed, parameter=params.parameter,
                given=given)]

class TallyParams(Params):
    """The inputs of the counting committee's tally."""

    issued: InputName = "ballots_issued"
    returned: InputName = "ballots_returned"
    valid: InputName = "ballots_valid"
    votes: InputName = "votes"

def ballot_consistent(situation: Situation, params: TallyParams) -> list[str]:
    """The tally adds up: valid ≤ returned ≤ issued ≤ members; candidates are members."""
    given = situation.inputs
    issued, returned = number(given.get(params.issued)), number(given.get(params.returned))
    valid = number(given.get(params.valid), returned)
    reasons = []
    if not valid <= returned <= issued <= len(situation.members):
        reasons.append(_("the tally does not add up: {valid} valid, {returned} returned, "
                         "{issued} issued, {count} member units").format(
                           valid=valid, returned=returned, issued=issued,
                           count=len(situation.members)))
    votes: dict[str, Any] = given.get(params.votes) or {}
    strangers = [c for c in votes if c not in situation.members]
    if strangers:
        reasons.append(_("not member units: {strangers}").format(strangers=", ".join(strangers)))
    over = [c for c, n in votes.items() if int(n) > valid]
    if over:
        reasons.append(_("more votes than valid ballots ({valid}) for: {over}").format(
                           valid=valid, over=", ".join(over)))
    return reasons
