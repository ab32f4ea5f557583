"""What every benchmark shares: the checkout on ``sys.path``, the ``thidua`` command, timing that
interleaves the subject with its floor, and one way of printing a ratio against its target.

Benchmarks never print an absolute time alone: the floor is measured in the same run, on the same
machine, so the ratio means the same on a laptop and on a loaded CI runner.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The console script, when installed next to this interpreter; otherwise the same two lines
# that pip writes into it.
_SCRIPT = Path(sys.executable).with_name("thidua")
ENTRY = "import sys; sys.argv[0] = 'thidua'; from thidua.cli.main import main; main()"


def thidua() -> list[str]:
    """The argv prefix that runs ``thidua`` as a user would."""
    if _SCRIPT.is_file():
        return [str(_SCRIPT)]
    return [sys.executable, "-c", ENTRY]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured child: the checkout importable, English, no colour."""
    env = {k: v for k, v in os.environ.items() if k != "THIDUA_DB"}
    env.update(PYTHONPATH=str(ROOT), LANG="C.UTF-8", NO_COLOR="1", **extra)
    return env


def run_once(argv: Sequence[str], *, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> float:
    """Seconds taken by one run of ``argv``, which must succeed."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), cwd=cwd, env=env or child_env(), capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n"
                         f"{done.stderr.decode(errors='replace')}")
    return elapsed


def interleaved(subject: Callable[[], float], floor: Callable[[], float],
                rounds: int, warmup: int = 2) -> tuple[float, float]:
    """Median times of ``subject`` and ``floor``, measured turn about so that drift in the
    machine's load falls on both alike."""
    for _ in range(warmup):
        subject()
        floor()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        times[0].append(subject())
        times[1].append(floor())
    return statistics.median(times[0]), statistics.median(times[1])


def machine() -> str:
    """nproc, CPU model and Python version: the machine a figure belongs to."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def report(name: str, ratio: float, target: float, *, at_most: bool, detail: str) -> bool:
    """Print the figure, its target and whether it is met; return whether it is met."""
    met = ratio <= target if at_most else ratio >= target
    sign = "<=" if at_most else ">="
    print(f"{name}: {detail}")
    print(f"{name}: ratio {ratio:.2f}x  target {sign} {target}x  "
          f"{'MET' if met else 'MISSED'}  ({machine()})")
    return met


def ms(seconds: float) -> str:
    """Seconds as milliseconds, for the detail line."""
    return f"{seconds * 1000:.1f} ms"


def child_json(script: str, *args: str) -> dict[str, Any]:
    """Run ``script --child ARGS`` in a fresh process and return the JSON it prints."""
    done = subprocess.run([sys.executable, script, "--child", *args], env=child_env(),
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def ledger_arguments(doc: str | None, *, events: int) -> argparse.Namespace:
    """The command line of a bench that builds a ledger of ``events`` events and measures
    child processes turn about: ``--events``, ``--rounds``, ``--keep``, and ``--child`` (how
    the bench runs itself as one side)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=events)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Build the ledger here (reused if present).")
    parser.add_argument("--child", nargs=2, metavar=("WHICH", "PATH"), help=argparse.SUPPRESS)
    return parser.parse_args()
