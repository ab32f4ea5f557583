"""Definitions and inputs built to exhaust the reader: alias bombs, deep nesting, too many
values, huge files and deeply nested JSON are refused within a moment, with exit 2 naming the
bound (and the line), whether typed, in a file or stored in the database."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tests.cli.helpers import advance, error, invoke, ok, plain_error, start
from tests.conftest import CLUSTER, HEAD, Invoke
from tests.revisions import MINI
from thidua.workflow import limits
from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language.reader import read_yaml
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

QUICK_S = 1.0  # refused "within a moment": the bombs below took minutes before the bounds


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Nested lists of aliases ``levels`` deep: a few hundred bytes that stand for
    ``width ** levels`` values once expanded."""
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _timed_refusal(text_: str) -> tuple[InvalidDefinition, float]:
    began = time.perf_counter()
    with pytest.raises(InvalidDefinition) as refused:
        read_yaml(text_, "bomb.yaml")
    return refused.value, time.perf_counter() - began


def test_the_alias_bomb_is_small_and_refused_at_once(tmp_path: Path) -> None:
    """A 9-level alias bomb (under 500 bytes) is refused by `def validate` in under a second,
    exit 2, naming the bound and a line of the file."""
    bomb = alias_bomb()
    assert len(bomb.encode()) < 500
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    began = time.perf_counter()
    result = invoke(None, "def", "validate", str(path))
    assert time.perf_counter() - began < QUICK_S
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.output
    assert f"more than {limits.YAML_MAX_ALIASES} uses of aliases" in result.output


