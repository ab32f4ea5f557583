"""`thidua audit head | export | bundle | state-at` and `audit verify --bundle`: anchors,
exports, offline bundles that any changed byte makes fail (saying where), time travel."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import advance, error, ok, parsed, plain_error, start
from tests.conftest import CLUSTER, HEAD, SECRETARY, Invoke
from thidua.store.ledger import canonical_json, event_hash
from thidua.workflow.audit import storedzip
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.services import documents
from thidua.workflow.services.db import Database, record


@pytest.fixture
def cycle(populated: Database, scaffold_events: None) -> int:
    """Cluster 5's 2023 cycle up to the compact, and a document cited by an event."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="sign_compact")
    with populated.transaction() as session:
        digest = documents.store(session, Attachment("kế hoạch.txt",
                                                               "Kế hoạch 2023".encode()))
        record(session, populated, kind="admin", trigger="attach", actor=SECRETARY,
               documents=[digest])
    return cycle_id


@pytest.fixture
def bundle(cli: Invoke, cycle: int, tmp_path: Path) -> Path:
    """A bundle of the whole database, documents included."""
    path = tmp_path / "cum5.zip"
    ok(cli("audit", "bundle", str(path), "--with-documents"))
    return path


def _offline(*args: str, json_: bool = False) -> Any:
    """`thidua audit verify --bundle ...` with a database URL that must never be opened."""
    from click.testing import CliRunner

    from thidua.cli.main import root

    prefix = ["--db", "postgresql://nobody@127.0.0.1:1/none"] + (["--json"] if json_ else [])
    return CliRunner().invoke(root, [*prefix, "audit", "verify", "--bundle", *args],
                              catch_exceptions=False)


# --- head and anchors ------------------------------------------------------------------------

def test_head_is_the_last_event(cli: Invoke, cycle: int) -> None:
    """`audit head` prints SEQ:HASH of the last event; --json gives its parts."""
    last = parsed(cli("audit", "log", "--limit", "1", json=True))[0]
    assert ok(cli("audit", "head")).strip() == f"{last['seq']}:{last['hash']}"
    assert parsed(cli("audit", "head", json=True)) == {
        "seq": last["seq"], "hash": last["hash"], "anchor": f"{last['seq']}:{last['hash']}"}


def test_head_of_an_empty_ledger_is_an_anchor_too(cli: Invoke) -> None:
    """An empty ledger's head is 0 and 64 zeros, which every ledger passes through."""
    anchor = ok(cli("audit", "head")).strip()
    assert anchor == "0:" + "0" * 64
    ok(cli("audit", "verify", "--anchor", anchor))


def test_verify_names_the_anchors_it_passes(cli: Invoke, cycle: int) -> None:
    """With --anchor (repeatable) an intact ledger says it passes through each."""
    events = parsed(cli("audit", "log", json=True))
    early = f"{events[2]['seq']}:{events[2]['hash']}"
    anchor = ok(cli("audit", "head")).strip()
    out = ok(cli("audit", "verify", "--anchor", early, "--anchor", anchor))
    assert f"passes through anchor {anchor[:anchor.index(':') + 17]}" in out
    assert parsed(cli("audit", "verify", "--anchor", anchor, json=True))["anchors"] == [anchor]


def test_an_anchor_from_another_ledger_fails(cli: Invoke, cycle: int) -> None:
    """An anchor whose hash is not the ledger's at that event: exit 4, rewritten."""
    message = plain_error(cli("audit", "verify", "--anchor", "3:" + "ab" * 32), 4)
    assert "damaged at event 3 (rewritten)" in message


# --- export ----------------------------------------------------------------------------------

def test_export_jsonl_is_the_chain_as_hashed(cli: Invoke, cycle: int) -> None:
    """Each JSON line is canonical and re-hashes to its hash from its prev_hash."""
    lines = ok(cli("audit", "export")).splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, len(lines) + 1))
    for line, event in zip(lines, events, strict=True):
        assert canonical_json(event) == line
        body = {k: v for k, v in event.items() if k not in ("prev_hash", "hash")}
        assert event_hash(event["prev_hash"], body) == event["hash"]


