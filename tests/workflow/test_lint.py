"""Lint: every shipped definition is clean; each broken one gets its message with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.revisions import MINI as BASE
from tests.revisions import revise
from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language.lint import lint_file, lint_files
from thidua.workflow.language.loader import shipped_files

RETURN_REASON = "    reason_required: true\n    label: {vi: \"Trả lại hồ sơ\""
RETURN_LABEL = "    label: {vi: \"Trả lại hồ sơ\""

CASES = [
    # --- structure, as `def validate` reports it -----------------------------------------------
    pytest.param(
        (("    dest: closed\n", "    dest: nowhere\n"),),
        "error cluster.yaml:37: transitions[3].dest: decide: unknown destination state 'nowhere'",
        id="structure-unknown-state"),
    pytest.param(
        (("    dest: review\n    roles: [secretariat]", "    dest: review\n    roles: []"),),
        "error cluster.yaml:27: transitions[1].roles: submit names no roles: say who may fire it",
        id="transition-without-roles"),
    # --- returns, refusals, revocations need a reason ------------------------------------------
    pytest.param(
        ((RETURN_REASON, RETURN_LABEL),),
        "error cluster.yaml:29: transitions[2].trigger: return_dossier returns, refuses or "
        "revokes: it must require a written reason (reason_required: true)",
        id="return-without-reason"),
    pytest.param(
        ((RETURN_REASON, RETURN_LABEL), ("trigger: return_dossier", "trigger: refuse_dossier")),
        "error cluster.yaml:29: transitions[2].trigger: refuse_dossier returns, refuses or "
        "revokes: it must require a written reason (reason_required: true)",
        id="refusal-without-reason"),
    pytest.param(
        ((RETURN_REASON, RETURN_LABEL), ("trigger: return_dossier", "trigger: send_back")),
        "warning cluster.yaml:31: transitions[2].dest: send_back goes back from 'review' to "
        "'open' without a required reason (reason_required: true)",
        id="backward-step-without-reason"),
    # --- due dates -----------------------------------------------------------------------------
    pytest.param(
        (('due: "12-20"', 'due: "+1-09-30"'),),
        "error cluster.yaml:13: states[1].due: state 'review' is due +1-09-30, outside the "
        "period (the year N and its commendation months until +1-06-30)",
        id="due-outside-the-period"),
    pytest.param(
        (('due: "12-20"', 'due: "02-01"'),),
        "warning cluster.yaml:13: states[1].due: state 'review' is due 02-01, before 'open' "
        "(03-31) that leads to it by submit",
        id="due-before-the-state-before"),
    # --- the award catalogue -------------------------------------------------------------------
    pytest.param(
        (('choices: ["Cờ thi đua"]', 'choices: ["Cờ thi đua", "Huân chương Lao động"]'),),
        "error cluster.yaml:23: transitions[0].inputs.titles_sought.choices[1]: register: "
        "'Huân chương Lao động' is not an award of the catalogue",
        id="choice-not-in-catalogue"),
    pytest.param(
        (("inputs: {award: co_thi_dua}", "inputs: {award: bang_khen}"),),
        "error cluster.yaml:54: scenarios[0].steps[1].inputs.award: scenario 'happy path': "
        "'bang_khen' is not an award of the catalogue",
        id="scenario-award-not-in-catalogue"),
    # --- parameters ----------------------------------------------------------------------------
    pytest.param(
        ((", effective_from: 2024-01-01}", "}"),),
        "warning cluster.yaml:8: parameters.quorum: parameter 'quorum' has no effective date "
        "(effective_from); it is taken as effective from the definition's 2024-01-01",
        id="parameter-without-effective-date"),
    pytest.param(
        (('basis: "Quy chế cụm"', 'basis: "  "'),),
        "error cluster.yaml:8: parameters.quorum.basis: is blank: white space and invisible "
        "characters alone show nothing",
        id="parameter-with-blank-basis"),
    pytest.param(
        (('basis: "Quy chế cụm"', 'basis: "\\u200b\\u3164 "'),),
        "error cluster.yaml:8: parameters.quorum.basis: is blank: white space and invisible "
        "characters alone show nothing",
        id="parameter-with-invisible-basis"),
    # --- labels --------------------------------------------------------------------------------
    pytest.param(
        ((', label: {vi: "Xét duyệt", en: "Review"}}', "}"),),
        "warning cluster.yaml:13: states[1]: state 'review' has no label (vi and en): users "
        "see its name",
        id="state-without-label"),
    pytest.param(
        (('    label: {vi: "Gửi hồ sơ", en: "Submit"}\n', ""),),
        "warning cluster.yaml:24: transitions[1]: step 'submit' has no label (vi and en): "
        "users see its name",
        id="transition-without-label"),
    pytest.param(
        ((', label: {vi: "Khen thưởng", en: "Award"}}', "}"),),
        "warning cluster.yaml:42: transitions[3].inputs.award: input 'award' of decide has no "
        "label (vi and en): users see its name",
        id="input-without-label"),
    pytest.param(
        (('en: "Review"', 'en: "Xét duyệt"'),),
        "warning cluster.yaml:13: states[1].label.en: state 'review': the English label is the "
        "Vietnamese one ('Xét duyệt'): translate it",
        id="label-not-translated"),
    pytest.param(
        (('title: {vi: "Chu kỳ nhỏ"', 'title: {vi: " "'),),
        "error cluster.yaml:3: title.vi: is blank: white space and invisible characters alone "
        "show nothing",
        id="blank-title"),
    pytest.param(
        (('title: {vi: "Chu kỳ nhỏ"', 'title: {vi: "\\ufeff\\u200b"'),),
        "error cluster.yaml:3: title.vi: is blank: white space and invisible characters alone "
        "show nothing",
        id="invisible-title"),
    # --- roles and scenarios -------------------------------------------------------------------
    pytest.param(
        (("roles: [secretariat, member_unit, council]",
          "roles: [secretariat, member_unit, council, auditor]"),),
        "warning cluster.yaml:5: roles[3]: role 'auditor' is declared but no step names it",
        id="role-never-used"),
    pytest.param(
        (("""    setup:
      period: 2024
      members: ["Hà Nội"]
      people:
        - {name: "Thư ký", roles: [secretariat]}
        - {name: "Hội đồng", roles: [council]}
      start: {as: "Thư ký"}
