"""Definitions that extend another: ``extends: id@version`` and then only what differs.

The base is a shipped version or, when a database is at hand, a published one (see
:mod:`workflow.language.bases`). The extending file overrides by name:

- ``states`` (by ``name``), ``transitions`` (by ``trigger``) and ``scenarios`` (by ``name``) are
  lists of changes. An entry changes the fields it gives, each replacing the base's field whole,
  and inherits the rest; ``remove: true`` takes the item out; ``add: true`` adds a new, whole
  item; ``after: NAME`` places the item (new or changed) after another. A trigger that the base
  fires from several transitions is named with its ``source`` too, which then selects the
  transition (to move it elsewhere, remove it and add it anew); otherwise ``source`` is a field
  like any other.
- ``parameters`` and ``awards`` (by key): likewise, without ``after``.
- every other field (``id``, ``version``, ``title``, ``effective_from``, ``legal_basis``,
  ``roles``, ``start_roles``, ``score_sheet``) replaces the base's whole.

A name the base lacks is an error unless the entry says ``add: true``. Resolution works on the
YAML data, before pydantic sees it: the result is checked like any definition, and every part of
it remembers where it was written (:mod:`workflow.language.origins`), so that a problem names
the extending file's line, or the base file's for an inherited field. The result is stored and
hashed as the self-contained YAML that :mod:`workflow.language.writer` writes, with
``based_on: {ref, hash}`` in place of ``extends``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from thidua.workflow.errors import InvalidDefinition, Problem
from thidua.workflow.i18n import _
from thidua.workflow.language.origins import InSource, Locator, Origins
from thidua.workflow.language.reader import Path, Source, dotted

LISTS = {"states": ("state", "name"), "transitions": ("transition", "trigger"),
         "scenarios": ("scenario", "name")}
MAPPINGS = {"parameters": "parameter", "awards": "award"}
MARKS = ("add", "remove", "after")
REF = re.compile(r"^([a-z0-9][a-z0-9-]*)@(\S.*)$")


@dataclass(frozen=True)
class Base:
    """The definition extended: its ``id@version``, hash, resolved data and where each part of
    that data was written."""

    ref: str
    hash: str
    data: dict[str, Any]
    origins: Locator


@dataclass(frozen=True)
class Resolved:
    """The data of the resolved definition, and where each part was written."""

    data: dict[str, Any]
    origins: Origins


def reference(source: Source) -> tuple[str, str]:
    """The base an extending ``source`` names, and the ``id@version`` the definition will
    have (its own ``id`` and ``version``, each inherited when not given)."""
    data = source.data
    ref = data.get("extends")
    match = REF.match(ref) if isinstance(ref, str) else None
    if match is None:
        raise _invalid(source, ("extends",), _("write the definition extended as id@version "
                                               "(e.g. ccb-cluster-annual@2023.1)"))
    own_id, own_version = data.get("id", match[1]), data.get("version", match[2])
    return ref, f"{own_id}@{own_version}"


def resolve(source: Source, base: Base) -> Resolved:
    """The definition ``source`` describes: ``base`` with its changes applied."""
    merger = _Merger(source, base)
    data = merger.run()
    if merger.problems:
        raise InvalidDefinition(merger.problems)
    return Resolved(data, merger.origins)


def _invalid(source: Source, path: Path, message: str) -> InvalidDefinition:
    return InvalidDefinition([Problem(message, file=source.file, line=source.line_of(path),
                                      field=dotted(path))])


@dataclass
class _Item:
    """An item of a resolved list: its data and where it, and each field changed, came from."""

    data: dict[str, Any]
    origin: tuple[Locator, Path]
    fields: dict[str, tuple[Locator, Path]] = field(default_factory=dict)


class _Merger:
    """Applies an extending file's changes to its base, collecting every problem."""

    def __init__(self, source: Source, base: Base) -> None:
        self.source, self.base = source, base
        self.here = InSource(source)
        self.origins = Origins({(): (self.here, ())})
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str) -> None:
        """Note a problem of the extending file at ``path``."""
        self.problems.append(Problem(message, file=self.source.file,
                                     line=self.source.line_of(path), field=dotted(path)))

    def run(self) -> dict[str, Any]:
        """The resolved data, ``based_on`` after ``version``."""
        changes: dict[str, Any] = self.source.data
        if "based_on" in changes:
            self.problem(("based_on",), _("based_on is written when extends is resolved: "
                                          "leave it out of a definition that extends another"))
        own = ("extends", "based_on")
        keys = [k for k in self.base.data if k != "based_on"]
        keys += [k for k in changes if k not in self.base.data and k not in own]
        out: dict[str, Any] = {}
        for key in keys:
            if key in changes:
                self.origins.table[(key,)] = (self.here, (key,))
                out[key] = self.merge(key, self.base.data.get(key), changes[key])
            else:
                self.origins.table[(key,)] = (self.base.origins, (key,))
                out[key] = self.base.data[key]
        self.origins.table[("based_on",)] = (self.here, ("extends",))
        return _after_version(out, "based_on", {"ref": self.base.ref, "hash": self.base.hash})

    def merge(self, key: str, before: Any, after: Any) -> Any:
        """One top-level field: named collections entry by entry, any other field whole."""
        if key in LISTS:
            return self.merge_list(key, before or [], after)
        if key in MAPPINGS:
            return self.merge_mapping(key, before or {}, after)
        return after

    def merge_list(self, key: str, before: list[Any], after: Any) -> list[Any]:
        """States, transitions or scenarios: each entry of ``after`` changes, adds or removes
        one item of ``before``."""
        noun, _field = LISTS[key]
        if not isinstance(after, list):
            self.problem((key,), _("list the {noun}s to change, add or remove").format(
                                     noun=noun))
            return before
        items = [_Item(dict(item), (self.base.origins, (key, j)))
                 for j, item in enumerate(before)]
        for k, entry in enumerate(after):
            _ListChange(self, key, (key, k), entry).apply(items)
        for i, item in enumerate(items):
            self.origins.table[(key, i)] = item.origin
            for name, origin in item.fields.items():
                self.origins.table[(key, i, name)] = origin
        return [item.data for item in items]

    def merge_mapping(self, key: str, before: dict[str, Any], after: Any) -> dict[str, Any]:
        """Parameters or awards: each entry changes, adds or removes the one of that name."""
        if not isinstance(after, dict):
            self.problem((key,), _("give the {MAPPINGS}s to change, add or remove, by name").format(
                                     MAPPINGS=MAPPINGS[key]))
            return before
        out = dict(before)
        for name in before:
            self.origins.table[(key, name)] = (self.base.origins, (key, name))
        for name, entry in after.items():
            self.mapping_entry(key, out, name, entry)
        return out

    def mapping_entry(self, key: str, out: dict[str, Any], name: str, entry: Any) -> None:
        """Apply one entry of ``parameters`` or ``awards`` to ``out``."""
        noun, where = MAPPINGS[key], (key, name)
        marks = self.marks(where, entry, noun, allowed=("add", "remove"))
        if marks is None:
            return
        fields = {f: v for f, v in entry.items() if f not in ("add", "remove")}
        if marks.get("add"):
            if name in out:
                self.problem(where, _("{noun} {name!r} is already in {ref}: leave out add: "
                                      "true to change it").format(
                                        noun=noun, name=name, ref=self.base.ref))
                return
            out[name] = fields
            self.origins.table[where] = (self.here, where)
        elif name not in out:
            self.problem(where, _("{ref} has no {noun} {name!r} (to add one, write add: "
                                  "true)").format(
                                    ref=self.base.ref, noun=noun, name=name))
        elif marks.get("remove"):
            if fields:
                self.problem(where, _("remove: true takes no other field"))
            del out[name]
        else:
            out[name] = {**out[name], **fields}
            for f in fields:
                self.origins.table[(*where, f)] = (self.here, (*where, f))

    def marks(self, where: Path, entry: Any, noun: str,
              allowed: tuple[str, ...] = MARKS) -> dict[str, Any] | None:
        """The ``add``, ``remove`` and ``after`` of a change, checked; None when the entry
        cannot be a change."""
        if not isinstance(entry, dict):
            self.problem(where, _("a change of a {noun} is a mapping of the fields it "
                                  "changes (or remove: true)").format(noun=noun))
            return None
        marks = {m: entry[m] for m in allowed if m in entry}
        for mark in ("add", "remove"):
            if not isinstance(marks.get(mark, False), bool):
                self.problem((*where, mark), _("{mark}: write true, or leave it out").format(
                                                 mark=mark))
                return None
        if "after" in marks and not isinstance(marks["after"], str):
            self.problem((*where, "after"), _("after: name the {noun} to place it after").format(
                                                noun=noun))
            return None
        if marks.get("add") and marks.get("remove"):
            self.problem(where, _("add and remove cannot both be true"))
            return None
        return marks


