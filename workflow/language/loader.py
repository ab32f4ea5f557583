"""Reading definitions: file or text → YAML with lines → validated :class:`Definition`.

A definition's identity is the SHA-256 of its source text: the exact bytes an administrator
published, which an auditor can re-hash offline. A definition that ``extends:`` another is
resolved first (:mod:`workflow.language.extends`); its source is then the self-contained YAML of
the result, which names its base (``based_on``) and is what is stored and hashed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thidua.workflow import limits
from thidua.workflow.errors import InvalidDefinition, InvalidInput, NotFound, Problem
from thidua.workflow.i18n import _
from thidua.workflow.language import bases, extends
from thidua.workflow.language.checks import StructureProblems
from thidua.workflow.language.loaded import Loaded
from thidua.workflow.language.model import Definition
from thidua.workflow.language.origins import InSource, Locator
from thidua.workflow.language.reader import Path as FieldPath
from thidua.workflow.language.reader import Source, dotted, read_cached, read_yaml
from thidua.workflow.language.writer import dump

MAX_CHAIN = 8  # definitions that extend one another, from the file read to the last base
_CHAIN: ContextVar[tuple[str, ...]] = ContextVar("thidua_extends_chain", default=())
_RESOLVED: dict[tuple[str, str, str, str], Loaded] = {}


def content_hash(text: str) -> str:
    """The identity of a definition: SHA-256 of its UTF-8 source text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse(text: str, file: str = "<definition>") -> Loaded:
    """Validate definition ``text``; raise :class:`InvalidDefinition` naming file, line, field.
    A definition that extends another is resolved against its base first."""
    plain = _parse_cached(text, file)
    return plain if plain is not None else _extension(text, file)


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str, file: str) -> Loaded | None:
    source = read_yaml(text, file)
    if not isinstance(source.data, dict):
        raise InvalidDefinition([Problem(_("a definition must be a mapping of fields"), file=file,
                                         line=1)])
    if "extends" in source.data:
        return None  # resolved by _extension: the outcome depends on the base, not the text
    return Loaded(_validate(source.data, InSource(source)), text, content_hash(text), file)


def _validate(data: Any, locator: Locator) -> Definition:
    try:
        return Definition.model_validate(data)
    except ValidationError as exc:
        raise InvalidDefinition(_pydantic_problems(exc, locator)) from None
    except StructureProblems as exc:
        raise InvalidDefinition([_problem(message, path, locator)
                                 for path, message in exc.problems]) from None


def _problem(message: str, path: FieldPath, locator: Locator) -> Problem:
    file, line = locator.locate(path)
    return Problem(message, file=file, line=line, field=dotted(path))


def _pydantic_problems(exc: ValidationError, locator: Locator) -> list[Problem]:
    problems = []
    for err in exc.errors():
        # Drop pydantic's internal steps (e.g. 'function-after[...]') from the location.
        path = tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in str(p))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = _("unknown field (not part of a definition here)")
        elif err["type"] == "missing":
            message = _("required field is missing")
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(_problem(message[0].lower() + message[1:], path, locator))
    return problems


def _extension(text: str, file: str) -> Loaded:
    """The definition ``text`` describes as differences from the base it extends."""
    source = read_cached(text, file)
    ref, label = extends.reference(source)
    base = _base(source, ref, label)
    key = (text, file, base.hash, base.file)
    if key not in _RESOLVED:
        if len(_RESOLVED) >= 64:
            _RESOLVED.clear()
        resolved = extends.resolve(source, extends.Base(
            base.ref, base.hash, read_cached(base.source, base.file).data, base.locator()))
        resolved_text = dump(resolved.data)
        definition = _validate(read_yaml(resolved_text, file).data, resolved.origins)
        _RESOLVED[key] = Loaded(definition, resolved_text, content_hash(resolved_text), file,
                                resolved.origins)
    return _RESOLVED[key]


def _base(source: Source, ref: str, label: str) -> Loaded:
    """The base ``ref`` of the definition ``label`` that ``source`` holds: shipped, else
    published; never the definition itself, nor one of those that extend it."""
    chain = _CHAIN.get()
    if ref == label:
        raise _at_extends(source, _("extends its own id@version {ref}: give the definition "
                                    "an id or a version of its own").format(ref=ref))
    if ref in chain:
        raise _at_extends(source, _("extends loop: {value}").format(
                                      value=" → ".join((*chain, label, ref))))
    if len(chain) >= MAX_CHAIN:
        raise _at_extends(source, _("more than {MAX_CHAIN} definitions extend one another: "
                                    "{value}").format(
                                      MAX_CHAIN=MAX_CHAIN,
                                      value=" → ".join((*chain, label, ref))))
    token = _CHAIN.set((*chain, label))
    try:
        path = _shipped_labels().get(ref)
        found = load_file(path) if path is not None else bases.published(ref)
    finally:
        _CHAIN.reset(token)
    if found is None:
        raise _at_extends(source, _("no shipped or published definition {ref} to extend "
                                    "(see: thidua def list, thidua def versions)").format(
                                      ref=ref))
    return found


def _at_extends(source: Source, message: str) -> InvalidDefinition:
    return InvalidDefinition([Problem(message, file=source.file,
                                      line=source.line_of(("extends",)), field="extends")])


def _shipped_labels() -> dict[str, Path]:
    """Each shipped file by the ``id@version`` it declares (or inherits from its base), read
    without resolving anything, so that looking up a base loads that base alone."""
    labels: dict[str, Path] = {}
    for path in shipped_files():
        try:
            source = read_cached(path.read_text(encoding="utf-8"), str(path))
            data = source.data
            if not isinstance(data, dict):
                continue
            label = (extends.reference(source)[1] if "extends" in data
                     else f"{data.get('id')}@{data.get('version')}")
        except (OSError, UnicodeDecodeError, InvalidDefinition):
            continue  # loading that file names its own problem
        labels.setdefault(label, path)
    return labels


def load_file(path: str | Path) -> Loaded:
    """Read and validate the definition file at ``path``."""
    file = Path(path)
    try:
        with file.open("rb") as handle:  # never more than the bound, whatever the file is
            raw = handle.read(limits.YAML_MAX_BYTES + 1)
        if len(raw) > limits.YAML_MAX_BYTES:
            raise InvalidDefinition([Problem(
                _("larger than {size_text}: the limit of a definition").format(
                    size_text=limits.size_text(limits.YAML_MAX_BYTES)), file=str(file))])
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
    except FileNotFoundError:
        raise NotFound(_("no definition file {file!r}").format(file=str(file))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(_("cannot read {file!r}: {exc}").format(
            file=str(file), exc=exc)) from None
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
        raise NotFound(_("no shipped definitions were found: the installation is incomplete"))
    return paths


def shipped() -> list[Loaded]:
    """Every shipped definition, validated, sorted by file name."""
    return [load_file(path) for path in shipped_files()]


def find(name: str) -> Loaded:
    """A definition by file path, by ``id`` or by ``id@version`` among the shipped ones."""
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return load_file(name)
    wanted_id, _at, wanted_version = name.partition("@")
    for loaded in shipped():
        d = loaded.definition
        if d.id == wanted_id and wanted_version in ("", d.version):
            return loaded
    raise NotFound(_("no shipped definition {name!r} (see: thidua def list)").format(name=name))


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
