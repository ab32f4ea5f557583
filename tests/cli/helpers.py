"""Shared helpers for the CLI tests: error assertions, cycle set-up, snapshots of what changed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from click.testing import Result

from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from thidua.workflow.language.loader import find
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database

START_AT = "2023-01-05"


def error(result: Result, code: int) -> str:
    """Assert ``result`` failed with ``code`` and printed one plain ``Error:`` line; return it."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def plain_error(result: Result, code: int) -> str:
    """Like :func:`error`, and the whole output is that one line (no usage text)."""
    message = error(result, code)
    assert result.output.strip() == message, result.output
    return message


def ok(result: Result) -> str:
    """Assert ``result`` succeeded; return its output."""
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output, result.output
    return result.output


def parsed(result: Result) -> Any:
    """Assert ``result`` succeeded and printed valid JSON; return the value."""
    return json.loads(ok(result))


def start(db: Database, *, period: int = 2023) -> int:
    """Start Cluster 5's cycle for ``period`` (dated 5 January 2023) with workflow set-up."""
    return start_cycle(db, find("ccb-cluster-annual"), CLUSTER, period, actor=SECRETARY,
                       occurred_at=START_AT).cycle_id


def advance(db: Database, cycle_id: int, *, until: str, occurrence: int = 1) -> None:
    """Fire the happy path's steps up to (not including) the ``occurrence``-th ``until``."""
    seen = 0
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        if trigger == until:
            seen += 1
            if seen == occurrence:
                return
        fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    raise AssertionError(f"{until!r} is not in the happy path")


def snapshot(cli: Any, cycle_id: int) -> tuple[str, int, int]:
    """The cycle's state and version and the ledger's length, read through the CLI."""
    view = parsed(cli("cycle", "show", str(cycle_id), json=True))
    events = parsed(cli("audit", "log", json=True))
    return view["state"], view["version"], len(events)


def invoke(db_url: str | None, *args: str, json: bool = False) -> Result:
    """Run ``thidua [--db URL] --lang en ARGS`` on any database (upgraded or not)."""
    from click.testing import CliRunner

    from thidua.cli.main import root

    prefix = (["--db", db_url] if db_url else []) + ["--lang", "en"] + (["--json"] if json else [])
    return CliRunner().invoke(root, [*prefix, *args], catch_exceptions=False)


def input_args(inputs: dict[str, Any]) -> list[str] | None:
    """``-i KEY=VALUE`` arguments for ``inputs`` (lists and mappings as JSON, numbers as
    text), or None when a value cannot be typed on a command line (an attachment)."""
    args: list[str] = []
    for key, value in inputs.items():
        if isinstance(value, list | dict):
            try:
                text = json.dumps(value, ensure_ascii=False)
            except TypeError:
                return None
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            return None
        args += ["-i", f"{key}={text}"]
    return args


THREAD_BOUND_S = 60  # a bound on a hung thread, not a measure of speed


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads at once; each call's result or the exception it raised, in
    order (for the test to judge)."""
    results: list[Any] = [RuntimeError("did not finish")] * len(calls)

    def run(k: int) -> None:
        try:
            results[k] = calls[k]()
        except BaseException as exc:  # kept for the test to judge
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_BOUND_S)
    return results
