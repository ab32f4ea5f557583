"""Names are one thing: every name, reason and text a user gives is checked and brought to one
form (Unicode NFC) here, before it is stored or looked up, and shown escaped.

- **One form.** ``Bắc Ninh`` typed with combining accents (NFD) and with precomposed letters
  (NFC) is the same name: both are stored and looked up as NFC. Runs of white space (spaces,
  no-break spaces) inside a name become one space, and white space around it goes.
- **Nothing hidden.** Control and format characters (C0 and C1 controls such as ESC, zero-width
  characters, the byte order mark, bidirectional overrides and isolates: Unicode categories
  ``Cc``, ``Cf`` and the other ``C*``, and the line and paragraph separators) are refused in
  names, naming the field and the character (``U+200B``). A reason or a text input may hold
  line breaks and tabs, nothing else of the kind.
- **Something visible.** A name or a reason that is empty once white space and invisible
  characters are removed is refused.
- **Bounded.** A name holds at most 200 characters, a reason (or legal ground) 2,000 and a text
  input 10,000, counted here, the same on SQLite and PostgreSQL.

Every refusal is :class:`InvalidInput` (exit 2). :func:`escape` is the other side: whatever came
from a user or the database is printed with its control and format characters as escapes
(``\\x1b``, ``\\u200b``), so that no stored text can move the cursor or rewrite a line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _

NAME_LIMIT, REASON_LIMIT, TEXT_LIMIT = 200, 2000, 10000

# Letters and marks that print as nothing: a name or reason made only of them is empty.
_BLANK = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# Allowed in a reason or a text input, which may run over several lines.
_LINES = frozenset("\n\t")


def nfc(text: str) -> str:
    """``text`` in Unicode normalisation form C."""
    return unicodedata.normalize("NFC", text)


def hidden(char: str) -> bool:
    """True for a character that is never shown as itself: a control, format, surrogate,
    private-use or unassigned character, or a line or paragraph separator."""
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp")


def codepoint(char: str) -> str:
    """``U+200B``: how a refusal names a character."""
    return f"U+{ord(char):04X}"


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("{field} must be text, not {kind}").format(
                               field=field, kind=type(value).__name__))
    return nfc(value.replace("\r\n", "\n"))


def _refuse_hidden(text: str, field: str, allowed: frozenset[str] = frozenset()) -> None:
    probe = text
    for char in allowed:
        probe = probe.replace(char, "")
    if probe.isprintable():  # no control, format, unassigned... nor separator: nothing hidden
        return
    bad = next((c for c in text if hidden(c) and c not in allowed), None)
    if bad is not None:
        kind = unicodedata.name(bad, "").lower() or (
            _("control character") if unicodedata.category(bad) == "Cc"
            else _("invisible character"))
        raise InvalidInput(_("{field} contains {codepoint} ({kind}), which is not allowed: "
                             "type it without control or invisible characters").format(
                               field=field, codepoint=codepoint(bad), kind=kind))


def _refuse_long(text: str, field: str, limit: int) -> None:
    if len(text) > limit:
        raise InvalidInput(_("{field} is {count} characters long: at most {limit} are "
                             "allowed").format(
                               field=field, count=len(text), limit=limit))


def visible(text: str) -> bool:
    """True when ``text`` shows something once white space and blank characters are gone."""
    return any(not c.isspace() and not hidden(c) and c not in _BLANK for c in text)


def name(value: Any, field: str = "name", *, limit: int = NAME_LIMIT) -> str:
    """``value`` as a name: NFC, white space collapsed, nothing hidden, not empty, at most
    ``limit`` characters. ``field`` says which name (``unit``, ``person``, ``--cluster``)."""
    text = _text(value, field)
    _refuse_hidden(text, field)
    text = " ".join(text.split())
    if not visible(text):
        raise InvalidInput(_("{field} is empty: give a name").format(field=field))
    _refuse_long(text, field, limit)
    return text


def optional_name(value: Any, field: str = "name", *, limit: int = NAME_LIMIT) -> str | None:
    """:func:`name`, or None for None."""
    return None if value is None else name(value, field, limit=limit)


def reason(value: Any, field: str = "reason", *, limit: int = REASON_LIMIT) -> str | None:
    """``value`` as a written reason (or legal ground): NFC, line breaks and tabs allowed,
    nothing else hidden, something visible, at most ``limit`` characters; None stays None."""
    if value is None:
        return None
    text = _text(value, field)
    _refuse_hidden(text, field, _LINES)
    text = text.strip()
    if not visible(text):
        raise InvalidInput(_("{field} is empty: write the reason").format(field=field))
    _refuse_long(text, field, limit)
    return text


def text(value: Any, field: str = "text", *, limit: int = TEXT_LIMIT) -> str:
    """``value`` as a free text input: NFC, line breaks and tabs allowed, nothing else hidden,
    at most ``limit`` characters (an empty text is left to the caller to refuse)."""
    checked = _text(value, field)
    _refuse_hidden(checked, field, _LINES)
    _refuse_long(checked, field, limit)
    return checked


def inputs(values: dict[str, Any] | None) -> dict[str, Any]:
    """A step's inputs with every text in them checked by :func:`text` (each named by its
    input) and every key of a mapping by :func:`name`; other values are left as they are."""
    return {key: _value(value, f"input {key!r}") for key, value in (values or {}).items()}


def _value(value: Any, field: str) -> Any:
    if isinstance(value, str):
        return text(value, field)
    if isinstance(value, list | tuple):
        return [_value(item, field) for item in value]
    if isinstance(value, dict):
        return {name(k, _("a key of {field}").format(
            field=field)) if isinstance(k, str) else k: _value(v, field)
                for k, v in value.items()}
    return value


def same(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are the same name in any Unicode form."""
    return a == b or nfc(a) == nfc(b)


