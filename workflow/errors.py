"""One error hierarchy for thidua; the CLI maps each class to one exit code."""

from __future__ import annotations

from collections.abc import Sequence

from thidua.workflow.i18n import _


class ThiduaError(Exception):
    """Base of every error a user can cause; ``exit_code`` is the documented CLI code."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(ThiduaError):
    """Bad input or usage: a missing or malformed value, an unknown name."""

    exit_code = 2


class Problem:
    """One thing wrong in a definition: where it stands and what is wrong."""

    __slots__ = ("field", "file", "line", "message")

    def __init__(self, message: str, *, file: str = "", line: int | None = None,
                 field: str = "") -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = self.file or "<definition>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: " + (f"{self.field}: " if self.field else "") + self.message


class InvalidDefinition(InvalidInput):
    """A definition that cannot be used; each problem names file, line and field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0])
        more = len(self.problems) - 1
        super().__init__(first + (_(" (and {more} more)").format(more=more) if more else ""))


class TransitionRefused(ThiduaError):
    """The rules refuse the step; ``reasons`` lists every reason, in plain words."""

    exit_code = 1

    def __init__(self, trigger: str, reasons: Sequence[str]) -> None:
        self.trigger = trigger
        self.reasons = list(reasons)
        super().__init__(_("{trigger} refused: {reasons}").format(
            trigger=trigger, reasons="; ".join(self.reasons)))


class Conflict(ThiduaError):
    """Someone else changed the record since it was read; nothing was recorded."""

    exit_code = 3


class IntegrityFailure(ThiduaError):
    """The audit ledger (or a stored document) does not verify."""

    exit_code = 4

    def __init__(self, message: str, *, seq: int | None = None, kind: str = "") -> None:
        self.seq = seq
        self.kind = kind
        super().__init__(message)


class NotFound(ThiduaError):
    """A named cycle, cluster, unit, person or definition does not exist."""

    exit_code = 5


class ScenariosFailed(ThiduaError):
    """A definition's scenarios do not behave as they say; ``failures`` names each one."""

    exit_code = 1

    def __init__(self, file: str, failures: Sequence[str], total: int) -> None:
        self.file = file
        self.failures = list(failures)
        super().__init__(_("{file}: {count} of {total} scenarios failed: {failures}").format(
                             file=file, count=len(self.failures), total=total,
                             failures="; ".join(self.failures)))
