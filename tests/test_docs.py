"""The README tells the truth: its walk-through runs, every command is in it, CI runs its tests."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from thidua.cli.main import GROUPS, root

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
HEX = re.compile(r"\b[0-9a-f]{12,64}\b")


def console_blocks() -> list[str]:
    """The ```console blocks of the README."""
    return re.findall(r"```console\n(.*?)```", README, flags=re.S)


def sessions() -> list[tuple[str, str]]:
    """(command, expected output) pairs of the walk-through, in order."""
    pairs: list[tuple[str, str]] = []
    for block in console_blocks():
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            pairs.append((command, output))
    return pairs


def all_commands() -> list[str]:
    """Every leaf command, as `thidua GROUP COMMAND`."""
    ctx = click.Context(root)
    found = []
    for name in GROUPS:
        command = root.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += [f"thidua {name} {sub}" for sub in command.commands]
        else:
            found.append(f"thidua {name}")
    return found


def test_walk_through_prints_what_the_readme_shows(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `$ thidua ...` line of the README prints its block (hashes aside)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THIDUA_DB", raising=False)
    runner = CliRunner()
    pairs = sessions()
    assert len(pairs) >= 10
    for command, expected in pairs:
        words = shlex.split(command)
        if words[0] == "export":
            key, _, value = words[1].partition("=")
            monkeypatch.setenv(key, value)
            continue
        assert words[0] == "thidua"
        result = runner.invoke(root, words[1:])
        output = HEX.sub("HASH", result.output)
        assert output == expected, f"$ {command}\n{result.output}"
        assert (result.exit_code != 0) == expected.startswith("Error:"), command


@pytest.mark.parametrize("command", all_commands())
def test_every_command_is_documented(command: str) -> None:
    """Each command appears in the README and its --help carries an example."""
    assert f"`{command}" in README
    result = CliRunner().invoke(root, [*command.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls the README's test command verbatim, and the README has exactly two."""
    commands = re.findall(r"```sh\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2
    main_job, tests = commands
    assert main_job.endswith("thidua demo")
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_extends_example_resolves_and_lints_clean(tmp_path: Path) -> None:
    """The README's example of a definition that extends another is valid and lint-clean."""
    from thidua.workflow.language.lint import lint_file

    [example] = re.findall(r"```yaml\n(extends:.*?)```", README, flags=re.S)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    report = lint_file(path)
    assert (report.ref, report.findings) == ("ccb-cluster-annual@2024.1", [])
