"""Every refusal a shipped rule can give is in the catalogue: each guard of the library, with
the parameters the shipped definitions give it, refuses in English and in Vietnamese, and
together the cases below give every reason the rules' sources hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_messages import english
from thidua.workflow import i18n
from thidua.workflow.language.loader import find, shipped
from thidua.workflow.rules.library import GUARDS
from thidua.workflow.rules.registry import Situation

messages = pytest.importorskip("tools.messages", reason="the catalogue tools need Babel")

DEFINITION = find("ccb-cluster-annual").definition
MEMBERS = ("Bắc Giang", "Bắc Ninh", "Hà Nội", "Vĩnh Phúc")
PUBLISHED = {"published_at": "2023-12-05T03:00:00Z",
             "ranking": [{"unit": "Hà Nội", "total": 95.0}]}
BALLOT = {"votes": {"Hà Nội": 1}}
YEAR_REPORT = {"Hà Nội": {"self_scores": {}}}

# (guard, what the cycle holds and the step is given): each case makes the guard refuse.
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
    ("award_quota", {"inputs": {"award": "co_thi_dua"},
                     "facts": {"proposal": {"Hà Nội": {"award": "co_thi_dua"}}}}),
    ("council_threshold", {"inputs": {"votes_for": 3}}),
    ("council_threshold", {"inputs": {"votes_for": 12, "members_total": 11}}),
    ("council_threshold", {"inputs": {"votes_for": 5, "members_total": 11}}),
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
    situation = Situation(**{"facts": {}, "members": MEMBERS,
                             "parameters": DEFINITION.parameter_values(),
                             "definition": DEFINITION, **given})
    return [reason for call in _calls(name)
            for reason in entry.fn(situation, entry.params.model_validate(call.params))]


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
