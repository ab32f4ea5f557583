"""Typed parameters and exact shares: 2/3 of the units is exactly 2/3 of them."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from tests.revisions import MINI, revise
from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language.lint import lint_file
from thidua.workflow.language.loader import parse
from thidua.workflow.language.parameters import as_fraction
from thidua.workflow.rules.ballot import QuorumParams, ballot_quorum
from thidua.workflow.rules.registry import Situation

QUORUM = '  quorum: {type: fraction, value: 0.5, basis: "Quy chế cụm", effective_from: 2024-01-01}'


@pytest.mark.parametrize("members", [3, 6, 9, 12])
def test_exactly_two_thirds_meets_the_quorum(members: int) -> None:
    """For 3, 6, 9 and 12 units, exactly two thirds present meets a 2/3 quorum; one fewer
    does not (the oracle counts two thirds by hand: 2, 4, 6, 8)."""
    two_thirds = {3: 2, 6: 4, 9: 6, 12: 8}[members]
    units = tuple(f"Đơn vị {i}" for i in range(members))

    def refused(returned: int) -> list[str]:
        situation = Situation(facts={}, members=units, parameters={"vote_quorum": "2/3"},
                              inputs={"ballots_returned": returned})
        return ballot_quorum(situation, QuorumParams(parameter="vote_quorum"))

    assert refused(two_thirds) == []
    assert refused(two_thirds - 1) == [
        f"ballot below quorum: {two_thirds - 1} of {members} member units voted, at least "
        f"{two_thirds} needed (vote_quorum 2/3)"]


@pytest.mark.parametrize(("given", "share"), [
    ("2/3", Fraction(2, 3)), ("1/2", Fraction(1, 2)), (0.5, Fraction(1, 2)),
    ("0.75", Fraction(3, 4)), (1, Fraction(1)), (0, Fraction(0)),
    ("0.6667", Fraction(6667, 10000))])
def test_a_share_is_read_exactly(given: object, share: Fraction) -> None:
    """Fractions and decimals are read as exact fractions, never floats."""
    assert as_fraction(given) == share


def _lint(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cluster.yaml"
    path.write_text(text, encoding="utf-8")
    return [f"{f.severity} {f.line}: {f.message}" for f in lint_file(path).findings]


@pytest.mark.parametrize(("parameter", "finding"), [
    pytest.param('  quorum: {type: integer, value: "2/3", basis: "Quy chế cụm", '
                 'effective_from: 2024-01-01}',
                 "error 8: parameter 'quorum' is a integer: '2/3' is not a whole number",
                 id="fraction-as-integer"),
    pytest.param('  quorum: {type: fraction, value: 1.5, basis: "Quy chế cụm", '
                 'effective_from: 2024-01-01}',
                 "error 8: parameter 'quorum' is a fraction: 1.5 is not a share: a share lies "
                 "between 0 and 1", id="share-above-one"),
    pytest.param('  quorum: {type: fraction, value: "2//3", basis: "Quy chế cụm", '
                 'effective_from: 2024-01-01}',
                 "error 8: parameter 'quorum' is a fraction: '2//3' is not a share: write a "
                 "fraction such as 2/3 or a decimal such as 0.5", id="not-a-fraction"),
    pytest.param('  quorum: {type: choice, choices: [a, b], value: c, basis: "Quy chế cụm", '
                 'effective_from: 2024-01-01}',
                 "error 8: parameter 'quorum' is a choice: 'c' is not one of its choices (a, b)",
                 id="not-a-choice"),
    pytest.param('  quorum: {type: fraction, value: 0.6667, basis: "Quy chế cụm", '
                 'effective_from: 2024-01-01}',
                 "warning 8: parameter 'quorum' is 0.6667, close to 2/3 but not it: write "
                 "\"2/3\" for an exact share", id="rounded-two-thirds"),
    pytest.param('  quorum: {value: 0.5, basis: "Quy chế cụm", effective_from: 2024-01-01}',
                 "warning 8: parameter 'quorum' does not say its type", id="no-type"),
])
def test_parameters_are_checked_against_their_type(tmp_path: Path, parameter: str,
                                                   finding: str) -> None:
    """A value of the wrong type is an error naming the line; a rounded share a warning."""
    assert QUORUM in MINI
    found = _lint(tmp_path, revise(MINI, (QUORUM, parameter)))
    assert any(f.startswith(finding) for f in found), found


def test_a_rule_refuses_a_share_that_is_not_a_fraction() -> None:
    """ballot_quorum counts a share: naming an integer parameter is refused at load."""
    text = (Path(__file__).resolve().parents[2] / "definitions" /
            "ccb-cluster-annual.yaml").read_text(encoding="utf-8")
    broken = text.replace("ballot_quorum: {parameter: vote_quorum}",
                          "ballot_quorum: {parameter: flag_quota}")
    with pytest.raises(InvalidDefinition) as refused:
        parse(broken, "annual.yaml")
    assert ("record_ballot: ballot_quorum reads the parameter 'flag_quota' as a fraction, but "
            "it is a quota (parameter: flag_quota)") in str(refused.value)
