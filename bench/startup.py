"""Start-up: ``thidua --help`` against a bare Click app with as many commands.

The floor is the least a Click program with thidua's top-level commands and options can cost:
the interpreter, Click, and nothing else. thidua should come close, which it can only do if
``--help`` imports neither SQLAlchemy nor pydantic nor transitions. Target: at most 1.3x.

    python bench/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import child_env, interleaved, ms, report, run_once, thidua

TARGET = 1.3

BARE = '''
import click

@click.group(context_settings={{"help_option_names": ["-h", "--help"]}})
@click.option("--db", "db_url", envvar="THIDUA_DB", metavar="URL", help="Database URL.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, help="Language.")
@click.version_option("0")
def root(db_url, as_json, lang):
    """A bare Click app."""

for _name in {names!r}:
    root.command(_name, help=f"The {{_name}} command.")(lambda: None)

root(prog_name="bare")
'''


def main(argv: list[str] | None = None) -> bool:
    """Measure and print the ratio; True when the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="runs of each (default 40)")
    args = parser.parse_args(argv)

    from thidua.cli.main import (
        GROUPS,  # only to count the commands; costs the parent nothing measured
    )

    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE.format(names=list(GROUPS)), encoding="utf-8")
        env = child_env()
        subject, floor = interleaved(
            lambda: run_once([*thidua(), "--help"], cwd=Path(tmp), env=env),
            lambda: run_once([sys.executable, str(bare), "--help"], cwd=Path(tmp), env=env),
            args.rounds)
    return report("startup", subject / floor, TARGET, at_most=True,
                  detail=f"thidua --help {ms(subject)}, bare Click app with {len(GROUPS)} "
                         f"commands {ms(floor)} (median of {args.rounds})")


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
