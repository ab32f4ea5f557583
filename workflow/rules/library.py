"""The library: every guard, effect and action a definition may name, registered here, by
hand, in one table each. Nothing registers itself by being imported."""

from __future__ import annotations

from thidua.workflow.rules import (
    ballot,
    candidates,
    commendation,
    council,
    handover,
    inspection,
    meeting,
    records,
    register,
    scoring,
)
from thidua.workflow.rules.registry import Entry, FactParams, NoParams


def _table(*entries: Entry) -> dict[str, Entry]:
    return {entry.name: entry for entry in entries}


GUARDS = _table(
    # conditions: the cycle as it stands
    Entry("all_members", "condition", FactParams, records.all_members),
    Entry("fact_recorded", "condition", FactParams, records.fact_recorded),
    Entry("fact_absent", "condition", FactParams, records.fact_absent),
    Entry("scores_open", "condition", scoring.PublishedParams, scoring.scores_open),
    Entry("scores_published", "condition", scoring.PublishedParams, scoring.scores_published),
    Entry("inspections_answered", "condition", inspection.InspectionParams,
          inspection.inspections_answered),
    # validators: what the step is given
    Entry("not_own_unit", "validator", NoParams, scoring.not_own_unit),
    Entry("criterion_known", "validator", scoring.CriterionParams, scoring.criterion_known),
    Entry("ballot_quorum", "validator", ballot.QuorumParams, ballot.ballot_quorum),
    Entry("ballot_consistent", "validator", ballot.TallyParams, ballot.ballot_consistent),
    Entry("eligible", "validator", commendation.EligibleParams, commendation.eligible),
    Entry("within_quota", "validator", commendation.QuotaParams, commendation.within_quota),
    Entry("council_threshold", "validator", commendation.CouncilParams,
          commendation.council_threshold),
    Entry("handover_heads", "validator", handover.HandoverParams, handover.handover_heads),
    # candidates, the council's vote on each, the decision, revocation
    Entry("candidate_eligible", "validator", candidates.CandidateParams,
          candidates.candidate_eligible),
    Entry("candidate_proposed", "validator", candidates.ProposedParams,
          candidates.candidate_proposed),
    Entry("council_vote", "validator", council.VoteParams, council.council_vote),
    Entry("decision_lines", "validator", council.LinesParams, council.decision_lines),
    Entry("line_revocable", "validator", council.RevokeParams, council.line_revocable),
    # the award register: earlier years and other cycles
    Entry("held_award", "validator", register.HeldParams, register.held_award),
    Entry("not_awarded_again", "validator", register.AgainParams, register.not_awarded_again),
    Entry("rated", "validator", register.RatingParams, register.rated),
    Entry("meeting_dates", "validator", meeting.MeetingParams, meeting.meeting_dates),
    Entry("inspection_pair", "validator", inspection.AssignParams, inspection.inspection_pair),
    Entry("inspection_assigned", "validator", inspection.ProposedParams,
          inspection.inspection_assigned),
    Entry("change_to_answer", "validator", inspection.InspectionParams,
          inspection.change_to_answer),
)

EFFECTS = _table(
    Entry("clear_fact", "effect", FactParams, records.clear_fact),
    Entry("publish_scores", "effect", scoring.PublishParams, scoring.publish_scores),
    Entry("rerank", "effect", scoring.RerankParams, scoring.rerank),
    Entry("council_outcome", "effect", council.OutcomeParams, council.council_outcome),
    Entry("award_decision", "effect", council.DecisionParams, council.award_decision),
    Entry("revoke_award", "effect", council.RevokeParams, council.revoke_award),
)

ACTIONS = _table(
    Entry("handover", "action", handover.HandoverParams, handover.handover),
)

BY_KIND = {"guards": GUARDS, "effects": EFFECTS, "actions": ACTIONS}