""", ""),),
        "error cluster.yaml:44: scenarios[0]: scenario 'happy path' has no setup (cluster, "
        "members, people, start): it cannot run",
        id="scenario-without-setup"),
    pytest.param(
        (('{name: "Hội đồng", roles: [council]}', '{name: "Hội đồng", roles: [council_head]}'),),
        "error cluster.yaml:50: scenarios[0].setup.people[1].roles[0]: scenario 'happy path': "
        "'council_head' cannot be granted (granted roles: secretariat, council)",
        id="scenario-role-unknown"),
    pytest.param(
        (('{as: "Hội đồng", fire: decide', '{as: "Chủ tịch", fire: decide'),),
        "error cluster.yaml:54: scenarios[0].steps[1].as: scenario 'happy path': 'Chủ tịch' "
        "is not among its people",
        id="scenario-actor-unknown"),
]


def _lint(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cluster.yaml"
    path.write_text(text, encoding="utf-8")
    report = lint_file(path)
    prefix = f"{tmp_path}/"
    return [f"{f.severity} {str(f).removeprefix(prefix)}" for f in report.findings]


@pytest.mark.parametrize("report", lint_files([]), ids=lambda r: Path(r.file).name)
def test_every_shipped_definition_lints_clean(report: object) -> None:
    """No shipped definition has a lint error or warning."""
    assert report.findings == []  # type: ignore[attr-defined]


def test_the_base_lints_clean(tmp_path: Path) -> None:
    """The base of the table below has no finding (so each case shows one edit's effect)."""
    assert _lint(tmp_path, BASE) == []


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_broken_definition_gets_its_message(tmp_path: Path, edits: tuple[tuple[str, str], ...],
                                            expected: str) -> None:
    """Each broken definition is reported with severity, file:line, field and message."""
    assert expected in _lint(tmp_path, revise(BASE, *edits))


def test_without_a_catalogue_awards_are_not_checked(tmp_path: Path) -> None:
    """A definition with no award catalogue lints without award findings."""
    text = revise(BASE, ('awards:\n  co_thi_dua: {kind: title, label: {vi: "Cờ thi đua", '
                         'en: "Emulation flag"}}\n', ""),
                  ('award: {type: award,', 'award: {type: text,'),
                  ('choices: ["Cờ thi đua"]', 'choices: ["Huân chương"]'))
    assert _lint(tmp_path, text) == []


def test_check_raises_with_every_error(tmp_path: Path) -> None:
    """`check()` raises InvalidDefinition naming each error; warnings alone pass."""
    path = tmp_path / "cluster.yaml"
    path.write_text(revise(BASE, (RETURN_REASON, RETURN_LABEL), ('due: "12-20"', 'due: "02-01"')),
                    encoding="utf-8")
    report = lint_file(path)
    assert len(report.errors) == 1 and len(report.warnings) == 1
    with pytest.raises(InvalidDefinition) as raised:
        report.check()
    assert [p.field for p in raised.value.problems] == ["transitions[2].trigger"]
    warned = tmp_path / "warned.yaml"
    warned.write_text(revise(BASE, ('due: "12-20"', 'due: "02-01"')), encoding="utf-8")
    lint_file(warned).check()


def test_missing_file_is_an_error_finding(tmp_path: Path) -> None:
    """A file that does not exist is one error, not an exception."""
    report = lint_file(tmp_path / "absent.yaml")
    assert [f.severity for f in report.findings] == ["error"]
    assert "no definition file" in report.findings[0].message


def test_shipped_folder_is_the_default() -> None:
    """Without files, lint covers every shipped definition."""
    assert [r.file for r in lint_files([])] == [str(p) for p in
                                                shipped_files()]
