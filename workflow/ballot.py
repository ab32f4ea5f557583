"""The secret ballot: only the counting committee's tally is recorded, never a choice.

Quorum and threshold are parameters of the definition (defaults: at least 2/3 of the member
units vote; a candidate needs more than 50 % of all member units).
"""

from __future__ import annotations

import math
from typing import Any

from thidua.workflow.registry import NoParams, ParameterParams, Situation, guard


def needed_for_quorum(share: float, members: int) -> int:
    """How many member units must vote for ``share`` of ``members``."""
    return math.ceil(share * members - 1e-9)


def passes(votes: int, share: float, members: int) -> bool:
    """More than ``share`` of all member units."""
    return votes > share * members


@guard("ballot_quorum", ParameterParams)
def ballot_quorum(situation: Situation, params: ParameterParams) -> list[str]:
    """Enough member units returned a ballot."""
    share = float(situation.parameters[params.parameter])
    members = len(situation.members)
    returned = int(situation.inputs.get("ballots_returned", 0))
    needed = needed_for_quorum(share, members)
    if returned >= needed:
        return []
    return [f"ballot below quorum: {returned} of {members} member units voted, "
            f"at least {needed} needed ({params.parameter} {share:g})"]


@guard("ballot_consistent", NoParams)
def ballot_consistent(situation: Situation, params: NoParams) -> list[str]:
    """The tally adds up: valid ≤ returned ≤ issued ≤ members; candidates are members."""
    i = situation.inputs
    issued, returned = int(i.get("ballots_issued", 0)), int(i.get("ballots_returned", 0))
    valid = int(i.get("ballots_valid", returned))
    reasons = []
    if not valid <= returned <= issued <= len(situation.members):
        reasons.append(f"the tally does not add up: {valid} valid, {returned} returned, "
                       f"{issued} issued, {len(situation.members)} member units")
    votes: dict[str, Any] = i.get("votes") or {}
    strangers = [c for c in votes if c not in situation.members]
    if strangers:
        reasons.append("not member units: " + ", ".join(strangers))
    over = [c for c, n in votes.items() if int(n) > valid]
    if over:
        reasons.append(f"more votes than valid ballots ({valid}) for: " + ", ".join(over))
    return reasons
