"""Editable copies of a definition version (``thidua def copy``).

A copy is the whole text of the version (for one that extends another: the resolved text,
which names its base), so that an unchanged copy has the version's own hash; ``--extend``
writes instead a short file that extends the version and gives it a version label of its own.
A copy never overwrites a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.language.loader import Loaded, find
from thidua.workflow.services.publish import is_file, published_at

STUB = """\
# Only the differences from {ref}; the rest is inherited
# (see it whole: thidua def show {ref}).
# An entry of states, transitions (by trigger) or scenarios changes the item of that name;
# add: true adds one, remove: true takes one out, after: NAME places it.
extends: {ref}
# a version label of its own; effective_from too, when it applies from another date
version: "{version}"
"""


@dataclass(frozen=True)
class Copied:
    """What ``def copy`` wrote: the file, the version copied, and whether it extends it."""

    file: str
    ref: str
    hash: str
    extends: bool


def version_named(name: str, url: str | None) -> Loaded:
    """A definition by file, or by shipped ``id``/``id@version``, else a version published in
    the database at ``url`` (``id@version`` or hash)."""
    if is_file(name):
        return find(name)
    try:
        return find(name)
    except NotFound:
        found = published_at(url, name)
    if found is None:
        raise NotFound(f"no shipped or published definition {name!r} (see: thidua def list, "
                       "thidua def versions)")
    return found


def copy_definition(name: str, target: str | Path, url: str | None, *,
                    extend: bool = False) -> Copied:
    """Write an editable copy of definition ``name`` to the new file ``target`` (with
    ``extend``, a short file that extends it)."""
    loaded = version_named(name, url)
    d = loaded.definition
    text = STUB.format(ref=loaded.ref, version=f"{d.version}-draft") if extend else loaded.source
    path = Path(target)
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise InvalidInput(f"{path} already exists: def copy never overwrites a file; name a "
                           "new one") from None
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    return Copied(str(path), loaded.ref, loaded.hash, extend)
