"""Times: stored as ISO 8601 in UTC; entered as dates or date-times in the user's zone."""

from __future__ import annotations

import datetime as dt

from thidua.workflow.errors import InvalidInput

# The emulation years thidua accepts, wherever a period is entered.
FIRST_YEAR, LAST_YEAR = 1900, 2200
DAY_S = 86400


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(dt.UTC)


# The zone whose calendar gives the business day (the offices are in UTC+7). The database's
# ``settings.time_zone`` (migration 0004) is meant to replace it: :func:`business_day` is the one
# place that reads it.
BUSINESS_ZONE = "Asia/Ho_Chi_Minh"


def business_day(moment: dt.datetime) -> dt.date:
    """The date of ``moment`` (aware) on the offices' calendar: a day recorded by an
    administrative change (a grant revoked) is this date, whatever the machine's zone."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(BUSINESS_ZONE)).date()


def iso(moment: dt.datetime) -> str:
    """``moment`` as stored: UTC, ISO 8601, microseconds, ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_moment(text: str, what: str = "date") -> dt.datetime:
    """A date (``2023-06-28``) or date-time; without a zone it is taken in the local zone."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") \
            from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the user's local zone
    return moment.astimezone(dt.UTC)


def parse_stored(text: str) -> dt.datetime:
    """A stored time back as an aware datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def due_date(due: str, period: int) -> dt.date:
    """The calendar date of a state's ``due`` (``MM-DD`` or ``+1-MM-DD``) in ``period``."""
    year = period + 1 if due.startswith("+1-") else period
    month, day = due.removeprefix("+1-").split("-")
    return dt.date(year, int(month), int(day))


def is_emulation_year(year: int) -> bool:
    """True when ``year`` can be an emulation year (a cycle's period)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def check_period(period: int) -> int:
    """``period``, when it is an emulation year; bad input otherwise."""
    if not is_emulation_year(period):
        raise InvalidInput(f"period {period} is not an emulation year")
    return period


def days(span: dt.timedelta) -> float:
    """A time spent (in a state), in days to two decimals, as every view gives it; a span
    that ends before it starts counts nothing."""
    return round(max(span.total_seconds(), 0) / DAY_S, 2)