def test_export_csv_to_a_file(cli: Invoke, cycle: int, tmp_path: Path) -> None:
    """`--format csv -o FILE` writes a header and one row per event and says how many."""
    target = tmp_path / "cum5.csv"
    out = ok(cli("audit", "export", "--format", "csv", "-o", str(target)))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert out.strip() == f"exported {len(rows)} events to {target} (csv)"
    assert rows[0]["seq"] == "1" and rows[-1]["hash"] == ok(cli("audit", "head")).split(":")[1][:-1]
    assert parsed(cli("audit", "export", "-o", str(tmp_path / "x.jsonl"), json=True)) == {
        "events": len(rows), "format": "jsonl", "file": str(tmp_path / "x.jsonl")}


def test_export_csv_for_excel(cli: Invoke, cycle: int, populated: Database,
                              tmp_path: Path) -> None:
    """`--excel` writes a byte-order mark and CRLF line ends; the rows are the plain CSV's,
    except that a reason Excel would run as a formula is shown as text."""
    fire_reason = "=HYPERLINK(\"http://x\",\"y\")"
    with populated.transaction() as session:
        record(session, populated, kind="note", trigger="note", actor=SECRETARY,
               cycle_id=cycle, reason=fire_reason)
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    ok(cli("audit", "export", "--format", "csv", "-o", str(plain)))
    ok(cli("audit", "export", "--format", "csv", "--excel", "-o", str(excel)))
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfseq,") and raw.count(b"\r\n") == raw.count(b"\n")
    assert not plain.read_bytes().startswith(b"\xef") and b"\r" not in plain.read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    plain_rows = list(csv.DictReader(io.StringIO(plain.read_text(encoding="utf-8"))))
    assert rows[:-1] == plain_rows[:-1]
    assert plain_rows[-1]["reason"] == fire_reason and rows[-1]["reason"] == "'" + fire_reason
    streamed = ok(cli("audit", "export", "--format", "csv", "--excel"))
    assert streamed.startswith("\ufeffseq,")
    assert "--excel applies to --format csv only" in plain_error(
        cli("audit", "export", "--excel"), 2)


@pytest.mark.parametrize(("args", "check"), [
    (["--cycle", "1"], lambda e: e["cycle"] == 1),
    (["--cluster", CLUSTER, "--period", "2023"], lambda e: e["cycle"] == 1),
    (["--actor", HEAD], lambda e: e["actor"] == HEAD),
    (["--since", "2023-01-05", "--until", "2023-01-05"],
     lambda e: e["occurred_at"].startswith("2023-01-0")),
])
def test_export_filters(cli: Invoke, cycle: int, args: list[str], check: Any) -> None:
    """Each filter keeps exactly the events it names, and some."""
    everything = [json.loads(line) for line in ok(cli("audit", "export")).splitlines()]
    kept = [json.loads(line) for line in ok(cli("audit", "export", *args)).splitlines()]
    assert kept and kept == [e for e in everything if check(e)]


def test_export_refuses_bad_filters(cli: Invoke, cycle: int) -> None:
    """An unknown cluster or cycle is not found (5); dates the wrong way round are bad (2)."""
    error(cli("audit", "export", "--cluster", "Cụm 99"), 5)
    error(cli("audit", "export", "--cycle", "99"), 5)
    error(cli("audit", "export", "--since", "2023-02-01", "--until", "2023-01-01"), 2)
    error(cli("audit", "export", "--since", "hôm qua"), 2)


# --- bundles ---------------------------------------------------------------------------------

def test_bundle_holds_what_an_auditor_needs(cli: Invoke, cycle: int, bundle: Path) -> None:
    """The bundle is an ordinary ZIP: README, ledger, definitions by hash, documents, manifest
    with the SHA-256 of every other member."""
    with zipfile.ZipFile(bundle) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        assert names[:2] == ["README.txt", "ledger.jsonl"] and names[-1] == "manifest.json"
        assert "thidua audit verify --bundle" in archive.read("README.txt").decode()
        for entry in manifest["members"]:
            assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
        definitions = [n for n in names if n.startswith("definitions/")]
        for name in definitions:
            assert hashlib.sha256(archive.read(name)).hexdigest() in name
        assert sum(n.startswith("documents/") for n in names) == 1
    head = ok(cli("audit", "head")).strip()
    assert f"{manifest['head']['seq']}:{manifest['head']['hash']}" == head


def test_bundle_verifies_offline(cli: Invoke, bundle: Path) -> None:
    """`verify --bundle` passes with no database (the URL given cannot be reached)."""
    anchor = ok(cli("audit", "head")).strip()
    out = ok(_offline(str(bundle), "--anchor", anchor))
    assert out.startswith("bundle cum5.zip intact: ")
    result = json.loads(ok(_offline(str(bundle), json_=True)))
    assert (result["ok"], result["documents"], result["documents_with_content"]) == (True, 1, 1)


