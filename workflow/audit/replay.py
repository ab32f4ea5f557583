"""After the chain, the records: every table built from the ledger is rebuilt from its events
and compared with what is stored.

- The **directory** (units, clusters, memberships, heads and deputies, mergers, people, grants,
  delegations) and the stored **definition versions** are rebuilt in one pass over the events
  that can change them, in ledger order (:mod:`workflow.audit.directory_replay`), and compared
  by natural keys (:mod:`workflow.audit.compare`). The directory is small: it is held whole.
- Every **cycle** is replayed from its own events (:func:`workflow.engine.facts.replay`, on the
  definition version each event names, by hash) and compared with its row: definition,
  cluster, period, state, version, facts, last event. The events come by cycle, one cycle at a
  time, so memory stays bounded however long the ledger.

Every read runs on the caller's connection, in the snapshot in which the chain was verified.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from thidua.store import definitions, records
from thidua.store.ledger import as_event
from thidua.workflow.audit import compare
from thidua.workflow.audit import directory_replay as rebuild
from thidua.workflow.audit.directory_replay import Directory, Event, Expected
from thidua.workflow.engine.facts import replay
from thidua.workflow.i18n import _
from thidua.workflow.language.loaded import Loaded
from thidua.workflow.rules.library import ACTIONS

SHOWN = 5


class Unreplayable(Exception):
    """An event the replay cannot follow (the message names it)."""


class Definitions:
    """The definition versions the events name, parsed once each (they are few)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.parsed: dict[str, Loaded] = {}

    def __call__(self, digest: str) -> Loaded:
        """The stored version ``digest``, parsed."""
        loaded = self.parsed.get(digest)
        if loaded is None:
            row = definitions.label_and_source(self.conn, digest)
            if row is None:
                raise Unreplayable(_("definition {digest} is not stored").format(
                                       digest=digest[:12]))
            try:
                from thidua.workflow.language.loader import parse  # on demand

                loaded = parse(row.source, f"{row.def_id}@{row.version}")
            except Exception as exc:  # a stored text is hostile input too
                raise Unreplayable(_("definition {digest} does not load: {exc}").format(
                                       digest=digest[:12], exc=exc)) from None
            self.parsed[digest] = loaded
        return loaded


@dataclass
class Found:
    """The divergences found: the first few in full, and how many in all."""

    shown: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, message: str | None) -> None:
        """Count ``message`` (None: nothing diverged), keeping the first few."""
        if message is not None:
            self.count += 1
            if len(self.shown) < SHOWN:
                self.shown.append(message)


@dataclass(frozen=True)
class Replayed:
    """What the replay compared, and what differed."""

    cycles: int
    directory_rows: int
    found: Found


def check(conn: Connection, cited: list[str]) -> Replayed:
    """Rebuild the directory, the definitions and every cycle from the events and compare
    them with the stored rows; ``cited`` are the definition hashes the events name."""
    resolve, found = Definitions(conn), Found()
    try:
        rows = _check_directory(conn, resolve, cited, found)
        cluster_names = {i: name for i, name, _ in records.directory(conn, "clusters")}
        cycles = _check_cycles(conn, resolve, cluster_names, found)
    except Unreplayable as exc:
        found.add(_("the replay stopped: {exc}").format(exc=exc))
        return Replayed(0, 0, found)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # rows of hostile shape
        found.add(_("the replay stopped: {error} {exc}").format(
                      error=type(exc).__name__, exc=exc))
        return Replayed(0, 0, found)
    return Replayed(cycles, rows, found)


def _check_directory(conn: Connection, resolve: Definitions, cited: list[str],
                     found: Found) -> int:
    """Compare the directory tables and the definitions with the events; how many directory
    rows were compared."""
    expected = directory_of(conn, resolve, cited).tables()
    for message in compare.divergences("definitions",
                                       _with_source(expected["definitions"], resolve),
                                       compare.stored_definitions(conn)):
        found.add(message)
    rows = 0
    for table, stored in compare.stored(conn).items():
        rows += len(stored)
        for message in compare.divergences(table, expected[table], stored):
            found.add(message)
    return rows


def directory_of(conn: Connection, resolve: Definitions, cited: list[str]) -> Directory:
    """The directory and definition versions as the ledger's events leave them."""
    triggers = sorted({t.trigger for digest in cited
                       for t in resolve(digest).definition.transitions if t.actions})
    directory = Directory()
    for row in records.directory_events(conn, triggers):
        event = as_event(row)
        try:
            _apply(directory, event, resolve)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Unreplayable(f"event {event['seq']} ({event['trigger']}): "
                               f"{type(exc).__name__} {exc}") from None
    return directory


def _apply(directory: Directory, event: Event, resolve: Definitions) -> None:
    kind, trigger = event["kind"], event["trigger"]
    if kind in ("admin", "definition"):
        handler = (rebuild.ADMIN if kind == "admin" else rebuild.DEFINITION).get(trigger)
        if handler is None:
            raise Unreplayable(_("event {seq}: {kind} event {trigger!r} is unknown to this "
                                 "version of thidua").format(
                                   seq=event['seq'], kind=kind, trigger=trigger))
        handler(directory, event)
    elif kind == "start":
        rebuild.start(directory, event)
    elif kind == "fire":
        transition = resolve(event["definition"]).definition.transition(trigger, event["from"])
        for call in transition.actions if transition is not None else []:
            handler = rebuild.ACTIONS.get(call.name)
            if handler is None:
                raise Unreplayable(_("event {seq}: action {call!r} has no replay").format(
                                       seq=event['seq'], call=call.name))
            handler(directory, event, ACTIONS[call.name].params.model_validate(call.params))
    elif kind != "migrate":
        raise Unreplayable(_("event {seq}: kind {kind!r} is unknown to this version of "
                             "thidua").format(
                               seq=event['seq'], kind=kind))


