"""The council votes on each candidate; the decision-maker decides; an award line is revoked.

The council records its vote per candidate (for, against, abstaining, of all its members): a
vote without the quorum is refused, a quorate one is recorded with its outcome (accepted when
more than the threshold of all members voted for). The decision, signed by the person on whose
authority it is entered (the decision-maker role of the definition), lists accepted candidates
only; it becomes the award lines of the register, each revocable on its own.
"""

from __future__ import annotations

from typing import Annotated, Any

from thidua.workflow.i18n import _
from thidua.workflow.language.parameters import at_least, more_than
from thidua.workflow.rules.ballot import share
from thidua.workflow.rules.candidates import award_label, proposals
from thidua.workflow.rules.registry import (
    FactName,
    Facts,
    InputName,
    ParameterName,
    Params,
    Reads,
    ShareParameter,
    Situation,
    WrittenFact,
    key_of,
    number,
)


class VoteParams(Params):
    """The council's quorum, and the inputs with its vote on one candidate."""

    quorum: ShareParameter
    candidate: InputName = "candidate"
    votes_for: InputName = "votes_for"
    votes_against: InputName = "votes_against"
    abstaining: InputName = "abstaining"
    members_total: InputName = "members_total"


def _counts(inputs: dict[str, Any], params: VoteParams) -> tuple[int, int, int, int]:
    return (number(inputs.get(params.votes_for)), number(inputs.get(params.votes_against)),
            number(inputs.get(params.abstaining)), number(inputs.get(params.members_total)))


def council_vote(situation: Situation, params: VoteParams) -> list[str]:
    """The vote on a candidate adds up, and enough of the council took part."""
    name = situation.inputs.get(params.candidate)
    yes, no, abstain, total = _counts(situation.inputs, params)
    if total <= 0:
        return [_("{name}: the council's number of members must be given").format(name=name)]
    if min(yes, no, abstain) < 0:
        return [_("{name}: a count of votes cannot be negative").format(name=name)]
    present = yes + no + abstain
    if present > total:
        return [_("{name}: {present} votes is more than the council's {total} members").format(
            name=name, present=present, total=total)]
    quorum = share(situation.parameters[params.quorum])
    needed = at_least(quorum, total)
    if present < needed:
        return [_("{name}: the council's vote is not quorate: {present} of {total} members "
                  "took part, at least {needed} needed").format(
                      name=name, present=present, total=total, needed=needed)]
    return []


class OutcomeParams(Params):
    """The council's threshold, and the fact holding the votes per candidate."""

    threshold: ShareParameter
    candidate: InputName = "candidate"
    votes_for: InputName = "votes_for"
    members_total: InputName = "members_total"
    votes: FactName = "council_votes"


def council_outcome(facts: Facts, situation: Situation, params: OutcomeParams) -> None:
    """Mark the vote just recorded accepted when more than the threshold of all members
    voted for."""
    vote = (facts.get(params.votes) or {}).get(key_of(situation.inputs.get(params.candidate)))
    if vote is None:
        return
    total = number(vote.get(params.members_total))
    needed = more_than(share(situation.parameters[params.threshold]), total)
    vote["needed"] = needed
    vote["accepted"] = number(vote.get(params.votes_for)) >= needed


class LinesParams(Params):
    """The decision's list of candidates, and the council's votes."""

    lines: InputName = "lines"
    votes: FactName = "council_votes"


def decision_lines(situation: Situation, params: LinesParams) -> list[str]:
    """The decision lists candidates the council accepted, each once."""
    listed = list(situation.inputs.get(params.lines) or [])
    votes = situation.facts.get(params.votes) or {}
    reasons = [_("{name} is listed twice").format(name=name) for name in dict.fromkeys(
        n for n in listed if listed.count(n) > 1)]
    for name in dict.fromkeys(listed):
        vote = votes.get(name)
        if vote is None:
            reasons.append(_("{name}: the council has not voted on this candidate; a decision "
                             "lists accepted candidates only").format(name=name))
        elif not vote.get("accepted"):
            reasons.append(_("{name}: the council did not accept this candidate ({votes_for} "
                             "of {members_total} for, {needed} needed); a decision lists "
                             "accepted candidates only").format(
                                 name=name, votes_for=vote.get("votes_for"),
                                 members_total=vote.get("members_total"),
                                 needed=vote.get("needed")))
    return reasons