def test_bundle_verification_opens_no_database(bundle: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Verifying a bundle never constructs a Database."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a database was opened")

    monkeypatch.setattr(Database, "__init__", refuse)
    ok(_offline(str(bundle)))


def test_bundle_without_documents_lists_their_hashes(cli: Invoke, cycle: int,
                                                     tmp_path: Path) -> None:
    """Without --with-documents the bundle lists documents but holds no content."""
    path = tmp_path / "light.zip"
    done = parsed(cli("audit", "bundle", str(path), json=True))
    assert (done["documents"], done["with_documents"]) == (1, False)
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("documents/")]
        assert json.loads(archive.read("documents.jsonl"))["name"] == "kế hoạch.txt"
    assert json.loads(ok(_offline(str(path), json_=True)))["documents_with_content"] == 0


def test_no_bundle_from_a_damaged_database(populated: Database, cli: Invoke, cycle: int,
                                           tmp_path: Path) -> None:
    """A database that does not verify gives no bundle: exit 4, no file left behind."""
    from sqlalchemy import text

    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET content = :c"), {"c": b"khac"})
    error(cli("audit", "bundle", str(tmp_path / "bad.zip")), 4)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("bad.zip")]


def test_missing_bundle_is_not_found(tmp_path: Path) -> None:
    """A bundle path that does not exist: exit 5."""
    plain_error(_offline(str(tmp_path / "none.zip")), 5)


def _members(path: Path) -> dict[str, storedzip.Member]:
    with path.open("rb") as file:
        return {m.name: m for m in storedzip.read(file).members}


def _flip(path: Path, offset: int) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x04
    changed = path.with_name("changed.zip")
    changed.write_bytes(bytes(data))
    return changed


def _line_offset(path: Path, seq: int) -> int:
    """Where, in the file, the actor of event ``seq`` stands in ledger.jsonl."""
    member = _members(path)["ledger.jsonl"]
    lines = path.read_bytes()[member.data_offset:member.data_offset + member.size]
    start = sum(len(line) + 1 for line in lines.split(b"\n")[:seq - 1])
    return member.data_offset + start + lines.split(b"\n")[seq - 1].index(b'"actor":"') + 10


def test_a_changed_event_is_named(bundle: Path) -> None:
    """A byte changed in one event's line: exit 4 naming ledger.jsonl and that event."""
    message = plain_error(_offline(str(_flip(bundle, _line_offset(bundle, 7)))), 4)
    assert "ledger.jsonl" in message and "event 7" in message


