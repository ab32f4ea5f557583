"""Re-hashing raw ledger rows fast: the auditor's walk spends nearly all its time here.

:func:`run` rebuilds each event's canonical JSON from the row as stored, without decoding its
JSON columns: ``inputs`` and ``documents`` hold canonical JSON already and are spliced in as
they are. Equal text means an equal event as long as each spliced column is the whole of its
value in the hashed text:

- ``documents`` is ``[]`` (a row citing documents is left to the exact path);
- ``inputs``: text that matches the hash is the canonical JSON of the recorded event. Every
  field before ``inputs`` is a self-delimiting JSON token, so the column starts where the
  recorded value did. A column shorter than that value would leave the recorded text, from
  its end on, needing at least two closing brackets (the value's and the event's), while the
  text built after the column holds one. A longer column would contain the next key,
  ``,"kind":``; such rows are left to the exact path.

Rows that are not plain (another type in a column, a value not met before, a key that needs
the exact path, a hash that does not match, a gap) stop the run; the caller judges them with
the exact path (:func:`store.ledger.row_hash`) and runs on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring as _string
from typing import Any

Row = tuple[Any, ...]
DOCUMENTS, INPUTS = 5, 8  # positions in a raw row (store.ledger.COLUMNS)

_int = int.__repr__
_sha256 = hashlib.sha256
NEVER = 1 << 62  # a stop that is never reached
# The JSON text of values of the ledger's text columns, remembered: most of them (actor,
# trigger, states, role, unit, operator, definition) repeat row after row. Cleared when full.
_ENCODED: dict[Any, str] = {None: "null"}
_ENCODED_MAX = 4096


def remember(values: tuple[Any, ...]) -> None:
    """Remember the JSON text of each of ``values`` that is text."""
    for value in values:
        if isinstance(value, str) and value not in _ENCODED:
            if len(_ENCODED) >= _ENCODED_MAX:
                _ENCODED.clear()
                _ENCODED[None] = "null"
            _ENCODED[value] = _string(value)


def event_text(row: Row) -> str:
    """The canonical JSON of a plain row's event, its ``inputs`` spliced in as stored (see
    above); KeyError for a text value not remembered yet, TypeError for another type."""
    (actor, at, cycle, cycle_version, definition, _, from_, key, inputs, kind,
     occurred_at, operator, reason, role, seq, to, trigger, unit, _, _) = row
    known, string, integer = _ENCODED, _string, _int
    return (
        f'{{"actor":{known[actor]},"at":{string(at)},'
        f'"cycle":{"null" if cycle is None else integer(cycle)},'
        f'"cycle_version":{"null" if cycle_version is None else integer(cycle_version)},'
        f'"definition":{known[definition]},"documents":[],"from":{known[from_]},'
        f'"idempotency_key":{"null" if key is None else string(key)},'
        f'"inputs":{inputs},"kind":{known[kind]},"occurred_at":{string(occurred_at)},'
        f'"operator":{known[operator]},'
        f'"reason":{"null" if reason is None else string(reason)},'
        f'"role":{known[role]},"seq":{integer(seq)},"to":{known[to]},'
        f'"trigger":{known[trigger]},"unit":{known[unit]}}}')


def lines(rows: Iterator[Row], exact: Callable[[Row], str]) -> Iterator[str]:
    """Each row's event as exported — its canonical JSON with ``hash`` and ``prev_hash`` among
    its keys — built from the row as stored when it is plain and hashes to its stored hash
    (then that text is the canonical JSON of the recorded event), else by ``exact``."""
    for row in rows:
        text = _verified(row)
        if text is None:
            yield exact(row)
            continue
        # The first ',"idempotency_key":' is the event's own key: every value before it is a
        # JSON string, number, null or []; the last ',"reason":' is too: after it come only
        # strings and a number. Keys in the inputs can hold neither before or after them.
        one, two = text.index(',"idempotency_key":'), text.rindex(',"reason":')
        yield (f'{text[:one]},"hash":"{row[-1]}"{text[one:two]},'
               f'"prev_hash":{_string(row[-2])}{text[two:]}')


def _verified(row: Row) -> str | None:
    """The event text of a plain row whose stored hash it matches, else None."""
    if row[DOCUMENTS] != "[]" or not isinstance(row[INPUTS], str) or ',"kind":' in row[INPUTS]:
        return None
    for _ in range(2):
        try:
            text = event_text(row)
        except KeyError:  # a value not met yet: remembered, and tried again
            remember(row[:-2])
            continue
        except TypeError:
            return None
        if not isinstance(row[-2], str):
            return None
        if _sha256(f"{row[-2]}\n{text}".encode()).hexdigest() != row[-1]:
            return None
        return text
    return None


def run(rows: Iterator[Row], prevprev: str, prev: str, expected: int,
        definitions: dict[str, int], stop_at: int) -> tuple[str, str, int, Row | None]:
    """Verify ``rows`` while they are plain and short of event ``stop_at``: each is event
    ``expected``, chained to ``prev``, citing no document and a definition among
    ``definitions`` (or none), and hashes to its stored hash. Returns the last two hashes, the
    next expected seq, and the row the run stopped at (None: the rows ran out)."""
    sha256 = _sha256
    for row in rows:
        (actor, _, _, _, definition, documents, from_, _, inputs, kind,
         _, operator, _, role, seq, to, trigger, unit, prev_hash, digest) = row
        try:
            if (seq != expected or prev_hash != prev or seq >= stop_at or documents != "[]"
                    or (definition is not None and definition not in definitions)
                    or ',"kind":' in inputs):
                return prevprev, prev, expected, row
            text = f'{prev}\n{event_text(row)}'
        except KeyError:  # a value not met yet: remembered for the rows after this one
            remember((actor, definition, from_, kind, operator, role, to, trigger, unit))
            return prevprev, prev, expected, row
        except TypeError:  # a value of another type than the one written
            return prevprev, prev, expected, row
        if sha256(text.encode()).hexdigest() != digest:
            return prevprev, prev, expected, row
        prevprev, prev, expected = prev, digest, expected + 1
    return prevprev, prev, expected, None
