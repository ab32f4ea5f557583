"""`thidua --help` stays light: no SQLAlchemy, pydantic, transitions or YAML at start-up,
nor when the shell completes a command or an option, nor on a usage error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from thidua.cli.main import GROUPS

HEAVY = ["sqlalchemy", "pydantic", "transitions", "yaml", "alembic", "tabulate", "wcwidth",
         "openpyxl", "docx", "docxtpl", "jinja2"]
PROBE = """
import json, sys
from thidua.cli.main import root
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


def _heavy_modules(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    code = PROBE.format(args=args, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, **(env or {})}).stdout
    found: list[str] = json.loads(out.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_group_help_imports_no_heavy_module(group: str) -> None:
    """Each group's --help imports its module only: group modules import nothing heavy."""
    assert _heavy_modules([group, "--help"]) == []


@pytest.mark.parametrize("args", [[], ["cycle", "fire"], ["cycle", "show", "one"],
                                  ["--lang", "fr", "cycle", "list"], ["cycle", "--no-such"]])
def test_more_usage_errors_import_no_heavy_module(args: list[str]) -> None:
    """No arguments, a missing or malformed argument, a bad option: nothing heavy loads."""
    assert _heavy_modules(args) == []


@pytest.mark.parametrize(("shell", "words", "cword"), [
    ("bash", "thidua ", 1),
    ("bash", "thidua cy", 1),
    ("bash", "thidua cycle ", 2),
    ("bash", "thidua cycle fire --", 3),
    ("bash", "thidua --l", 1),
    ("zsh", "thidua audit ", 2),
    ("fish", "thidua def ", 2),
])
def test_completion_of_commands_and_options_imports_no_heavy_module(
        shell: str, words: str, cword: int) -> None:
    """Completing a group, a command or an option loads none of the heavy libraries."""
    env = {"_THIDUA_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(cword)}
    assert _heavy_modules([], env) == []


def test_completion_script_imports_no_heavy_module() -> None:
    """Printing the completion script (the README's eval line) loads nothing heavy."""
    assert _heavy_modules([], {"_THIDUA_COMPLETE": "bash_source"}) == []
