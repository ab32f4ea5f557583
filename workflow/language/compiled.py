"""The compiled form of a definition version: its resolved, validated model as canonical JSON.

Parsing a definition (YAML with lines, pydantic, the checks across the whole definition) is
the slow part of reading one. It is done once, when a version is first stored; the result is
kept beside the source under the same content hash (``compiled_definitions``), and steps and
views build the model back from that JSON without validating it again. What the JSON may say
is fixed by the source: ``audit verify`` compiles every stored source again and compares, so a
compiled form changed in the database is found (exit 4).

``FORMAT`` names the shape of the JSON. A stored row of another format is never read: the
version is then parsed from its source, as if it had none.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from thidua.workflow.errors import ThiduaError
from thidua.workflow.language.loaded import Loaded
from thidua.workflow.language.model import Definition
from thidua.workflow.language.outline import FORMAT


def compile_loaded(loaded: Loaded) -> str:
    """The canonical JSON of ``loaded``'s model: sorted keys, compact, UTF-8 text."""
    data = loaded.definition.model_dump(mode="json", by_alias=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def compile_source(source: str) -> tuple[int, str] | None:
    """``(FORMAT, compiled JSON)`` of a stored source text, or None when it does not parse
    (thidua never stores such a source; ``audit verify`` names it)."""
    try:
        from thidua.workflow.language.loader import parse  # the YAML reader: on demand

        loaded = parse(source, "<stored definition>")
    except ThiduaError:  # not a definition, or a base it extends is unknown here
        return None
    return FORMAT, compile_loaded(loaded)


def load(body: str, *, source: str, content_hash: str, file: str) -> Loaded:
    """The definition ``body`` (compiled JSON of the current format) holds, built without
    parsing YAML or validating again: thidua stored it from a validated model."""
    definition = _build(Definition, json.loads(body))
    assert isinstance(definition, Definition)
    return Loaded(definition, source, content_hash, file)


def _construct(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """``model`` from its JSON dump, field by field, each built by its declared type."""
    values = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in data:
            values[name] = _build(info.annotation, data[key])
    return model.model_construct(**values)


def _build(kind: Any, value: Any) -> Any:
    """``value`` (JSON) as the Python value of type ``kind``: models, lists and mappings of
    them, dates; everything else is JSON already."""
    if value is None:
        return None
    origin = get_origin(kind)
    if origin is Annotated:
        return _build(get_args(kind)[0], value)
    if origin is Union or origin is types.UnionType:
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _construct(kind, value)
    if origin is list:
        return [_build(get_args(kind)[0], item) for item in value]
    if origin is dict:
        item_kind = get_args(kind)[1]
        return {key: _build(item_kind, item) for key, item in value.items()}
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value
