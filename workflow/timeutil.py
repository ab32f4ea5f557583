"""Times: stored as ISO 8601 in UTC; entered, judged and shown in the business zone.

A database keeps its business time zone (``settings.time_zone``, by default
``Asia/Ho_Chi_Minh``; ``thidua db timezone``). A date typed with ``--at`` is midnight there, a
date-time without an offset is a time there, the rules judge the calendar day there
(:func:`business_day`), and every date and time is shown there, whatever ``TZ`` the process
runs under. Only UTC instants are stored.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _

# The emulation years thidua accepts, wherever a period is entered.
FIRST_YEAR, LAST_YEAR = 1900, 2200
DAY_S = 86400


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(dt.UTC)




def iso(moment: dt.datetime) -> str:
    """``moment`` as stored: UTC, ISO 8601, microseconds, ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The time zone called ``name`` (an IANA name such as ``Asia/Ho_Chi_Minh``); bad input
    when there is none of that name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(_("unknown time zone {name!r} (an IANA name such as "
                             "{DEFAULT_ZONE} or UTC)").format(
                               name=name, DEFAULT_ZONE=DEFAULT_ZONE)) from None


def parse_moment(text: str, what: str = "date", zone: dt.tzinfo | None = None) -> dt.datetime:
    """A date (``2023-06-28``: its first instant) or date-time, in UTC; without an offset it
    is read in ``zone`` (the business zone; the process's own only when None)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(_("{what} {text!r} is not a date (YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM)").format(
                               what=what, text=text)) \
            from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR + 1:  # also keeps zone shifts in range
        raise InvalidInput(_("{what} {text!r} is out of range (years {FIRST_YEAR} to "
                             "{LAST_YEAR})").format(
                               what=what, text=text, FIRST_YEAR=FIRST_YEAR,
                               LAST_YEAR=LAST_YEAR + 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return moment.astimezone(dt.UTC)


def aware(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``moment`` with a zone: a naive date-time is a time in ``zone``."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def business_day(instant: dt.datetime | str, zone: dt.tzinfo) -> dt.date:
    """The calendar day in ``zone`` of ``instant`` (an aware datetime, or a stored time):
    the day every rule judges a step on, and every view shows."""
    moment = parse_stored(instant) if isinstance(instant, str) else instant
    return aware(moment, dt.UTC).astimezone(zone).date()


def cutoff(date: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.date]:
    """The instant events must come before to count on ``date``, and the day itself.

    A date (``2023-06-29``) counts to the end of that day in the business ``zone``, as ``--at``
    reads dates; a date and time (``2023-06-29T10:00``) counts up to and including it.
    """
    moment = parse_moment(date, "date", zone)
    day = business_day(moment, zone)
    if len(date.strip()) == 10:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return end.astimezone(dt.UTC), day
    return moment + dt.timedelta(microseconds=1), day


def today(zone: dt.tzinfo) -> dt.date:
    """Today in ``zone``."""
    return business_day(now(), zone)


def shown(stored: str | None, zone: dt.tzinfo, *, date_only: bool = False) -> str:
    """A stored UTC time as ``YYYY-MM-DD HH:MM:SS`` in ``zone`` (or the date alone); a date
    without a time is shown as it is."""
    if not stored:
        return ""
    if len(stored) == 10:  # a date has no zone to convert from
        return stored
    local = aware(parse_stored(stored), dt.UTC).astimezone(zone)
    return local.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M:%S")


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
        raise InvalidInput(_("period {period} is not an emulation year").format(period=period))
    return period


def days(span: dt.timedelta) -> float:
    """A time spent (in a state), in days to two decimals, as every view gives it; a span
    that ends before it starts counts nothing."""
    return round(max(span.total_seconds(), 0) / DAY_S, 2)
