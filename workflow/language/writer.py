"""Writing a resolved definition as YAML: the self-contained text that is stored, hashed and
shown for a definition that extends another."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Self-contained, readable output: a value used twice (a scenario's shared setup) is
    written out twice rather than as an anchor and an alias; lists are indented under their
    key; a short mapping or list of plain values (a label, a list of roles) stays on one line."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def represent_dict(self, data: Any) -> yaml.MappingNode:
        return self.represent_mapping("tag:yaml.org,2002:map", data,
                                      flow_style=_short(list(data.values()), data))

    def represent_list(self, data: Any) -> yaml.SequenceNode:
        return self.represent_sequence("tag:yaml.org,2002:seq", data,
                                       flow_style=_short(data, data))


_Dumper.add_representer(dict, _Dumper.represent_dict)
_Dumper.add_representer(list, _Dumper.represent_list)


def _short(values: list[Any], whole: Any) -> bool:
    return all(not isinstance(v, dict | list) for v in values) and len(str(whole)) <= 80


def dump(data: dict[str, Any]) -> str:
    """The resolved definition as YAML text: what is stored, hashed and shown.

    Every plain scalar it writes reads back as the same value with the reader of
    :mod:`workflow.language.reader` (whose implicit types are a subset of those of the dumper),
    so the text parses to exactly ``data``.
    """
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
