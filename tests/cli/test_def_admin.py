"""``thidua def lint|test|publish|versions|diff|graph`` and ``thidua cycle migrate``, as an
administrator runs them: exit codes, plain output, ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tests.cli.helpers import error, ok, parsed
from tests.conftest import Invoke
from tests.revisions import MINI, SHIPPED, V1, revise, version_2

V2 = "ccb-cluster-annual@2024.1"


def run(*args: str, json: bool = False) -> Result:
    """A command that needs no database, run in-process."""
    from thidua.cli.main import root

    prefix = ["--lang", "en"] + (["--json"] if json else [])
    return CliRunner().invoke(root, [*prefix, *args], catch_exceptions=False)


def _file(tmp_path: Path, text: str, name: str = "cluster.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_lint_shipped_is_clean() -> None:
    """`def lint` without files checks the shipped definitions: no finding, exit 0."""
    out = ok(run("def", "lint"))
    assert f"ok      {SHIPPED}  {V1}  0 errors, 0 warnings" in out


def test_lint_errors_exit_2_with_file_and_line(tmp_path: Path) -> None:
    """A lint error is listed with file:line and field, then one Error line; exit 2."""
    bad = _file(tmp_path, revise(MINI, ("    reason_required: true\n", "")))
    result = run("def", "lint", str(bad))
    message = error(result, 2)
    assert f"invalid {bad}  mini-cycle@1  1 error, 0 warnings" in result.output
    assert f"  error   {bad}:29: transitions[2].trigger: return_dossier returns" in result.output
    assert message.startswith(f"Error: {bad}:29: transitions[2].trigger:")


def test_lint_warnings_pass(tmp_path: Path) -> None:
    """Warnings are shown and the command exits 0."""
    warned = _file(tmp_path, revise(MINI, ('due: "12-20"', 'due: "02-01"')))
    out = ok(run("def", "lint", str(warned)))
    assert f"  warning {warned}:13: states[1].due: state 'review' is due 02-01" in out


def test_lint_json(tmp_path: Path) -> None:
    """`--json def lint` gives each file's counts and findings with severity and line."""
    warned = _file(tmp_path, revise(MINI, ('due: "12-20"', 'due: "02-01"')))
    [report] = parsed(run("def", "lint", str(warned), json=True))
    assert (report["ref"], report["errors"], report["warnings"]) == ("mini-cycle@1", 0, 1)
    [finding] = report["findings"]
    assert (finding["severity"], finding["line"], finding["field"]) == (
        "warning", 13, "states[1].due")


def test_test_shipped_passes() -> None:
    """`def test` runs the shipped scenarios like a test runner: PASS lines, a count, exit 0."""
    out = ok(run("def", "test", str(SHIPPED)))
    assert "  PASS  a whole year, from the plan to the closed books (" in out
    assert "4 scenarios: 4 passed, 0 failed" in out


def test_test_failure_exits_1(tmp_path: Path) -> None:
    """A failing scenario is a FAIL line naming the step and why; exit 1."""
    failing = _file(tmp_path, revise(MINI, ("expect_state: review}", "expect_state: closed}")))
    result = run("def", "test", str(failing))
    message = error(result, 1)
    assert ("  FAIL  'happy path' failed at step 1 (submit as Thư ký) at line 53: expected "
            "state 'closed', but the cycle is in 'review'") in result.output
    assert "1 scenarios: 0 passed, 1 failed" in result.output
    assert message.startswith(f"Error: {failing}: 1 of 1 scenarios failed")


def test_test_json(tmp_path: Path) -> None:
    """`--json def test` gives each scenario's outcome and the failing step."""
    failing = _file(tmp_path, revise(MINI, ("expect_state: review}", "expect_state: closed}")))
    result = run("def", "test", str(failing), json=True)
    assert result.exit_code == 1
    [report] = json.loads(result.stdout)
    [scenario] = report["results"]
    assert (report["passed"], scenario["passed"]) == (False, False)
    assert scenario["failure"]["index"] == 1 and scenario["failure"]["line"] == 53


def test_publish_then_again(cli: Invoke, tmp_path: Path) -> None:
    """`def publish` stores a version; the same content again says nothing changed."""
    path = version_2(tmp_path)
    out = ok(cli("def", "publish", str(path)))
    assert out.startswith(f"published {V2} (")
    assert "effective from 2024-01-01" in out and "4 scenarios passed" in out
    assert "nothing changed" in ok(cli("def", "publish", str(path)))
    data = parsed(cli("def", "publish", str(path), json=True))
    assert (data["version"], data["new"]) == ("2024.1", False)
    rows = parsed(cli("def", "versions", "ccb-cluster-annual", json=True))
    assert [(r["version"], r["published"]) for r in rows] == [("2024.1", True)]
    assert "2024.1" in ok(cli("def", "versions"))


def test_publish_refusals(cli: Invoke, tmp_path: Path) -> None:
    """Lint errors exit 2, failing scenarios exit 1; nothing is stored either way."""
    bad = _file(tmp_path, revise(MINI, ("    reason_required: true\n", "")), "bad.yaml")
    assert "must require a written reason" in error(cli("def", "publish", str(bad)), 2)
    failing = _file(tmp_path, revise(MINI, ("expect_state: review}", "expect_state: closed}")),
                    "failing.yaml")
    assert "1 of 1 scenarios failed" in error(cli("def", "publish", str(failing)), 1)
    assert "no stored version" in error(cli("def", "versions", "mini-cycle"), 5)


