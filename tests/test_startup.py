"""`thidua --help` stays light: no SQLAlchemy, pydantic, transitions or YAML at start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["sqlalchemy", "pydantic", "transitions", "yaml", "alembic"]
PROBE = """
import json, sys
from cli.main import root
try:
    root.main(args={args!r}, prog_name="thidua")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""


@pytest.mark.parametrize("args", [["--help"], ["cycle", "--help"], ["no-such-command"]])
def test_help_and_usage_errors_import_no_heavy_module(args: list[str]) -> None:
    """Help and usage errors load none of the heavy libraries."""
    code = PROBE.format(args=args, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_the_probe_sees_heavy_imports() -> None:
    """A command that needs the database does import them (so the probe can fail)."""
    code = PROBE.format(args=["def", "list"], heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "pydantic" in json.loads(out.strip().splitlines()[-1])
