"""Walking the hash chain: the first event that does not verify, the kind of damage, anchors.

:func:`walk` judges raw ledger rows (the tuples of :data:`store.ledger.COLUMNS`) wherever they
come from, the database or a bundle, so that both are judged alike. The kinds of damage:

- ``missing``: an event is gone (a gap in the sequence, or the end cut off before an anchor);
- ``inserted``: an event that the chain skips over (the event after it follows the one before);
- ``altered``: an event whose content no longer hashes to its stored hash, or that was changed
  and re-hashed (the intact event after it still records the old hash);
- ``reordered``: an event that does not follow the one before it;
- ``rewritten``: the chain is whole but no longer passes through an anchor: it was rebuilt with
  recomputed hashes at or before the anchored event.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from thidua.store.ledger import (
    DOCUMENTS,
    GENESIS,
    HASH,
    ORDER,
    PREV_HASH,
    SEQ,
    event_hash,
    raw_event,
    raw_rows,
    reporting,
    row_hash,
)
from thidua.store.rehash import NEVER, run
from thidua.store.said import said

DEFINITION = ORDER.index("definition")
# How many events before an anchor are kept to explain why the ledger no longer reaches it.
WINDOW = 256
_ANCHOR = re.compile(r"^\s*(\d+):([0-9a-fA-F]{64})\s*$")

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Anchor:
    """A sequence number and the hash the ledger had there, kept outside the database."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``SEQ:HASH`` as printed by ``thidua audit head``; raise ValueError otherwise."""
        match = _ANCHOR.match(text)
        if match is None:
            raise said(ValueError, "{text!r} is not an anchor SEQ:HASH (e.g. 12:3fa9…, 64 hex "
                       "digits)", text=text)
        anchor = cls(int(match[1]), match[2].lower())
        if anchor.seq == 0 and anchor.hash != GENESIS:
            raise said(ValueError, "anchor 0 is the empty ledger: its hash is 64 zeros")
        return anchor

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class Damage:
    """The first event that does not verify, and how (see the module's kinds)."""

    seq: int
    kind: str
    detail: str


@dataclass(frozen=True)
class Walk:
    """What a walk found: the events that verify, the head, the first damage, what is cited."""

    events: int
    head_seq: int
    head_hash: str
    damage: Damage | None = None
    documents: dict[str, int] = field(default_factory=dict)  # document hash → first citing seq
    definitions: dict[str, int] = field(default_factory=dict)  # definition hash → first seq


def walk(rows: Iterable[Row], *, anchors: Sequence[Anchor] = ()) -> Walk:
    """Verify ``rows`` in order; stop at the first damage. Memory stays bounded.

    Plain rows go through :func:`store.rehash.run`; each row it stops at is judged by the
    exact path (:func:`diagnose`), its citations noted, and the anchors checked: the rows
    close before an anchor are kept, to explain a ledger that no longer reaches it.
    """
    pending = sorted((a for a in anchors if a.seq > 0), key=lambda a: a.seq)
    window: deque[Row] = deque(maxlen=WINDOW)
    documents: dict[str, int] = {}
    definitions: dict[str, int] = {}
    prev = prevprev = GENESIS
    expected, source = 1, iter(rows)
    while True:
        stop_at = pending[0].seq - WINDOW + 1 if pending else NEVER
        prevprev, prev, expected, row = run(source, prevprev, prev, expected, definitions,
                                            stop_at)
        if row is None:
            break
        damage = diagnose(row, prev, prevprev, expected, source)
        if damage is None:
            _cite(row, documents, definitions)
            damage = _anchors(row, pending, window, source) if pending else None
        if damage is not None:
            return _stopped(expected - 1, prev, damage, documents, definitions)
        prevprev, prev, expected = prev, row[HASH], expected + 1
    head = expected - 1
    return Walk(head, head, prev, _cut_off(head, pending), documents, definitions)


def _anchors(row: Row, pending: list[Anchor], window: deque[Row],
             following: Iterator[Row]) -> Damage | None:
    """Keep ``row`` in the window; check the anchors at it (passed ones are dropped)."""
    window.append(row)
    while pending and pending[0].seq == row[SEQ]:
        damage = _at_anchor(row, pending.pop(0), window, following)
        if damage is not None:
            return damage
    return None


def _stopped(verified: int, prev: str, damage: Damage, documents: dict[str, int],
             definitions: dict[str, int]) -> Walk:
    events = max(0, min(verified, damage.seq - 1))
    return Walk(events, verified, prev, damage, documents, definitions)


def _cite(row: Row, documents: dict[str, int], definitions: dict[str, int]) -> None:
    seq = row[SEQ]
    if row[DEFINITION] is not None:
        definitions.setdefault(row[DEFINITION], seq)
    if row[DOCUMENTS] != "[]":
        for cited in json.loads(row[DOCUMENTS]):
            digest = cited.get("sha256") if isinstance(cited, dict) else cited
            documents.setdefault(str(digest), seq)


