"""As a new user would: a non-editable install in a fresh virtualenv, run from elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# One worker builds the wheel: two builds at once would share the checkout's build folder.
pytestmark = pytest.mark.xdist_group("packaging")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with thidua installed from a copy of this checkout (not editable):
    building from a copy leaves no build folder behind in the checkout."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    source = tmp_path_factory.mktemp("source") / "thidua"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.db"))
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", str(source)],
                   check=True, cwd=source.parent, env={**os.environ, "PIP_NO_INPUT": "1"})
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
                            "import thidua.workflow.language.loader as l; print(l.shipped_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert str(ROOT) not in where
    assert "site-packages" in where


def test_checkout_is_not_what_runs(installed: Path, tmp_path: Path) -> None:
    """The installed copy, not this checkout, is imported (so the tests above mean something)."""
    out = subprocess.run([str(installed / "bin" / "python"), "-c",
                          "import thidua.workflow; print(thidua.workflow.__file__)"],
                         capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert not out.startswith(str(ROOT) + os.sep + "workflow")
    assert sys.prefix not in out


def _site_packages(env_dir: Path) -> Path:
    return next((env_dir / "lib").glob("python3*/site-packages"))


def test_one_top_level_package(installed: Path) -> None:
    """The install puts exactly one top-level package, thidua, into site-packages."""
    site = _site_packages(installed)
    ours = {p.name for p in site.iterdir()
            if p.name.startswith("thidua") or p.name in ("workflow", "store", "cli",
                                                          "definitions")}
    assert ours == {"thidua", f"thidua-{_version()}.dist-info"}
    assert sorted(p.name for p in (site / "thidua").iterdir() if p.name != "__pycache__") == [
        "cli", "definitions", "store", "workflow"]
    top_level = [line.split("/")[0].split(",")[0] for line in
                 (site / f"thidua-{_version()}.dist-info" / "RECORD").read_text().splitlines()]
    assert {name for name in top_level if name != ".." and not name.startswith("thidua")} == set()


def _version() -> str:
    import tomllib

    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_editable_install_runs_from_another_directory(tmp_path: Path) -> None:
    """The editable install of this checkout (the one the tests run on) maps the folders to
    the namespace too: the command works from elsewhere and imports this checkout."""
    out = subprocess.run([sys.executable, "-c",
                          "import thidua.workflow.language.loader as l; print(l.shipped_dir())"],
                         capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert out.strip() == str(ROOT / "definitions")
    result = subprocess.run([str(Path(sys.executable).parent / "thidua"), "def", "list"],
                            capture_output=True, text=True, cwd=tmp_path, check=False,
                            env={k: v for k, v in os.environ.items() if k != "THIDUA_DB"})
    assert result.returncode == 0, result.stderr
    assert "ccb-cluster-annual" in result.stdout


def test_every_package_is_listed() -> None:
    """Every folder of Python code under the three layers is a package the install lists."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    found = {"thidua." + ".".join(init.parent.relative_to(ROOT).parts)
             for layer in ("workflow", "store", "cli", "definitions")
             for init in (ROOT / layer).rglob("__init__.py")}
    assert found == listed
