"""A definition within every bound of its YAML can still ask for thousands of scenarios, each
run on its own database: the scenarios and the steps they take are bounded too, and a file
beyond them is refused (exit 2, the count and the bound) before any scenario runs, by `def
test`, `def lint`, `def publish` and `cycle start --draft`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cli.helpers import invoke, ok, plain_error
from tests.conftest import CLUSTER
from tests.revisions import MINI
from thidua.workflow import limits
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

QUICK_S = 10.0  # a bound on a refusal that runs nothing (a busy machine); it took minutes
# One scenario of MINI takes 7 steps: 1 member, 2 people, 2 roles, 2 steps fired.
MINI_STEPS = 7
STEP = '      - {as: "Hội đồng", fire: submit, expect_refused: "not"}\n'


def with_scenarios(count: int, *, extra_steps: int = 0) -> str:
    """MINI with its scenario ``count`` times (``extra_steps`` refused steps added to each)."""
    head, scenario = MINI.split("  - name: happy path\n")
    scenario = scenario + STEP * extra_steps
    return head + "".join(f"  - name: copy {i}\n{scenario}" for i in range(count))


def _file(folder: Path, text: str) -> str:
    path = folder / "many.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


COMMANDS = {
    "test": lambda db, f: ("def", "test", f),
    "lint": lambda db, f: ("def", "lint", f),
    "publish": lambda db, f: ("def", "publish", f),
    "draft": lambda db, f: ("cycle", "start", "-c", CLUSTER, "-p", "2024", "--draft", f,
                            "--as", "Cao Văn Thắng"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_too_many_scenarios_are_refused_before_any_runs(sqlite_db: Database, tmp_path: Path,
                                                       command: str) -> None:
    """One scenario past the bound: exit 2 with the count and the bound, at once."""
    path = _file(tmp_path, with_scenarios(limits.SCENARIOS_MAX + 1))
    began = time.perf_counter()
    result = invoke(sqlite_db.url, *COMMANDS[command](sqlite_db, path))
    assert time.perf_counter() - began < QUICK_S
    assert result.exit_code == 2, result.output
    assert f"{limits.SCENARIOS_MAX + 1} scenarios: at most {limits.SCENARIOS_MAX} are run" \
        in result.output


@pytest.mark.parametrize("command", ["test", "publish"])
def test_too_many_steps_in_all_are_refused(sqlite_db: Database, tmp_path: Path,
                                           command: str) -> None:
    """Two scenarios whose steps (set-ups included) pass the bound in all: exit 2 naming the
    total, the bound and the line of the scenario that crosses it."""
    extra = limits.SCENARIO_STEPS_MAX // 2 - MINI_STEPS + 1
    path = _file(tmp_path, with_scenarios(2, extra_steps=extra))
    message = plain_error(invoke(sqlite_db.url, *COMMANDS[command](sqlite_db, path)), 2)
    total = 2 * (MINI_STEPS + extra)
    assert f"the scenarios take {total} steps" in message
    assert f"at most {limits.SCENARIO_STEPS_MAX} in all are run" in message
    assert f"{path}:" in message and "scenarios[1]" in message


def test_at_the_bound_the_scenarios_run(tmp_path: Path) -> None:
    """As many scenarios as the bound allows are run, and pass."""
    path = _file(tmp_path, with_scenarios(limits.SCENARIOS_MAX))
    assert f"{limits.SCENARIOS_MAX} scenarios: {limits.SCENARIOS_MAX} passed" in ok(
        invoke(None, "def", "test", path))
