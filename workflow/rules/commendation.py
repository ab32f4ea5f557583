"""Commendation: who may be proposed, for what, how many, and the council's vote.

A unit is eligible when it registered (no registration, no eligibility), has a published score,
and the cluster's ballot gave it more than the threshold of all member units. Quotas come from
the award catalogue and the definition's parameters.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from thidua.workflow import i18n
from thidua.workflow.i18n import _
from thidua.workflow.rules.ballot import more_than, share
from thidua.workflow.rules.registry import (
    FactName,
    InputName,
    Params,
    ShareParameter,
    Situation,
    field_of,
    number,
)


class EligibleParams(Params):
    """The vote threshold, and the facts eligibility is read from."""

    parameter: ShareParameter
    registration: FactName = "registration"
    scores: FactName = "scores"
    ballot: FactName = "ballot"
    votes: Annotated[str, field_of("ballot")] = "votes"


def eligible(situation: Situation, params: EligibleParams) -> list[str]:
    """The proposed unit registered, is ranked, and passed the cluster's vote."""
    unit, facts = situation.unit, situation.facts
    reasons = []
    if unit not in (facts.get(params.registration) or {}):
        reasons.append(_("{unit} did not register for the emulation: no registration, no "
                         "eligibility").format(unit=unit))
    ranked = [r["unit"] for r in (facts.get(params.scores) or {}).get("ranking", [])]
    if unit not in ranked:
        reasons.append(_("{unit} has no published score").format(unit=unit))
    ballot = facts.get(params.ballot)
    if ballot is None:
        reasons.append(_("no ballot has been recorded"))
    else:
        threshold = share(situation.parameters[params.parameter])
        members = len(situation.members)
        votes = int((ballot.get(params.votes) or {}).get(unit, 0))
        needed = more_than(threshold, members)
        if votes < needed:
            reasons.append(_("{unit} received {votes} of {members} votes; more than "
                             "{threshold:.0%} of the {members} member units ({needed}) is "
                             "needed").format(
                               unit=unit, votes=votes, members=members,
                               threshold=float(threshold), needed=needed))
    return reasons


def quota_for(award: Any, parameters: dict[str, Any], members: int,
              proposals: dict[str, Any], awards: dict[str, Any], award_field: str) -> int | None:
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
                   if awards.get(p.get(award_field)) is not None
                   and awards[p[award_field]].quota is not None
                   and awards[p[award_field]].quota.count is not None]
        return math.floor(share(parameters[quota.share_of_remaining]) * (members - len(counted)))
    return None


class QuotaParams(Params):
    """The award input, and the fact that holds the proposals made so far."""

    award: InputName = "award"
    proposal: FactName = "proposal"
    proposed_award: Annotated[str, field_of("proposal")] = "award"


def award_quota(situation: Situation, params: QuotaParams) -> list[str]:
    """The proposal stays within the award's quota for the cluster."""
    definition = situation.definition
    name = situation.inputs.get(params.award)
    if definition is None or name not in definition.awards:
        return []
    award = definition.awards[name]
    proposals = dict(situation.facts.get(params.proposal) or {})
    members = len(situation.members)
    limit = quota_for(award, situation.parameters, members, proposals, definition.awards,
                      params.proposed_award)
    already = sorted(u for u, p in proposals.items() if p.get(params.proposed_award) == name)
    if limit is None or len(already) < limit:
        return []
    return [_("{award} over the quota: at most {limit} for a cluster of {members} member "
              "units, already proposed: {already}").format(
                award=award.label.get(i18n.current()), limit=limit, members=members,
                already=", ".join(already) or _("none"))]


class CouncilParams(Params):
    """The council's threshold, and the inputs with its vote."""

    parameter: ShareParameter
    votes_for: InputName = "votes_for"
    members_total: InputName = "members_total"


def council_threshold(situation: Situation, params: CouncilParams) -> list[str]:
    """More than the threshold of all council members voted for."""
    threshold = share(situation.parameters[params.parameter])
    votes = number(situation.inputs.get(params.votes_for))
    total = number(situation.inputs.get(params.members_total))
    if total <= 0:
        return [_("the council's number of members must be given")]
    if votes > total:
        return [_("{votes} votes for is more than the council's {total} members").format(
                    votes=votes, total=total)]
    needed = more_than(threshold, total)
    if votes >= needed:
        return []
    return [_("the council's vote does not pass: {votes} of {total} members for; more than "
              "{threshold:.0%} ({needed}) is needed").format(
                votes=votes, total=total, threshold=float(threshold), needed=needed)]
