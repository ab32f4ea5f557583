"""Every refusal a shipped rule can give is in the catalogue: each guard of the library, with
the parameters the shipped definitions give it, refuses in English and in Vietnamese, and
together the cases below give every reason the rules' sources hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.test_messages import english
from thidua.workflow import i18n
from thidua.workflow.language.loader import find, shipped
from thidua.workflow.language.model import Quota
from thidua.workflow.rules.library import GUARDS
from thidua.workflow.rules.registry import Situation

messages = pytest.importorskip("tools.messages", reason="the catalogue tools need Babel")

DEFINITION = find("ccb-cluster-annual").definition
MEMBERS = ("Bắc Giang", "Bắc Ninh", "Hà Nội", "Vĩnh Phúc")
PUBLISHED = {"published_at": "2023-12-05T03:00:00Z",
             "ranking": [{"unit": "Hà Nội", "total": 95.0}]}
BALLOT = {"votes": {"Hà Nội": 1}}
YEAR_REPORT = {"Hà Nội": {"self_scores": {}}}
PARAMETERS = DEFINITION.parameter_values()
# The catalogue as a cluster in emulation groups would write it: the flag given per group,
# the certificate of merit to persons only.
GROUPED = DEFINITION.model_copy(update={"awards": {
    "co_thi_dua": DEFINITION.awards["co_thi_dua"].model_copy(
        update={"quota": Quota(count="flag_quota", groups="emulation_groups")}),
    "bang_khen": DEFINITION.awards["bang_khen"].model_copy(update={"recipients": ["person"]}),
}})
IN_GROUPS = {"definition": GROUPED, "inputs": {"award": "co_thi_dua"},
             "parameters": {**PARAMETERS, "emulation_groups": {
                 "Bắc": ["Bắc Giang", "Bắc Ninh"], "Nam": ["Hà Nội"]}},
             "facts": {"proposal": {"Bắc Giang": {"award": "co_thi_dua"}}}}
PERSON = {"name": "Đào Anh Dũng", "unit": "Bắc Ninh"}
FLAG_2023 = {"candidate": "Hà Nội", "period": 2023, "award": "co_thi_dua",
             "award_label": "Emulation flag", "decision": "12/QĐ-CCB", "id": "1.1"}
HELD = [{"held": "co_thi_dua", "years": "flag_years_needed"},
        {"held": "co_thi_dua", "years": "flag_years_needed", "each": False}]
RATED = [{"rating": "excellent"}, {"rating": "excellent", "person": "person"}]
VOTE = {"candidate": "Hà Nội"}
HANOI = "Asia/Ho_Chi_Minh"

# (guard, what the cycle holds and the step is given): each case makes the guard refuse.
# ``params`` gives the guard's parameters where no shipped definition calls it so.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("all_members", {"facts": {"registration": {"Hà Nội": {}}}}),
    ("fact_recorded", {}),
    ("fact_absent", {"facts": {"ballot": BALLOT, "council_acceptance": {}}}),
    ("scores_open", {"facts": {"scores": PUBLISHED}}),
    ("scores_published", {}),
    ("not_own_unit", {"unit": "Hà Nội", "actor_unit": "Hà Nội", "actor": "Lê Anh Thư"}),
    ("criterion_known", {"inputs": {"criterion": "sport", "points": 1}}),
    ("criterion_known", {"inputs": {"criterion": "organisation", "points": 99}}),
    ("criterion_known", {"unit": "Bắc Giang", "facts": {"year_report": YEAR_REPORT},
                         "inputs": {"criterion": "organisation", "points": 1}}),
    ("ballot_quorum", {"inputs": {"ballots_returned": 1}}),
    ("ballot_consistent", {"inputs": {"ballots_issued": 1, "ballots_returned": 2,
                                      "ballots_valid": 1, "votes": {"Huế": 1, "Hà Nội": 3}}}),
    ("eligible", {"unit": "Bắc Giang"}),
    ("eligible", {"unit": "Hà Nội", "facts": {"registration": {"Hà Nội": {}},
                                              "scores": PUBLISHED, "ballot": BALLOT}}),
    ("within_quota", {"unit": "Bắc Giang", "inputs": {"award": "co_thi_dua"},
                      "facts": {"proposal": {"Hà Nội": {"award": "co_thi_dua"}}}}),
    ("within_quota", {"inputs": {"award": "bang_khen", "person": PERSON},
                      "facts": {"person_proposal": {"A": {"award": "bang_khen"},
                                                    "B": {"award": "bang_khen"}}}}),
    ("within_quota", {**IN_GROUPS, "unit": "Bắc Ninh"}),
    ("within_quota", {**IN_GROUPS, "unit": "Vĩnh Phúc"}),
    ("council_threshold", {"params": [{"parameter": "council_threshold"}],
                           "inputs": {"votes_for": 3}}),
    ("council_threshold", {"params": [{"parameter": "council_threshold"}],
                           "inputs": {"votes_for": 12, "members_total": 11}}),
    ("council_threshold", {"params": [{"parameter": "council_threshold"}],
                           "inputs": {"votes_for": 5, "members_total": 11}}),
    ("candidate_eligible", {"unit": "Hà Nội", "definition": GROUPED,
                            "inputs": {"award": "bang_khen"}}),
    ("candidate_eligible", {"inputs": {"award": "co_thi_dua", "person": PERSON}}),
    ("candidate_eligible", {"inputs": {"award": "bang_khen", "person": {"name": "Lê Văn Nam"}}}),
    ("candidate_eligible", {"inputs": {"award": "bang_khen",
                                       "person": {"name": "Lê Văn Nam", "unit": "Huế"}}}),
    ("candidate_proposed", {"inputs": {"candidate": "Huế"}}),
    ("council_vote", {"inputs": VOTE}),
    ("council_vote", {"inputs": {**VOTE, "votes_for": -1, "members_total": 9}}),
    ("council_vote", {"inputs": {**VOTE, "votes_for": 10, "members_total": 9}}),
    ("council_vote", {"inputs": {**VOTE, "votes_for": 1, "members_total": 9}}),
    ("decision_lines", {"inputs": {"lines": ["Hà Nội", "Hà Nội", "Bắc Ninh"]},
                        "facts": {"council_votes": {"Bắc Ninh": {
                            "accepted": False, "votes_for": 1, "members_total": 9,
                            "needed": 5}}}}),
    ("line_revocable", {"inputs": {"line": "1.1"}}),
    ("line_revocable", {"cycle_id": 1, "inputs": {"line": "1.5"},
                        "facts": {"awards": {"number": "12/QĐ-CCB", "lines": [{"line": 1}]}}}),
    ("line_revocable", {"cycle_id": 1, "inputs": {"line": "1.1"},
                        "facts": {"awards": {"number": "12/QĐ-CCB", "lines": [
                            {"line": 1, "revoked": {"ground": "x"}}]}}}),
    ("held_award", {"params": HELD, "unit": "Hà Nội", "period": 2023,
                    "inputs": {"award": "co_thi_dua"}, "history": tuple,
                    "parameters": {**PARAMETERS, "flag_years_needed": 2}}),
    ("not_awarded_again", {"unit": "Hà Nội", "period": 2023,
                           "history": lambda: (FLAG_2023,)}),
    ("rated", {"params": RATED, "unit": "Hà Nội", "period": 2023, "inputs": {"person": PERSON},
               "facts": {"classification": {"Hà Nội": {"rating": "good"}}}}),
    ("rated", {"params": RATED, "unit": "Hà Nội", "period": 2023, "inputs": {"person": PERSON},
               "facts": {"classification": {"Bắc Ninh": {"rating": "good"}}}}),
    ("meeting_dates", {"inputs": {"starts_on": "2023-06-29", "ends_on": "2023-06-28"}}),
    ("meeting_dates", {"inputs": {"starts_on": "2023-06-01", "ends_on": "2023-07-29"}}),
    ("meeting_dates", {"inputs": {"starts_on": "2023-06-28", "ends_on": "2023-06-29"},
                       "occurred_at": "2023-06-28T03:00:00Z", "zone": ZoneInfo(HANOI)}),
    ("inspection_pair", {"unit": "Hà Nội", "inputs": {"inspects": "Huế"}}),
    ("inspection_pair", {"unit": "Hà Nội", "inputs": {"inspects": "Hà Nội"}}),
    ("inspection_assigned", {"unit": "Hà Nội",
                             "inputs": {"inspected": "Bắc Ninh", "criterion": "sport"}}),
    ("inspection_assigned", {"unit": "Hà Nội",
                             "inputs": {"inspected": "Bắc Ninh", "criterion": "sport",
                                        "points": 1},
                             "facts": {"inspection_assignment": {
                                 "Hà Nội": {"inspects": "Bắc Giang"}}}}),
    ("change_to_answer", {"unit": "Hà Nội"}),
    ("inspections_answered", {"facts": {"cross_inspection": {"Bắc Ninh": [
        {"inspected": "Hà Nội", "criterion": "organisation", "points": 2,
         "occurred_at": "2023-11-20T03:00:00Z"}]}}}),
    ("handover_heads", {"head": "Bắc Ninh", "inputs": {
        "outgoing_head": "Hà Nội", "incoming_head": "Hà Nội", "leaving": ["Hà Nội", "Huế"]}}),
]


def _calls(name: str) -> Iterator[Any]:
    """The guard ``name`` as every shipped definition calls it."""
    for loaded in shipped():
        for transition in loaded.definition.transitions:
            for call in transition.guards:
                if call.name == name:
                    yield call


def refusals(name: str, given: dict[str, Any]) -> list[str]:
    """The reasons guard ``name`` gives on ``given``, with each shipped call's parameters."""
    entry = GUARDS[name]
    given = dict(given)
    calls = given.pop("params", None)
    if calls is None:
        calls = [call.params for call in _calls(name)]
    situation = Situation(**{"facts": {}, "members": MEMBERS, "parameters": PARAMETERS,
                             "definition": DEFINITION, **given})
    return [reason for params in calls
            for reason in entry.fn(situation, entry.params.model_validate(params))]


@pytest.mark.parametrize(("name", "given"), CASES, ids=[n for n, _g in CASES])
def test_a_guard_refuses_in_vietnamese_and_in_english(name: str, given: dict[str, Any]) -> None:
    """The same refusal is Vietnamese under vi and English under en."""
    i18n.use("en")
    in_english = refusals(name, given)
    i18n.use("vi")
    in_vietnamese = refusals(name, given)
    assert in_english and len(in_vietnamese) == len(in_english)
    for en, vi in zip(in_english, in_vietnamese, strict=True):
        assert english(en), en
        assert english(vi) == [], vi


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)


def test_the_cases_give_every_reason_the_rules_hold() -> None:
    """Every message of workflow/rules/ is given by one of the cases: a refusal added to a
    rule without a case here fails, so it is seen in both languages."""
    i18n.use("en")
    given = [reason for name, case in CASES for reason in refusals(name, case)]
    templates = {m.id for m in messages.extract()
                 if any(path.startswith("workflow/rules/") for path, _line in m.locations)}
    assert "none" in templates  # a word inside a refusal, not a refusal of its own
    untested = [t for t in templates - {"none"}
                if not any(_pattern(t).fullmatch(reason) for reason in given)]
    assert untested == []