@pytest.mark.parametrize(("name", "text_", "bound"), [
    pytest.param("aliases", alias_bomb(), "uses of aliases", id="aliases"),
    pytest.param("values", "items: [" + ", ".join(["1"] * 300_000) + "]\n", "values",
                 id="values"),
    pytest.param("flow nesting", "deep: " + "[" * 200 + "]" * 200 + "\n",
                 f"nested deeper than {limits.YAML_MAX_DEPTH}", id="flow-nesting"),
    pytest.param("block nesting", "- " * 1100 + "x\n",  # deeper than libyaml itself takes
                 f"nested deeper than {limits.YAML_MAX_DEPTH}", id="block-nesting"),
    pytest.param("size", "notes: |\n" + "  x\n" * (limits.YAML_MAX_BYTES // 4 + 1),
                 "larger than 1 MB", id="size"),
])
def test_each_bound_is_named(name: str, text_: str, bound: str) -> None:
    """Each bound refuses what crosses it quickly, naming the bound and, for those found
    while reading, the line."""
    refused, took = _timed_refusal(text_)
    assert took < QUICK_S, f"{name} took {took:.2f} s"
    [problem] = refused.problems
    assert bound in problem.message and "limit of a definition" in problem.message
    if name != "size":
        assert problem.line is not None


def test_aliases_within_the_bounds_still_read() -> None:
    """Anchors and aliases used as definitions use them (a shared setup) read as before."""
    source = read_yaml("base: &b {a: 1, b: [1, 2]}\none: *b\ntwo: *b\n", "ok.yaml")
    assert source.data["one"] == source.data["two"] == {"a": 1, "b": [1, 2]}
    assert source.line_of(("two", "b")) == 1


def test_a_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    """A definition file larger than the bound is refused after reading no more than the
    bound (an endless file, /dev/zero, included)."""
    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as file:
        file.truncate(1 << 30)  # 1 GiB, sparse: nothing is written to disk
    for path in (str(sparse), "/dev/zero"):
        began = time.perf_counter()
        result = invoke(None, "def", "validate", path)
        assert time.perf_counter() - began < QUICK_S
        assert result.exit_code == 2, result.output
        assert "larger than 1 MB: the limit of a definition" in result.output


def _store_forged_definition(db: Database, source: str) -> str:
    """Store ``source`` as a definition version directly in the database, under its true
    hash, as someone with write access to the database could."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO definitions (hash, def_id, version, title, effective_from, source, "
            "published_by, published_at) VALUES (:h, 'bomb', '1', 'bomb', '2023-01-01', :s, "
            "'x', '2023-01-01T00:00:00.000000Z')"), {"h": digest, "s": source})
    return digest


def test_a_stored_bomb_slows_no_grant(populated: Database, cli: Invoke) -> None:
    """An alias bomb stored as a definition version costs `actor grant` nothing: stored
    versions are read only for a role no shipped definition has, and then refused quickly."""
    _store_forged_definition(populated, alias_bomb())
    began = time.perf_counter()
    ok(cli("actor", "grant", HEAD, "secretariat", "--cluster", CLUSTER))
    assert "unknown role" in plain_error(cli("actor", "grant", HEAD, "wizard"), 2)
    assert time.perf_counter() - began < 2 * QUICK_S


def test_a_cycle_on_a_stored_bomb_is_an_integrity_failure(populated: Database,
                                                          cli: Invoke) -> None:
    """A cycle pinned to a bombed stored definition is refused at once as damaged (exit 4),
    by `cycle show` and `cycle fire`."""
    cycle = start(populated)
    digest = _store_forged_definition(populated, alias_bomb())
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE cycles SET definition_hash = :h WHERE id = :id"),
                     {"h": digest, "id": cycle})
    from thidua.workflow.engine import judge

    judge._BY_HASH.pop(digest, None)
    began = time.perf_counter()
    assert "changed outside thidua" in plain_error(cli("cycle", "show", str(cycle)), 4)
    assert time.perf_counter() - began < QUICK_S
    error(cli("cycle", "fire", str(cycle), "launch", "-i", "plan=x", "--as", HEAD), 4)


DEEP_LIST = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


@pytest.mark.parametrize("value", [
    pytest.param(f"titles_sought={DEEP_LIST}", id="100000-deep"),
    pytest.param("titles_sought=[" + "[" * 20 + "]" * 20 + "]", id="past-the-bound"),
    pytest.param("titles_sought=[" + ",".join(['"x"'] * 300_000) + "]", id="too-long"),
])
def test_deep_json_input_is_bad_input(populated: Database, cli: Invoke, value: str) -> None:
    """JSON typed as an input that nests too deep, or is too long, is one plain line, exit
    2, nothing recorded."""
    cycle = start(populated)
    advance(populated, cycle, until="register")
    before = cli("audit", "head").output
    args = ["cycle", "fire", str(cycle), "register", "-i", value, "-i", "targets=x",
            "--as", "Người Hà Nội"]
    message = plain_error(cli(*args), 2)
    # the length of a text input is bounded first (names.py), then JSON's depth and size
    assert any(bound in message for bound in (
        "nested deeper than", "longer than 1 MB", "characters long: at most"))
    assert cli("audit", "head").output == before


def test_deep_json_votes_are_bad_input() -> None:
    """A tally typed as JSON nested 50,000 deep is refused as bad input, not a crash."""
    from thidua.workflow.engine.inputs import _tally

    with pytest.raises(ValueError, match="nested deeper than"):
        _tally(DEEP_OBJECT)


def test_a_scenario_with_deep_inputs_is_refused(tmp_path: Path) -> None:
    """`def test` on a definition whose scenario input nests past the bound is exit 2 with
    the file and line."""
    deep = "[" * 100 + "]" * 100
    path = tmp_path / "deep.yaml"
    scenario = f"  - name: deep\n    steps: [{{fire: register, inputs: {{x: {deep}}}}}]\n"
    path.write_text(MINI + scenario, encoding="utf-8")
    result = CliRunner().invoke(_root(), ["def", "test", str(path)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "nested deeper than" in result.output and f"{path}:" in result.output


def _root():  # type: ignore[no-untyped-def]
    from thidua.cli.main import root

    return root


def test_json_bounds_are_linear() -> None:
    """The JSON reader refuses 10 MB of nesting at once, and takes a wide flat value."""
    began = time.perf_counter()
    with pytest.raises(limits.TooLarge):
        limits.load_json("[" * 10_000_000, max_bytes=1 << 30, max_depth=16)
    assert time.perf_counter() - began < QUICK_S
    flat = json.dumps([{"a": [1]}] * 100_000)
    assert len(limits.load_json(flat, max_bytes=1 << 30, max_depth=16)) == 100_000

