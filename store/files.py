"""Files that appear whole or not at all: a backup, a bundle, a document, a workbook. Each is
written to ``FILE.partial`` beside its target, in plain sight, and moved into place when whole.

A process killed while writing leaves ``FILE.partial`` behind where its user sees it; the next
run for the same FILE removes it (it holds an exclusive lock on it while writing, so a file it
can lock belongs to no living writer, and one it cannot is refused as being written)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from thidua.store.engine import StoreError
from thidua.store.said import said

SUFFIX = ".partial"
_SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's, when the partial file is a database


class BeingWritten(StoreError):
    """Another process is writing the same target right now."""


def partial_of(target: Path) -> Path:
    """Where ``target`` is written until it is whole."""
    return target.with_name(target.name + SUFFIX)


@contextmanager
def partial(target: Path) -> Iterator[Path]:
    """The path of ``target``'s partial file, empty and locked for this process while the
    block runs, removed after it (the block moves it into place when it succeeds)."""
    path = partial_of(target)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise said(BeingWritten, "{path} is being written by another thidua right now "
                       "(to {target}); try again when it is done", path=path,
                       target=target) from None
        os.ftruncate(descriptor, 0)  # what a killed run left, if anything
        _remove(path, only_side_files=True)
        try:
            yield path
        finally:
            _remove(path)
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
