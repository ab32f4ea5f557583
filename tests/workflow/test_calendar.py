"""A calendar that crosses the year: a definition dues its closing steps in January of N+1
(``+1-01-31``); steps taken then, with ``--at``, are accepted and not shown overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.cli.helpers import ok, parsed
from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY, Invoke
from thidua.workflow.language.loader import load_file
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show, todo

CLOSING = """\
extends: ccb-cluster-annual@2023.1
id: cum5-closing-in-january
title: {vi: "Tổng kết vào tháng 1 năm sau", en: "Year-end summary in January"}
states:
  - {name: score_validation, due: "+1-01-15"}
  - {name: yearend_summary, due: "+1-01-31"}
  - {name: proposal_submitted, due: "+1-02-15"}
scenarios:
  - {name: "a whole year, from the plan to the closed books", remove: true}
"""


def test_closing_steps_in_january_are_in_period(cli: Invoke, populated: Database,
                                                tmp_path: Path) -> None:
    """Scores published on 10 January 2024 and the ballot and proposal on 18 January, on the
    2023 cycle: accepted, due 2024-01-31, not overdue that day, overdue on 1 February."""
    path = tmp_path / "closing.yaml"
    path.write_text(CLOSING, encoding="utf-8")
    assert "0 errors, 0 warnings" in ok(cli("def", "lint", str(path)))
    cycle_id = start_cycle(populated, load_file(str(path)), CLUSTER, 2023, actor=SECRETARY,
                           occurred_at="2023-01-05", draft=True).cycle_id
    triggers = [step[0] for step in HAPPY_PATH]
    closing = triggers.index("publish_scores")
    for i, (trigger, person, unit, inputs, reason) in enumerate(HAPPY_PATH[:closing]):
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs,
             reason=reason, occurred_at=(dt.date(2023, 1, 6) + dt.timedelta(days=9 * i))
             .isoformat())
    trigger, person, *_ = HAPPY_PATH[closing]
    ok(cli("cycle", "fire", str(cycle_id), trigger, "--as", person, "--at", "2024-01-10"))
    trigger, person, unit, inputs, reason = HAPPY_PATH[closing + 1]
    assert trigger == "record_ballot"
    fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason,
         occurred_at="2024-01-18")
    ok(cli("cycle", "fire", str(cycle_id), "propose", "--unit", "Vĩnh Phúc",
           "-i", "award=co_thi_dua", "--as", SECRETARY, "--at", "2024-01-18"))
    facts = parsed(cli("cycle", "show", str(cycle_id), json=True))["facts"]
    assert set(facts["proposal"]) == {"Vĩnh Phúc"} and "ballot" in facts
    view = show(populated, cycle_id, today=dt.date(2024, 1, 18))
    assert (view.state, view.due, view.overdue) == ("yearend_summary", "2024-01-31", False)
    mine, = todo(populated, actor=SECRETARY, today=dt.date(2024, 1, 18))
    assert mine["overdue"] is False and mine["due"] == "2024-01-31"
    assert show(populated, cycle_id, today=dt.date(2024, 2, 1)).overdue is True
    events = parsed(cli("cycle", "history", str(cycle_id), json=True))
    assert [e["occurred_at"][:10] for e in events[-3:]] == ["2024-01-09", "2024-01-17",
                                                            "2024-01-17"]  # UTC instants
    assert "2024-01-18" in ok(cli("cycle", "history", str(cycle_id)))
