"""Ctrl-C at the worst moments of a real `thidua cycle fire`: before the commit nothing is
recorded and the process says so (exit 130); once the commit has begun the step is recorded
and the process says that, with its usual line (exit 0). Never "Aborted!" over a recorded step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import advance, start
from tests.conftest import SECRETARY
from tests.stress import pause
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

ROOT = Path(__file__).resolve().parents[2]
PROCESS_BOUND_S = 120  # a bound on a hung process, not a measure of speed


def _state(db: Database, cycle: int) -> tuple[str, int, int]:
    with db.engine.connect() as conn:
        state, version = conn.execute(text("SELECT state, version FROM cycles WHERE id = :id"),
                                      {"id": cycle}).one()
        events = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar_one()
    return state, version, events


def _interrupted_at(url: str, cycle: int, point: str, release: Path) -> tuple[int, str, str]:
    """Run `thidua cycle fire` until it pauses at ``point``, send it SIGINT (Ctrl-C), then let
    it go on; its exit code, output and errors."""
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment |= {"PYTHONPATH": str(ROOT), pause.RELEASE: str(release)}
    prelude = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
               f"from tests.stress import pause; pause.at({point!r}); "
               "from thidua.cli.main import main; main()")
    process = subprocess.Popen(
        [sys.executable, "-c", prelude, "--db", url, "cycle", "fire", str(cycle),
         "open_registration", "--as", SECRETARY], cwd=ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(PROCESS_BOUND_S, process.kill)
    watchdog.start()
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.strip() == f"{pause.ANNOUNCE} {point}":
                break
        else:
            pytest.fail(f"the process never paused at {point}: {''.join(seen)}")
        process.send_signal(signal.SIGINT)
        release.touch()
        out, err = process.communicate()
    finally:
        watchdog.cancel()
    return process.returncode, out, err


@pytest.mark.parametrize("point", ["locked", "ledgered"])
def test_ctrl_c_before_the_commit(populated: Database, db_url: str, tmp_path: Path,
                                  point: str) -> None:
    """Ctrl-C while the step is written but not committed: exit 130, one line saying that
    nothing was recorded, and nothing was."""
    cycle = start(populated)
    advance(populated, cycle, until="open_registration")
    before = _state(populated, cycle)
    code, out, err = _interrupted_at(db_url, cycle, point, tmp_path / "release")
    assert code == 130, err
    assert err.strip() == "Error: interrupted: nothing was recorded", err
    assert out == ""
    assert _state(populated, cycle) == before


@pytest.mark.parametrize("point", ["committing", "committed"])
def test_ctrl_c_during_or_after_the_commit(populated: Database, db_url: str, tmp_path: Path,
                                           point: str) -> None:
    """Ctrl-C once the commit has begun, or just after it: the step is recorded, and the
    process prints its usual line and exits 0 (not "Aborted!", exit 1)."""
    cycle = start(populated)
    advance(populated, cycle, until="open_registration")
    state, version, events = _state(populated, cycle)
    code, out, err = _interrupted_at(db_url, cycle, point, tmp_path / "release")
    assert code == 0, err
    assert "Error" not in err and "Aborted" not in err, err
    assert f"cycle {cycle}: open_registration: launched -> registration_open (version " \
           f"{version + 1}, event {events + 1})" in out
    assert _state(populated, cycle) == ("registration_open", version + 1, events + 1)
    assert state == "launched"


# Ctrl-C arriving once the command's work is over (the database closed, the command settled):
# the process sends it to itself there, as a late keypress would land.
LATE = {
    "close": ("from thidua.workflow.services import db as m; _f = m.Database.close\n"
              "def close(self):\n    _f(self); os.kill(os.getpid(), signal.SIGINT)\n"
              "m.Database.close = close\n"),
    "settle": ("from thidua.cli import main as m; _f = m._settle\n"
               "def settle():\n    _f(); os.kill(os.getpid(), signal.SIGINT)\n"
               "m._settle = settle\n"),
}


@pytest.mark.parametrize("point", list(LATE))
def test_ctrl_c_after_the_command_recorded_its_step(populated: Database, db_url: str,
                                                    point: str) -> None:
    """Ctrl-C after the step was committed and the command's work is over, until the process
    exits: the exit status stays 0 (never 130, "nothing recorded"), with the usual line."""
    cycle = start(populated)
    advance(populated, cycle, until="open_registration")
    _, version, events = _state(populated, cycle)
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment["PYTHONPATH"] = str(ROOT)
    prelude = ("import os, signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
               + LATE[point] + "from thidua.cli.main import main; main()")
    done = subprocess.run(
        [sys.executable, "-c", prelude, "--db", db_url, "cycle", "fire", str(cycle),
         "open_registration", "--as", SECRETARY], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=PROCESS_BOUND_S, check=False)
    assert done.returncode == 0, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "interrupted" not in done.stderr, done.stderr
    assert f"(version {version + 1}, event {events + 1})" in done.stdout
    assert _state(populated, cycle) == ("registration_open", version + 1, events + 1)