def twins(wanted: str, known: Iterable[str]) -> list[str]:
    """The names among ``known`` that are ``wanted`` in another Unicode form (stored before
    names were normalised)."""
    key = nfc(wanted)
    return [k for k in known if k != wanted and nfc(k) == key]


def as_stored(value: Any, members: Iterable[str]) -> Any:
    """``value`` (a unit, or the step's inputs) with every text that names a member unit in
    another Unicode form spelled as that unit is stored: a unit stored before names were
    normalised keeps one spelling in its cycle's facts."""
    other = {nfc(m): m for m in members if nfc(m) != m}
    return _respelled(value, other) if other else value


def _respelled(value: Any, other: dict[str, str]) -> Any:
    if isinstance(value, str):
        return other.get(value, value)
    if isinstance(value, list):
        return [_respelled(v, other) for v in value]
    if isinstance(value, dict):
        return {_respelled(k, other): _respelled(v, other) for k, v in value.items()}
    return value


def _plain(text: str) -> str:
    """``text`` without accents, case or Vietnamese đ: what a near miss is compared on."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()


def suggest(wanted: str, known: Iterable[str], *, limit: int = 3) -> list[str]:
    """The names among ``known`` closest to ``wanted`` (accents and case aside), best first."""
    import difflib  # only when a name is not found: it stays out of every start-up

    by_key: dict[str, list[str]] = {}
    for k in known:
        by_key.setdefault(_plain(k), []).append(k)
    close = difflib.get_close_matches(_plain(wanted), list(by_key), n=limit, cutoff=0.6)
    return [n for key in close for n in by_key[key]][:limit]


def did_you_mean(wanted: str, known: Iterable[str]) -> str:
    """`` (did you mean: A, B?)`` for the closest names, or nothing."""
    close = suggest(wanted, known)
    return _(" (did you mean: {items}?)").format(
               items=', '.join(escape(repr(c)) for c in close)) if close else ""


def _escaped(char: str) -> str:
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape(value: Any, keep: str = "") -> str:
    """``value`` as text to print: control and format characters (line breaks included,
    unless ``keep`` holds them) as escapes (``\\x1b``, ``\\u200b``, ``\\n``), everything
    else as it is."""
    shown = "" if value is None else str(value)
    if shown.isprintable():
        return shown
    return "".join(_escaped(c) if hidden(c) and c not in keep else c for c in shown)
