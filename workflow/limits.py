"""The bounds on what thidua reads: every definition, JSON value and bundle line is refused
beyond them before it can cost more than a moment or a little memory.

A definition's YAML is bounded by its size, its nesting and the values it expands to (an alias
counts as often as it is used, so that a few hundred bytes of aliases of aliases cannot stand
for billions of values); its scenarios by their number and the steps they take in all.
JSON given as an input, or read from a bundle, is bounded by its size and its nesting.
"""

from __future__ import annotations

import json
from typing import Any

from thidua.workflow.i18n import _

# A definition: forty times the size of the largest shipped one (26 KB), twenty times its
# values (2,415), nine times its depth (7 levels).
YAML_MAX_BYTES = 1 << 20
YAML_MAX_NODES = 50_000
YAML_MAX_ALIASES = 1_000
YAML_MAX_DEPTH = 64

# A definition's scenarios, each run on its own database by `def test`, `def publish` and
# `cycle start --draft`: seven times the shipped ones (4 scenarios; 53 steps, 110 with their
# set-ups). A step of a scenario is a step fired, or a member unit, person or role its setup
# records; at these bounds the scenarios run in a few seconds.
SCENARIOS_MAX = 30
SCENARIO_STEPS_MAX = 600

# JSON typed as a step's input (a list, the votes of a tally, the points of a score sheet).
INPUT_MAX_BYTES = 1 << 20
INPUT_MAX_DEPTH = 16

# One line of a bundle's ledger or documents list, and its manifest.
BUNDLE_MAX_LINE = 64 << 20
BUNDLE_MAX_DEPTH = 32

# A document attached to a step, unless the database's settings say otherwise.
DOCUMENT_LIMIT = 50 << 20


class TooLarge(ValueError):
    """A value beyond one of the bounds above; the message names the bound."""


def load_json(text: str | bytes, *, max_bytes: int, max_depth: int) -> Any:
    """``text`` decoded as JSON, refused (:class:`TooLarge`) when longer than ``max_bytes``
    or nested deeper than ``max_depth``; ``ValueError`` when it is not JSON. Linear in the
    size of ``text``, and never deeper in Python's stack than ``max_depth``."""
    if len(text) > max_bytes:
        raise TooLarge(_("longer than {size_text}").format(size_text=size_text(max_bytes)))
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooLarge(_("nested deeper than {max_depth} levels").format(
            max_depth=max_depth)) from None
    check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int) -> None:
    """Raise :class:`TooLarge` when lists and objects in ``value`` nest deeper than
    ``max_depth``."""
    level, frontier = 0, [value]
    while frontier:
        frontier = [child for item in frontier for child in _children(item)]
        if frontier:
            level += 1
            if level > max_depth:
                raise TooLarge(_("nested deeper than {max_depth} levels").format(
                                   max_depth=max_depth))


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, dict | list)]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict | list)]
    return []


UNITS = (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10))


def size_text(size: int) -> str:
    """``size`` bytes for a person: ``50 MB``, ``1.5 KB``, ``300 bytes``."""
    for unit, factor in UNITS:
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} bytes"


def parse_size(text: str) -> int:
    """A size as an administrator types it: ``20MB``, ``512 KB``, ``1GB``, ``1048576``
    (units of 1024); ValueError when it is not one."""
    cleaned = text.strip().upper().replace(" ", "")
    factor = 1
    for unit, value in (*UNITS, ("B", 1)):
        if cleaned.endswith(unit):
            cleaned, factor = cleaned[: -len(unit)], value
            break
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 15:
        raise ValueError(_("{text!r} is not a size (e.g. 20MB, 512KB, 1GB)").format(text=text))
    return int(cleaned) * factor


# A workbook read from a user (a unit's self-assessment): its file, what it unpacks to, how many
# parts it has, and how much of a sheet is read. A self-assessment of thirty criteria takes
# 10 KB and 40 rows; a sheet beyond these is refused, never read through.
WORKBOOK_MAX_BYTES = 5 << 20
WORKBOOK_MAX_UNPACKED = 50 << 20
WORKBOOK_MAX_PARTS = 500
SHEET_MAX_ROWS = 1_000
SHEET_MAX_COLUMNS = 26