def diagnose(row: Row, prev: str, prevprev: str, expected: int,
             following: Iterator[Row]) -> Damage | None:
    """Why ``row`` does not verify after ``prev`` (None: it does, by the exact path)."""
    seq = row[SEQ]
    if seq != expected:
        return _out_of_sequence(row, expected, following)
    if row[PREV_HASH] != prev:
        return _broken_link(row, prevprev)
    if row_hash(prev, row) == row[HASH]:
        return None  # stored in another form than append writes, but the same event
    after = next(following, None)
    if after is not None and after[PREV_HASH] == prev:
        return Damage(seq, "inserted", f"event {seq} was inserted: the event after it "
                                       f"follows event {seq - 1}")
    return Damage(seq, "altered", f"event {seq} was altered after it was recorded "
                                  "(its content no longer hashes to its stored hash)")


def _out_of_sequence(row: Row, expected: int, following: Iterator[Row]) -> Damage:
    seq = row[SEQ]
    if not isinstance(seq, int) or seq < expected:
        return Damage(expected, "reordered", f"event {seq} stands where event {expected} "
                                             "should be")
    after = next(following, None)
    if after is not None and isinstance(after[SEQ], int) and after[SEQ] < seq:
        return Damage(expected, "reordered", f"event {seq} stands where event {expected} "
                                             "should be")
    gap = f"event {expected}" if seq == expected + 1 else f"events {expected}..{seq - 1}"
    verb = "is" if seq == expected + 1 else "are"
    return Damage(seq, "missing", f"{gap} {verb} missing before event {seq}")


def _broken_link(row: Row, prevprev: str) -> Damage:
    seq = row[SEQ]
    if seq > 2 and row[PREV_HASH] == prevprev:
        return Damage(seq - 1, "inserted", f"event {seq - 1} was inserted: event {seq} follows "
                                           f"event {seq - 2}")
    if seq > 1 and row_hash(row[PREV_HASH], row) == row[HASH]:
        return Damage(seq - 1, "altered", f"event {seq - 1} was altered and re-hashed: the "
                                          f"intact event {seq} records another hash for it")
    return Damage(seq, "reordered",
                  f"event {seq} does not follow the event before it (prev_hash differs)")


def _at_anchor(row: Row, anchor: Anchor, window: deque[Row],
               following: Iterator[Row]) -> Damage | None:
    if row[HASH] == anchor.hash:
        return None
    after = next(following, None)
    inserted = _inserted_before(anchor, [*window, *([after] if after is not None else [])])
    if inserted is not None:
        return Damage(inserted, "inserted",
                      f"event {inserted} was inserted before anchor {anchor.seq} and the events "
                      f"after it renumbered and re-hashed: without it the ledger reaches "
                      f"{anchor.seq}:{anchor.hash[:16]}")
    return Damage(anchor.seq, "rewritten",
                  f"event {anchor.seq} no longer has the anchored hash {anchor.hash[:16]}…: the "
                  f"ledger was rewritten at or before event {anchor.seq} and its hashes "
                  "recomputed (an event altered, removed or inserted)")


def _inserted_before(anchor: Anchor, rows: list[Row]) -> int | None:
    """The seq of one inserted event whose removal (renumbering those after it) makes the
    chain reach ``anchor`` again; looked for among ``rows``, newest first."""
    last = next((i for i, r in enumerate(rows) if r[SEQ] == anchor.seq + 1), None)
    if last is None:
        return None
    for k in range(last - 1, -1, -1):
        if k == 0 and rows[0][SEQ] != 1:
            break  # the event before the candidate is not in the window
        digest = GENESIS if k == 0 else rows[k - 1][HASH]
        try:
            for row in rows[k + 1:last + 1]:
                digest = event_hash(digest, {**raw_event(row), "seq": row[SEQ] - 1})
        except (TypeError, ValueError):
            continue
        if digest == anchor.hash:
            return int(rows[k][SEQ])
    return None


def _cut_off(head: int, pending: list[Anchor]) -> Damage | None:
    if not pending:
        return None
    anchor = pending[-1]
    return Damage(head + 1, "missing",
                  f"events {head + 1}..{anchor.seq} are missing from the end: the ledger ends at "
                  f"event {head}, but anchor {anchor.seq}:{anchor.hash[:16]}… was taken at "
                  f"event {anchor.seq}")


def verify_ledger(conn: Connection, *, anchors: Sequence[Anchor] = (),
           on_progress: Callable[[int], None] | None = None) -> Walk:
    """Walk the whole chain (see :func:`walk`), checking ``anchors`` on the way;
    ``on_progress(n)`` hears of every ``n`` rows read."""
    return walk(reporting(raw_rows(conn), on_progress), anchors=anchors)