def _after_version(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``data`` with ``key`` set to ``value`` right after ``version`` (first without one)."""
    out: dict[str, Any] = {} if "version" in data else {key: value}
    for name, item in data.items():
        out[name] = item
        if name == "version":
            out[key] = value
    return out


def _sources(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else None


class _ListChange:
    """One entry of ``states``, ``transitions`` or ``scenarios`` in an extending file."""

    def __init__(self, merger: _Merger, key: str, where: Path, entry: Any) -> None:
        self.merger, self.key, self.where, self.entry = merger, key, where, entry
        self.noun, self.name_field = LISTS[key]

    def apply(self, items: list[_Item]) -> None:
        """Change, add, remove or move one item of ``items``."""
        marks = self.merger.marks(self.where, self.entry, self.noun)
        if marks is None:
            return
        name = self.entry.get(self.name_field)
        if not isinstance(name, str):
            self.merger.problem(self.where, _("names no {noun}: give its {name_field}").format(
                                                noun=self.noun, name_field=self.name_field))
            return
        if marks.get("add"):
            self.add(items, name, marks.get("after"))
            return
        index, selectors = self.find(items, name)
        if index is None:
            return
        fields = {f: v for f, v in self.entry.items() if f not in MARKS and f not in selectors}
        if marks.get("remove"):
            if fields or "after" in marks:
                self.merger.problem(self.where, _("remove: true takes no other field than "
                                                  "{selectors}").format(
                                                    selectors=" and ".join(selectors)))
            del items[index]
            return
        item = items[index]
        item.data.update(fields)
        item.fields.update({f: (self.merger.here, (*self.where, f)) for f in fields})
        if "after" in marks:
            self.place(items, items.pop(index), marks["after"])

    def add(self, items: list[_Item], name: str, after: str | None) -> None:
        """A new item, whole, at the end or after another."""
        if self.key != "transitions" and any(i.data.get(self.name_field) == name for i in items):
            self.merger.problem(self.where, _("{noun} {name!r} is already in {ref}: leave "
                                              "out add: true to change it").format(
                                                noun=self.noun, name=name,
                                                ref=self.merger.base.ref))
            return
        data = {f: v for f, v in self.entry.items() if f not in MARKS}
        item = _Item(data, (self.merger.here, self.where))
        if after is None:
            items.append(item)
        else:
            self.place(items, item, after)

    def find(self, items: list[_Item], name: str) -> tuple[int | None, tuple[str, ...]]:
        """The index of the item this entry names, and the fields that named it."""
        found = [i for i, item in enumerate(items) if item.data.get(self.name_field) == name]
        ref = self.merger.base.ref
        if not found:
            self.merger.problem((*self.where, self.name_field),
                                _("{ref} has no {noun} {name!r} (to add one, write add: "
                                  "true)").format(
                                    ref=ref, noun=self.noun, name=name))
            return None, ()
        if len(found) == 1:
            return found[0], (self.name_field,)
        if self.key != "transitions":
            self.merger.problem(self.where, _("{ref} has several {noun}s named {name!r}: "
                                              "which one is meant cannot be told").format(
                                                ref=ref, noun=self.noun, name=name))
            return None, ()
        sources = _sources(self.entry.get("source"))
        chosen = [i for i in found if sources is not None
                  and set(_sources(items[i].data.get("source")) or []) == set(sources)]
        if len(chosen) != 1:
            each = "; from ".join(", ".join(_sources(items[i].data.get("source")) or [])
                                  for i in found)
            self.merger.problem(self.where, _("{name} has several transitions (from {each}): "
                                              "give the source of the one meant").format(
                                                name=name, each=each))
            return None, ()
        return chosen[0], (self.name_field, "source")

    def place(self, items: list[_Item], item: _Item, after: str) -> None:
        """Insert ``item`` right after the (last) item named ``after``."""
        named = [i for i, other in enumerate(items) if other.data.get(self.name_field) == after]
        if not named:
            self.merger.problem((*self.where, "after"),
                                _("no {noun} {after!r} to place it after").format(
                                    noun=self.noun, after=after))
            items.append(item)
            return
        items.insert(named[-1] + 1, item)
