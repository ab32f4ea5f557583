"""Commands that only read load only what they use: not the ORM, not pydantic, not transitions,
not YAML (as `--help` loads none of SQLAlchemy; see test_startup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import advance, invoke, start
from tests.conftest import CLUSTER, SECRETARY
from thidua.workflow.engine import judge
from thidua.workflow.services.db import Database

UNUSED = ["sqlalchemy.orm", "pydantic", "transitions", "yaml", "alembic"]
PROBE = """
import json, sys
from thidua.cli.main import root
try:
    root.main(args={args!r}, prog_name="thidua")
except SystemExit as exit:
    code = exit.code
print(json.dumps([code, sorted(m for m in {unused!r} if m in sys.modules)]))
"""

READS = [
    pytest.param(["cycle", "show", "{cycle}"], id="cycle-show"),
    pytest.param(["--json", "cycle", "show", "{cycle}"], id="cycle-show-json"),
    pytest.param(["cycle", "list"], id="cycle-list"),
    pytest.param(["cycle", "list", "--cluster", CLUSTER], id="cycle-list-cluster"),
    pytest.param(["cycle", "history", "{cycle}"], id="cycle-history"),
    pytest.param(["report", "cycle", "{cycle}"], id="report-cycle"),
    pytest.param(["report", "cycle", "{cycle}", "--format", "json"], id="report-cycle-json"),
    pytest.param(["report", "cycle", "{cycle}", "--format", "markdown"], id="report-cycle-md"),
    pytest.param(["audit", "log"], id="audit-log"),
    pytest.param(["audit", "log", "--cycle", "{cycle}", "--limit", "3"], id="audit-log-cycle"),
    pytest.param(["cycle", "show", "999"], id="cycle-show-not-found"),
    pytest.param(["audit", "export"], id="export-jsonl"),
    pytest.param(["audit", "export", "--cycle", "{cycle}"], id="export-jsonl-cycle"),
    pytest.param(["audit", "export", "--format", "csv"], id="export-csv"),
    pytest.param(["audit", "export", "--format", "csv", "--excel", "--cycle", "{cycle}"],
                 id="export-excel-cycle"),
    pytest.param(["audit", "export", "-o", "{out}.jsonl"], id="export-jsonl-file"),
    pytest.param(["--json", "audit", "export", "--cycle", "{cycle}", "-o", "{out}.jsonl"],
                 id="export-jsonl-cycle-file"),
    pytest.param(["audit", "export", "--format", "csv", "-o", "{out}.csv"], id="export-csv-file"),
    pytest.param(["audit", "export", "--format", "csv", "--excel", "--cycle", "{cycle}", "-o",
                  "{out}.csv"], id="export-excel-cycle-file"),
    pytest.param(["audit", "export", "-c", CLUSTER, "-p", "2023", "--actor", SECRETARY,
                  "--since", "2023-01-01", "--until", "2023-12-31"], id="export-filters"),
    pytest.param(["audit", "export", "--cycle", "999"], id="export-not-found"),
]


def _loaded(db_url: str, args: list[str]) -> tuple[int, list[str]]:
    code = PROBE.format(args=["--db", db_url, *args], unused=UNUSED)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "200"}).stdout
    exit_code, modules = json.loads(out.strip().splitlines()[-1])
    return exit_code, modules


@pytest.mark.parametrize("args", READS)
def test_a_reading_command_loads_no_orm_pydantic_transitions_or_yaml(
        populated: Database, db_url: str, args: list[str], tmp_path: Path) -> None:
    """Showing, listing, the history, the log and the export (every format, to a file or
    not) of a cycle in progress import none of the ORM, pydantic, transitions, YAML or
    Alembic."""
    cycle = start(populated)
    advance(populated, cycle, until="sign_compact")
    exit_code, modules = _loaded(db_url, [a.format(cycle=cycle, out=tmp_path / "out")
                                          for a in args])
    assert exit_code in (0, 5, None)
    assert modules == []


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "xlsx"])
def test_the_report_of_a_whole_cycle_loads_none_of_them(
        db: Database, db_url: str, tmp_path: Path, fmt: str) -> None:
    """The report of the demo's closed cycle (meetings, scores, ballot, council, awards), in
    every format, imports none of them either (the workbook's own openpyxl aside)."""
    assert invoke(db_url, "demo").exit_code == 0
    output = ["-o", str(tmp_path / "report.xlsx")] if fmt == "xlsx" else []
    exit_code, modules = _loaded(db_url, ["report", "cycle", "1", "--format", fmt, *output])
    assert exit_code in (0, None)
    assert modules == []


JUDGING = [
    pytest.param(["cycle", "why", "{cycle}"], id="cycle-why"),
    pytest.param(["cycle", "why", "{cycle}", "--as", SECRETARY], id="cycle-why-as"),
    pytest.param(["cycle", "todo", "--as", SECRETARY], id="cycle-todo"),
    pytest.param(["cycle", "todo", "--cluster", CLUSTER, "--as", SECRETARY],
                 id="cycle-todo-cluster"),
]


@pytest.mark.parametrize("args", JUDGING)
def test_a_judging_view_loads_the_rules_but_not_the_orm_or_yaml(
        populated: Database, db_url: str, args: list[str]) -> None:
    """`cycle why` and `cycle todo` judge with the rules and the machine (pydantic,
    transitions: so the probe above can fail) but read through Core only, on the compiled
    definitions: neither the ORM nor YAML nor Alembic."""
    cycle = start(populated)
    judge._BY_HASH.clear()
    exit_code, modules = _loaded(db_url, [a.format(cycle=cycle) for a in args])
    assert exit_code in (0, None)
    assert {"pydantic", "transitions"} <= set(modules)
    assert not {"sqlalchemy.orm", "yaml", "alembic"} & set(modules)


def test_a_step_loads_the_rules_but_not_the_orm_or_yaml(populated: Database,
                                                        db_url: str) -> None:
    """`cycle fire` loads the rules and the machine (pydantic, transitions) but neither the
    ORM (a step runs prebuilt Core statements on one connection) nor the YAML reader (it runs
    on the compiled definition) nor Alembic."""
    cycle = start(populated)
    advance(populated, cycle, until="open_registration")
    exit_code, modules = _loaded(db_url, ["cycle", "fire", str(cycle), "open_registration",
                                          "--as", SECRETARY])
    assert exit_code in (0, None)
    assert {"pydantic", "transitions"} <= set(modules)
    assert not {"sqlalchemy.orm", "yaml", "alembic"} & set(modules)
