"""``thidua def`` on definitions that extend another: show and diff work on the resolved
definition; every refusal is one line with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import ok, parsed, plain_error
from tests.conftest import Invoke
from tests.revisions import MINI, version_2
from thidua.workflow.language import loader
from thidua.workflow.language.loader import find, shipped_dir

ANNUAL = shipped_dir() / "ccb-cluster-annual.yaml"
VARIANT = shipped_dir() / "ccb-cluster-annual-handover-at-summary.yaml"
V1 = "ccb-cluster-annual@2023.1"


def run(*args: str, json: bool = False) -> Result:
    """A command run in-process, without --db."""
    from thidua.cli.main import root

    prefix = ["--lang", "en"] + (["--json"] if json else [])
    return CliRunner().invoke(root, [*prefix, *args], catch_exceptions=False)


@pytest.fixture
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder without a database, and none named by THIDUA_DB."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THIDUA_DB", raising=False)
    return tmp_path


def test_show_json_of_the_extending_file_is_the_resolved_definition(tmp_path: Path) -> None:
    """`def show --json` of the short file equals that of its resolved text, based_on and all."""
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(find(str(VARIANT)).source, encoding="utf-8")
    short = parsed(run("def", "show", str(VARIANT), json=True))
    whole = parsed(run("def", "show", str(resolved), json=True))
    assert short.pop("file") == str(VARIANT)
    assert whole.pop("file") == str(resolved)
    assert short == whole
    assert short["based_on"] == {"ref": V1, "hash": find(V1).hash}
    assert len(short["states"]) == len(find(V1).definition.states)


def test_show_text_names_the_base() -> None:
    """`def show` of an extending definition has a 'based on' row."""
    out = ok(run("def", "show", "ccb-cluster-annual-handover-at-summary"))
    assert f"based on        {V1} ({find(V1).hash[:12]})" in out


def test_diff_against_the_base_lists_only_the_differences() -> None:
    """`def diff BASE FILE`: the changes the file makes, and the base it is based on."""
    data = parsed(run("def", "diff", str(ANNUAL), str(VARIANT), json=True))
    assert (data["a_based_on"], data["b_based_on"]) == (None, {"ref": V1, "hash": data["a_hash"]})
    assert {(c["change"], c["kind"], c["name"]) for c in data["changes"]} == {
        ("changed", "definition", "ccb-cluster-annual"),
        ("changed", "label", "of definition ccb-cluster-annual"),
        ("changed", "state", "handover"), ("changed", "label", "of state handover"),
        ("changed", "transition", "hold_midyear_review"),
        ("changed", "transition", "hand_over"), ("added", "guard", "fact_recorded(fact='ballot')"),
        ("changed", "transition", "submit_proposal"),
        ("removed", "scenario", "a whole year, from the plan to the closed books"),
        ("added", "scenario", "the year with the handover at the year-end summary"),
    }
    out = ok(run("def", "diff", str(ANNUAL), str(VARIANT)))
    assert out.splitlines()[0].endswith(f", based on {V1}): 13 changes")


def _file(folder: Path, text: str, name: str = "variant.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_base_is_one_line_exit_2(no_database: Path) -> None:
    """Extending a version that is neither shipped nor published: exit 2, the extends line."""
    path = _file(no_database, 'extends: ccb-cluster-annual@1999.1\nversion: "1999.2"\n')
    assert plain_error(run("def", "show", str(path)), 2) == (
        f"Error: {path}:1: extends: no shipped or published definition ccb-cluster-annual@1999.1"
        " to extend (see: thidua def list, thidua def versions)")
    assert not (no_database / "thidua.db").exists()


def test_overriding_a_name_the_base_lacks_is_one_line_exit_2(tmp_path: Path) -> None:
    """A change of a state the base does not have: exit 2 at its line, for show and lint."""
    path = _file(tmp_path, f'extends: {V1}\nversion: "2023.2"\nstates:\n'
                           '  - {name: hand_over, due: "12-20"}\n')
    message = (f"Error: {path}:4: states[0].name: {V1} has no state 'hand_over' (to add one, "
               "write add: true)")
    assert plain_error(run("def", "show", str(path)), 2) == message
    lint = run("def", "lint", str(path))
    assert lint.exit_code == 2 and lint.output.splitlines()[-1] == message


def test_an_extends_loop_is_one_line_exit_2(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Shipped definitions that extend each other: exit 2 naming the loop."""
    monkeypatch.setattr(loader, "shipped_dir", lambda: tmp_path)
    _file(tmp_path, MINI, "mini.yaml")
    a = _file(tmp_path, 'extends: b@1\nid: a\nversion: "1"\n', "a.yaml")
    b = _file(tmp_path, 'extends: a@1\nid: b\nversion: "1"\n', "b.yaml")
    assert plain_error(run("def", "show", str(a)), 2) == (
        f"Error: {b}:1: extends: extends loop: a@1 → b@1 → a@1")
    assert "extends loop" in plain_error(run("def", "show", "a"), 2)


def test_a_file_extending_itself_is_one_line_exit_2(tmp_path: Path) -> None:
    """A file that keeps its base's id and version extends itself: exit 2."""
    path = _file(tmp_path, f"extends: {V1}\nparameters:\n  vote_quorum: {{value: 0.75}}\n")
    assert plain_error(run("def", "show", str(path)), 2) == (
        f"Error: {path}:1: extends: extends its own id@version {V1}: give the definition an id "
        "or a version of its own")


def test_publish_names_the_base_and_the_ledger_verifies(cli: Invoke) -> None:
    """`def publish` of an extending file says what it is based on; audit verify passes."""
    out = ok(cli("def", "publish", str(VARIANT)))
    assert out.startswith("published ccb-cluster-annual-handover-at-summary@2023.1 (")
    assert f", based on {V1}, effective from 2023-01-01" in out
    assert ok(cli("audit", "verify")).startswith("ledger intact")


def test_a_published_base_is_found_only_with_the_database(cli: Invoke, db_url: str,
                                                          tmp_path: Path) -> None:
    """A file extending a version published in --db lints clean there; elsewhere, exit 2."""
    ok(cli("def", "publish", str(version_2(tmp_path))))
    path = _file(tmp_path, 'extends: ccb-cluster-annual@2024.1\nversion: "2024.2"\n')
    [report] = parsed(cli("def", "lint", str(path), json=True))
    assert (report["ref"], report["errors"], report["warnings"]) == (
        "ccb-cluster-annual@2024.2", 0, 0)
    other = tmp_path / "elsewhere"
    other.mkdir()
    result = run("--db", str(other / "none.db"), "def", "lint", str(path))
    assert result.exit_code == 2
    assert "no shipped or published definition ccb-cluster-annual@2024.1" in result.output
    assert not (other / "none.db").exists()
