"""Comparing the stored directory tables with the rows the ledger gives, by natural keys.

The tables hold ids where the events hold names: the stored rows are first named (an id that
names nothing becomes ``#ID``, which no event gives). Rows are matched key by key as multisets
(a person may hold two grants of one role in one scope), so the order of ids does not matter;
what is left over on either side is a divergence, named with its table and key:

- ``grants: administrator for Mallory has no event`` (a row no event wrote);
- ``memberships: Hà Nội in Cụm 5 from 2023-01-01 is missing (event 3 writes it)``;
- ``actors Mallory: login is 'mallory', the ledger gives None`` (a field changed).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection

from thidua.store import records
from thidua.workflow.audit.directory_replay import Expected, Window
from thidua.workflow.i18n import _

Row = tuple[tuple[Any, ...], tuple[Any, ...]]

FIELDS = {
    "definitions": ("def_id", "version", "title", "effective_from", "published_by", "status"),
    "units": (),
    "clusters": ("kind",),
    "memberships": ("left_on",),
    "leaderships": ("head", "deputy"),
    "leadership_changes": ("head", "deputy"),
    "mergers": ("into", "merged_on"),
    "actors": ("unit", "login", "disabled_on"),
    "grants": ("revoked_on",),
    "delegations": ("revoked_on",),
    "settings": ("value",),
}


def _scope(cluster: str | None, period: int | None) -> str:
    return (f" in {cluster}" if cluster else "") + (f" for {period}" if period else "")


KEYS: dict[str, Callable[..., str]] = {
    "definitions": lambda digest: digest[:12],
    "units": lambda name: name,
    "clusters": lambda name: name,
    "memberships": lambda cluster, unit, day: _("{unit} in {cluster} from {day}").format(
                                                  unit=unit, cluster=cluster, day=day),
    "leaderships": lambda cluster, period: f"{cluster} {period}",
    "leadership_changes": lambda cluster, period, day: f"{cluster} {period} from {day}",
    "mergers": lambda unit: unit,
    "actors": lambda name: name,
    "grants": lambda actor, role, cluster, period: f"{role} for {actor}{_scope(cluster, period)}",
    "delegations": lambda login, actor: f"login {login} for {actor}",
    "settings": lambda key: key,
}


def stored(conn: Connection) -> dict[str, list[Row]]:
    """Every directory table's rows as (natural key, other fields), ids replaced by names."""
    read = {table: records.directory(conn, table) for table in records.DIRECTORY}
    units = {r.id: r.name for r in read["units"]}
    clusters = {r.id: r.name for r in read["clusters"]}
    actors = {r.id: r.name for r in read["actors"]}

    def unit(i: int | None) -> str | None:
        return None if i is None else units.get(i, f"#{i}")

    def cluster(i: int | None) -> str | None:
        return None if i is None else clusters.get(i, f"#{i}")

    def actor(i: int) -> str:
        return actors.get(i, f"#{i}")

    return {
        "units": [((r.name,), ()) for r in read["units"]],
        "clusters": [((r.name,), (r.kind,)) for r in read["clusters"]],
        "memberships": [((cluster(r.cluster_id), unit(r.unit_id), r.joined_on), (r.left_on,))
                        for r in read["memberships"]],
        "leaderships": [((cluster(r.cluster_id), r.period),
                         (unit(r.head_unit_id), unit(r.deputy_unit_id)))
                        for r in read["leaderships"]],
        "leadership_changes": [((cluster(r.cluster_id), r.period, r.since),
                                (unit(r.head_unit_id), unit(r.deputy_unit_id)))
                               for r in read["leadership_changes"]],
        "mergers": [((unit(r.unit_id),), (unit(r.into_unit_id), r.merged_on))
                    for r in read["mergers"]],
        "actors": [((r.name,), (unit(r.unit_id), r.login, r.disabled_on))
                   for r in read["actors"]],
        "grants": [((actor(r.actor_id), r.role, cluster(r.cluster_id), r.period),
                    (r.revoked_on,)) for r in read["grants"]],
        "delegations": [((r.login, actor(r.actor_id)), (r.revoked_on,))
                        for r in read["delegations"]],
        "settings": [((r.key,), (r.value,)) for r in read["settings"]],
    }


def stored_definitions(conn: Connection) -> list[Row]:
    """Every stored definition version as (hash, its other fields but the source)."""
    return [((r.hash,), (r.def_id, r.version, r.title, r.effective_from, r.published_by,
                         r.status)) for r in records.definitions(conn)]


def _same(expected: tuple[Any, ...], found: tuple[Any, ...]) -> bool:
    return len(expected) == len(found) and all(
        e.covers(f) if isinstance(e, Window) else e == f for e, f in zip(expected, found,
                                                                            strict=True))


def divergences(table: str, expected: list[Expected], found: list[Row]) -> Iterator[str]:
    """What differs between the rows the ledger gives for ``table`` and those stored."""
    left: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for key, fields in found:
        left.setdefault(key, []).append(fields)
    unmatched = []
    for row in expected:
        candidates = left.get(row.key, [])
        match = next((i for i, fields in enumerate(candidates) if _same(row.fields, fields)),
                     None)
        if match is None:
            unmatched.append(row)
        else:
            candidates.pop(match)
    name = _naming(KEYS[table])
    for row in unmatched:
        candidates = left.get(row.key, [])
        if candidates:
            yield f"{table} {name(*row.key)}: {_differs(table, row.fields, candidates.pop(0))}"
        else:
            by = f"event {row.seq} writes it" if row.seq else "the migrations write it"
            yield f"{table}: {name(*row.key)} is missing ({by})"
    for key, rest in left.items():
        for _row in rest:
            yield _("{table}: {name} has no event").format(table=table, name=name(*key))


def _naming(name: Callable[..., str]) -> Callable[..., str]:
    """``name``, with each text of a key that is not in NFC form said so: a row stored under
    another Unicode form of a name looks the same as the one the ledger gives."""
    def named(*key: Any) -> str:
        forms = [_form(part) for part in key if isinstance(part, str)]
        shown = "; ".join(f"{part!r} {form}" for part, form in zip(
            [p for p in key if isinstance(p, str)], forms, strict=True) if form)
        return name(*key) + (f" (stored as {shown})" if shown else "")
    return named


def _form(text: str) -> str | None:
    """None for NFC text; else the Unicode form it is in, or its first character that NFC
    changes."""
    if unicodedata.is_normalized("NFC", text):
        return None
    if unicodedata.is_normalized("NFD", text):
        return "in NFD form"
    changed = next(c for c in text if unicodedata.normalize("NFC", c) != c)
    return f"not in NFC form (U+{ord(changed):04X})"


def _differs(table: str, expected: tuple[Any, ...], found: tuple[Any, ...]) -> str:
    for label, e, f in zip(FIELDS[table], expected, found, strict=True):
        if not _same((e,), (f,)):
            return _("{label} is {f!r}, the ledger gives {e!r}").format(label=label, f=f, e=e)
    return _("differs from what the ledger gives")
