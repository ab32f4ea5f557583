"""Online backups of a SQLite database, with SQLite's own backup API.

The copy is a consistent snapshot taken in one read transaction, so it may be made while other
processes use the database (in WAL mode readers and the writer do not block one another). It is
written to ``FILE.partial`` beside the target (see :mod:`store.files`), flushed to disk, then
linked into place: the target either does not exist or is a whole backup, and an existing file
is never overwritten.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from thidua.store import files
from thidua.store.engine import StoreError
from thidua.store.said import said


class TargetExists(StoreError):
    """The backup's target file already exists (it is never overwritten)."""


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the SQLite database of ``engine`` to the new file ``target``; return its size."""
    if engine.dialect.name != "sqlite":
        raise said(StoreError, "the online backup is for SQLite, not {dialect}",
                   dialect=engine.dialect.name)
    if target.exists():
        raise said(TargetExists, "{target} already exists: a backup never overwrites a file",
                   target=target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise said(StoreError, "no folder {folder} to write the backup in", folder=folder)
    with files.partial(target) as temporary:
        _copy(engine, str(temporary))
        _fsync(str(temporary))
        _link_new(str(temporary), target)
        _fsync(str(folder), directory=True)
    return target.stat().st_size


def _copy(engine: Engine, temporary: str) -> None:
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(temporary)
        try:
            # pages=-1: the whole database in one step, so in one consistent snapshot.
            source.driver_connection.backup(destination, pages=-1)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        source.close()


def _link_new(temporary: str, target: Path) -> None:
    """Put ``temporary`` at ``target`` unless ``target`` exists by now (no overwrite)."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise said(TargetExists, "{target} already exists: a backup never overwrites a file",
                   target=target) \
            from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: rename, after one last look.
        if target.exists():
            raise said(TargetExists, "{target} already exists: a backup never overwrites a file",
                   target=target) \
                from None
        os.rename(temporary, target)


def _fsync(path: str, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        if directory:
            return  # some systems cannot open a folder; the file itself is already on disk
        raise
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def copy_sqlite(source: Engine, target: Engine) -> None:
    """Copy the whole SQLite database of ``source`` over that of ``target``, both open: an
    in-memory database migrated once is copied into each new throwaway one (a page copy, far
    cheaper than running the migrations again)."""
    reading, writing = source.raw_connection(), target.raw_connection()
    try:
        reading.driver_connection.backup(writing.driver_connection,  # type: ignore[union-attr]
                                         pages=-1)
    finally:
        writing.close()
        reading.close()
