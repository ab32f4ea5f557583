"""``thidua def``: list, show and validate definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import error, ok, parsed, plain_error
from tests.conftest import Invoke
from thidua.workflow.language.loader import find, shipped, shipped_dir

SHIPPED = shipped_dir() / "ccb-cluster-annual.yaml"
REF = "ccb-cluster-annual@2023.1"


def _annual_hash() -> str:
    return find("ccb-cluster-annual").hash


def test_list_text(cli: Invoke) -> None:
    """`def list` shows each shipped definition with its version and English title."""
    out = ok(cli("def", "list"))
    assert "ccb-cluster-annual" in out
    assert "2023.1" in out
    assert "Annual cycle of an emulation cluster" in out


def test_list_json(cli: Invoke) -> None:
    """`--json def list` gives id, version, hash and file of every shipped definition."""
    rows = parsed(cli("def", "list", json=True))
    assert sorted(r["id"] for r in rows) == sorted(d.definition.id for d in shipped())
    [annual] = [r for r in rows if r["id"] == "ccb-cluster-annual"]
    assert annual["hash"] == _annual_hash()
    assert set(annual) >= {"id", "version", "effective_from", "title", "hash", "file"}


@pytest.mark.parametrize("name", ["ccb-cluster-annual", REF, str(SHIPPED)])
def test_show_by_id_version_or_file(cli: Invoke, name: str) -> None:
    """`def show` finds a definition by id, by id@version and by file path."""
    out = ok(cli("def", "show", name))
    assert "ccb-cluster-annual" in out
    assert "Registration open" in out
    assert "sign_compact" in out
    assert "all_members" in out


def test_show_json(cli: Invoke) -> None:
    """`--json def show` gives the whole definition with its hash."""
    data = parsed(cli("def", "show", "ccb-cluster-annual", json=True))
    assert data["id"] == "ccb-cluster-annual"
    assert data["hash"] == _annual_hash()
    assert any(t["trigger"] == "sign_compact" for t in data["transitions"])


@pytest.mark.parametrize("name", ["no-such-definition", "ccb-cluster-annual@1999.9",
                                  "missing/definition.yaml"])
def test_show_unknown_is_not_found(cli: Invoke, name: str) -> None:
    """An unknown id, version or file exits 5 with one plain line naming it."""
    assert name in plain_error(cli("def", "show", name), 5)


def test_show_broken_file_is_bad_input(cli: Invoke, tmp_path: Path) -> None:
    """Showing an invalid definition file exits 2 naming file and line."""
    bad = _broken(tmp_path)
    assert f"{bad}:" in plain_error(cli("def", "show", str(bad)), 2)


def test_validate_shipped(cli: Invoke) -> None:
    """`def validate` without files checks every shipped definition and exits 0."""
    out = ok(cli("def", "validate"))
    assert out.startswith("ok")
    assert REF in out


def test_validate_named_file(cli: Invoke) -> None:
    """`def validate FILE` on the shipped file exits 0; `--json` marks it valid."""
    assert REF in ok(cli("def", "validate", str(SHIPPED)))
    [result] = parsed(cli("def", "validate", str(SHIPPED), json=True))
    assert result["valid"] is True
    assert result["problems"] == []


def _broken(tmp_path: Path) -> Path:
    """The shipped definition with launch leading to a state that does not exist."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert "    dest: launched\n" in text
    bad = tmp_path / "broken.yaml"
    bad.write_text(text.replace("    dest: launched\n", "    dest: nowhere\n", 1),
                   encoding="utf-8")
    return bad


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def test_validate_broken_file(cli: Invoke, tmp_path: Path) -> None:
    """A broken file exits 2 and names file:line and the field at fault."""
    bad = _broken(tmp_path)
    result = cli("def", "validate", str(bad))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = _line_of(bad, "dest: nowhere")
    assert f"{bad}:{line}: transitions[0].dest:" in result.output
    assert "nowhere" in result.output


def test_validate_unknown_field_and_bad_yaml(cli: Invoke, tmp_path: Path) -> None:
    """An unknown field and unparsable YAML are each reported with file:line, exit 2."""
    extra = tmp_path / "extra.yaml"
    extra.write_text(SHIPPED.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    garbled = tmp_path / "garbled.yaml"
    garbled.write_text("id: [unclosed\n", encoding="utf-8")
    result = cli("def", "validate", str(extra), str(garbled))
    assert result.exit_code == 2, result.output
    assert f"{extra}:{_line_of(extra, 'colour')}: colour: unknown field" in result.output
    assert f"{garbled}:" in result.output
    assert "not valid YAML" in result.output


def test_validate_json_marks_the_broken_one(cli: Invoke, tmp_path: Path) -> None:
    """`--json def validate` reports each file; the broken one is invalid; exit 2."""
    bad = _broken(tmp_path)
    result = cli("def", "validate", str(SHIPPED), str(bad), json=True)
    assert result.exit_code == 2, result.output
    good, broken = json.loads(result.output)
    assert good["valid"] is True
    assert broken["valid"] is False
    assert broken["file"] == str(bad)
    assert any("nowhere" in p for p in broken["problems"])


def test_validate_missing_file(cli: Invoke, tmp_path: Path) -> None:
    """A file that does not exist is reported and the command exits 2."""
    missing = tmp_path / "absent.yaml"
    result = cli("def", "validate", str(missing))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"no definition file '{missing}'" in result.output


def test_validate_a_directory_is_usage_error(cli: Invoke, tmp_path: Path) -> None:
    """A directory instead of a file is a usage error (exit 2)."""
    assert "is a directory" in error(cli("def", "validate", str(tmp_path)), 2)
