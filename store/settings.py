"""Queries on the settings of a database (its business time zone, its document size limit):
one text value per key, read and written as text. The workflow layer checks what a value
means."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, bindparam, insert, select, update

from thidua.store import tables as t
from thidua.store.query import run

if TYPE_CHECKING:
    from thidua.store.query import Target

TIME_ZONE = "time_zone"

_SETTINGS = t.settings
_GET = select(t.settings.c.value).where(t.settings.c.key == bindparam("key"))
_ADD = insert(_SETTINGS)
_SET = update(_SETTINGS).where(_SETTINGS.c.key == bindparam("setting"))


def get(target: Target, key: str) -> str | None:
    """The value of setting ``key``, or None when the database has none."""
    value: str | None = run(target, _GET, key=key).scalar()
    return value


def put(target: Target, key: str, value: str) -> None:
    """Set ``key`` to ``value`` (added when the database has no such setting)."""
    changed = cast(CursorResult[Any], run(target, _SET, setting=key, value=value))
    if changed.rowcount == 0:
        run(target, _ADD, key=key, value=value)


_LEDGER = t.ledger.c
_EVENTS = (select(_LEDGER.trigger, _LEDGER.inputs)
           # Administrative events have no cycle: the cycle index finds them without a scan
           # of the cycles' steps.
           .where(_LEDGER.cycle_id.is_(None), _LEDGER.kind == "admin",
                  _LEDGER.trigger.in_(bindparam("triggers", expanding=True)))
           .order_by(_LEDGER.seq))


def events(target: Target, triggers: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """The (trigger, decoded inputs) of the administrative events among ``triggers`` that
    change a setting, oldest first."""
    return [(trigger, json.loads(inputs))
            for trigger, inputs in run(target, _EVENTS, triggers=list(triggers))]
