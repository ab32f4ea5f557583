"""What a failure of the database means to the person at the keyboard: one plain line and its
exit code (see the README's exit codes), whether SQLAlchemy wrapped the driver's error or a
raw cursor raised it.

- busy or locked, a lock or statement timeout, a deadlock: **3**, nothing recorded, try again;
- the disk (or the database's size limit) full, out of memory or connections: **3**, nothing
  recorded, try again once there is room;
- the connection lost, the server shut down or the session terminated: **3**, nothing
  recorded (when it happened during the commit, the line says the change may have been);
- the disk failing to read or write: **3**, nothing recorded;
- the server not reached (refused, timed out, its host unknown or unreachable): **3**, try
  again once it answers;
- a PostgreSQL database that does not exist on the server: **5**;
- the file read-only for this account, a privilege missing: **2**, nothing recorded;
- a file that is not a SQLite database, one that cannot be opened: **2**.
"""

from __future__ import annotations

import errno

from thidua.workflow.errors import Conflict, InvalidInput, NotFound, ThiduaError
from thidua.workflow.i18n import _

NOTHING = "nothing was recorded"

BUSY = "the database is busy with another step; " + NOTHING + "; try again"
FULL = ("the database is full (its disk, or the size it may grow to); " + NOTHING +
        "; make room and try again")
LOST = "the connection to the database was lost ({why}); " + NOTHING + "; try again"
LOST_IN_COMMIT = ("the connection to the database was lost while the change was being "
                  "committed ({why}): it may or may not be recorded; look (thidua audit log) "
                  "before trying again")
IO = "the database's disk failed ({why}); " + NOTHING + "; check the disk and try again"
READ_ONLY = "the database cannot be written by this account ({why}); " + NOTHING
NOT_A_DATABASE = "{where} is not a SQLite database ({why})"
CANNOT_OPEN = "cannot open the database{where}: {why}"
UNREACHABLE = ("cannot reach the database server{where} ({why}); nothing was done; try again "
               "once it answers")
NO_DATABASE = "no database{where} on its server ({why}); thidua db upgrade creates the schema " \
              "in a database made with createdb"
# What libpq says when the server cannot be reached at all, or the database is not there.
_UNREACHED = ("connection refused", "timeout expired", "timed out", "failed to resolve host",
              "could not translate host name", "no route to host", "network is unreachable",
              "the database system is starting up", "the database system is shutting down")

# SQLite says what went wrong in words only (its result codes are not in sqlite3's errors).
_SQLITE = (
    ("database is locked", "busy"), ("database table is locked", "busy"),
    ("database schema is locked", "busy"), ("database or disk is full", "full"),
    ("disk i/o error", "io"), ("readonly database", "read-only"),
    ("file is not a database", "not-a-database"), ("file is encrypted", "not-a-database"),
    ("database disk image is malformed", "not-a-database"),
    ("unable to open database file", "cannot-open"),
)
# PostgreSQL's SQLSTATE codes (Appendix A of its manual).
_POSTGRES = {
    "55P03": "busy", "40001": "busy", "40P01": "busy", "57014": "busy",
    "53100": "full", "53200": "full", "53300": "full", "53400": "full",
    "57P01": "lost", "57P02": "lost", "57P03": "lost", "57P04": "lost", "57P05": "lost",
    "25006": "read-only", "42501": "read-only",
}


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception, under SQLAlchemy's wrapper if there is one."""
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, BaseException) else exc


def kind_of(exc: BaseException) -> str | None:
    """Which failure of the database ``exc`` is (see the module's list), or None."""
    error = _driver_error(exc)
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and state:
        return _POSTGRES.get(state) or ("lost" if state.startswith("08") else None)
    module = type(error).__module__.split(".")[0]
    if module == "sqlite3":
        text = str(error).lower()
        return next((kind for words, kind in _SQLITE if words in text), None)
    if module == "psycopg":  # no SQLSTATE: the server could not be reached, or went away
        return _unconnected(str(error).lower())
    return "lost" if getattr(exc, "connection_invalidated", False) else None


def _unconnected(text: str) -> str:
    if any(words in text for words in _UNREACHED):
        return "unreachable"
    if "connection failed" in text or "connection to server" in text:
        return "no-database" if 'database "' in text and "does not exist" in text \
            else "cannot-open"
    return "lost"


def explain(exc: BaseException, *, where: str = "", committing: bool = False) -> \
        ThiduaError | None:
    """The plain error ``exc`` (a database failure) stands for, or None when it is none of
    those this module knows. ``where`` names the database; ``committing`` says that it
    happened while a change was being committed."""
    kind = kind_of(exc)
    if kind is None:
        return None
    why = " ".join(str(_driver_error(exc)).split())[:200]
    if kind == "busy":
        return Conflict(_(BUSY))
    if kind == "full":
        return Conflict(_(FULL))
    if kind == "io":
        return Conflict(_(IO).format(why=why))
    if kind == "lost":
        return Conflict((LOST_IN_COMMIT if committing else LOST).format(why=why))
    if kind == "unreachable":
        return Conflict(UNREACHABLE.format(where=f" of {where}" if where else "", why=why))
    if kind == "no-database":
        return NotFound(NO_DATABASE.format(where=f" {where}" if where else "", why=why))
    if kind == "read-only":
        return InvalidInput(_(READ_ONLY).format(why=why))
    if kind == "not-a-database":
        return InvalidInput(NOT_A_DATABASE.format(where=where or "the file", why=why))
    return InvalidInput(CANNOT_OPEN.format(where=f" {where}" if where else "", why=why))


# A file thidua writes (a backup, a bundle, an export) that the disk could not take.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def file_failure(exc: BaseException, what: str) -> ThiduaError:
    """The plain error for a file (``what``) that could not be written: its disk full or
    failing is **3** (nothing was written; try again), anything else **2**."""
    code = exc.errno if isinstance(exc, OSError) else None
    why = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or \
        type(exc).__name__
    text = str(exc).lower()
    if code in _DISK_FULL or "database or disk is full" in text:
        return Conflict(f"cannot write {what}: its disk is full ({why}); nothing was written; "
                        "make room and try again")
    if code == errno.EIO or "disk i/o error" in text:
        return Conflict(f"cannot write {what}: its disk failed ({why}); nothing was written; "
                        "check the disk and try again")
    return InvalidInput(f"cannot write {what}: {why}")
