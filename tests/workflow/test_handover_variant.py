"""The shipped handover-at-summary definition: a short file of its differences from the annual
definition, resolved into the same year with the handover moved."""

from __future__ import annotations

from thidua.workflow.language.diff import diff
from thidua.workflow.language.loader import find, shipped_dir
from thidua.workflow.services.scenarios import run_file

VARIANT = shipped_dir() / "ccb-cluster-annual-handover-at-summary.yaml"


def test_the_variant_file_holds_only_its_differences() -> None:
    """Under 120 lines, it extends the annual definition and is based on the shipped text."""
    text = VARIANT.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 120
    assert "\nextends: ccb-cluster-annual@2023.1\n" in text
    based_on = find(str(VARIANT)).definition.based_on
    assert based_on is not None
    assert (based_on.ref, based_on.hash) == ("ccb-cluster-annual@2023.1",
                                             find("ccb-cluster-annual@2023.1").hash)


def test_its_own_scenario_and_the_inherited_ones_pass() -> None:
    """`def test` runs its year with the handover at the summary, and the base's short ones."""
    report = run_file(VARIANT)
    assert [(r.name, r.passed) for r in report.results] == [
        ("no compact before every member unit has registered", True),
        ("a member unit registers for itself only, and once", True),
        ("only the head's side launches the plan, and the plan is required", True),
        ("the year with the handover at the year-end summary", True),
    ]


def test_the_diff_against_its_base_is_only_what_it_changes() -> None:
    """Compared with its base, the resolved variant differs in what the file says, no more."""
    result = diff(find("ccb-cluster-annual@2023.1"), find(str(VARIANT)))
    assert sorted(c.text for c in result.changes) == sorted([
        "definition ccb-cluster-annual: id changed from 'ccb-cluster-annual' to "
        "'ccb-cluster-annual-handover-at-summary'",
        "label of definition ccb-cluster-annual: title (vi) changed from 'Chu kỳ thi đua năm "
        "của cụm thi đua' to 'Chu kỳ thi đua năm của cụm thi đua (bàn giao tại hội nghị tổng "
        "kết)'",
        "label of definition ccb-cluster-annual: title (en) changed from 'Annual cycle of an "
        "emulation cluster' to 'Annual cycle of an emulation cluster (handover at the year-end "
        "summary)'",
        "state handover: due changed from '08-15' to '12-20'",
        "label of state handover: label (vi) changed from 'Bàn giao cụm trưởng' to 'Đã bàn "
        "giao cụm trưởng'",
        "label of state handover: label (en) changed from 'Handover of cluster leadership' to "
        "'Leadership handed over'",
        "transition hold_midyear_review: dest changed from 'handover' to 'second_half'",
        "transition hand_over: source changed from [\"handover\"] to [\"yearend_summary\"]",
        "transition hand_over: dest changed from 'second_half' to 'handover'",
        "guard fact_recorded(fact='ballot') added in transition hand_over",
        "transition submit_proposal: source changed from [\"yearend_summary\"] to "
        "[\"handover\"]",
        "scenario a whole year, from the plan to the closed books removed",
        "scenario the year with the handover at the year-end summary added",
    ])
    assert (result.a_based_on, result.b_based_on) == (
        None, {"ref": "ccb-cluster-annual@2023.1", "hash": result.a_hash})


def test_the_handover_state_follows_the_year_end_summary() -> None:
    """after: places the moved state where a reader of `def show` expects it."""
    names = [s.name for s in find(str(VARIANT)).definition.states]
    assert names.index("handover") == names.index("yearend_summary") + 1