class DecisionParams(Params):
    """Where the decision's lines come from, and the fact they are written to."""

    lines: InputName = "lines"
    number: InputName = "number"
    date: InputName = "date"
    votes: FactName = "council_votes"
    units: FactName = "proposal"
    persons: Annotated[str | None, Reads("fact")] = "person_proposal"
    scores: Annotated[str | None, Reads("fact")] = "scores"
    ballot: Annotated[str | None, Reads("fact")] = "ballot"
    into: WrittenFact = "awards"


def award_decision(facts: Facts, situation: Situation, params: DecisionParams) -> None:
    """Write the decision and its award lines (candidate → award, with the grounds)."""
    proposed = proposals(situation, params.units, params.persons)
    votes = facts.get(params.votes) or {}
    lines = []
    for k, name in enumerate(situation.inputs.get(params.lines) or [], start=1):
        proposal = proposed.get(name, {})
        vote = votes.get(name, {})
        lines.append({
            "line": k, "candidate": name, "kind": proposal.get("kind"),
            "unit": proposal.get("unit"), "award": proposal.get("award"),
            "award_label": award_label(situation, proposal.get("award")),
            "grounds": {"achievements": proposal.get("achievements"),
                        **_results(facts, params, name, proposal.get("kind")),
                        "council": f"{vote.get('votes_for')}/{vote.get('members_total')}"},
        })
    facts[params.into] = {"number": situation.inputs.get(params.number),
                          "date": situation.inputs.get(params.date),
                          "signer": situation.actor, "lines": lines}


def _results(facts: Facts, params: DecisionParams, name: str, kind: Any) -> dict[str, Any]:
    """A unit's validated score and ballot votes: the grounds its line records."""
    if kind != "unit":
        return {}
    ranking = (facts.get(params.scores or "") or {}).get("ranking", [])
    score = next((r.get("total") for r in ranking if r.get("unit") == name), None)
    votes = ((facts.get(params.ballot or "") or {}).get("votes") or {}).get(name)
    return {"score": score, "ballot_votes": votes}


def line_ids(cycle_id: int | None, decision: dict[str, Any], wanted: str) -> list[int]:
    """The lines ``wanted`` names: one line as ``CYCLE.LINE`` (or its number), or the whole
    decision by its number; none when it names nothing of this decision."""
    lines = [line["line"] for line in decision.get("lines", [])]
    if wanted == decision.get("number"):
        return lines
    cycle, _, line = wanted.rpartition(".")
    if cycle and cycle != str(cycle_id):
        return []
    return [n for n in lines if str(n) == line]


class RevokeParams(Params):
    """The line (or decision) revoked, the ground, what is recovered, the article."""

    line: InputName = "line"
    ground: InputName = "ground"
    recovered: InputName = "recovered"
    article: ParameterName
    awards: FactName = "awards"


def line_revocable(situation: Situation, params: RevokeParams) -> list[str]:
    """The line named is an award line of this cycle's decision, not revoked already."""
    decision = situation.facts.get(params.awards)
    wanted = str(situation.inputs.get(params.line) or "")
    if decision is None:
        return [_("no decision has been recorded: there is no award line to revoke")]
    ids = line_ids(situation.cycle_id, decision, wanted)
    if not ids:
        known = [f"{situation.cycle_id}.{line['line']}" for line in decision["lines"]]
        return [_("{wanted} is not an award line of decision {number} (its lines: {lines}; or "
                  "the decision's number for all of them)").format(
                      wanted=wanted, number=decision.get("number"), lines=", ".join(known))]
    revoked = [f"{situation.cycle_id}.{line['line']}" for line in decision["lines"]
               if line["line"] in ids and line.get("revoked")]
    if revoked:
        return [_("award line {lines} is already revoked").format(lines=", ".join(revoked))]
    return []


def revoke_award(facts: Facts, situation: Situation, params: RevokeParams) -> None:
    """Mark the line (or every line of the decision) revoked, with its ground and article,
    what is recovered, the reason, who and when."""
    decision = facts.get(params.awards)
    if decision is None:
        return
    ids = line_ids(situation.cycle_id, decision,
                   str(situation.inputs.get(params.line) or ""))
    for line in decision["lines"]:
        if line["line"] in ids:
            line["revoked"] = {
                "ground": situation.inputs.get(params.ground),
                "article": situation.parameters.get(params.article),
                "recovered": situation.inputs.get(params.recovered),
                "reason": situation.reason, "by": situation.actor,
                "on": situation.occurred_at}
