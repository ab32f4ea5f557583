"""Files thidua writes for a user (a document, a workbook, a Word file): whole or not at all,
with a failure named in one line."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from thidua.store import files
from thidua.workflow.errors import Conflict, InvalidInput

T = TypeVar("T")
AGAIN = {errno.ENOSPC, errno.EDQUOT, errno.EIO}  # the disk, not the path: exit 3


def write_file(path: str | Path, write: Callable[[BinaryIO], T]) -> T:
    """Call ``write`` with ``path`` open in binary, written to ``path.partial`` and moved into
    place when ``write`` returns: an error (a refused hash, a full disk) leaves no half file
    and an existing file untouched. Another thidua writing the same file, a full or failing
    disk: exit 3 (try again); a folder or permission that refuses the file: exit 2."""
    target = Path(path)
    try:
        with files.written(target) as file:
            return write(file)
    except files.BeingWritten as exc:
        raise Conflict(str(exc)) from None
    except IsADirectoryError:
        raise InvalidInput(f"cannot write {path}: it is a folder") from None
    except OSError as exc:
        if exc.errno in AGAIN:
            raise Conflict(f"cannot write {path}: {exc.strerror}; nothing was written, try "
                           "again once there is room") from None
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
