"""The JSON Schema of the definition format (``thidua def schema``), for editors.

It is pydantic's schema of :class:`Definition`, with the short forms the reader accepts (a
guard as a bare name or ``{name: {params}}``, a ``source`` as one state) stated in the models
themselves, and a second form for a file that ``extends:`` another: every field optional, the
entries of ``states``, ``transitions``, ``scenarios``, ``parameters`` and ``awards`` partial
changes with ``add``, ``remove`` and ``after`` (see :mod:`workflow.language.extends`). A file
with ``extends`` is checked against the second form, any other against the first.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from thidua.workflow.language.extends import LISTS
from thidua.workflow.language.model import ID_PATTERN, Definition

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ITEMS = {"states": "State", "transitions": "Transition", "scenarios": "Scenario",
         "parameters": "Parameter", "awards": "Award"}
MARK_SCHEMAS: dict[str, dict[str, Any]] = {
    "add": {"type": "boolean", "description": "true: a new item, given whole"},
    "remove": {"type": "boolean", "description": "true: take the base's item out"},
    "after": {"type": "string", "description": "place the item after the one of this name"},
}


def definition_schema() -> dict[str, Any]:
    """The JSON Schema of a definition file, plain or extending another."""
    plain = Definition.model_json_schema()
    defs: dict[str, Any] = plain.pop("$defs")
    defs["Definition"] = plain
    for key, model in ITEMS.items():
        marks = ("add", "remove", "after") if key in LISTS else ("add", "remove")
        keep = (LISTS[key][1],) if key in LISTS else ()
        defs[f"{model}Change"] = _change(defs[model], marks, keep)
    defs["Extension"] = _extension(plain)
    return {
        "$schema": DIALECT,
        "title": "thidua cycle definition",
        "description": "A cycle definition of thidua, or the differences of one that extends "
                       "another (extends: id@version).",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/Extension"},
        "else": {"$ref": "#/$defs/Definition"},
        "$defs": defs,
    }


def schema_json() -> str:
    """:func:`definition_schema` as indented JSON text."""
    return json.dumps(definition_schema(), ensure_ascii=False, indent=2)


def _change(item: dict[str, Any], marks: tuple[str, ...], keep: tuple[str, ...]
            ) -> dict[str, Any]:
    """An entry that changes, adds or removes one item: its fields, each optional but the
    name, and the marks."""
    change = copy.deepcopy(item)
    change["title"] = f"{item.get('title', 'Item')} (change)"
    change["properties"] = {**change["properties"], **{m: MARK_SCHEMAS[m] for m in marks}}
    change["required"] = [name for name in keep if name in change["properties"]]
    if not change["required"]:
        change.pop("required")
    return change


def _extension(plain: dict[str, Any]) -> dict[str, Any]:
    """The top level of a definition that extends another."""
    properties = {name: schema for name, schema in plain["properties"].items()
                  if name != "based_on"}
    for key, model in ITEMS.items():
        ref = {"$ref": f"#/$defs/{model}Change"}
        properties[key] = ({"type": "array", "items": ref} if key in LISTS else
                           {"type": "object", "additionalProperties": ref})
    return {
        "title": "Extension",
        "description": "Only the differences from the definition named by extends.",
        "type": "object",
        "properties": {
            "extends": {"type": "string", "pattern": ID_PATTERN[:-1] + "@.+$",
                        "description": "the definition extended, as id@version"},
            **properties,
        },
        "required": ["extends"],
        "additionalProperties": False,
    }
