"""A member unit with rules of its own: a rogue definition file cannot start a cycle, a draft
cannot take a version label, and a draft is marked wherever the cycle's definition is named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import error, ok, parsed, plain_error
from tests.conftest import CLUSTER, MEMBER, SECRETARY, populate
from tests.logins import AsLogin, cli_as, opener
from tests.revisions import MINI, SHIPPED, revise, version_2
from thidua.workflow.errors import InvalidInput, TransitionRefused
from thidua.workflow.language.loader import load_file
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import start_cycle
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

ADMIN = "Quản trị viên"
ROGUE = "Kẻ gian"  # a person of the member unit Hà Nội, holding no granted role
OTHER = "Cụm 6"
LABEL = "ccb-cluster-annual@2024.1"


@pytest.fixture
def governed(db_url: str, db: Database) -> Database:
    """Cluster 5 and Cluster 6 with their people; an administrator (login `admin`) who may
    enter steps for the secretary; the rogue of Hà Nội with the login `hanoi`."""
    populate(db)
    directory.add_cluster(db, OTHER, members=["Hải Dương", "Hưng Yên"], head="Hải Dương",
                          deputy="Hưng Yên", period=2024, joined_on=dt.date(2024, 1, 1))
    identity.grant(db, SECRETARY, "secretariat", cluster_name=OTHER)
    directory.add_actor(db, ROGUE, unit_name="Hà Nội", login="hanoi")
    directory.add_actor(db, ADMIN, unit_name=None, login="admin")
    identity.delegate(db, SECRETARY, "admin")
    identity.grant(db, ADMIN, "administrator", cluster_name=None)
    return db


@pytest.fixture
def thidua(db_url: str, db: Database) -> AsLogin:
    """`thidua` entered by a named login."""
    return cli_as(db_url, db)


def rogue_file(folder: Path) -> Path:
    """The shipped year relabelled 2024.1, started by a member unit, whose decision and
    closing belong to member units."""
    path = folder / "rogue.yaml"
    path.write_text(revise(
        SHIPPED.read_text(encoding="utf-8"),
        ('version: "2023.1"', 'version: "2024.1"'),
        ("start_roles: [secretariat, cluster_head]", "start_roles: [member_unit]"),
        ("dest: decision_issued\n    roles: [chairman]",
         "dest: decision_issued\n    roles: [member_unit]"),
        ("dest: closed\n    roles: [auditor]", "dest: closed\n    roles: [member_unit]")),
        encoding="utf-8")
    return path


def footprint(db: Database) -> tuple[int, int, int]:
    """How many events, definition versions and cycles the database holds."""
    with db.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()  # type: ignore
                     for t in ("ledger", "definitions", "cycles"))


@pytest.mark.parametrize(("login", "as_", "refusal"), [
    pytest.param("mallory", [], "the login 'mallory' is not a registered person", id="nobody"),
    pytest.param("hanoi", [], f"{ROGUE} is not an administrator", id="member-unit"),
    pytest.param("hanoi", ["--as", MEMBER["Hà Nội"]], f"{ROGUE} is not an administrator",
                 id="member-unit-as-another"),
])
def test_a_rogue_file_starts_no_cycle(governed: Database, thidua: AsLogin, tmp_path: Path,
                                      login: str, as_: list[str], refusal: str) -> None:
    """`-d FILE` is refused (exit 2) with the way to try a draft, and `--draft FILE` by anyone
    but an administrator is refused (exit 1) before the file is even checked; nothing is
    written either way."""
    rogue = str(rogue_file(tmp_path))
    before = footprint(governed)
    start = ("cycle", "start", "-c", CLUSTER, "-p", "2024", *as_)
    message = plain_error(thidua(login, *start, "-d", rogue), 2)
    assert "is a file: a cycle starts on a published or shipped version" in message
    assert "thidua def test FILE" in message and "thidua cycle start --draft FILE" in message
    message = plain_error(thidua(login, *start, "--draft", rogue), 1)
    assert message == f"Error: cycle start --draft refused: {refusal}" + (
        ": only an administrator may do this" if login == "mallory" else "")
    assert footprint(governed) == before


def test_the_service_refuses_an_unpublished_version(governed: Database, db_url: str,
                                                    tmp_path: Path) -> None:
    """Called directly, start_cycle refuses a version neither published nor shipped (exit 2),
    and as a draft refuses a non-administrator (exit 1); nothing is written."""
    rogue = load_file(rogue_file(tmp_path))
    before = footprint(governed)
    opened: list[Database] = []
    hanoi = opener(db_url, governed, opened)("hanoi")
    try:
        with pytest.raises(InvalidInput, match="neither published nor shipped") as bad:
            start_cycle(hanoi, rogue, CLUSTER, 2024, actor=ROGUE)
        assert bad.value.exit_code == 2
        with pytest.raises(TransitionRefused, match=f"{ROGUE} is not an administrator") as no:
            start_cycle(hanoi, rogue, CLUSTER, 2024, actor=ROGUE, draft=True)
        assert no.value.exit_code == 1
    finally:
        for handle in opened:
            handle.close()
    assert footprint(governed) == before


def draft_and_real(folder: Path) -> tuple[Path, Path]:
    """Two contents under the label 2024.1: a draft that passes its checks, and the real one."""
    (folder / "draft").mkdir()
    draft = version_2(folder / "draft", rename=False)
    draft.write_text(draft.read_text(encoding="utf-8").replace(
        "Launch the year's plan", "Launch the draft plan"), encoding="utf-8")
    return draft, version_2(folder)


def test_a_draft_does_not_take_the_label(governed: Database, thidua: AsLogin,
                                         tmp_path: Path) -> None:
    """An administrator's draft stored under 2024.1 holds no label: naming 2024.1 finds
    nothing until the real one is published, that publication succeeds, and another cluster
    starting on 2024.1 (or on the version in force) gets the published content."""
    draft, real = draft_and_real(tmp_path)
    ok(thidua("admin", "cycle", "start", "-c", CLUSTER, "-p", "2024", "--draft", str(draft),
              "--as", SECRETARY))
    draft_hash, real_hash = load_file(draft).hash, load_file(real).hash
    with governed.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM definitions WHERE hash = :h"),
                            {"h": draft_hash}).scalar_one() == "draft"
    start_other = ("cycle", "start", "-c", OTHER, "-p", "2024", "--as", SECRETARY)
    assert f"'{LABEL}'" in plain_error(thidua("admin", *start_other, "-d", LABEL), 5)
    published = parsed(thidua("admin", "def", "publish", str(real), json=True))
    assert (published["hash"], published["new"]) == (real_hash, True)
    fired = parsed(thidua("admin", *start_other, "-d", LABEL, json=True))
    shown = parsed(thidua("admin", "cycle", "show", str(fired["cycle_id"]), json=True))
    assert (shown["definition_hash"], shown["draft"]) == (real_hash, False)
    assert parsed(thidua("admin", "def", "diff", LABEL, str(real), json=True))["a_hash"] == (
        real_hash)
    ok(thidua("admin", "cycle", "start", "-c", OTHER, "-p", "2025", "--as", SECRETARY))
    newest = parsed(thidua("admin", "cycle", "list", "-p", "2025", json=True))[0]
    assert (newest["definition"], newest["draft"]) == (LABEL, False)
    stored = parsed(thidua("admin", "def", "versions", "ccb-cluster-annual", json=True))
    assert sorted((v["hash"], v["status"], v["published"]) for v in stored) == sorted(
        [(draft_hash, "draft", False), (real_hash, "published", True)])
    assert "no (draft)" in ok(thidua("admin", "def", "versions"))
    ok(thidua("admin", "audit", "verify"))


def test_a_published_or_shipped_label_keeps_its_content(governed: Database, thidua: AsLogin,
                                                        tmp_path: Path) -> None:
    """Publishing other content under a shipped label, or under one published already, is
    refused (exit 2) and stores nothing."""
    shipped_label = tmp_path / "relabelled.yaml"
    shipped_label.write_text(SHIPPED.read_text(encoding="utf-8").replace(
        'en: "Launch the plan"', 'en: "Launch our plan"'), encoding="utf-8")
    before = footprint(governed)
    message = plain_error(thidua("admin", "def", "publish", str(shipped_label)), 2)
    assert "ccb-cluster-annual@2023.1 is already published or shipped with other content" in (
        message)
    assert footprint(governed) == before


def test_a_draft_is_marked_wherever_its_definition_is_named(governed: Database,
                                                            thidua: AsLogin,
                                                            tmp_path: Path) -> None:
    """A cycle started with --draft is marked DRAFT (text) and draft: true (JSON) in cycle
    show, list, history and report, its start event says so in audit log and export; a cycle
    on the shipped version carries none of it."""
    draft, _ = draft_and_real(tmp_path)
    ok(thidua("admin", "cycle", "start", "-c", OTHER, "-p", "2024", "--as", SECRETARY))
    fired = parsed(thidua("admin", "cycle", "start", "-c", CLUSTER, "-p", "2024", "--draft",
                          str(draft), "--as", SECRETARY, json=True))
    drafted, plain = str(fired["cycle_id"]), "1"
    run = lambda *args, json=False: thidua("admin", *args, json=json)  # noqa: E731
    assert "DRAFT" in ok(run("cycle", "show", drafted))
    assert "DRAFT" not in ok(run("cycle", "show", plain))
    assert parsed(run("cycle", "show", drafted, json=True))["draft"] is True
    assert parsed(run("cycle", "show", plain, json=True))["draft"] is False
    listed = ok(run("cycle", "list")).splitlines()
    assert [("DRAFT" in line) for line in listed[2:]] == [True, False]
    assert [r["draft"] for r in parsed(run("cycle", "list", json=True))] == [True, False]
    first = ok(run("cycle", "history", drafted)).splitlines()[0]
    assert first.startswith("DRAFT: steps taken on the draft definition")
    assert not ok(run("cycle", "history", plain)).startswith("DRAFT")
    assert all(e.get("draft") for e in parsed(run("cycle", "history", drafted, json=True)))
    assert not any("draft" in e for e in parsed(run("cycle", "history", plain, json=True)))
    assert ", DRAFT), state" in ok(run("report", "cycle", drafted)).splitlines()[0]
    assert parsed(run("report", "cycle", drafted, "--format", "json"))["cycle"]["draft"] is True
    assert parsed(run("report", "cycle", plain, "--format", "json"))["cycle"]["draft"] is False
    start = parsed(run("audit", "log", "--cycle", drafted, json=True))[0]
    assert (start["trigger"], start["inputs"]["draft"]) == ("start", True)
    assert "draft" not in parsed(run("audit", "log", "--cycle", plain, json=True))[0]["inputs"]
    assert '"draft": true' in ok(run("audit", "log", "--cycle", drafted))
    stored = [e for e in parsed(run("audit", "log", json=True))
              if e["trigger"] == "store_definition" and e["definition"] == start["definition"]]
    assert [e["inputs"]["status"] for e in stored] == ["draft"]
    exported = json.loads(ok(run("audit", "export", "--cycle", drafted)).splitlines()[0])
    assert exported["inputs"]["draft"] is True
    ok(run("audit", "verify"))


@pytest.mark.parametrize(("edit", "code", "needle"), [
    pytest.param(("    reason_required: true\n", ""), 2, "must require a written reason",
                 id="lint-error"),
    pytest.param(("expect_state: closed", "expect_state: open"), 1, "scenario",
                 id="failing-scenario"),
])
def test_a_draft_that_fails_its_checks_is_refused(governed: Database, thidua: AsLogin,
                                                  tmp_path: Path, edit: tuple[str, str],
                                                  code: int, needle: str) -> None:
    """--draft lints (errors: exit 2) and runs the scenarios (a failure: exit 1) before
    writing anything."""
    path = tmp_path / "mini.yaml"
    path.write_text(revise(MINI, edit), encoding="utf-8")
    before = footprint(governed)
    message = plain_error(thidua("admin", "cycle", "start", "-c", CLUSTER, "-p", "2024",
                                 "--draft", str(path), "--as", SECRETARY), code)
    assert needle in message
    assert footprint(governed) == before


def test_a_draft_needs_an_administrator_of_that_cluster(governed: Database, thidua: AsLogin,
                                                        tmp_path: Path) -> None:
    """An administrator of Cluster 5 may start a draft there, not in Cluster 6 (exit 1, naming
    the scope needed)."""
    ok(thidua("admin", "actor", "add", "Quản trị cụm 5", "--login", "admin5"))
    ok(thidua("admin", "actor", "grant", "Quản trị cụm 5", "administrator", "--cluster",
              CLUSTER))
    ok(thidua("admin", "actor", "delegate", SECRETARY, "--login", "admin5"))
    draft, _ = draft_and_real(tmp_path)
    before = footprint(governed)
    message = plain_error(thidua("admin5", "cycle", "start", "-c", OTHER, "-p", "2024",
                                 "--draft", str(draft), "--as", SECRETARY), 1)
    assert message == (f"Error: cycle start --draft refused: Quản trị cụm 5 is an administrator "
                       f"only of {CLUSTER} (every year): this needs an administrator of {OTHER} "
                       "for 2024")
    assert footprint(governed) == before
    ok(thidua("admin5", "cycle", "start", "-c", CLUSTER, "-p", "2024", "--draft", str(draft),
              "--as", SECRETARY))


@pytest.mark.parametrize("args", [
    pytest.param(["-d", "ccb-cluster-annual", "--draft", "x.yaml"], id="draft-and-definition"),
    pytest.param(["--from", "1", "--draft", "x.yaml"], id="draft-and-from"),
])
def test_draft_usage_errors(governed: Database, thidua: AsLogin, args: list[str]) -> None:
    """--draft with --definition or --from is a usage error (exit 2)."""
    extra = [] if "--from" in args else ["-c", CLUSTER, "-p", "2024"]
    assert "--draft" in error(thidua("admin", "cycle", "start", *extra, *args), 2)
