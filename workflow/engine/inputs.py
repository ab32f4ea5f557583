"""Checking and converting the inputs of a step against what its definition declares.

Inputs arrive as text from the CLI or as typed values from Python; both end as JSON values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thidua.workflow.errors import InvalidInput
from thidua.workflow.language.model import Definition, InputSpec


@dataclass(frozen=True)
class Attachment:
    """A file given with a step, before it is stored."""

    name: str
    content: bytes

    @classmethod
    def from_path(cls, path: str) -> Attachment:
        """Read the file at ``path``."""
        file = Path(path)
        try:
            return cls(file.name, file.read_bytes())
        except OSError as exc:
            raise InvalidInput(f"cannot read the document {path!r}: {exc.strerror}") from None

    @property
    def sha256(self) -> str:
        """The document's identity."""
        return hashlib.sha256(self.content).hexdigest()

    def ref(self) -> dict[str, Any]:
        """How the step's inputs and the ledger refer to it."""
        return {"sha256": self.sha256, "name": self.name, "size": len(self.content)}

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
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("must be a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


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


def _pairs(value: Any, what: str) -> dict[str, Any]:
    """A mapping from JSON (``{"a": 1}``) or from ``a=1,b=2`` text."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise ValueError(f"is not valid JSON ({what})") from None
        else:
            pairs = [part.partition("=") for part in text.split(",") if part.strip()]
            if any(not sep for _, sep, _ in pairs):
                raise ValueError(f"must be {what}")
            value = {k.strip(): v.strip() for k, _, v in pairs}
    if not isinstance(value, dict):
        raise ValueError(f"must be {what}")
    return value


def _tally(value: Any) -> dict[str, int]:
    votes = _pairs(value, "votes per candidate (name=votes,...)")
    try:
        counted = {name: _integer(n) for name, n in votes.items()}
    except ValueError:
        raise ValueError("must give a whole number of votes for each candidate") from None
    if any(n < 0 for n in counted.values()):
        raise ValueError("cannot give a negative number of votes")
    return counted


def _document(value: Any) -> dict[str, Any]:
    if not isinstance(value, Attachment):
        raise ValueError("must be a document (on the command line: @FILE)")
    return value.ref()


def _documents(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [_document(item) for item in items]


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "integer": _integer, "number": _number, "list": _list,
    "date": _date, "bool": _bool, "tally": _tally, "award": _text,
    "document": _document, "documents": _documents,
}


def _scores(definition: Definition, value: Any) -> dict[str, float]:
    sheet = definition.score_sheet
    assert sheet is not None  # checked when the definition loaded
    given = _pairs(value, "points per criterion (criterion=points,...)")
    scores: dict[str, float] = {}
    problems = []
    caps = sheet.caps()
    for key, points in given.items():
        if key not in caps:
            problems.append(f"unknown criterion {key!r}")
            continue
        number = float(_number(points))
        if not 0 <= number <= caps[key]:
            problems.append(f"{key} must be between 0 and {caps[key]:g}, not {number:g}")
        scores[key] = number
    missing = [c.id for c in sheet.criteria if c.id not in given]
    if missing:
        problems.append("no points for " + ", ".join(missing))
    if problems:
        raise ValueError("; ".join(problems))
    return scores


def _convert(definition: Definition | None, spec: InputSpec, value: Any) -> Any:
    if spec.type == "scores" and definition is not None:
        return _scores(definition, value)
    converted = CONVERTERS[spec.type](value)
    if spec.type == "award" and definition is not None and converted not in definition.awards:
        raise ValueError("must be an award of the catalogue: " + ", ".join(definition.awards))
    return converted


def check_inputs(trigger: str, specs: dict[str, InputSpec], given: dict[str, Any],
                 definition: Definition | None = None) -> dict[str, Any]:
    """The converted inputs; raise :class:`InvalidInput` naming every problem at once."""
    problems = [f"unknown input {name!r}" for name in given if name not in specs]
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in given or given[name] in (None, ""):
            if spec.required:
                problems.append(f"missing input {name!r} ({spec.type})")
            continue
        try:
            values[name] = _convert(definition, spec, given[name])
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
