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

from thidua.workflow.errors import InvalidDefinition, Problem

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans."""


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


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], file: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise InvalidDefinition([Problem(f"duplicate key {key!r}", file=file,
                                                 line=key_node.start_mark.line + 1,
                                                 field=_dotted((*path, key)))])
            seen.add(key)
            _walk(value_node, (*path, key), lines, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, file)


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


def _compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    if _FastLoader is not None:
        try:
            return yaml.compose(text, Loader=_FastLoader), yaml.load(text, Loader=_FastLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader), yaml.load(text, Loader=_Loader)


def read_yaml(text: str, file: str) -> Source:
    """Parse ``text`` safely; a syntax error becomes :class:`InvalidDefinition` with its line."""
    try:
        node, data = _compose_and_load(text)
        if node is None:
            raise InvalidDefinition([Problem("the file is empty", file=file, line=1)])
        lines: dict[Path, int] = {}
        _walk(node, (), lines, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        text_ = f"not valid YAML: {exc.problem or exc.context}"
        context = exc.context_mark
        if exc.problem and exc.context and context is not None and context.line + 1 != line:
            text_ += f" ({exc.context}, line {context.line + 1})"
        problem = Problem(text_, file=file, line=line)
        raise InvalidDefinition([problem]) from None
    except yaml.YAMLError as exc:
        raise InvalidDefinition([Problem(f"not valid YAML: {exc}", file=file)]) from None
    return Source(file=file, data=data, lines=lines)


@functools.lru_cache(maxsize=32)
def read_cached(text: str, file: str) -> Source:
    """:func:`read_yaml`, once per text and file name; the result is shared: never change it."""
    return read_yaml(text, file)


dotted = _dotted
