"""Files that appear whole or not at all: a backup, a bundle, a document, a workbook. Each is
written to ``FILE.partial`` beside its target, in plain sight, and moved into place when whole.

A process killed while writing leaves ``FILE.partial`` behind where its user sees it; the next
run for the same FILE removes it (it holds an exclusive lock on it while writing, so a file it
can lock belongs to no living writer, and one it cannot is refused as being written) and
creates its own. A ``FILE.partial`` that is a symbolic link, or not a regular file, is refused:
in a shared folder it may have been planted to make thidua overwrite another file."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from thidua.store.engine import StoreError

SUFFIX = ".partial"
_SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's, when the partial file is a database


class BeingWritten(StoreError):
    """Another process is writing the same target right now."""


def partial_of(target: Path) -> Path:
    """Where ``target`` is written until it is whole."""
    return target.with_name(target.name + SUFFIX)


@contextmanager
def partial(target: Path) -> Iterator[Path]:
    """The path of ``target``'s partial file, new, empty and locked for this process while the
    block runs, removed after it (the block moves it into place when it succeeds).

    The partial file is always created anew (``O_EXCL``, never through a symbolic link): a
    regular file a killed run left is removed first, and one that is a symbolic link or not a
    regular file is refused, so that no file planted at ``FILE.partial`` is ever written
    through."""
    path = partial_of(target)
    _clear_stale(path, target)
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:  # another run made it since: it is that run's
        raise BeingWritten(f"{path} is being written by another thidua right now (to "
                           f"{target}); try again when it is done") from None
    try:
        _lock(descriptor, path, target)
        _remove(path, only_side_files=True)
        try:
            yield path
        finally:
            _remove(path)
    finally:
        os.close(descriptor)


def _lock(descriptor: int, path: Path, target: Path) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BeingWritten(f"{path} is being written by another thidua right now (to "
                           f"{target}); try again when it is done") from None


def _clear_stale(path: Path, target: Path) -> None:
    """Remove the regular file a killed run left at ``path`` (one that no living writer
    locks); refuse anything else found there."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
        raise StoreError(f"{path} is {kind}, not a file thidua left: {target} is written "
                         f"only through a new file of its own; remove {path} and try again "
                         "(nothing was written)")
    descriptor = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    try:
        _lock(descriptor, path, target)
        os.unlink(path)
    finally:
        os.close(descriptor)


def _remove(path: Path, *, only_side_files: bool = False) -> None:
    names = [f"{path}{side}" for side in _SIDE_FILES] + ([] if only_side_files else [str(path)])
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


@contextmanager
def written(target: Path) -> Iterator[BinaryIO]:
    """``target`` open for writing in binary, through its partial file: moved into place (an
    existing file replaced) only when the block ends without error, after it reached the disk;
    a block that raises leaves ``target`` as it was."""
    with partial(target) as path:
        with path.open("wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(path, target)


@contextmanager
def replacing(target: Path, *, force: bool) -> Iterator[Path]:
    """Write ``target`` whole or not at all: the block writes the partial file it is given
    (see :func:`partial`), which then takes ``target``'s place in one step (a symbolic link at
    ``target`` is replaced, never written through). An existing ``target`` is refused unless
    ``force``; a folder always."""
    refuse_existing(target, force=force)
    with partial(target) as path:
        yield path
        os.replace(path, target)


def refuse_existing(target: Path, *, force: bool) -> None:
    """Refuse a ``target`` that exists (unless ``force``) or is a folder."""
    if target.is_dir() and not target.is_symlink():
        raise StoreError(f"{target} is a folder: name a file to write")
    if os.path.lexists(target) and not force:
        raise StoreError(f"{target} already exists: give --force to replace it (nothing was "
                         "written)")
