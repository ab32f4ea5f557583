"""Commendation: who may be proposed, for what, how many, and the council's vote.

A unit is eligible when it registered (no registration, no eligibility), has a published score,
and the cluster's ballot gave it more than the threshold of all member units. Quotas come from
the award catalogue and the definition's parameters.
"""

from __future__ import annotations

import math
from typing import Any

from thidua.workflow.ballot import passes
from thidua.workflow.registry import NoParams, ParameterParams, Situation, guard

PROPOSALS = "proposal"


@guard("eligible", ParameterParams)
def eligible(situation: Situation, params: ParameterParams) -> list[str]:
    """The proposed unit registered, is ranked, and passed the cluster's vote."""
    unit, facts = situation.unit, situation.facts
    reasons = []
    if unit not in (facts.get("registration") or {}):
        reasons.append(f"{unit} did not register for the emulation: no registration, "
                       "no eligibility")
    ranked = [r["unit"] for r in (facts.get("scores") or {}).get("ranking", [])]
    if unit not in ranked:
        reasons.append(f"{unit} has no published score")
    ballot = facts.get("ballot")
    if ballot is None:
        reasons.append("no ballot has been recorded")
    else:
        share = float(situation.parameters[params.parameter])
        members = len(situation.members)
        votes = int((ballot.get("votes") or {}).get(unit, 0))
        if not passes(votes, share, members):
            needed = math.floor(share * members) + 1
            reasons.append(f"{unit} received {votes} of {members} votes; more than "
                           f"{share:.0%} of the {members} member units ({needed}) is needed")
    return reasons


def quota_for(award: Any, parameters: dict[str, Any], members: int,
              proposals: dict[str, Any], awards: dict[str, Any]) -> int | None:
    """How many proposals of ``award`` the cluster may make (None: no limit)."""
    quota = award.quota
    if quota is None:
        return None
    if quota.count is not None:
        large = quota.count_large and quota.large_from and \
            members >= int(parameters[quota.large_from])
        return int(parameters[quota.count_large if large else quota.count])
    if quota.share_of_remaining is not None:
        counted = [u for u, p in proposals.items()
                   if awards.get(p.get("award")) is not None
                   and awards[p["award"]].quota is not None
                   and awards[p["award"]].quota.count is not None]
        return math.floor(float(parameters[quota.share_of_remaining]) * (members - len(counted)))
    return None


@guard("award_quota", NoParams)
def award_quota(situation: Situation, params: NoParams) -> list[str]:
    """The proposal stays within the award's quota for the cluster."""
    definition = situation.definition
    name = situation.inputs.get("award")
    if definition is None or name not in definition.awards:
        return []
    award = definition.awards[name]
    proposals = dict(situation.facts.get(PROPOSALS) or {})
    members = len(situation.members)
    limit = quota_for(award, situation.parameters, members, proposals, definition.awards)
    already = sorted(u for u, p in proposals.items() if p.get("award") == name)
    if limit is None or len(already) < limit:
        return []
    return [f"{award.label.en} over the quota: at most {limit} for a cluster of {members} "
            f"member units, already proposed: {', '.join(already) or 'none'}"]


@guard("council_threshold", ParameterParams)
def council_threshold(situation: Situation, params: ParameterParams) -> list[str]:
    """More than the threshold of all council members voted for."""
    share = float(situation.parameters[params.parameter])
    votes = int(situation.inputs.get("votes_for", 0))
    total = int(situation.inputs.get("members_total", 0))
    if total <= 0:
        return ["the council's number of members must be given"]
    if votes > total:
        return [f"{votes} votes for is more than the council's {total} members"]
    if passes(votes, share, total):
        return []
    return [f"the council's vote does not pass: {votes} of {total} members for; more than "
            f"{share:.0%} ({math.floor(share * total) + 1}) is needed"]