def test_diff_text_and_json(tmp_path: Path) -> None:
    """`def diff` lists changes with +, - and ~ marks; `--json` gives them as data."""
    path = version_2(tmp_path)
    out = ok(run("def", "diff", str(SHIPPED), str(path)))
    assert out.splitlines()[0].startswith(f"{V1} (")
    assert "  + state implementation added" in out
    assert "  - state first_half removed" in out
    assert "  ~ definition ccb-cluster-annual: version changed from '2023.1' to '2024.1'" in out
    data = parsed(run("def", "diff", str(SHIPPED), str(path), json=True))
    assert data["same"] is False
    assert {"change": "added", "kind": "state", "name": "implementation"}.items() <= \
        data["changes"][next(i for i, c in enumerate(data["changes"])
                             if c["name"] == "implementation")].items()


def test_graph_mermaid_and_dot() -> None:
    """`def graph FILE` prints Mermaid by default, DOT with --format dot."""
    mermaid = ok(run("def", "graph", str(SHIPPED)))
    assert "stateDiagram-v2" in mermaid and "constituted --> launched: launch" in mermaid
    dot = ok(run("def", "graph", str(SHIPPED), "--format", "dot"))
    assert dot.startswith("digraph ") and "constituted -> launched [label=launch]" in dot
    data = parsed(run("def", "graph", str(SHIPPED), json=True))
    assert data["format"] == "mermaid" and data["source"].startswith("---")


def test_graph_of_a_cycle(cli: Invoke) -> None:
    """`def graph ID --cycle N` highlights the cycle's current state."""
    _start_and_launch(cli)
    out = ok(cli("def", "graph", "ccb-cluster-annual", "--cycle", "1"))
    assert "Class launched s_active" in out
    assert "Class constituted s_previous" in out


def _start_and_launch(cli: Invoke) -> None:
    ok(cli("cluster", "add", "Cụm 5", "-m", "Hà Nội", "-m", "Bắc Ninh", "--head", "Bắc Ninh",
           "--deputy", "Hà Nội", "--period", "2023"))
    ok(cli("actor", "add", "Cao Văn Thắng", "--unit", "Bắc Ninh"))
    ok(cli("actor", "grant", "Cao Văn Thắng", "secretariat", "--cluster", "Cụm 5"))
    ok(cli("cycle", "start", "-c", "Cụm 5", "-p", "2023", "--as", "Cao Văn Thắng",
           "--at", "2023-01-05"))
    ok(cli("cycle", "fire", "1", "launch", "-i", "plan=Kế hoạch", "--as", "Cao Văn Thắng",
           "--at", "2023-01-16"))


def test_publish_v2_then_migrate_a_running_cycle(cli: Invoke, tmp_path: Path) -> None:
    """A cycle on v1 stays on v1 when v2 is published; plan then apply moves it; the ledger
    shows the migration and still verifies."""
    _start_and_launch(cli)
    ok(cli("cycle", "fire", "1", "open_registration", "--as", "Cao Văn Thắng",
           "--at", "2023-02-01"))
    ok(cli("def", "publish", str(version_2(tmp_path, effective="2023-01-01"))))
    assert parsed(cli("cycle", "show", "1", json=True))["definition"] == V1
    plan = ok(cli("cycle", "migrate", "1", "--to", "2024.1", "--plan"))
    assert "state       registration_open -> registration_open" in plan
    assert parsed(cli("cycle", "show", "1", json=True))["definition"] == V1
    out = ok(cli("cycle", "migrate", "1", "--to", "2024.1", "--apply", "--reason", "Quy chế mới"))
    assert out.startswith(f"cycle 1: migrated {V1} -> {V2}: registration_open -> "
                          "registration_open (version 4, event ")
    view = parsed(cli("cycle", "show", "1", json=True))
    assert (view["definition"], view["version"]) == (V2, 4)
    last = parsed(cli("audit", "log", "--limit", "1", json=True))[0]
    assert (last["kind"], last["inputs"]["from_version"], last["inputs"]["to_version"]) == (
        "migrate", V1, V2)
    assert ok(cli("audit", "verify")).startswith("ledger intact")
    assert "migrate" in ok(cli("cycle", "history", "1"))


def test_migrate_refused_without_counterpart(cli: Invoke, tmp_path: Path) -> None:
    """A state the new version lacks: the plan names the problem and exits 1; --map mends it."""
    _start_and_launch(cli)
    ok(cli("def", "publish", str(version_2(tmp_path))))
    with_map = ["--map", "launched=launched"]
    data = parsed(cli("cycle", "migrate", "1", "--to", V2, *with_map, json=True))
    assert data["ok"] is True and data["mapped"] is True
    bad = cli("cycle", "migrate", "1", "--to", V2, "--map", "launched=nowhere")
    assert "has no state 'nowhere'" in error(bad, 1)
    assert "is not OLD=NEW" in error(cli("cycle", "migrate", "1", "--to", V2, "--map", "x"), 2)
    assert "no published version" in error(cli("cycle", "migrate", "1", "--to", "2099.1"), 5)