def _with_source(expected: list[Expected], resolve: Definitions) -> list[Expected]:
    """Definition rows with the title and effective date their source gives."""
    rows = []
    for row in expected:
        d = resolve(row.key[0]).definition
        def_id, version, by, status = row.fields
        rows.append(Expected(row.key, (def_id, version, d.title.en, d.effective_from.isoformat(),
                                       by, status), row.seq))
    return rows


def _by_cycle(conn: Connection) -> Iterator[tuple[int, list[Event]]]:
    """Each cycle's events (with their hashes), one cycle at a time."""
    current: list[Event] = []
    for row in records.events_by_cycle(conn):
        if current and current[0]["cycle"] != row.cycle_id:
            yield current[0]["cycle"], current
            current = []
        current.append({**as_event(row), "hash": row.hash})
    if current:
        yield current[0]["cycle"], current


def _check_cycles(conn: Connection, resolve: Definitions, cluster_names: dict[int, str],
                  found: Found) -> int:
    """Replay each cycle and compare it with its row; how many rows were compared."""
    events = _by_cycle(conn)
    pending = next(events, None)
    count = 0
    for row in records.cycles(conn):
        count += 1
        while pending is not None and pending[0] < row.id:
            found.add(_unstored(*pending))
            pending = next(events, None)
        if pending is not None and pending[0] == row.id:
            found.add(cycle_divergence(row, pending[1], resolve, cluster_names))
            pending = next(events, None)
        else:
            found.add(_("cycles {row}: has no event").format(row=row.id))
    while pending is not None:
        found.add(_unstored(*pending))
        pending = next(events, None)
    return count


def _unstored(cycle_id: int, events: list[Event]) -> str:
    return (_("cycles {cycle_id}: missing from the table (event {seq} starts it, event "
              "{seq2} is its last)").format(
                cycle_id=cycle_id, seq=events[0]['seq'], seq2=events[-1]['seq']))


def cycle_divergence(row: Any, events: list[Event], resolve: Definitions,
                     cluster_names: dict[int, str]) -> str | None:
    """The first field of cycle ``row`` that differs from its replayed ``events``."""
    where = f"cycles {row.id}"
    start = events[0]
    if start["kind"] != "start":
        return _("{where}: its first event {seq} is {trigger}, not a start").format(
                   where=where, seq=start['seq'], trigger=start['trigger'])
    try:
        result = replay(resolve(start["definition"]), events, resolve)
        facts = json.loads(row.facts)
    except Exception as exc:  # events and rows are hostile input: any failure is named
        return _("{where}: does not replay: {error} {exc}").format(
                   where=where, error=type(exc).__name__, exc=exc)
    pinned = [e["definition"] for e in events if e["kind"] in ("start", "migrate")][-1]
    expected = {"definition": pinned, "cluster": start["inputs"].get("cluster"),
                "period": start["inputs"].get("period"), "state": result.state,
                "version": result.version, "last_seq": events[-1]["seq"],
                "last_hash": events[-1]["hash"]}
    stored = {"definition": row.definition_hash,
              "cluster": cluster_names.get(row.cluster_id, f"#{row.cluster_id}"),
              "period": row.period, "state": row.state, "version": row.version,
              "last_seq": row.last_seq, "last_hash": row.last_hash}
    for name, value in expected.items():
        if stored[name] != value:
            return _("{where}: {name} is {stored!r}, the ledger gives {value!r}").format(
                       where=where, name=name, stored=stored[name], value=value)
    if facts != result.facts:
        return f"{where}: {_facts_differ(facts, result.facts)}"
    return None


_NONE = object()


def _facts_differ(stored: Any, replayed: dict[str, Any]) -> str:
    if not isinstance(stored, dict):
        return f"facts are {_short(stored)}, the ledger gives an object"
    path, found, given = _first_difference(stored, replayed, ())
    where = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return (f"fact {where[1:]!r} is {_short(found)}, the ledger gives {_short(given)}")


def _first_difference(stored: Any, replayed: Any,
                      path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], Any, Any]:
    """The path to the first value that differs (keys in sorted order, list items in turn),
    and the two values there: a long fact is named where it differs, not where it starts."""
    if isinstance(stored, dict) and isinstance(replayed, dict):
        key = next(k for k in sorted({*stored, *replayed}, key=str)
                   if stored.get(k, _NONE) != replayed.get(k, _NONE))
        return _first_difference(stored.get(key, _NONE), replayed.get(key, _NONE),
                                 (*path, key))
    if isinstance(stored, list) and isinstance(replayed, list) and len(stored) == len(replayed):
        index = next(i for i, (a, b) in enumerate(zip(stored, replayed, strict=True)) if a != b)
        return _first_difference(stored[index], replayed[index], (*path, index))
    return path, stored, replayed


def _short(value: Any, limit: int = 60) -> str:
    if value is _NONE:
        return "absent"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 1] + "…"
