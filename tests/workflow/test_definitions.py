"""Definitions: every shipped one loads; every broken one is refused naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language.loader import content_hash, parse, shipped, validate_files
from thidua.workflow.rules.library import EFFECTS, GUARDS

FILE = "cluster.yaml"

# A small valid definition; every broken case below is one small edit of it. Line numbers in the
# expected messages count from the first line of this text (`id:` is line 1).
BASE = """\
id: mini-cycle
version: "1"
title: {vi: "Chu kỳ nhỏ", en: "Small cycle"}
effective_from: 2024-01-01
roles: [secretariat, member_unit]
start_roles: [secretariat]
parameters:
  quorum: {value: 0.5, basis: "cluster rules"}
states:
  - name: open
    initial: true
    due: "03-31"
  - name: signed
  - name: closed
    final: true
transitions:
  - trigger: register
    source: open
    roles: [member_unit]
    records: registration
    per_unit: true
  - trigger: sign
    source: open
    dest: signed
    roles: [secretariat]
    guards:
      - all_members: {fact: registration}
  - trigger: close
    source: signed
    dest: closed
    roles: [secretariat]
scenarios:
  - name: happy path
    steps:
      - {as: secretariat, fire: sign}
"""

SIGN_GUARD = "all_members: {fact: registration}"
CLOSE_ROLES = "    dest: closed\n    roles: [secretariat]\n"


def _replace(*edits: tuple[str, str]) -> str:
    """BASE with each ``(old, new)`` applied; ``old`` must occur exactly once, so that no case
    silently stays the valid base."""
    text = BASE
    for old, new in edits:
        if text.count(old) != 1:
            raise AssertionError(f"the base must contain {old!r} exactly once")
        text = text.replace(old, new)
    return text


def _append(extra: str) -> str:
    """BASE with ``extra`` added at its end (line 36 onwards)."""
    return BASE + extra


def _add_state(block: str) -> tuple[str, str]:
    """An edit inserting a state just before `closed` (so the new state is `states[2]`, line 14)."""
    return ("  - name: closed\n", block + "  - name: closed\n")


def _add_transition(block: str) -> tuple[str, str]:
    """An edit appending a transition (``transitions[3]``, first line 32)."""
    return ("scenarios:\n", block + "scenarios:\n")


CASES = [
    # --- not a definition at all -------------------------------------------------------------
    pytest.param(
        _replace(("    dest: signed\n", "\tdest: signed\n")),
        "cluster.yaml:24: not valid YAML: found character '\\t' that cannot start any token",
        id="yaml-tab-indent"),
    pytest.param(
        _replace(("roles: [secretariat, member_unit]", "roles: [secretariat, member_unit")),
        "cluster.yaml:6: not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence, line 5)",
        id="yaml-unclosed-bracket"),
    pytest.param("", "cluster.yaml:1: the file is empty", id="empty-file"),
    pytest.param("# to be written\n", "cluster.yaml:1: the file is empty", id="only-comments"),
    pytest.param("- id: mini-cycle\n",
                 "cluster.yaml:1: a definition must be a mapping of fields", id="top-level-list"),
    pytest.param(
        _replace(("    dest: signed\n", "    dest: signed\n    dest: closed\n")),
        "cluster.yaml:25: transitions[1].dest: duplicate key 'dest'",
        id="duplicate-key-in-transition"),
    pytest.param(
        _append("roles: [auditor]\n"),
        "cluster.yaml:36: roles: duplicate key 'roles'",
        id="duplicate-top-level-key"),
    # --- fields --------------------------------------------------------------------------------
    pytest.param(
        _append("owner: secretariat\n"),
        "cluster.yaml:36: owner: unknown field (not part of a definition here)",
        id="unknown-top-level-field"),
    pytest.param(
        _replace(("    dest: closed\n", "    dest: closed\n    when: always\n")),
        "cluster.yaml:31: transitions[2].when: unknown field (not part of a definition here)",
        id="unknown-transition-field"),
    pytest.param(
        _replace(("roles: [secretariat, member_unit]\n", "")),
        "cluster.yaml:1: roles: required field is missing",
        id="missing-roles"),
    pytest.param(
        _replace((CLOSE_ROLES, "    dest: closed\n")),
        "cluster.yaml:28: transitions[2].roles: required field is missing",
        id="missing-transition-roles"),
    pytest.param(
        _replace(('{value: 0.5, basis: "cluster rules"}', "{value: 0.5}")),
        "cluster.yaml:8: parameters.quorum.basis: required field is missing",
        id="parameter-without-basis"),
    pytest.param(
        _replace(('version: "1"', "version: 2024.1")),
        "cluster.yaml:2: version: input should be a valid string",
        id="version-not-text"),
    pytest.param(
        _replace(("    per_unit: true\n",
                  "    per_unit: true\n    inputs: {targets: {type: text, requird: false}}\n")),
        "cluster.yaml:22: transitions[0].inputs.targets.requird: "
        "unknown field (not part of a definition here)",
        id="unknown-input-field"),
    pytest.param(
        _replace(("effective_from: 2024-01-01", "effective_from: 2024-02-30")),
        "cluster.yaml:4: effective_from: "
        "input should be a valid date or datetime, day value is outside expected range",
        id="impossible-effective-date"),
    # --- names -----------------------------------------------------------------------------------
    pytest.param(
        _replace(("  - name: signed\n", "  - name: Signed\n")),
        "cluster.yaml:13: states[1].name: 'Signed' is not a valid name: "
        "use lower-case letters, digits and underscores, starting with a letter",
        id="capitalised-state-name"),
    pytest.param(
        _replace(("roles: [secretariat, member_unit]", "roles: [secretariat, member unit]")),
        "cluster.yaml:5: roles[1]: 'member unit' is not a valid name: "
        "use lower-case letters, digits and underscores, starting with a letter",
        id="role-name-with-space"),
    # --- booleans: only true/false ---------------------------------------------------------------
    pytest.param(
        _replace(("    initial: true\n", "    initial: yes\n")),
        "cluster.yaml:11: states[0].initial: input should be a valid boolean",
        id="initial-yes-is-not-a-boolean"),
    pytest.param(
        _replace(("    final: true\n", "    final: on\n")),
        "cluster.yaml:15: states[2].final: input should be a valid boolean",
        id="final-on-is-not-a-boolean"),
    pytest.param(
        _replace(("    per_unit: true\n", "    per_unit: yes\n")),
        "cluster.yaml:21: transitions[0].per_unit: input should be a valid boolean",
        id="per-unit-yes-is-not-a-boolean"),
    pytest.param(
        _replace(("    per_unit: true\n",
                  "    per_unit: true\n    inputs: {targets: {type: text, required: no}}\n")),
        "cluster.yaml:22: transitions[0].inputs.targets.required: input should be a valid boolean",
        id="required-no-is-not-a-boolean"),
    # --- states ----------------------------------------------------------------------------------
    pytest.param(
        _replace(("    initial: true\n", "")),
        "cluster.yaml:9: states: exactly one state must be initial (found: none)",
        id="no-initial-state"),
    pytest.param(
        _replace(("  - name: signed\n", "  - name: signed\n    initial: true\n")),
        "cluster.yaml:9: states: exactly one state must be initial (found: open, signed)",
        id="two-initial-states"),
    pytest.param(
        _replace(("    final: true\n", "")),
        "cluster.yaml:9: states: no state is final: a cycle could never end (and 3 more)",
        id="no-final-state"),
    pytest.param(
        _replace(("    initial: true\n", "    initial: true\n    final: true\n")),
        "cluster.yaml:10: states[0]: state 'open' cannot be both initial and final (and 1 more)",
        id="initial-and-final"),
    pytest.param(
        _replace(("  - name: signed\n", "  - name: signed\n  - name: signed\n")),
        "cluster.yaml:14: states[2].name: state 'signed' is defined twice",
        id="duplicate-state"),
    pytest.param(
        _replace(_add_state("  - name: archived\n")),
        "cluster.yaml:14: states[2]: state 'archived' cannot be reached from 'open'",
        id="unreachable-state"),
    pytest.param(
        _replace(_add_state("  - name: stalled\n"), _add_transition(
            "  - trigger: stall\n    source: open\n    dest: stalled\n    roles: [secretariat]\n")),
        "cluster.yaml:14: states[2]: from state 'stalled' no final state can be reached",
        id="no-way-to-a-final-state"),
    pytest.param(
        _replace(('"03-31"', '"31/03"')),
        "cluster.yaml:12: states[0].due: '31/03' is not a due date: "
        "write MM-DD, or +1-MM-DD for a date in the following year",
        id="due-bad-format"),
    pytest.param(
        _replace(('"03-31"', '"02-30"')),
        "cluster.yaml:12: states[0].due: '02-30' is not a date of the year",
        id="due-impossible-date"),
    pytest.param(
        _replace(('"03-31"', '"02-29"')),
        "cluster.yaml:12: states[0].due: '02-29' is not a date of every year (use 02-28)",
        id="due-leap-day"),
    # --- transitions -----------------------------------------------------------------------------
    pytest.param(
        _replace(("    source: signed\n", "    source: sigend\n")),
        "cluster.yaml:29: transitions[2].source[0]: close: unknown source state 'sigend' "
        "(and 3 more)",
        id="unknown-source-state"),
    pytest.param(
        _replace(("    dest: closed\n", "    dest: finished\n")),
        "cluster.yaml:30: transitions[2].dest: close: unknown destination state 'finished' "
        "(and 3 more)",
        id="unknown-dest-state"),
    pytest.param(
        _replace(_add_transition(
            "  - trigger: reopen\n    source: closed\n    dest: open\n    roles: [secretariat]\n")),
        "cluster.yaml:34: transitions[3].dest: reopen leaves the final state 'closed'; "
        "from a final state a step may only record (no dest)",
        id="transition-leaves-final-state"),
    pytest.param(
        _replace(_add_transition(
            "  - trigger: close\n    source: signed\n    roles: [secretariat]\n")),
        "cluster.yaml:33: transitions[3].source[0]: close is defined twice from 'signed'",
        id="same-trigger-twice-from-a-source"),
    pytest.param(
        _replace((CLOSE_ROLES, "    dest: closed\n    roles: []\n")),
        "cluster.yaml:31: transitions[2].roles: close names no roles: say who may fire it",
        id="empty-roles-list"),
    pytest.param(
        _replace(("    roles: [member_unit]\n", "    roles: [member]\n")),
        "cluster.yaml:19: transitions[0].roles[0]: register: "
        "role 'member' is not among the definition's roles",
        id="unknown-transition-role"),
    pytest.param(
        _replace(("start_roles: [secretariat]", "start_roles: [secretary]")),
        "cluster.yaml:6: start_roles[0]: role 'secretary' is not among the definition's roles",
        id="unknown-start-role"),
    pytest.param(
        _replace(("    records: registration\n", "")),
        "cluster.yaml:17: transitions[0]: a per-unit step must name the fact it records (records:)",
        id="per-unit-step-without-records"),
    # --- guards and effects ----------------------------------------------------------------------
    pytest.param(
        _replace((SIGN_GUARD, "all_registered: {fact: registration}")),
        "cluster.yaml:27: transitions[1].guards[0]: sign: unknown guard 'all_registered' "
        "(known: {guards})",
        id="unknown-guard"),
    pytest.param(
        _replace((SIGN_GUARD, "all_members: {fact: registration, min: 2}")),
        "cluster.yaml:27: transitions[1].guards[0]: sign: "
        "all_members parameter min: extra inputs are not permitted",
        id="guard-unknown-parameter"),
    pytest.param(
        _replace((SIGN_GUARD, "all_members: {}")),
        "cluster.yaml:27: transitions[1].guards[0]: sign: "
        "all_members parameter fact: field required",
        id="guard-missing-parameter"),
    pytest.param(
        _replace((SIGN_GUARD, "all_members: {fact: [registration]}")),
        "cluster.yaml:27: transitions[1].guards[0]: sign: "
        "all_members parameter fact: input should be a valid string",
        id="guard-parameter-not-text"),
    pytest.param(
        _replace(("    per_unit: true\n", "")),
        "cluster.yaml:26: transitions[1].guards[0]: sign: all_members needs a per-unit fact; "
        "no step records 'registration' per unit",
        id="all-members-on-a-fact-not-per-unit"),
    pytest.param(
        _replace(("    dest: closed\n", "    dest: closed\n    effects: [notify]\n")),
        "cluster.yaml:31: transitions[2].effects[0]: close: unknown effect 'notify' "
        "(known: {effects})",
        id="unknown-effect"),
    pytest.param(
        _replace(("    dest: closed\n",
                  "    dest: closed\n    effects: [{clear_fact: {fact: compact}}]\n")),
        "cluster.yaml:31: transitions[2].effects[0]: close: clear_fact reads the fact 'compact', "
        "which no step records (fact: compact)",
        id="effect-on-a-fact-never-recorded"),
    # --- scenarios -------------------------------------------------------------------------------
    pytest.param(
        _replace(("fire: sign}", "fire: sing}")),
        "cluster.yaml:35: scenarios[0].steps[0].fire: "
        "scenario 'happy path': unknown trigger 'sing'",
        id="scenario-unknown-trigger"),
    pytest.param(
        _replace(("fire: sign}", "fire: sign, expect_state: sined}")),
        "cluster.yaml:35: scenarios[0].steps[0].expect_state: "
        "scenario 'happy path': unknown state 'sined'",
        id="scenario-unknown-state"),
]


def _refusal(text: str) -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as refused:
        parse(text, FILE)
    return refused.value


def test_base_definition_is_valid() -> None:
    """The base of the broken cases loads, with a per-unit step and an all_members guard."""
    defn = parse(BASE, FILE).definition
    assert defn.initial.name == "open"
    register = defn.transition("register", "open")
    sign = defn.transition("sign", "open")
    assert register is not None and register.per_unit and register.records == "registration"
    assert sign is not None and [g.name for g in sign.guards] == ["all_members"]


def test_shipped_definitions_load() -> None:
    """Every shipped definition loads, is hashed from its source and has a distinct reference."""
    loaded = shipped()
    assert loaded, "no shipped definition found"
    for each in loaded:
        assert each.hash == content_hash(each.source)
        assert each.definition.initial.name
    refs = [each.ref for each in loaded]
    assert len(refs) == len(set(refs))


def test_validate_files_finds_every_shipped_definition_valid() -> None:
    """`validate_files([])` checks every shipped definition and reports each one valid."""
    results = validate_files([])
    assert {Path(str(r["file"])).name for r in results} == {Path(d.file).name for d in shipped()}
    for result in results:
        assert result["valid"] is True, result["problems"]
        assert result["problems"] == []


def test_validate_files_reports_a_broken_file(tmp_path: Path) -> None:
    """`validate_files` reports a broken file as invalid with its problems, without raising."""
    path = tmp_path / FILE
    path.write_text(_append("owner: secretariat\n"), encoding="utf-8")
    [result] = validate_files([str(path)])
    assert result["valid"] is False
    assert result["problems"] == [
        f"{path}:36: owner: unknown field (not part of a definition here)"]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_broken_definition_is_refused_with_a_plain_message(text: str, message: str) -> None:
    """A broken definition raises InvalidDefinition whose message names file, line and field."""
    refused = _refusal(text)
    # The registry grows with the domain; an unknown name is answered with every known one.
    message = message.replace("{guards}", ", ".join(sorted(GUARDS)))
    message = message.replace("{effects}", ", ".join(sorted(EFFECTS)))
    assert str(refused) == message


@pytest.mark.parametrize(("text", "line", "field"), [
    pytest.param(_replace(("    dest: closed\n", "    dest: finished\n")), 30,
                 "transitions[2].dest", id="unknown-dest"),
    pytest.param(_replace(("    dest: closed\n", "    dest: closed\n    when: always\n")), 31,
                 "transitions[2].when", id="unknown-field"),
    pytest.param(_replace(("  - name: signed\n", "  - name: signed\n  - name: signed\n")), 14,
                 "states[2].name", id="duplicate-state"),
    pytest.param(_replace(("fire: sign}", "fire: sing}")), 35,
                 "scenarios[0].steps[0].fire", id="scenario-trigger"),
    pytest.param(_replace(('{value: 0.5, basis: "cluster rules"}', "{value: 0.5}")), 8,
                 "parameters.quorum.basis", id="parameter-basis"),
])
def test_first_problem_carries_line_and_field(text: str, line: int, field: str) -> None:
    """The first problem carries the file, the line and the dotted field as attributes."""
    problem = _refusal(text).problems[0]
    assert (problem.file, problem.line, problem.field) == (FILE, line, field)


def test_every_structural_problem_is_reported() -> None:
    """A definition with several independent mistakes reports each one, with its own line."""
    refused = _refusal(_replace(
        ("    roles: [member_unit]\n", "    roles: [member]\n"),
        (SIGN_GUARD, "all_registered: {fact: registration}"),
        ("fire: sign}", "fire: sing}"),
    ))
    assert len(refused.problems) > 1
    assert [(p.line, p.field) for p in refused.problems] == [
        (19, "transitions[0].roles[0]"),
        (27, "transitions[1].guards[0]"),
        (35, "scenarios[0].steps[0].fire"),
    ]
    assert str(refused).endswith("(and 2 more)")


def test_every_field_problem_is_reported() -> None:
    """Field-level mistakes in different places are all reported, not only the first."""
    refused = _refusal(_replace(
        ('title: {vi: "Chu kỳ nhỏ", en: "Small cycle"}', 'title: {vi: "Chu kỳ nhỏ"}'),
        ("    dest: closed\n", "    dest: closed\n    when: always\n"),
    ))
    assert [(p.line, p.field, p.message) for p in refused.problems] == [
        (3, "title.en", "required field is missing"),
        (31, "transitions[2].when", "unknown field (not part of a definition here)"),
    ]
