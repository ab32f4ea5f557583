"""What the attack and fault tests share: thidua run as its own process, its one line of
error, the length of the ledger."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from thidua.workflow.services.db import Database

ROOT = Path(__file__).resolve().parents[2]
PROCESS_BOUND_S = 120  # a bound on a hung process, not a measure of speed


def thidua(*args: str | bytes, env: dict[str, str] | None = None,
           prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    """Run ``thidua ARGS`` as its own process, from this checkout."""
    environment = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env or {})
    return subprocess.run([*prefix, sys.executable, "-c",
                           "from thidua.cli.main import main; main()", *args],
                          cwd=ROOT, env=environment, capture_output=True,
                          timeout=PROCESS_BOUND_S, check=False)


def one_line(done: subprocess.CompletedProcess[bytes], code: int) -> str:
    """Assert a process failed with ``code`` and printed one plain Error line; return it."""
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == code, (done.returncode, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def events(db: Database) -> int:
    """How many events the ledger holds."""
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar_one())
