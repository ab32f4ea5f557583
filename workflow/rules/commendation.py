"""Commendation: who may be proposed, for what, how many, and the council's vote.

A unit is eligible when it registered (no registration, no eligibility), has a published score,
and the cluster's ballot gave it more than the threshold of all member units. Quotas come from
the award catalogue and the definition's yearly parameters, for the cluster or per emulation
group.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from thidua.workflow import i18n
from thidua.workflow.i18n import _
from thidua.workflow.language.parameters import more_than
from thidua.workflow.rules.ballot import share
from thidua.workflow.rules.candidates import PersonInput, candidate_of
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


def group_of(unit: str, groups: dict[str, list[str]] | None) -> str | None:
    """The emulation group ``unit`` belongs to (None: the cluster is not split, or it is in
    no group)."""
    return next((g for g, units in (groups or {}).items() if unit in units), None)


def _counted(awards: dict[str, Any], proposals: dict[str, Any], award_field: str) -> list[str]:
    """The units proposed for an award whose quota is a count."""
    return [u for u, p in proposals.items()
            if getattr(awards.get(p.get(award_field)), "quota", None) is not None
            and awards[p[award_field]].quota.count is not None]


def quota_for(award: Any, parameters: dict[str, Any], members: tuple[str, ...], unit: str,
              proposals: dict[str, Any], awards: dict[str, Any],
              award_field: str, persons: bool = False
              ) -> tuple[int | None, str | None, list[str]]:
    """How many proposals of ``award`` may be made where ``unit`` competes (None: no limit),
    the emulation group that is (None: the whole cluster), and the units counted against it;
    with ``persons``, how many proposals of persons."""
    quota = award.quota
    if quota is None:
        return None, None, list(members)
    if persons:
        return (None if quota.persons is None else int(parameters[quota.persons])), None, \
            list(members)
    if quota.count is not None:
        value = parameters[quota.count]
        groups = parameters.get(quota.groups) if quota.groups else None
        group = group_of(unit, groups)
        if groups is None:
            return int(value), None, list(members)
        if group is None:
            return 0, None, []
        return int(value[group] if isinstance(value, dict) else value), group, groups[group]
    if quota.share_of_remaining is not None:
        counted = _counted(awards, proposals, award_field)
        limit = math.floor(share(parameters[quota.share_of_remaining])
                           * (len(members) - len(counted)))
        return limit, None, list(members)
    return None, None, list(members)


class QuotaParams(Params):
    """The award input, and the fact that holds the proposals made so far."""

    award: InputName = "award"
    proposal: FactName = "proposal"
    proposed_award: Annotated[str, field_of("proposal")] = "award"
    person: PersonInput = None


def within_quota(situation: Situation, params: QuotaParams) -> list[str]:
    """The proposal stays within the award's quota for the cluster, or for the emulation group
    of the unit proposed when the year's quota is given per group."""
    definition, unit = situation.definition, situation.unit or ""
    name = situation.inputs.get(params.award)
    if definition is None or name not in definition.awards:
        return []
    award = definition.awards[name]
    proposals = dict(situation.facts.get(params.proposal) or {})
    persons = params.person is not None
    limit, group, pool = quota_for(award, situation.parameters, situation.members, unit,
                                   proposals, definition.awards, params.proposed_award,
                                   persons=persons)
    if not persons and award.quota is not None and award.quota.groups and group is None:
        return [_("{unit} is in no emulation group of {groups}: {award} is given per "
                  "group").format(unit=unit, groups=award.quota.groups,
                                  award=award.label.get(i18n.current()))]
    already = sorted(u for u, p in proposals.items()
                     if p.get(params.proposed_award) == name and (persons or u in pool))
    if limit is None or len(already) < limit:
        return []
    label, shown = award.label.get(i18n.current()), ", ".join(already) or _("none")
    if persons:
        refusal = _("{award} over the quota: at most {limit} for persons, already proposed: "
                    "{already}").format(award=label, limit=limit, already=shown)
    elif group is not None:
        refusal = _("{award} over the quota: at most {limit} for group {group} ({units}), "
                    "already proposed: {already}").format(
                        award=label, limit=limit, group=group, units=", ".join(pool),
                        already=shown)
    else:
        refusal = _("{award} over the quota: at most {limit} for a cluster of {members} member "
                    "units, already proposed: {already}").format(
                        award=label, limit=limit, members=len(situation.members),
                        already=shown)
    candidate = candidate_of(situation, params.person)
    return [f"{candidate.name}: {refusal}" if candidate else refusal]


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
