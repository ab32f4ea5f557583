"""The settings of a database (its business time zone, its document size limit) as its ledger
gives them: the defaults a database starts with, changed by each ``db_timezone`` and
``setting`` event in turn. A step reads a setting only when the stored row agrees with this
(:func:`workflow.services.db.setting`), and ``audit verify`` compares the whole table with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from thidua.workflow.limits import DOCUMENT_LIMIT as DEFAULT_DOCUMENT_LIMIT
from thidua.workflow.timeutil import DEFAULT_ZONE

TIME_ZONE = "time_zone"
DOCUMENT_LIMIT = "document_limit"
# What the migration that made the table stored; no event records them.
DEFAULTS = {TIME_ZONE: DEFAULT_ZONE, DOCUMENT_LIMIT: str(DEFAULT_DOCUMENT_LIMIT)}
# The administrative events that change a setting.
TRIGGERS = ("db_timezone", "setting")


def change(values: dict[str, str], trigger: str, inputs: dict[str, Any]) -> str | None:
    """Apply one settings event to ``values``; the key it set (None for another trigger)."""
    if trigger == "db_timezone":
        values[TIME_ZONE] = str(inputs["time_zone"])
        return TIME_ZONE
    if trigger == "setting":
        values[str(inputs["key"])] = str(inputs["value"])
        return str(inputs["key"])
    return None


def recorded(events: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """The settings that the (trigger, inputs) of the settings events, oldest first, give."""
    values = dict(DEFAULTS)
    for trigger, inputs in events:
        change(values, trigger, inputs)
    return values
