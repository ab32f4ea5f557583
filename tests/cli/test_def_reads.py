"""A rule reads names of the definition: renaming one in a single place is a lint error that
names the step, the rule and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from thidua.cli.main import root
from thidua.workflow.language.loader import shipped_dir

SHIPPED = (shipped_dir() / "ccb-cluster-annual.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str, after: str) -> int:
    """The 1-based line of the first ``needle`` after the first ``after``."""
    start = text.index(after)
    return text[:text.index(needle, start)].count("\n") + 1


CASES = [
    pytest.param(
        # the fact renamed where it is recorded and where all_members names it, not for eligible
        [("    records: registration\n", "    records: dang_ky\n"),
         ("all_members: {fact: registration}", "all_members: {fact: dang_ky}")],
        ("eligible: {parameter: vote_threshold}", "trigger: propose"),
        "propose: eligible reads the fact 'registration', which no step records "
        "(registration: registration)",
        id="fact-registration"),
    pytest.param(
        [("      ballots_returned: {type: integer", "      phieu_thu_ve: {type: integer")],
        ("ballot_quorum: {parameter: vote_quorum}", "trigger: record_ballot"),
        "record_ballot: ballot_quorum reads the input 'ballots_returned', which record_ballot "
        "does not take (returned: ballots_returned)",
        id="input-ballots-returned"),
    pytest.param(
        [("    effects: [publish_scores]", "    effects: [{publish_scores: {into: diem}}]")],
        ("eligible: {parameter: vote_threshold}", "trigger: propose"),
        "propose: eligible reads the fact 'scores', which no step records (scores: scores)",
        id="fact-scores"),
    pytest.param(
        [("      criterion: {type: text, label: {vi: \"Tiêu chí\", en: \"Criterion\"}}\n"
          "      points: {type: number, label: {vi: \"Điểm thẩm định\"",
          "      tieu_chi: {type: text, label: {vi: \"Tiêu chí\", en: \"Criterion\"}}\n"
          "      points: {type: number, label: {vi: \"Điểm thẩm định\"")],
        ("guards: [not_own_unit, scores_open, criterion_known]", "trigger: adjust_score"),
        "adjust_score: criterion_known reads the input 'criterion', which adjust_score does not "
        "take (criterion: criterion)",
        id="input-criterion"),
    pytest.param(
        [("      incoming_head: {type: text", "      tiep_nhan: {type: text")],
        ("guards: [handover_heads]", "trigger: hand_over"),
        "hand_over: handover_heads reads the input 'incoming_head', which hand_over does not "
        "take (incoming_head: incoming_head)",
        id="input-incoming-head"),
    pytest.param(
        [("      votes: {type: tally", "      phieu: {type: tally")],
        ("eligible: {parameter: vote_threshold}", "trigger: propose"),
        "propose: eligible reads the input 'votes' of the fact 'ballot', which record_ballot "
        "does not take (votes: votes)",
        id="field-votes-of-ballot"),
]


@pytest.mark.parametrize(("edits", "where", "message"), CASES)
def test_renaming_in_one_place_is_a_lint_error(tmp_path: Path, edits: list[tuple[str, str]],
                                               where: tuple[str, str], message: str) -> None:
    """A copy of the shipped definition with a name changed in one place only: `def lint`
    exits 2 with an error naming the step, the rule, the name and the line of the rule."""
    text = SHIPPED
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "copy.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(root, ["--lang", "en", "def", "lint", str(path)])
    assert result.exit_code == 2, result.output
    line = _line_of(text, where[0], where[1])
    assert f"copy.yaml:{line}: " in result.output
    assert message in result.output


def test_the_shipped_definition_lints_clean(tmp_path: Path) -> None:
    """The unedited copy lints clean (so each case above fails for its edit alone)."""
    path = tmp_path / "copy.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    result = CliRunner().invoke(root, ["--lang", "en", "def", "lint", str(path)])
    assert result.exit_code == 0, result.output
