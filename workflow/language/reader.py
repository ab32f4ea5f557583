"""A safe YAML reader that remembers where each value stands in its file.

YAML 1.1 reads ``on``/``off``/``yes``/``no`` as booleans; an administrator writing ``no`` as a
label would be silently surprised, so only ``true`` and ``false`` are booleans here. Duplicate
keys are an error rather than a silent overwrite.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from thidua.workflow import limits
from thidua.workflow.errors import InvalidDefinition, Problem
from thidua.workflow.i18n import _

Path = tuple[str | int, ...]


class Bound(yaml.MarkedYAMLError):
    """A text beyond a bound of :mod:`workflow.limits`, found while composing it."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans, that stops composing at the nesting bound
    (its composer recurses once a level)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > limits.YAML_MAX_DEPTH + 1:
                raise Bound(None, None, _too_deep(), self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# YAML 1.2 has neither the yes/no booleans nor an implicit timestamp type: dates stay text and
# pydantic parses them, so an impossible date is a plain message, not a crash.
_DROPPED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class Source:
    """Parsed YAML data with the line of every value, keyed by its path."""

    file: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


def _too_many() -> str:
    return (_("more than {YAML_MAX_NODES} values (aliases count each time they are used): "
               "the limit of a definition").format(YAML_MAX_NODES=limits.YAML_MAX_NODES))


def _too_deep() -> str:
    return _("nested deeper than {YAML_MAX_DEPTH} levels: the limit of a definition").format(
                YAML_MAX_DEPTH=limits.YAML_MAX_DEPTH)


class _Walk:
    """One walk over a composed document: the line of every value, duplicate keys refused,
    and the bounds of :mod:`workflow.limits` held (an alias is walked as often as it is used,
    so its expansion counts in full, and the walk stops at the first bound crossed)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path, int] = {}
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()

    def refuse(self, line: int, message: str) -> InvalidDefinition:
        return InvalidDefinition([Problem(message, file=self.file, line=line)])

    def count(self, node: yaml.Node, depth: int, used_at: int) -> None:
        """Count ``node`` against the bounds; ``used_at`` is the line that names it (for an
        alias, the line of its use rather than of its anchor)."""
        again = isinstance(node, yaml.CollectionNode) and id(node) in self.seen
        line = used_at if again else node.start_mark.line + 1
        self.nodes += 1
        if self.nodes > limits.YAML_MAX_NODES:
            raise self.refuse(line, _too_many())
        if depth > limits.YAML_MAX_DEPTH:
            raise self.refuse(line, _too_deep())
        if again:
            self.aliases += 1
            if self.aliases > limits.YAML_MAX_ALIASES:
                raise self.refuse(line, _("more than {YAML_MAX_ALIASES} uses of aliases: the "
                                          "limit of a definition").format(
                                            YAML_MAX_ALIASES=limits.YAML_MAX_ALIASES))
        elif isinstance(node, yaml.CollectionNode):
            self.seen.add(id(node))

    def walk(self, node: yaml.Node, path: Path, depth: int = 0, used_at: int = 1) -> None:
        """Record the line of ``node`` and of everything under it, within the bounds."""
        self.count(node, depth, used_at)
        line = self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                key_line = key_node.start_mark.line + 1
                if key in seen:
                    raise InvalidDefinition([Problem(_("duplicate key {key!r}").format(
                        key=key), file=self.file,
                                                     line=key_line,
                                                     field=_dotted((*path, key)))])
                seen.add(key)
                self.walk(value_node, (*path, key), depth + 1, key_line)
                self.lines[(*path, key)] = key_line
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index), depth + 1, line)


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# libyaml, where installed, reads a definition ten times faster (every `cycle show` reads one).
# It resolves and constructs with the same classes, so a valid document reads the same; one it
# refuses is read again by the pure-Python loader, so that the messages stay those above.
_FastLoader: type[Any] | None = None
if hasattr(yaml, "CSafeLoader"):
    _FastLoader = type("_FastLoader", (yaml.CSafeLoader,),
                       {"yaml_implicit_resolvers": _Loader.yaml_implicit_resolvers})


def _prescan(text: str, file: str, loader_class: type[Any]) -> None:
    """Count the values and levels of ``text`` from its parser's events, which cost a tenth
    of building nodes: past a bound, it is refused before any node is built."""
    loader = loader_class(text)
    try:
        depth = values = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.NodeEvent):
                values += 1
                if values > limits.YAML_MAX_NODES:
                    raise _Walk(file).refuse(_line(event), _too_many())
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.YAML_MAX_DEPTH + 1:
                    raise _Walk(file).refuse(_line(event), _too_deep())
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _line(event: Any) -> int:
    """The line (from 1) where a parser's event begins."""
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 1


def _composed(text: str, file: str, loader_class: type[Any]) -> tuple[yaml.Node, Any, _Walk]:
    """Compose ``text`` once, walk it within the bounds, then build its data from the same
    nodes (each anchored value is built once, whatever the number of its aliases)."""
    _prescan(text, file, loader_class)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InvalidDefinition([Problem(_("the file is empty"), file=file, line=1)])
        walked = _Walk(file)
        walked.walk(node, ())
        return node, loader.construct_document(node), walked
    finally:
        loader.dispose()


def _compose_and_load(text: str, file: str) -> tuple[Any, _Walk]:
    if _FastLoader is not None:
        try:
            return _composed(text, file, _FastLoader)[1:]
        except yaml.YAMLError:
            pass
    return _composed(text, file, _Loader)[1:]


def read_yaml(text: str, file: str) -> Source:
    """Parse ``text`` safely; a syntax error becomes :class:`InvalidDefinition` with its line,
    and so does a text beyond the bounds of :mod:`workflow.limits` (size, nesting, values)."""
    if len(text) > limits.YAML_MAX_BYTES or (
            len(text) * 4 > limits.YAML_MAX_BYTES
            and len(text.encode("utf-8", "surrogatepass")) > limits.YAML_MAX_BYTES):
        raise InvalidDefinition([Problem(
            _("larger than {size_text}: the limit of a definition").format(
                size_text=limits.size_text(limits.YAML_MAX_BYTES)),
            file=file)])
    try:
        data, walked = _compose_and_load(text, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        text_ = str(exc.problem) if isinstance(exc, Bound) else \
            _("not valid YAML: {problem}").format(problem=exc.problem or exc.context)
        context = exc.context_mark
        if exc.problem and exc.context and context is not None and context.line + 1 != line:
            text_ += f" ({exc.context}, line {context.line + 1})"
        problem = Problem(text_, file=file, line=line)
        raise InvalidDefinition([problem]) from None
    except yaml.YAMLError as exc:
        raise InvalidDefinition([Problem(_("not valid YAML: {exc}").format(
            exc=exc), file=file)]) from None
    return Source(file=file, data=data, lines=walked.lines)


@functools.lru_cache(maxsize=32)
def read_cached(text: str, file: str) -> Source:
    """:func:`read_yaml`, once per text and file name; the result is shared: never change it."""
    return read_yaml(text, file)


dotted = _dotted
