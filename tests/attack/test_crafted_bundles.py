"""Bundles crafted to exhaust the offline check: a manifest or a line nested beyond reason,
lines longer than any bundle holds, a ledger of one enormous line. Each is refused with one
plain line (exit 2: not a bundle thidua wrote), and checking stays linear in the bundle's size.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import plain_error
from thidua.workflow import limits
from thidua.workflow.audit import storedzip
from thidua.workflow.audit.bundle import FORMAT

pytestmark = pytest.mark.attack


def crafted(path: Path, members: dict[str, bytes]) -> Path:
    """A ZIP laid out as thidua writes bundles, holding ``members`` as given."""
    with path.open("wb") as file:
        writer = storedzip.Writer(file)
        for name, data in members.items():
            with writer.member(name) as sink:
                sink.write(data)
        writer.close()
    return path


def check(path: Path) -> Result:
    """`thidua audit verify --bundle PATH`, with a database that must never be opened."""
    from thidua.cli.main import root

    return CliRunner().invoke(root, ["--db", "postgresql://nobody@127.0.0.1:1/none", "audit",
                                     "verify", "--bundle", str(path)], catch_exceptions=False)


def _manifest(**extra: object) -> bytes:
    return json.dumps({"format": FORMAT, **extra}).encode()


def test_a_deeply_nested_manifest(tmp_path: Path) -> None:
    """A manifest nested 100,000 deep is one line, exit 2, naming it."""
    deep = (b'{"format": "' + FORMAT.encode() + b'", "x": ' + b"[" * 100_000 + b"]" * 100_000
            + b"}")
    path = crafted(tmp_path / "deep.zip", {"ledger.jsonl": b"", "manifest.json": deep})
    message = plain_error(check(path), 2)
    assert "manifest.json" in message and "nested deeper than" in message


def test_a_deeply_nested_ledger_line(tmp_path: Path) -> None:
    """A ledger line nested 50,000 deep is one line, exit 2, naming the line."""
    line = b'{"inputs": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n"
    path = crafted(tmp_path / "deep.zip", {"ledger.jsonl": line, "manifest.json": _manifest()})
    message = plain_error(check(path), 2)
    assert "ledger.jsonl line 1" in message and "nested deeper than" in message


def test_a_line_longer_than_any_bundle_holds(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A line longer than the bound is refused as soon as it is seen, naming the line."""
    monkeypatch.setattr(limits, "BUNDLE_MAX_LINE", 1 << 16)
    path = crafted(tmp_path / "long.zip", {"ledger.jsonl": b"x" * (1 << 17) + b"\n{}\n",
                                           "manifest.json": _manifest()})
    message = plain_error(check(path), 2)
    assert "ledger.jsonl line 1" in message and "longer than" in message


def test_a_huge_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A manifest larger than the bound is refused before it is read."""
    monkeypatch.setattr(limits, "BUNDLE_MAX_LINE", 1 << 16)
    path = crafted(tmp_path / "big.zip", {"ledger.jsonl": b"",
                                          "manifest.json": _manifest(pad="x" * (1 << 17))})
    assert "manifest.json: larger than" in plain_error(check(path), 2)


@pytest.mark.parametrize("size", [1, 100, 1 << 20, (1 << 20) + 1, 5 << 20])
def test_lines_across_chunks(size: int) -> None:
    """Lines of every length, across the reading chunk and its multiples, come back whole."""
    lines = [b"a" * size, b"", b"b" * 3, b"c" * (size // 2 + 1)]
    data = b"\n".join(lines)
    file = io.BytesIO()
    writer = storedzip.Writer(file)
    with writer.member("ledger.jsonl") as sink:
        sink.write(data)
    writer.close()
    [member] = storedzip.read(file).members
    assert list(storedzip.member_lines(file, member, 1 << 30)) == lines


def test_one_enormous_line_is_read_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64 MB line read in chunks of 4 KB (16,384 of them) takes well under a few seconds:
    each chunk is kept once, not copied again with every chunk after it (that took 115 s
    for a 300 MB line)."""
    monkeypatch.setattr(storedzip, "CHUNK", 4096)
    file = io.BytesIO()
    writer = storedzip.Writer(file)
    with writer.member("ledger.jsonl") as sink:
        sink.write(b"x" * (64 << 20))
    writer.close()
    [member] = storedzip.read(file).members
    began = time.perf_counter()
    [line] = storedzip.member_lines(file, member, 1 << 30)
    assert len(line) == 64 << 20
    assert time.perf_counter() - began < 5.0
