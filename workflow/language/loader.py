"""Reading definitions: file or text → YAML with lines → validated :class:`Definition`.

A definition's identity is the SHA-256 of its source text: the exact bytes an administrator
published, which an auditor can re-hash offline.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from thidua.workflow.errors import InvalidDefinition, InvalidInput, NotFound, Problem
from thidua.workflow.language.checks import StructureProblems
from thidua.workflow.language.model import Definition
from thidua.workflow.language.reader import Source, dotted, read_yaml


@dataclass(frozen=True)
class Loaded:
    """A validated definition together with its source text and content hash."""

    definition: Definition
    source: str
    hash: str
    file: str

    @property
    def ref(self) -> str:
        """``id@version``, as users name it."""
        return f"{self.definition.id}@{self.definition.version}"


def content_hash(text: str) -> str:
    """The identity of a definition: SHA-256 of its UTF-8 source text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse(text: str, file: str = "<definition>") -> Loaded:
    """Validate definition ``text``; raise :class:`InvalidDefinition` naming file, line, field."""
    return _parse_cached(text, file)


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str, file: str) -> Loaded:
    source = read_yaml(text, file)
    if not isinstance(source.data, dict):
        raise InvalidDefinition([Problem("a definition must be a mapping of fields", file=file,
                                         line=1)])
    try:
        definition = Definition.model_validate(source.data)
    except ValidationError as exc:
        raise InvalidDefinition(_pydantic_problems(exc, source)) from None
    except StructureProblems as exc:
        raise InvalidDefinition([
            Problem(message, file=file, line=source.line_of(path), field=dotted(path))
            for path, message in exc.problems
        ]) from None
    return Loaded(definition, text, content_hash(text), file)


def _pydantic_problems(exc: ValidationError, source: Source) -> list[Problem]:
    problems = []
    for err in exc.errors():
        # Drop pydantic's internal steps (e.g. 'function-after[...]') from the location.
        path = tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in str(p))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field (not part of a definition here)"
        elif err["type"] == "missing":
            message = "required field is missing"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(Problem(message[0].lower() + message[1:], file=source.file,
                                line=source.line_of(path), field=dotted(path)))
    return problems


def load_file(path: str | Path) -> Loaded:
    """Read and validate the definition file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no definition file {str(file)!r}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {str(file)!r}: {exc}") from None
    return parse(text, str(file))


def shipped_dir() -> Path:
    """The folder of the package data ``thidua.definitions`` (installed from the top-level
    ``definitions/`` folder)."""
    return Path(str(importlib.resources.files("thidua.definitions")))


def shipped_files() -> list[Path]:
    """The shipped definition files, sorted by name."""
    return sorted(shipped_dir().glob("*.yaml"))


def files_or_shipped(files: list[str]) -> list[str]:
    """``files``, or every shipped definition file when none is given."""
    paths = files or [str(p) for p in shipped_files()]
    if not paths:
        raise NotFound("no shipped definitions were found: the installation is incomplete")
    return paths


def shipped() -> list[Loaded]:
    """Every shipped definition, validated, sorted by file name."""
    return [load_file(path) for path in shipped_files()]


def find(name: str) -> Loaded:
    """A definition by file path, by ``id`` or by ``id@version`` among the shipped ones."""
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return load_file(name)
    wanted_id, _, wanted_version = name.partition("@")
    for loaded in shipped():
        d = loaded.definition
        if d.id == wanted_id and wanted_version in ("", d.version):
            return loaded
    raise NotFound(f"no shipped definition {name!r} (see: thidua def list)")


def validate_files(files: list[str]) -> list[dict[str, object]]:
    """Validate each file (every shipped one when ``files`` is empty); never raises for a bad
    definition, but reports every problem of each."""
    paths = files_or_shipped(files)
    results: list[dict[str, object]] = []
    for path in paths:
        try:
            loaded = load_file(path)
        except InvalidDefinition as exc:
            problems = [str(p) for p in exc.problems]
            results.append({"file": path, "valid": False, "problems": problems})
        except NotFound as exc:
            results.append({"file": path, "valid": False, "problems": [str(exc)]})
        else:
            results.append({"file": path, "valid": True, "ref": loaded.ref, "hash": loaded.hash,
                            "problems": []})
    return results
