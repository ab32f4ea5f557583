"""What changed between two definitions, in words an administrator reads.

States, transitions, roles, guards, effects, inputs, parameters and labels are compared one by
one; every other part of a definition (the award catalogue, the score sheet, scenarios, ...) is
compared entry by entry, so that nothing that changed goes unmentioned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from thidua.workflow.i18n import _
from thidua.workflow.language.loader import Loaded
from thidua.workflow.language.model import Definition
from thidua.workflow.services.publish import Opener, lookup

How = Literal["added", "removed", "changed"]
SPECIFIC = {"id", "version", "title", "effective_from", "legal_basis", "roles", "start_roles",
            "parameters", "states", "transitions", "based_on"}
CALLS = {"guards": "guard", "effects": "effect", "actions": "action"}


@dataclass(frozen=True)
class Change:
    """One difference: what was added, removed or changed, and the plain sentence for it."""

    change: How
    kind: str
    name: str
    field: str | None
    before: Any
    after: Any
    text: str


@dataclass(frozen=True)
class DefinitionDiff:
    """Every difference from definition ``a`` to definition ``b``."""

    a: str
    a_hash: str
    b: str
    b_hash: str
    changes: list[Change]
    a_based_on: dict[str, str] | None = None
    b_based_on: dict[str, str] | None = None

    @property
    def same(self) -> bool:
        """True when the two definitions have the same content."""
        return self.a_hash == self.b_hash


def diff_names(a: str, b: str, opener: Opener) -> DefinitionDiff:
    """Compare two definitions, each a file, ``id@version``, hash or ``id``."""
    return diff(lookup(a, opener), lookup(b, opener))


def diff(a: Loaded, b: Loaded) -> DefinitionDiff:
    """Every difference from ``a`` to ``b``. Which base each was resolved from (``based_on``)
    is said beside them, not as a change: it is where a definition came from, not what it
    does."""
    return DefinitionDiff(a.ref, a.hash, b.ref, b.hash, list(_changes(a.definition, b.definition)),
                          _based_on(a), _based_on(b))


def _based_on(loaded: Loaded) -> dict[str, str] | None:
    based_on = loaded.definition.based_on
    return None if based_on is None else {"ref": based_on.ref, "hash": based_on.hash}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _added(kind: str, name: str, after: Any, where: str = "") -> Change:
    return Change("added", kind, name, None, None, after, f"{kind} {name} added{where}")


def _removed(kind: str, name: str, before: Any, where: str = "") -> Change:
    return Change("removed", kind, name, None, before, None, f"{kind} {name} removed{where}")


def _changed(kind: str, name: str, field: str, before: Any, after: Any) -> Change:
    return Change("changed", kind, name, field, before, after,
                  _("{kind} {name}: {field} changed from {show} to {show2}").format(
                      kind=kind, name=name, field=field, show=_show(before), show2=_show(after)))


def _changes(a: Definition, b: Definition) -> Iterator[Change]:
    da, db = a.model_dump(mode="json"), b.model_dump(mode="json")
    for field in ("id", "version", "effective_from"):
        if da[field] != db[field]:
            yield _changed("definition", a.id, field, da[field], db[field])
    yield from _labels("definition", a.id, da["title"], db["title"], "title")
    for field, kind in (("legal_basis", _("legal basis")), ("roles", "role"),
                        ("start_roles", _("starting role"))):
        yield from _members(kind, da[field], db[field], "")
    yield from _keyed("parameter", da["parameters"], db["parameters"], _parameter)
    yield from _keyed("state", {s["name"]: s for s in da["states"]},
                      {s["name"]: s for s in db["states"]}, _state)
    yield from _keyed("transition", _transitions(da["transitions"]),
                      _transitions(db["transitions"]), _transition)
    for field in sorted(set(da) | set(db)):
        if field not in SPECIFIC:
            yield from _other(field, da.get(field), db.get(field))


def _members(kind: str, before: list[Any], after: list[Any], where: str,
             quote: bool = True) -> Iterator[Change]:
    for item in after:
        if item not in before:
            yield _added(kind, _show(item) if quote else item, item, where)
    for item in before:
        if item not in after:
            yield _removed(kind, _show(item) if quote else item, item, where)


def _keyed(kind: str, before: dict[str, Any], after: dict[str, Any],
           compare: Any = None) -> Iterator[Change]:
    for name, value in after.items():
        if name not in before:
            yield _added(kind, name, value)
    for name, value in before.items():
        if name not in after:
            yield _removed(kind, name, value)
        elif value != after[name]:
            if compare is None:
                yield _changed(kind, name, "content", value, after[name])
            else:
                yield from compare(name, value, after[name])


def _labels(kind: str, name: str, before: Any, after: Any, field: str = "label") -> \
        Iterator[Change]:
    if before == after:
        return
    if before is None or after is None:
        yield _changed("label", f"of {kind} {name}", field, before, after)
        return
    for lang in ("vi", "en"):
        if before[lang] != after[lang]:
            yield _changed("label", f"of {kind} {name}", f"{field} ({lang})", before[lang],
                           after[lang])


def _parameter(name: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Change]:
    for field in ("value", "basis", "effective_from"):
        if before.get(field) != after.get(field):
            yield _changed("parameter", name, field, before.get(field), after.get(field))


def _state(name: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Change]:
    for field in sorted(set(before) | set(after)):
        if field == "label":
            yield from _labels("state", name, before.get(field), after.get(field))
        elif before.get(field) != after.get(field):
            yield _changed("state", name, field, before.get(field), after.get(field))


def _transitions(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Transitions by trigger, or by trigger and sources where a trigger has several."""
    counts: dict[str, int] = {}
    for t in items:
        counts[t["trigger"]] = counts.get(t["trigger"], 0) + 1
    return {(t["trigger"] if counts[t["trigger"]] == 1
             else f"{t['trigger']} (from {', '.join(t['source'])})"): t for t in items}


