"""A new name must not pass for another: a person, unit or cluster is registered under a name
that cannot be mistaken, on screen or on paper, for one already there.

A new name is refused (exit 2) when

- it **looks like a name already registered**: the two have the same *skeleton*, the form
  Unicode's UTS #39 compares names on (NFKC; then every character replaced by the one it is
  confusable with, from :mod:`thidua.workflow.confusables`: Cyrillic ``е`` and Greek ``ε`` by
  Latin ``e``, ``I`` and ``1`` by ``l``, ``0`` by ``O``, ``rn`` for ``m``). The refusal names
  the name already there;
- it holds a **compatibility character**, one that NFKC writes otherwise (fullwidth ``Ｌ``,
  ``ﬁ``, superscripts): the refusal gives the name as it should be typed;
- it holds a **letter of another script than Latin**, or a digit other than 0–9: names are
  written in Latin letters, the Vietnamese ones included (``Đ``, ``ơ``, ``ư`` and every tone
  mark), so that ``Hà Nộі`` with a Cyrillic ``і`` is not a second Hà Nội.

Only new names are checked: a record stored before keeps its name and is found by it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from thidua.workflow.errors import InvalidInput
from thidua.workflow.names import codepoint, escape


def skeleton(text: str) -> str:
    """``text`` as UTS #39 compares it: NFKC, each character by its prototype, NFD."""
    from thidua.workflow.confusables import PROTOTYPES  # only when a name is registered

    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFD", "".join(PROTOTYPES.get(c, c) for c in decomposed))


def _character(char: str) -> str:
    return f"{codepoint(char)} ({unicodedata.name(char, 'unnamed').lower()})"


def _foreign(char: str) -> bool:
    category = unicodedata.category(char)
    if category[0] == "L":
        return not unicodedata.name(char, "").startswith("LATIN ")
    return category == "Nd" and not char.isascii()


def refuse_lookalike(name: str, known: Iterable[str], what: str) -> None:
    """Raise :class:`InvalidInput` when the new ``name`` of a ``what`` (person, unit,
    cluster) looks like one of ``known``, holds a compatibility character, or a letter or
    digit of another script than Latin."""
    key = skeleton(name)
    alike = next((k for k in known if k != name and skeleton(k) == key), None)
    if alike is not None:
        raise InvalidInput(f"{what} {escape(repr(name))} looks like {escape(repr(alike))}, "
                           f"already registered: use that {what}, or a name that cannot be "
                           "mistaken for it")
    plain = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", name))
    if plain != name:
        odd = next(c for c in name if unicodedata.normalize("NFKC", c) != c)
        raise InvalidInput(f"{what} {escape(repr(name))} contains {_character(odd)}, a "
                           f"compatibility form: type it {escape(repr(plain))}")
    odd = next((c for c in name if _foreign(c)), None)
    if odd is not None:
        word = next(w for w in name.split() if odd in w)
        raise InvalidInput(f"{what} {escape(repr(name))} contains {_character(odd)} in "
                           f"{escape(repr(word))}: names are written in Latin letters "
                           "(Vietnamese ones included) and the digits 0-9")