@pytest.mark.parametrize(("member", "where"), [
    ("README.txt", "README.txt"),
    ("documents.jsonl", "documents.jsonl"),
    ("manifest.json", "manifest.json"),
    ("definitions/", "definitions/"),
    ("documents/", "documents/"),
])
def test_a_changed_member_is_named(bundle: Path, member: str, where: str) -> None:
    """A byte changed in the middle of any member: exit 4 naming that member."""
    found = next(m for name, m in _members(bundle).items() if name.startswith(member))
    message = plain_error(_offline(str(_flip(bundle, found.data_offset + found.size // 2))), 4)
    assert where in message


@pytest.mark.parametrize(("place", "where"), [
    (lambda members, size: members["ledger.jsonl"].offset + 14, "header of member"),
    (lambda members, size: members["ledger.jsonl"].offset + 31, "header of member"),
    (lambda members, size: size - 40, "central directory entry of member"),
    (lambda members, size: size - 10, "end record"),
])
def test_a_changed_zip_header_is_named(bundle: Path, place: Any, where: str) -> None:
    """A byte changed in the ZIP's own structure: exit 4 saying which part and byte."""
    offset = place(_members(bundle), bundle.stat().st_size)
    message = plain_error(_offline(str(_flip(bundle, offset))), 4)
    assert where in message and f"byte {offset}" in message


def test_bytes_added_at_the_end_are_caught(bundle: Path) -> None:
    """Anything appended after the archive: exit 4."""
    bundle.write_bytes(bundle.read_bytes() + b"\n")
    assert "added after the end" in plain_error(_offline(str(bundle)), 4)


def test_every_changed_byte_fails(bundle: Path) -> None:
    """A sweep over the whole file: whichever byte changes, verification exits 4."""
    size = bundle.stat().st_size
    for offset in range(0, size, max(1, size // 400)):
        result = _offline(str(_flip(bundle, offset)))
        assert result.exit_code == 4, (offset, result.output)


def test_a_rebuilt_bundle_fails_against_the_anchor(cli: Invoke, bundle: Path,
                                                   tmp_path: Path) -> None:
    """An event dropped and the bundle rebuilt consistently (chain, manifest, ZIP) verifies
    on its own; the anchor kept from `audit head` catches it."""
    anchor = ok(cli("audit", "head")).strip()
    with zipfile.ZipFile(bundle) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    events = [json.loads(line) for line in contents["ledger.jsonl"].splitlines()]
    prev, rebuilt = "0" * 64, []
    for seq, event in enumerate(events[:5] + events[6:], 1):
        body = {k: v for k, v in event.items() if k not in ("prev_hash", "hash")} | {"seq": seq}
        digest = event_hash(prev, body)
        rebuilt.append(canonical_json({**body, "prev_hash": prev, "hash": digest}))
        prev = digest
    contents["ledger.jsonl"] = ("\n".join(rebuilt) + "\n").encode()
    forged = tmp_path / "forged.zip"
    with forged.open("wb") as file:
        writer = storedzip.Writer(file)
        manifest = json.loads(contents.pop("manifest.json"))
        for name, data in contents.items():
            with writer.member(name) as sink:
                sink.write(data)
        manifest |= {"events": len(rebuilt), "head": {"seq": len(rebuilt), "hash": prev},
                     "members": [{"name": m.name, "size": m.size, "sha256": m.sha256}
                                 for m in writer.members]}
        with writer.member("manifest.json") as sink:
            sink.write(json.dumps(manifest).encode())
        writer.close()
    ok(_offline(str(forged)))
    message = plain_error(_offline(str(forged), "--anchor", anchor), 4)
    assert "ledger.jsonl" in message and "(missing)" in message


# --- state-at --------------------------------------------------------------------------------

def test_cycle_state_at_past_dates(cli: Invoke, cycle: int) -> None:
    """`cycle state-at` at a past moment gives the state then; on the day the cycle started,
    its first state; before the start, none."""
    history = parsed(cli("cycle", "history", str(cycle), json=True))
    launch = next(e for e in history if e["trigger"] == "launch")
    moment = launch["occurred_at"]  # a date and time counts up to and including it
    view = parsed(cli("cycle", "state-at", str(cycle), moment, json=True))
    assert (view["state"], view["last_event"], view["version"]) == ("launched", launch["seq"], 2)
    assert view["facts"]["plan"]["plan"] == "Kế hoạch 2023"
    assert "launched — Launched" in ok(cli("cycle", "state-at", str(cycle), moment))
    started = parsed(cli("cycle", "state-at", str(cycle), "2023-01-05", json=True))
    assert (started["state"], started["version"], started["facts"]) == ("constituted", 1, {})
    before = parsed(cli("cycle", "state-at", str(cycle), "2023-01-04", json=True))
    assert (before["started"], before["state"], before["version"]) == (False, None, 0)
    assert "not started by then" in ok(cli("cycle", "state-at", str(cycle), "2023-01-04"))


def test_cycle_state_at_today_is_the_stored_cycle(cli: Invoke, cycle: int) -> None:
    """For today, the rebuilt cycle is the stored one: state, version, facts."""
    import datetime as dt

    shown = parsed(cli("cycle", "show", str(cycle), json=True))
    view = parsed(cli("cycle", "state-at", str(cycle), dt.date.today().isoformat(), json=True))
    assert (view["state"], view["version"], view["facts"]) == (
        shown["state"], shown["version"], shown["facts"])


def test_cluster_state_at(cli: Invoke, cycle: int) -> None:
    """`audit state-at` lists every cycle of the cluster and year, with members on the day."""
    views = parsed(cli("audit", "state-at", "-c", CLUSTER, "-p", "2023", "2023-01-05",
                       json=True))
    assert [(v["cycle_id"], v["state"]) for v in views] == [(cycle, "constituted")]
    assert len(views[0]["members"]) == 4
    assert "constituted" in ok(cli("audit", "state-at", "-c", CLUSTER, "-p", "2023",
                                   "2023-01-05"))
    error(cli("audit", "state-at", "-c", CLUSTER, "-p", "2031", "2023-01-05"), 5)
    error(cli("cycle", "state-at", "99", "2023-01-05"), 5)
    error(cli("cycle", "state-at", str(cycle), "mùng một"), 2)
