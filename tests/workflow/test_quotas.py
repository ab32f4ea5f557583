"""Quotas are yearly parameters, for the cluster or per emulation group, each naming its
source document: two flags in a six-unit cluster by changing one parameter, one flag per
group in a split cluster, and every mistake in them named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import ok

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TWO_FLAGS, GROUPS = EXAMPLES / "cum5-two-flags.yaml", EXAMPLES / "cum5-groups.yaml"


def thidua(*args: str) -> Result:
    """``thidua --lang en ARGS`` in-process."""
    from thidua.cli.main import root

    return CliRunner().invoke(root, ["--lang", "en", *args], catch_exceptions=False)


def edited(tmp_path: Path, source: Path, *changes: tuple[str, str]) -> str:
    """A copy of ``source`` with each ``(old, new)`` text replaced once."""
    text = source.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    target = tmp_path / source.name
    target.write_text(text, encoding="utf-8")
    return str(target)


def test_the_examples_pass_their_scenarios() -> None:
    """`def test` runs both examples' scenarios: two flags of six, one flag per group."""
    out = ok(thidua("def", "test", str(TWO_FLAGS), str(GROUPS)))
    assert "PASS  two flags in a cluster of six, not three" in out
    assert "PASS  one flag per emulation group" in out
    assert "0 warnings" in ok(thidua("def", "lint", str(TWO_FLAGS), str(GROUPS)))


def test_one_flag_when_the_parameter_says_one(tmp_path: Path) -> None:
    """The same scenario with the year's quota at 1: the second flag is refused, so the
    scenario fails (exit 1) at that step."""
    path = edited(tmp_path, TWO_FLAGS, ("    value: 2\n", "    value: 1\n"))
    result = thidua("def", "test", path)
    assert result.exit_code == 1, result.output
    assert "at most 1 for a cluster of 6 member units, already proposed: Hà Nội" in result.output


def test_a_unit_in_no_group_is_not_proposed(tmp_path: Path) -> None:
    """A unit the year's groups leave out cannot be proposed for a per-group award."""
    path = edited(tmp_path, GROUPS,
                  ('["Vĩnh Phúc", "Hải Dương", "Hưng Yên"]', '["Hải Dương", "Hưng Yên"]'))
    result = thidua("def", "test", path)
    assert result.exit_code == 1, result.output
    assert "Vĩnh Phúc is in no emulation group of emulation_groups" in result.output


BROKEN = [
    pytest.param(('value: {"Nhóm 1": 1, "Nhóm 2": 1}', 'value: {"Nhóm 1": 1, "Nhóm 3": 1}'),
                 "'flag_quota' gives quotas for Nhóm 1, Nhóm 3, the groups are Nhóm 1, Nhóm 2",
                 id="groups-differ"),
    pytest.param(("    quota: {count: flag_quota, groups: emulation_groups}",
                  "    quota: {count: flag_quota}"),
                 "'flag_quota' gives a quota per group: name the groups parameter",
                 id="groups-unnamed"),
    pytest.param(('"Nhóm 2": ["Vĩnh Phúc",', '"Nhóm 2": ["Hà Nội", "Vĩnh Phúc",'),
                 "'Hà Nội' is in two groups (Nhóm 1, Nhóm 2)", id="unit-twice"),
    pytest.param(('value: {"Nhóm 1": 1, "Nhóm 2": 1}', 'value: {"Nhóm 1": -1, "Nhóm 2": 1}'),
                 "is not a quota", id="negative"),
    pytest.param(("    type: groups\n", "    type: integer\n"),
                 "quota groups reads 'emulation_groups' as a groups, but it is a integer",
                 id="not-groups"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_broken_quotas_are_invalid(tmp_path: Path, change: tuple[str, str],
                                   message: str) -> None:
    """Each mistake in a quota is named with its file:line, exit 2."""
    result = thidua("def", "validate", edited(tmp_path, GROUPS, change))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_lint_warns_on_a_quota_without_a_document_number(tmp_path: Path) -> None:
    """A quota's basis names the document that sets it; lint warns when it names none."""
    path = edited(tmp_path, TWO_FLAGS, ("Hướng dẫn số 15/HD-TĐKT (ví dụ)", "Hướng dẫn của năm"))
    out = ok(thidua("def", "lint", path))
    assert "quota parameter 'flag_quota': its basis names no document number" in out
