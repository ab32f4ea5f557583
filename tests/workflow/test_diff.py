"""Diff: every kind of change between two definitions, in plain words and as data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.revisions import MINI, SHIPPED, revise, version_2
from thidua.cli.output import plain
from thidua.workflow.language.diff import diff, diff_names
from thidua.workflow.language.loader import parse
from thidua.workflow.services.db import Database
from thidua.workflow.services.publish import publish

A = parse(MINI, "a.yaml")


def _texts(text: str) -> list[str]:
    return [c.text for c in diff(A, parse(text, "b.yaml")).changes]


def test_identical_definitions_have_no_changes() -> None:
    """A definition compared with itself: no change, and `same`."""
    result = diff(A, A)
    assert result.changes == [] and result.same


CASES = [
    pytest.param((('version: "1"', 'version: "2"'),),
                 ["definition mini-cycle: version changed from '1' to '2'"], id="version"),
    pytest.param((('due: "12-20"', 'due: "12-15"'),),
                 ["state review: due changed from '12-20' to '12-15'"], id="due"),
    pytest.param((('vi: "Xét duyệt"', 'vi: "Thẩm định"'),),
                 ["label of state review: label (vi) changed from 'Xét duyệt' to 'Thẩm định'"],
                 id="state-label"),
    pytest.param((('en: "Small cycle"', 'en: "A small cycle"'),),
                 ["label of definition mini-cycle: title (en) changed from 'Small cycle' to "
                  "'A small cycle'"], id="title"),
    pytest.param((("value: 0.5", "value: 0.6"),),
                 ["parameter quorum: value changed from 0.5 to 0.6"], id="parameter-value"),
    pytest.param((("parameters:\n", 'parameters:\n  quota: {value: 1, basis: "Hướng dẫn", '
                                    "effective_from: 2024-01-01}\n"),),
                 ["parameter quota added"], id="parameter-added"),
    pytest.param((("roles: [secretariat, member_unit, council]",
                   "roles: [secretariat, member_unit, council, auditor]"),
                  ("    dest: closed\n    roles: [council]", "    dest: closed\n"
                                                             "    roles: [council, auditor]")),
                 ["role 'auditor' added", "role 'auditor' added in transition decide"],
                 id="roles"),
    pytest.param((("    dest: review\n    roles: [secretariat]",
                   "    dest: review\n    roles: [secretariat]\n"
                   "    guards: [{fact_recorded: {fact: registration}}]"),),
                 ["guard fact_recorded(fact='registration') added in transition submit"],
                 id="guard-added"),
    pytest.param((("    reason_required: true\n", ""),),
                 ["transition return_dossier: reason_required changed from true to false"],
                 id="reason-required"),
    pytest.param((("      award: {type: award", "      number: {type: text}\n"
                                                "      award: {type: award"),),
                 ["input number added in transition decide"], id="input-added"),
    pytest.param((("{kind: title, label", "{kind: form, label"),),
                 ["award co_thi_dua: content changed from "], id="catalogue-changed"),
]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_each_change_is_said_in_words(edits: tuple[tuple[str, str], ...],
                                      expected: list[str]) -> None:
    """Each edit of the base is reported as the sentence an administrator reads."""
    texts = _texts(revise(MINI, *edits))
    for sentence in expected:
        assert any(t.startswith(sentence) for t in texts), texts
    assert len(texts) == len(expected), texts


def test_a_renamed_state_is_removed_added_and_rewired() -> None:
    """Renaming a state: one added, one removed, and each step that names it changed."""
    texts = _texts(re.sub(r"\breview\b", "appraisal", MINI))
    assert "state appraisal added" in texts
    assert "state review removed" in texts
    assert "transition submit: dest changed from 'review' to 'appraisal'" in texts
    assert "transition decide: source changed from [\"review\"] to [\"appraisal\"]" in texts


def test_removed_transition_and_scenarios() -> None:
    """A transition taken out is said removed; scenarios are compared by name."""
    text = revise(MINI, ("  - name: happy path", "  - name: the happy path"))
    assert _texts(text) == ["scenario the happy path added", "scenario happy path removed"]


def test_json_form_is_stable(tmp_path: Path) -> None:
    """As data each change has change, kind, name, field, before, after and text."""
    data = plain(diff(A, parse(revise(MINI, ("value: 0.5", "value: 0.6")), "b.yaml")))
    [change] = data["changes"]
    assert change == {"change": "changed", "kind": "parameter", "name": "quorum",
                      "field": "value", "before": 0.5, "after": 0.6,
                      "text": "parameter quorum: value changed from 0.5 to 0.6"}
    json.dumps(data)


def test_names_resolve_to_files_and_published_versions(db: Database, tmp_path: Path) -> None:
    """A file and a published id@version compare; the shipped id stands for its version."""
    path = version_2(tmp_path)
    publish(db, path)
    result = diff_names("ccb-cluster-annual@2023.1", "ccb-cluster-annual@2024.1", lambda: db)
    texts = [c.text for c in result.changes]
    assert "state implementation added" in texts
    assert "state first_half removed" in texts
    assert "definition ccb-cluster-annual: version changed from '2023.1' to '2024.1'" in texts
    assert ("label of transition launch: label (en) changed from 'Launch the plan' to "
            "\"Launch the year's plan\"") in texts
    assert diff_names(str(SHIPPED), str(path), lambda: db).changes == result.changes


def test_a_file_needs_no_database(tmp_path: Path) -> None:
    """Comparing two files never opens the database."""
    def no_database() -> Database:
        raise AssertionError("the database was opened")

    path = version_2(tmp_path)
    assert diff_names(str(SHIPPED), str(path), no_database).changes
