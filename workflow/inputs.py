"""Checking and converting the inputs of a step against what its definition declares.

Inputs arrive as text from the CLI or as typed values from Python; both end as JSON values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from workflow.definition import InputSpec
from workflow.errors import InvalidInput


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip()


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError("must be a whole number")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, int | float):
        return value
    try:
        return _integer(value)
    except ValueError:
        pass
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("must be a number") from None


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise ValueError("is not a valid JSON list") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("must be a list of texts (a,b,c or a JSON list)")
    return value


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError("must be a date YYYY-MM-DD") from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise ValueError("must be true or false")


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "integer": _integer, "number": _number, "list": _list,
    "date": _date, "bool": _bool,
}


def check_inputs(trigger: str, specs: dict[str, InputSpec],
                 given: dict[str, Any]) -> dict[str, Any]:
    """The converted inputs; raise :class:`InvalidInput` naming every problem at once."""
    problems = [f"unknown input {name!r}" for name in given if name not in specs]
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in given or given[name] in (None, ""):
            if spec.required:
                problems.append(f"missing input {name!r} ({spec.type})")
            continue
        try:
            values[name] = CONVERTERS[spec.type](given[name])
        except ValueError as exc:
            problems.append(f"input {name!r} {exc}")
            continue
        chosen = values[name] if isinstance(values[name], list) else [values[name]]
        if spec.choices is not None and any(v not in spec.choices for v in chosen):
            problems.append(f"input {name!r} must be one of: {', '.join(spec.choices)}")
    if problems:
        expected = ", ".join(specs) or "none"
        raise InvalidInput(f"{trigger}: " + "; ".join(problems) + f" (inputs: {expected})")
    return values
