"""The README tells the truth: its walk-through runs, every command is in it, CI runs its tests."""

from __future__ import annotations

import os
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
        assert (result.exit_code != 0) == expected.startswith(("Error:", "Lỗi:")), command


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


# --- The repository documents itself: no reference leaves it, every link lands. ---

# Notes kept outside the repository, by name; written so that this file does not match itself.
OUTSIDE = re.compile(r"\b(?:DESIGN|DOMAIN|STYLE)\.md\b|\.\./shared\b")
PRUNED = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
          ".hypothesis", "build", "dist", "node_modules"}
TEXT = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".ini", ".mako", ".json", ""}
PAGES = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^(```|~~~).*?^\1", flags=re.S | re.M)
COMMENT = re.compile(r"<!--.*?-->", flags=re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", flags=re.M)
# A path into the repository as the pages name it; an upper-case name is a placeholder
# (``definitions/SHA256.yaml`` inside an audit bundle), not a file of ours.
REPO_PATH = re.compile(r"`((?:workflow|store|cli|definitions|bench|tests|docs)/[\w./-]*"
                       r"\.(?:py|md|yaml|toml))`")


def repository_files() -> list[Path]:
    """The project's own text files: environments, caches and build output left out."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in PRUNED and not d.endswith(".egg-info"))
        found += [Path(folder) / f for f in sorted(files) if Path(f).suffix in TEXT]
    return found


def outside_references(text: str) -> list[str]:
    """Each line of ``text`` that refers to notes kept outside the repository."""
    return [line.strip() for line in text.splitlines() if OUTSIDE.search(line)]


def prose(page: Path) -> str:
    """A page's text without its HTML comments (notes to maintainers, not references)."""
    return COMMENT.sub("", page.read_text(encoding="utf-8"))


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets on GitHub."""
    text = heading.replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings (code blocks aside)."""
    return {slug(h) for h in HEADING.findall(FENCE.sub("", prose(page)))}


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of ``page`` whose file (or heading) does not exist under ``root``."""
    broken = []
    text = re.sub(r"`[^`\n]*`", "", FENCE.sub("", prose(page)))
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto: and the like
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.is_relative_to(root.resolve()) or not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    return broken


def test_no_file_refers_outside_the_repository() -> None:
    """No file of the repository refers to notes kept outside it: docs/ says it instead."""
    offending = {str(path.relative_to(ROOT)): found for path in repository_files()
                 if (found := outside_references(path.read_text(encoding="utf-8",
                                                                errors="replace")))}
    assert offending == {}


def test_the_outside_reference_finder_finds_one() -> None:
    """A mention of an outside note, or of the folder beside the repository, is found."""
    name, folder = "DESIGN" + ".md", ".." + "/shared"
    assert outside_references(f"see {name}, Users\nfine\nread {folder}/x") == [
        f"see {name}, Users", f"read {folder}/x"]
    assert outside_references("docs/architecture.md, DESIGNS.md, design.md") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_lands(page: Path) -> None:
    """Every relative link of the README and of docs/ points at a file (and heading) that
    exists in the repository."""
    assert broken_links(page) == []


def test_the_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    """A link to a missing file or heading is reported; links inside code are not links."""
    (tmp_path / "other.md").write_text("## There\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("[a](missing.md) [b](other.md#nowhere) [c](other.md#there) [d](#here)\n"
                    "`[e](gone.md)`\n# Here\n```\n[f](gone.md)\n```\n[g](https://x.org/y)\n",
                    encoding="utf-8")
    assert broken_links(page, tmp_path) == [
        "missing.md: no such file", "other.md#nowhere: no heading #nowhere in other.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_path_named_exists(page: Path) -> None:
    """Every path into the repository that a page names in backticks is a file that exists."""
    named = {p for p in REPO_PATH.findall(prose(page))
             if not Path(p).stem.isupper()}
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_the_extends_example_resolves_and_lints_clean(tmp_path: Path) -> None:
    """The README's example of a definition that extends another is valid and lint-clean."""
    from thidua.workflow.language.lint import lint_file

    [example] = re.findall(r"```yaml\n(extends:.*?)```", README, flags=re.S)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    report = lint_file(path)
    assert (report.ref, report.findings) == ("ccb-cluster-annual@2024.1", [])
