"""The year's commands through the CLI: membership, heads, next year, to-do, report, documents,
delegations."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.helpers import advance, error, ok, parsed, plain_error, start
from tests.conftest import CLUSTER, COUNCIL, HAPPY_PATH, SECRETARY, Invoke
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database
from thidua.workflow.timeutil import DEFAULT_ZONE, business_day, zone


def run_whole_year(db: Database) -> int:
    """Cluster 5's 2023 cycle taken to `closed` with the scripted steps."""
    cycle_id = start(db)
    for trigger, person, unit, inputs, reason in HAPPY_PATH:
        fire(db, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    return cycle_id


def test_member_commands(cli: Invoke, populated: Database) -> None:
    """Units join, leave and merge on dates; mistakes are one plain line with exit 2 or 5."""
    assert "Phú Thọ joins Cụm 5 on 2024-01-01" in ok(
        cli("cluster", "member", "add", CLUSTER, "Phú Thọ", "--on", "2024-01-01"))
    assert "Vĩnh Phúc leaves Cụm 5 on 2024-01-01" in ok(
        cli("cluster", "member", "leave", CLUSTER, "Vĩnh Phúc", "--on", "2024-01-01"))
    merged = parsed(cli("cluster", "member", "merge", "Bắc Giang", "--into", "Bắc Ninh",
                        "--on", "2025-07-01", json=True))
    assert merged == {"unit": "Bắc Giang", "into": "Bắc Ninh", "on": "2025-07-01",
                      "clusters": [CLUSTER]}
    assert "not a member on 2024-02-01" in plain_error(
        cli("cluster", "member", "leave", CLUSTER, "Vĩnh Phúc", "--on", "2024-02-01"), 2)
    assert "no unit 'Nowhere'" in plain_error(
        cli("cluster", "member", "leave", CLUSTER, "Nowhere", "--on", "2024-02-01"), 5)
    log = parsed(cli("audit", "log", json=True))
    assert [e["trigger"] for e in log[-3:]] == ["member_add", "member_leave", "unit_merge"]


def test_cluster_head_for_a_period(cli: Invoke, populated: Database) -> None:
    """The head and deputy of a period are set once; a second time is refused."""
    assert "head Hà Nội, deputy Bắc Giang" in ok(
        cli("cluster", "head", CLUSTER, "--period", "2024", "--head", "Hà Nội",
            "--deputy", "Bắc Giang"))
    assert "already has a head for 2024" in plain_error(
        cli("cluster", "head", CLUSTER, "--period", "2024", "--head", "Bắc Ninh"), 2)
    assert "not a member unit" in plain_error(
        cli("cluster", "head", CLUSTER, "--period", "2025", "--head", "Phú Thọ"), 2)


def test_next_year_from_a_closed_cycle(cli: Invoke, populated: Database) -> None:
    """`cycle start --from` opens the next year with the elected head; an open one refuses."""
    cycle_id = run_whole_year(populated)
    open_id = start(populated, period=2025)
    assert "close it before opening the next year" in plain_error(
        cli("cycle", "start", "--from", str(open_id), "--as", SECRETARY), 1)
    fired = parsed(cli("cycle", "start", "--from", str(cycle_id), "--as", SECRETARY, json=True))
    shown = parsed(cli("cycle", "show", str(fired["cycle_id"]), json=True))
    assert (shown["period"], shown["head"], shown["deputy"]) == (2024, "Hà Nội", "Bắc Giang")
    assert "--from takes the cluster and period" in plain_error(
        cli("cycle", "start", "--from", str(cycle_id), "-c", CLUSTER), 2)


def test_todo_shows_ready_and_blocked_steps(cli: Invoke, populated: Database) -> None:
    """`cycle todo` lists the steps a person can take and why the others wait."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="register")
    rows = parsed(cli("cycle", "todo", "--as", SECRETARY, json=True))
    assert rows[0]["ready"] == ["register"]
    assert rows[0]["blocked"]["sign_compact"] == [
        "member units without registration: Bắc Giang, Bắc Ninh, Hà Nội, Vĩnh Phúc"]
    text = ok(cli("cycle", "todo", "--as", SECRETARY))
    assert "ready: register" in text
    assert "blocked sign_compact" in text


def test_report_in_three_formats(cli: Invoke, populated: Database) -> None:
    """`report cycle` renders the same account as a table, JSON and Markdown."""
    cycle_id = run_whole_year(populated)
    report = parsed(cli("report", "cycle", str(cycle_id), "--format", "json"))
    assert report["cycle"]["state"] == "closed"
    assert report["proposals"][0]["unit"] == "Vĩnh Phúc"
    table = ok(cli("report", "cycle", str(cycle_id)))
    markdown = ok(cli("report", "cycle", str(cycle_id), "--format", "markdown"))
    for section in ("Timeline", "Units × steps", "Scoreboard", "Ballot", "Awards"):
        assert section in table
        assert f"## {section}" in markdown
    assert re.search(r"^\| rank +\| unit +\| total +\|$", markdown, flags=re.M)
    assert "no cycle 99" in plain_error(cli("report", "cycle", "99"), 5)


def test_a_markdown_report_keeps_its_cells_when_a_reason_holds_a_pipe(
        cli: Invoke, populated: Database) -> None:
    """A reason with `|` in it stays one cell: every row of each Markdown table has as many
    cells as its header."""
    cycle_id = start(populated)
    ok(cli("cycle", "fire", str(cycle_id), "launch", "-i", "plan=Kế hoạch", "--as", SECRETARY,
           "--reason", "kế hoạch | đợt 1 || sửa", "--at", "2023-01-16"))
    markdown = ok(cli("report", "cycle", str(cycle_id), "--format", "markdown"))
    assert "kế hoạch \\| đợt 1 \\|\\| sửa" in markdown
    for block in re.findall(r"(?:^\|.*\n)+", markdown, flags=re.M):
        rows = block.splitlines()
        counts = {row.count("|") - row.count("\\|") for row in rows}
        assert len(counts) == 1, block


def test_documents_are_stored_once_and_shown(cli: Invoke, populated: Database,
                                             tmp_path: Path) -> None:
    """A file attached with @FILE is hashed, stored, cited by its step and shown by `doc show`."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="submit_proposal")
    paper = tmp_path / "to-trinh.txt"
    paper.write_text("Tờ trình đề nghị tặng Cờ thi đua", encoding="utf-8")
    ok(cli("cycle", "fire", str(cycle_id), "submit_proposal", "-i", f"submission=@{paper}",
           "-i", f"minutes=@{paper}", "-i", f"achievement_reports=@{paper}",
           "-i", f"achievement_reports=@{paper}", "--as", SECRETARY))
    event = parsed(cli("audit", "log", "--limit", "1", json=True))[-1]
    digest = event["inputs"]["submission"]["sha256"]
    assert event["documents"] == [digest] * 4
    shown = parsed(cli("doc", "show", digest[:10], json=True))
    assert (shown["name"], shown["intact"]) == ("to-trinh.txt", True)
    assert shown["cited_by"] == [{"seq": event["seq"], "cycle": cycle_id,
                                  "trigger": "submit_proposal"}]
    assert "cannot read the document" in error(
        cli("cycle", "fire", str(cycle_id), "amend_dossier", "-i", "submission=@/no/such",
            "--as", SECRETARY), 2)
    assert "no document" in plain_error(cli("doc", "show", "0" * 12), 5)
    assert "at least 8 characters" in plain_error(cli("doc", "show", "abc"), 2)


def test_delegate_and_revoke(cli: Invoke, populated: Database) -> None:
    """Delegations and revocations are recorded and ledgered; a revoked role stops counting."""
    assert "clerk may enter steps for" in ok(cli("actor", "delegate", SECRETARY, "--login",
                                                 "clerk"))
    assert "may already enter" in plain_error(
        cli("actor", "delegate", SECRETARY, "--login", "clerk"), 2)
    cycle_id = start(populated)
    advance(populated, cycle_id, until="start_council_review")
    assert "revoked 1 grant(s) of council" in ok(
        cli("actor", "revoke", COUNCIL, "council", "--cluster", CLUSTER))
    assert "holds no such grant" in plain_error(
        cli("actor", "revoke", COUNCIL, "council", "--cluster", CLUSTER), 2)
    refused = plain_error(cli("cycle", "fire", str(cycle_id), "start_council_review",
                              "--as", COUNCIL), 1)
    assert f"{COUNCIL} holds none of the roles council, secretariat" in refused
    log = parsed(cli("audit", "log", json=True))
    kinds = [e["trigger"] for e in log]
    assert kinds.index("actor_delegate") < kinds.index("actor_revoke")
    revoked = log[kinds.index("actor_revoke")]
    # The date goes into the event: the offices' day at that instant, which a replay gives back.
    assert revoked["inputs"] == {"name": COUNCIL, "role": "council", "cluster": CLUSTER,
                                 "period": None, "on": business_day(
                                     revoked["at"], zone(DEFAULT_ZONE)).isoformat()}
