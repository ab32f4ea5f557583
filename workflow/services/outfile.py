"""Files thidua writes for a user (a document, a workbook, a Word file): whole or not at all,
with a failure named in one line."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from thidua.store import files
from thidua.workflow import i18n
from thidua.workflow.errors import Conflict, InvalidInput
from thidua.workflow.i18n import _

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
        raise Conflict(i18n.told(exc)) from None
    except IsADirectoryError:
        raise InvalidInput(_("cannot write {path}: it is a folder").format(path=path)) from None
    except OSError as exc:
        if exc.errno in AGAIN:
            raise Conflict(_("cannot write {path}: {strerror}; nothing was written, try again "
                             "once there is room").format(path=path,
                                                          strerror=exc.strerror)) from None
        raise InvalidInput(_("cannot write {path}: {strerror}").format(
            path=path, strerror=exc.strerror or exc)) from None