def _call(call: dict[str, Any]) -> str:
    params = ", ".join(f"{k}={_show(v)}" for k, v in sorted(call["params"].items()))
    return f"{call['name']}({params})"


def _transition(name: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Change]:
    where = _(" in transition {name}").format(name=name)
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field == "roles":
            yield from _members("role", old or [], new or [], where)
        elif field in CALLS:
            yield from _members(CALLS[field], [_call(c) for c in old or []],
                                [_call(c) for c in new or []], where, quote=False)
        elif field == "label":
            yield from _labels("transition", name, old, new)
        elif field == "inputs":
            yield from _inputs(name, old or {}, new or {})
        else:
            yield _changed("transition", name, field, old, new)


def _inputs(trigger: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Change]:
    where = _(" in transition {trigger}").format(trigger=trigger)
    for name, spec in after.items():
        if name not in before:
            yield _added("input", name, spec, where)
    for name, spec in before.items():
        if name not in after:
            yield _removed("input", name, spec, where)
        elif spec != after[name]:
            for field in sorted(set(spec) | set(after[name])):
                old, new = spec.get(field), after[name].get(field)
                if field == "label":
                    yield from _labels(_("input {name} of").format(name=name), trigger, old, new)
                elif old != new:
                    yield _changed("input", f"{name} of {trigger}", field, old, new)


def _other(field: str, before: Any, after: Any) -> Iterator[Change]:
    """Any other part of a definition: entry by entry when it is a mapping or a named list."""
    kind = field.rstrip("s").replace("_", " ")
    if isinstance(before, list) and isinstance(after, list) and all(
            isinstance(x, dict) and "name" in x for x in before + after):
        before = {x["name"]: x for x in before}
        after = {x["name"]: x for x in after}
    if isinstance(before, dict) and isinstance(after, dict):
        yield from _keyed(kind, before, after)
    elif before != after:
        yield _changed("definition", field, "content", before, after)
