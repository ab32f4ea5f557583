"""Checking and converting the inputs of a step against what its definition declares.

Inputs arrive as text from the CLI or as typed values from Python; both end as JSON values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from thidua.workflow import limits
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.language.model import Definition, InputSpec
from thidua.workflow.names import visible


class Attachment:
    """A document given with a step, before it is stored: its name, and its content, either
    held (a few bytes a scenario writes) or in a file that is read a chunk at a time and never
    whole. Its size is known before anything is read; its SHA-256 is computed once, a chunk
    at a time, when first asked for."""

    def __init__(self, name: str, content: bytes | None = None, *, path: str | None = None,
                 size: int | None = None) -> None:
        if (content is None) == (path is None):
            raise ValueError(_("an attachment has either content or a path"))
        self.name = name
        self.content = content
        self.path = path
        self.size = len(content) if content is not None else int(size or 0)
        self._sha256: str | None = None

    def __repr__(self) -> str:
        return f"Attachment({self.name!r}, {self.size} bytes)"

    @classmethod
    def from_path(cls, path: str) -> Attachment:
        """The regular file at ``path``, measured but not read."""
        file = Path(path)
        try:
            info = file.stat()
            if not stat.S_ISREG(info.st_mode):
                raise InvalidInput(_("cannot read the document {path!r}: not a regular "
                                     "file").format(
                                       path=path))
            with file.open("rb"):
                pass  # readable: refused now rather than in the middle of a step
        except OSError as exc:
            raise InvalidInput(_("cannot read the document {path!r}: {strerror}").format(
                                   path=path, strerror=exc.strerror)) from None
        return cls(file.name, path=str(file), size=info.st_size)

    def chunks(self) -> Iterator[bytes]:
        """The content, a chunk at a time; a file whose size changed since it was measured
        is bad input (nothing is recorded)."""
        if self.content is not None:
            for start in range(0, len(self.content), CHUNK):
                yield self.content[start:start + CHUNK]
            return
        assert self.path is not None
        read = 0
        try:
            with open(self.path, "rb") as file:
                while read <= self.size and (chunk := file.read(CHUNK)):
                    read += len(chunk)
                    if read <= self.size:
                        yield chunk
        except OSError as exc:
            raise InvalidInput(_("cannot read the document {path!r}: {strerror}").format(
                                   path=self.path, strerror=exc.strerror)) \
                from None
        if read != self.size:
            raise InvalidInput(_("the document {path!r} changed while it was read ({size} "
                                 "bytes, then {read}); nothing was recorded").format(
                                   path=self.path, size=self.size, read=read))

    @property
    def sha256(self) -> str:
        """The document's identity."""
        if self._sha256 is None:
            digest = hashlib.sha256()
            for chunk in self.chunks():
                digest.update(chunk)
            self._sha256 = digest.hexdigest()
        return self._sha256

    def ref(self) -> dict[str, Any]:
        """How the step's inputs and the ledger refer to it."""
        return {"sha256": self.sha256, "name": self.name, "size": self.size}


CHUNK = 1 << 20  # bytes of a document read at a time


