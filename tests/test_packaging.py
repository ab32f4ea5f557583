"""As a new user would: a non-editable install in a fresh virtualenv, run from elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with thidua installed from this checkout (not editable)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    build = tmp_path_factory.mktemp("build")
    # Copy-free install: pip builds a wheel from the checkout in an isolated build env.
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", str(ROOT)],
                   check=True, cwd=build, env={**os.environ, "PIP_NO_INPUT": "1"})
    return env_dir


def _thidua(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("THIDUA_DB", "PYTHONPATH")}
    return subprocess.run([str(env_dir / "bin" / "thidua"), *args], capture_output=True,
                          text=True, cwd=cwd, env=env, check=False)


def test_demo_runs_from_another_directory(installed: Path, tmp_path: Path) -> None:
    """`thidua demo` works from an installed wheel, in a directory away from the checkout."""
    result = _thidua(installed, tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    assert "ledger verified" in result.stdout
    assert (tmp_path / "thidua-demo.db").exists()


def test_shipped_definitions_validate_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    """The shipped definitions are package data: found and valid from the installed wheel."""
    result = _thidua(installed, tmp_path, "def", "validate")
    assert result.returncode == 0, result.stderr
    assert "ccb-cluster-annual" in result.stdout
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import workflow.loader as l; print(l.shipped_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert str(ROOT) not in where
    assert "site-packages" in where


def test_checkout_is_not_what_runs(installed: Path, tmp_path: Path) -> None:
    """The installed copy, not this checkout, is imported (so the tests above mean something)."""
    out = subprocess.run([str(installed / "bin" / "python"), "-c",
                          "import workflow; print(workflow.__file__)"],
                         capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert not out.startswith(str(ROOT) + os.sep + "workflow")
    assert sys.prefix not in out
