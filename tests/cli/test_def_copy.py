"""``thidua def copy``: an editable copy of a shipped or published version, never over a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import ok, parsed, plain_error
from tests.conftest import Invoke
from tests.revisions import version_2
from thidua.workflow.language.loader import find, shipped_dir

ANNUAL = shipped_dir() / "ccb-cluster-annual.yaml"
VARIANT_ID = "ccb-cluster-annual-handover-at-summary"


def run(*args: str, json: bool = False) -> Result:
    """A command run in-process, without --db."""
    from thidua.cli.main import root

    prefix = ["--lang", "en"] + (["--json"] if json else [])
    return CliRunner().invoke(root, [*prefix, *args], catch_exceptions=False)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder without a database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THIDUA_DB", raising=False)
    return tmp_path


def _clean(path: Path) -> None:
    assert ok(run("def", "lint", str(path))).splitlines() == [
        f"ok      {path}  {find(str(path)).ref}  0 errors, 0 warnings"]


def test_copy_then_lint_is_clean(here: Path) -> None:
    """`def copy ID FILE` writes the shipped text itself: same hash, and lint finds nothing."""
    out = ok(run("def", "copy", "ccb-cluster-annual", "my.yaml"))
    assert out == (f"wrote my.yaml: a copy of ccb-cluster-annual@2023.1 "
                   f"({find('ccb-cluster-annual').hash[:12]})\n")
    assert (here / "my.yaml").read_text(encoding="utf-8") == ANNUAL.read_text(encoding="utf-8")
    _clean(here / "my.yaml")


def test_copy_of_an_extending_definition_is_whole(here: Path) -> None:
    """A copy of the handover variant is its resolved YAML, not an extends stub: same hash."""
    ok(run("def", "copy", VARIANT_ID, "variant.yaml"))
    text = (here / "variant.yaml").read_text(encoding="utf-8")
    assert "extends:" not in text and "\nbased_on:\n" in text
    assert find("variant.yaml").hash == find(VARIANT_ID).hash
    _clean(here / "variant.yaml")


def test_copy_never_overwrites_a_file(here: Path) -> None:
    """An existing FILE is refused with exit 2 and left as it was."""
    target = here / "mine.yaml"
    target.write_text("# my notes\n", encoding="utf-8")
    assert plain_error(run("def", "copy", "ccb-cluster-annual", "mine.yaml"), 2) == (
        "Error: mine.yaml already exists: def copy never overwrites a file; name a new one")
    assert target.read_text(encoding="utf-8") == "# my notes\n"


def test_copy_into_a_missing_folder_is_bad_input(here: Path) -> None:
    """A FILE in a folder that does not exist: one line, exit 2."""
    error = plain_error(run("def", "copy", "ccb-cluster-annual", "no/such/dir.yaml"), 2)
    assert error.startswith("Error: cannot write no/such/dir.yaml:")


def test_copy_of_an_unknown_definition_is_not_found(here: Path) -> None:
    """A name neither shipped nor published: exit 5, and no file and no database appear."""
    assert plain_error(run("def", "copy", "ccb-cluster-annual@1999.1", "x.yaml"), 5) == (
        "Error: no shipped or published definition 'ccb-cluster-annual@1999.1' (see: thidua def "
        "list, thidua def versions)")
    assert sorted(p.name for p in here.iterdir()) == []


def test_copy_extend_writes_a_stub_that_lints_clean(here: Path) -> None:
    """--extend writes a short file extending the version, with a version label of its own."""
    data = parsed(run("def", "copy", "ccb-cluster-annual@2023.1", "stub.yaml", "--extend",
                      json=True))
    assert data == {"file": "stub.yaml", "ref": "ccb-cluster-annual@2023.1",
                    "hash": find("ccb-cluster-annual").hash, "extends": True}
    text = (here / "stub.yaml").read_text(encoding="utf-8")
    assert "\nextends: ccb-cluster-annual@2023.1\n" in text and len(text.splitlines()) < 10
    _clean(here / "stub.yaml")
    changes = parsed(run("def", "diff", str(ANNUAL), "stub.yaml", json=True))["changes"]
    assert [c["text"] for c in changes] == [
        "definition ccb-cluster-annual: version changed from '2023.1' to '2023.1-draft'"]


def test_copy_of_a_published_version(cli: Invoke, tmp_path: Path) -> None:
    """A version published in the database is copied as it was stored."""
    published = parsed(cli("def", "publish", str(version_2(tmp_path)), json=True))
    target = tmp_path / "copy.yaml"
    ok(cli("def", "copy", "ccb-cluster-annual@2024.1", str(target)))
    assert find(str(target)).hash == published["hash"]