def _text(value: Any) -> str:
    if not isinstance(value, str) or not visible(value):
        raise ValueError(_("must be a non-empty text (white space and invisible characters "
                           "alone are empty)"))
    return value.strip()


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("must be a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(_("must be a whole number"))


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError(_("must be a number"))
    if isinstance(value, int | float):
        return value
    try:
        return _integer(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(_("must be a number")) from None
    if not math.isfinite(number):
        raise ValueError(_("must be a finite number"))
    return number


def _json(text: str, invalid: str) -> Any:
    """JSON typed as an input, within the bounds of :mod:`workflow.limits`."""
    try:
        return limits.load_json(text, max_bytes=limits.INPUT_MAX_BYTES,
                                max_depth=limits.INPUT_MAX_DEPTH)
    except limits.TooLarge as exc:
        raise ValueError(f"is {exc}") from None
    except ValueError:
        raise ValueError(invalid) from None


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = _json(text, _("is not a valid JSON list"))
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and visible(v) for v in value):
        raise ValueError(_("must be a list of texts (a,b,c or a JSON list), none of them empty"))
    return [v.strip() for v in value]


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(_("must be a date YYYY-MM-DD")) from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise ValueError(_("must be true or false"))


def _pairs(value: Any, what: str) -> dict[str, Any]:
    """A mapping from JSON (``{"a": 1}``) or from ``a=1,b=2`` text."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = _json(text, _("is not valid JSON ({what})").format(what=what))
        else:
            pairs = [part.partition("=") for part in text.split(",") if part.strip()]
            if any(not sep for _, sep, _ in pairs):
                raise ValueError(_("must be {what}").format(what=what))
            value = {k.strip(): v.strip() for k, _, v in pairs}
    if not isinstance(value, dict):
        raise ValueError(_("must be {what}").format(what=what))
    return value


def _tally(value: Any) -> dict[str, int]:
    votes = _pairs(value, _("votes per candidate (name=votes,...)"))
    try:
        counted = {name: _integer(n) for name, n in votes.items()}
    except ValueError:
        raise ValueError(_("must give a whole number of votes for each candidate")) from None
    if any(n < 0 for n in counted.values()):
        raise ValueError(_("cannot give a negative number of votes"))
    return counted


def _document(value: Any) -> dict[str, Any]:
    if not isinstance(value, Attachment):
        raise ValueError(_("must be a document (on the command line: @FILE)"))
    return value.ref()


def _documents(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [_document(item) for item in items]


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "integer": _integer, "number": _number, "list": _list,
    "date": _date, "bool": _bool, "tally": _tally, "award": _text,
    "document": _document, "documents": _documents,
    # names of the directory: checked against it by :mod:`workflow.engine.named`
    "person": _text, "people": _list, "unit": _text, "units": _list,
}


def _scores(definition: Definition, value: Any) -> dict[str, float]:
    sheet = definition.score_sheet
    assert sheet is not None  # checked when the definition loaded
    given = _pairs(value, _("points per criterion (criterion=points,...)"))
    scores: dict[str, float] = {}
    problems = []
    caps = sheet.caps()
    for key, points in given.items():
        if key not in caps:
            problems.append(_("unknown criterion {key!r}").format(key=key))
            continue
        number = float(_number(points))
        if not 0 <= number <= caps[key]:
            problems.append(_("{key} must be between 0 and {caps:g}, not {number:g}").format(
                                key=key, caps=caps[key], number=number))
        scores[key] = number
    missing = [c.id for c in sheet.criteria if c.id not in given]
    if missing:
        problems.append(_("no points for {missing}").format(missing=", ".join(missing)))
    if problems:
        raise ValueError("; ".join(problems))
    return scores


def _convert(definition: Definition | None, spec: InputSpec, value: Any) -> Any:
    if spec.type == "scores" and definition is not None:
        return _scores(definition, value)
    converted = CONVERTERS[spec.type](value)
    if spec.type == "award" and definition is not None and converted not in definition.awards:
        raise ValueError(_("must be an award of the catalogue: {awards}").format(
                             awards=", ".join(definition.awards)))
    return converted


def check_inputs(trigger: str, specs: dict[str, InputSpec], given: dict[str, Any],
                 definition: Definition | None = None) -> dict[str, Any]:
    """The converted inputs; raise :class:`InvalidInput` naming every problem at once."""
    problems = [_("unknown input {name!r}").format(
        name=name) for name in given if name not in specs]
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in given or given[name] in (None, ""):
            if spec.required:
                problems.append(_("missing input {name!r} ({type})").format(
                                    name=name, type=spec.type))
            continue
        try:
            values[name] = _convert(definition, spec, given[name])
        except ValueError as exc:
            problems.append(f"input {name!r} {exc}")
            continue
        chosen = values[name] if isinstance(values[name], list) else [values[name]]
        if spec.choices is not None and any(v not in spec.choices for v in chosen):
            problems.append(_("input {name!r} must be one of: {choices}").format(
                                name=name, choices=', '.join(spec.choices)))
    if problems:
        expected = ", ".join(specs) or _("none")
        raise InvalidInput(f"{trigger}: " + "; ".join(problems) + f" (inputs: {expected})")
    return values
