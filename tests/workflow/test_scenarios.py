"""Scenarios: the shipped ones pass; a failing one names its first failing step and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.revisions import MINI, revise
from thidua.workflow.errors import ScenariosFailed
from thidua.workflow.language.loader import shipped
from thidua.workflow.services.scenarios import describe, run_file, run_files, run_scenarios

STEP_2 = ('      - {as: "Hội đồng", fire: decide, inputs: {award: co_thi_dua}, '
          'expect_state: closed}\n')


def _run(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cluster.yaml"
    path.write_text(text, encoding="utf-8")
    return [describe(r) for r in run_file(path).results]


@pytest.mark.parametrize("loaded", shipped(), ids=lambda d: d.definition.id)
def test_every_shipped_scenario_passes(loaded: object) -> None:
    """Each scenario of each shipped definition passes."""
    report = run_scenarios(loaded)  # type: ignore[arg-type]
    assert [describe(r) for r in report.failed] == []
    report.check()


def test_the_annual_definition_has_scenarios() -> None:
    """The annual definition ships a whole year and the refusals that matter."""
    [annual] = [d for d in shipped() if d.definition.id == "ccb-cluster-annual"]
    names = [s.name for s in annual.definition.scenarios]
    assert len(names) >= 4
    assert names[0] == "a whole year, from the plan to the closed books"
    steps = annual.definition.scenarios[0].steps
    assert steps[-2].expect_state == "closed"
    assert any(s.fire == "return_dossier" and s.expect_refused for s in steps)


def test_mini_passes(tmp_path: Path) -> None:
    """The small definition's scenario passes."""
    assert _run(tmp_path, MINI) == ["'happy path' passed"]


CASES = [
    pytest.param(
        (("expect_state: review}", "expect_state: closed}"),),
        "'happy path' failed at step 1 (submit as Thư ký) at line 53: expected state 'closed', "
        "but the cycle is in 'review'",
        id="wrong-state"),
    pytest.param(
        (("expect_state: review}", 'expect_refused: "not yet"}'),),
        "'happy path' failed at step 1 (submit as Thư ký) at line 53: expected a refusal "
        "mentioning 'not yet', but it was taken: open -> review",
        id="taken-not-refused"),
    pytest.param(
        (('{as: "Thư ký", fire: submit', '{as: "Hội đồng", fire: submit'),
         ('start: {as: "Thư ký"}', 'start: {as: "Thư ký"}\n    # Hội đồng submits')),
        "'happy path' failed at step 1 (submit as Hội đồng) at line 54: refused: Hội đồng "
        "holds none of the roles secretariat in Cluster 2024",
        id="refused-unexpectedly"),
    pytest.param(
        ((STEP_2, STEP_2.replace("expect_state: closed", 'expect_refused: "quorum"')
          .replace("{award: co_thi_dua}", "{}")),),
        "'happy path' failed at step 2 (decide as Hội đồng) at line 54: refused, but not for "
        "'quorum': decide: missing input 'award' (award) (inputs: award)",
        id="refused-for-another-reason"),
    pytest.param(
        (('members: ["Hà Nội"]', 'members: ["Hà Nội"]\n      head: "Huế"'),),
        "'happy path' failed at setup at line 44: the head 'Huế' is not among the member units",
        id="setup-fails"),
]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_failure_names_the_first_failing_step(tmp_path: Path,
                                              edits: tuple[tuple[str, str], ...],
                                              expected: str) -> None:
    """A failing scenario names the step, its line and why it failed."""
    [outcome] = _run(tmp_path, revise(MINI, *edits))
    assert outcome == expected


def test_a_scenario_without_setup_fails_at_setup(tmp_path: Path) -> None:
    """A scenario with no setup cannot run: it fails, naming what is missing."""
    text = MINI.split("    setup:\n")[0] + "    steps:\n" + MINI.split("    steps:\n")[1]
    [outcome] = _run(tmp_path, text)
    assert outcome.startswith("'happy path' failed at setup at line 44: no setup")


def test_check_raises_scenarios_failed_exit_1(tmp_path: Path) -> None:
    """A report with a failure raises ScenariosFailed (exit code 1) naming it."""
    path = tmp_path / "cluster.yaml"
    path.write_text(revise(MINI, ("expect_state: review}", "expect_state: closed}")),
                    encoding="utf-8")
    report = run_file(path)
    with pytest.raises(ScenariosFailed) as raised:
        report.check()
    assert raised.value.exit_code == 1
    assert "1 of 1 scenarios failed" in str(raised.value)


def test_each_scenario_gets_a_fresh_store(tmp_path: Path) -> None:
    """Two scenarios with the same setup do not see each other's cycle."""
    twice = MINI + MINI[MINI.index("  - name: happy path"):].replace("happy path", "again")
    assert _run(tmp_path, twice) == ["'happy path' passed", "'again' passed"]


def test_run_files_defaults_to_the_shipped_ones() -> None:
    """Without files, every shipped definition's scenarios run."""
    assert [r.ref for r in run_files([])] == [d.ref for d in shipped()]
