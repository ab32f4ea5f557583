"""``thidua audit``: read and verify the tamper-evident ledger."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from thidua.cli import completion
from thidua.cli.help import Group
from thidua.cli.output import (
    NAME,
    PERIOD,
    Env,
    emit_json,
    emit_json_items,
    pass_env,
    plain,
    progress,
    say,
    stream_table,
    table,
)
from thidua.workflow.i18n import _, ngettext


@click.group("audit", cls=Group)
def command() -> None:
    """Read, verify and export the tamper-evident ledger; rebuild any date.

    \b
    Example:
      thidua audit verify
      thidua audit head
      thidua audit bundle cum5-2023.zip && thidua audit verify --bundle cum5-2023.zip
    """


@command.command("log")
@click.option("--cycle", "cycle_id", type=int, help="Only this cycle's events.",
              shell_complete=completion.cycle_ids)
@click.option("--limit", type=click.IntRange(0, 2**31 - 1), help="Only the last N events.")
@pass_env
def log(env: Env, cycle_id: int | None, limit: int | None) -> None:
    """The ledger's events, oldest first.

    \b
    Example:
      thidua audit log --cycle 1 --limit 20
    """
    from thidua.workflow.audit.log import reading

    with reading(env.db(), cycle_id=cycle_id, limit=limit) as events:
        if env.as_json:
            emit_json_items(events())
            return
        stream_table(["seq", "recorded", "cycle", "event", "actor", "operator", "details",
                      "hash"],
                     lambda: ([e["seq"], env.time(e["at"]), e["cycle"] or "", _event(e),
                               e["actor"], e["operator"], _details(e), e["hash"][:12]]
                              for e in events()))


def _event(e: dict[str, object]) -> str:
    if e["kind"] == "fire":
        return f"{e['trigger']} {e['from']}->{e['to']}"
    return f"{e['trigger']}" + (f" ->{e['to']}" if e["to"] else "")


def _details(e: dict[str, object]) -> str:
    parts = [f"unit={e['unit']}"] if e["unit"] else []
    if e["reason"]:
        parts.append(f"reason={e['reason']}")
    if e["inputs"]:
        parts.append(json.dumps(e["inputs"], ensure_ascii=False)[:60])
    return " ".join(parts)


ANCHOR = click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
                      help="The ledger must still pass through it (from `audit head`; repeat).")


@command.command("verify")
@ANCHOR
@click.option("--fast", is_flag=True,
              help="Only the chain, the triggers, the documents and the definitions: skip "
                   "replaying the cycles and the directory.")
@click.option("--bundle", metavar="FILE.zip", help="Check a bundle instead, with no database.")
@pass_env
def verify(env: Env, anchors: tuple[str, ...], fast: bool, bundle: str | None) -> None:
    """Re-hash the whole ledger, check that its append-only triggers stand, re-hash the stored
    documents and definitions, then replay every cycle and the directory (people, grants,
    memberships, heads...) from the events and compare them with the stored rows. Exit 4
    naming the first bad event (altered, missing, inserted, reordered), a missing or disabled
    trigger, a changed document, or the first row that differs from the ledger (its table and
    key). --fast skips the replay. With --anchor, also exit 4 when the ledger no longer passes
    through an anchor kept from `audit head` (rows cut from the end, or the ledger rebuilt
    with recomputed hashes). With --bundle, check a bundle offline: its ZIP bytes, chain,
    definitions, documents and manifest.

    \b
    Example:
      thidua audit verify
      thidua audit verify --fast --anchor 42:3fa9c1e07b5d…(64 hex digits)
      thidua audit verify --bundle cum5-2023.zip
    """
    if bundle is not None:
        from thidua.workflow.audit.bundlecheck import verify_bundle

        _bundle_verified(env, verify_bundle(bundle, anchors=anchors))
        return
    from thidua.workflow.audit.verify import verify as verify_ledger

    with progress(_events(env), "verifying") as advance:
        result = verify_ledger(env.db(), anchors=anchors, fast=fast, on_progress=advance)
    if env.as_json:
        extra = ({"documents": result.documents} if result.documents else {}) | (
            {"anchors": result.anchors} if result.anchors else {})
        emit_json({"ok": True, "events": result.events, "head_seq": result.head_seq,
                   "head_hash": result.head_hash, **extra, "triggers": result.triggers,
                   "replayed": result.replayed, "cycles": result.cycles,
                   "directory_rows": result.directory_rows})
        return
    notes = ([_("{documents} documents intact").format(
        documents=result.documents)] if result.documents else []) + [
        _("passes through anchor {a}").format(a=a[:a.index(':') + 17]) for a in result.anchors]
    notes.append(_("records match: {cycles}, {rows}").format(
                     cycles=ngettext("{count} cycle", "{count} cycles", result.cycles).format(
                         count=result.cycles),
                     rows=ngettext("{count} directory row", "{count} directory rows",
                                   result.directory_rows).format(count=result.directory_rows))
                 if result.replayed else _("records not replayed (--fast)"))
    say(ngettext("ledger intact: {events} event, head {head_seq} {head_hash}{items}",
                 "ledger intact: {events} events, head {head_seq} {head_hash}{items}",
                 result.events).format(
            events=result.events, head_seq=result.head_seq, head_hash=result.head_hash[:16],
            items="".join(f"; {n}" for n in notes)))


def _bundle_verified(env: Env, result: Any) -> None:
    if env.as_json:
        emit_json({"ok": True, **plain(result)})
        return
    content = _(", {documents_with_content} with content").format(
                  documents_with_content=result.documents_with_content) \
        if result.documents_with_content else ""
    say(_("bundle {file} intact: {events} events, head {head_seq} {head_hash}; {definitions} "
          "definition versions, {documents} documents{content}{items}").format(
            file=result.file, events=result.events, head_seq=result.head_seq,
            head_hash=result.head_hash[:16], definitions=result.definitions,
            documents=result.documents, content=content,
            items="".join(
                   f"; passes through anchor {a[:a.index(':') + 17]}" for a in result.anchors)))


@command.command("head")
@pass_env
def head(env: Env) -> None:
    """Print the ledger's last sequence number and hash as SEQ:HASH: an anchor to keep outside
    the database (e.g. in the year-end minutes) and check later with `audit verify --anchor`.

    \b
    Example:
      thidua audit head
    """
    from thidua.workflow.audit.verify import head as ledger_head

    result = ledger_head(env.db())
    if env.as_json:
        emit_json({"seq": result.seq, "hash": result.hash, "anchor": result.anchor})
    else:
        say(result.anchor)


@command.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="JSON lines (exactly as hashed) or CSV.")
@click.option("--excel", is_flag=True,
              help="CSV as Excel opens it: UTF-8 with a byte-order mark, CRLF line ends, "
                   "formula-like cells prefixed with '.")
@click.option("--cycle", "cycle_id", type=int, help="Only this cycle's events.",
              shell_complete=completion.cycle_ids)
@click.option("--cluster", "-c", type=NAME, metavar="NAME",
              help="Only events of this cluster's cycles.")
@click.option("--period", "-p", type=PERIOD, help="Only events of cycles of this year.")
@click.option("--actor", type=NAME, metavar="NAME",
              help="Only steps taken on this person's authority.")
@click.option("--since", metavar="DATE", help="Only steps that happened on or after DATE.")
@click.option("--until", metavar="DATE", help="Only steps that happened on or before DATE.")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (default: standard output).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_env
def export(env: Env, fmt: str, excel: bool, cycle_id: int | None, cluster: str | None,
           period: int | None, actor: str | None, since: str | None, until: str | None,
           output: str | None, force: bool) -> None:
    """Export ledger events, oldest first, as JSON lines or CSV, with their hashes.

    Filters combine; dates are whole days in the database's time zone (thidua db
    timezone), on when a step happened. With
    -o FILE a summary is printed (--json: as JSON); otherwise the events themselves. FILE is
    written whole or not at all; an existing FILE is replaced only with --force.

    \b
    Example:
      thidua audit export --format csv --cluster "Cụm 5" --period 2023 -o cum5-2023.csv
      thidua audit export --format csv --excel --cycle 1 -o cycle-1.csv
      thidua audit export --actor "Cao Văn Thắng" --since 2023-06-01 --until 2023-06-30
    """
    from thidua.workflow.audit.export import Filters, export_to

    filters = Filters(cycle_id, cluster, period, actor, since, until)
    # The bar's length is known only for the whole ledger; a filtered export shows none.
    whole = filters == Filters()
    with progress(_events(env) if whole and output else 0, "exporting") as advance:
        done = export_to(env.db(), output or sys.stdout, fmt=fmt, filters=filters,
                         excel=excel, on_progress=advance, force=force)
    if output is None:
        return
    if env.as_json:
        emit_json(done)
    else:
        say(_("exported {events} events to {file} ({format})").format(
                events=done.events, file=done.file, format=done.format))


@command.command("bundle")
@click.argument("file", metavar="FILE.zip")
@click.option("--with-documents", is_flag=True, help="Include the documents' content too.")
@click.option("--force", is_flag=True, help="Replace FILE.zip if it exists.")
@pass_env
def bundle(env: Env, file: str, with_documents: bool, force: bool) -> None:
    """Verify the database, then write a self-contained bundle for auditors: the ledger, the
    source of every definition version it cites, document hashes (and content with
    --with-documents), a README and a manifest. `audit verify --bundle` checks it offline.
    An existing FILE.zip is replaced only with --force.

    \b
    Example:
      thidua audit bundle cum5-2023.zip --with-documents
    """
    from thidua.workflow.audit.bundle import write_bundle

    with progress(_events(env), "verifying") as advance:
        done = write_bundle(env.db(), file, with_documents=with_documents, on_progress=advance,
                            force=force)
    if env.as_json:
        emit_json(done)
        return
    content = _(" (with content)") if done.with_documents else ""
    say(_("bundle {file}: {events} events, head {head_seq} {head_hash}; {definitions} "
          "definition versions, {documents} documents{content}").format(
            file=done.file, events=done.events, head_seq=done.head_seq,
            head_hash=done.head_hash[:16], definitions=done.definitions,
            documents=done.documents, content=content))


@command.command("state-at")
@click.option("--cluster", "-c", type=NAME, required=True, metavar="NAME")
@click.option("--period", "-p", type=PERIOD, required=True, help="The emulation year.")
@click.argument("date", metavar="DATE")
@pass_env
def state_at(env: Env, cluster: str, period: int, date: str) -> None:
    """Every cycle of a cluster and year as it stood at the end of DATE, rebuilt by
    replaying the ledger (see also `cycle state-at ID DATE`).

    \b
    Example:
      thidua audit state-at --cluster "Cụm 5" --period 2023 2023-06-29
    """
    from thidua.workflow.services.timetravel import cluster_state_at

    views = cluster_state_at(env.db(), cluster, period, date)
    if env.as_json:
        emit_json(views)
        return
    say(f"{cluster} {period} at the end of {date}: members "
               f"{', '.join(views[0].members) or '-'}; head {views[0].head or '-'}")
    table(["cycle", "definition", "state", "version", "since", "days", "last event"],
          [[v.cycle_id, v.definition + (" DRAFT" if v.draft else ""),
            v.state or "(not started)", v.version, env.time(v.since, date_only=True),
            "" if v.days_in_state is None else v.days_in_state, v.last_event or ""]
           for v in views])


def _events(env: Env) -> int:
    """How many events the ledger holds: the length of a progress bar over all of it (read on
    a bare connection: an export loads no ORM)."""
    from thidua.store import ledger

    with env.db().reading() as conn:
        seq: int = ledger.head(conn)[0]
    return seq
