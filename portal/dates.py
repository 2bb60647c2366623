"""Whole UTC days and months: the calendar arithmetic that reports, exports and roll-ups share.

Timestamps are stored naive in UTC; a day here is always a UTC day, and a range of days always
includes both ends, which as timestamps is the half-open ``[start of since, start of until + 1)``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, func

ONE_DAY = timedelta(days=1)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, UTC)


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC bounds ``[start, end)`` covering whole days, ``until`` included; either may be open."""
    start = day_start(since) if since else None
    end = day_start(until + ONE_DAY) if until else None
    return start, end


def within(query, column, start: datetime | None, end: datetime | None):
    """``query`` limited to ``start <= column < end`` (either bound may be open)."""
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column < end)
    return query


def day_of(column):
    """The UTC day of a stored timestamp (stored naive in UTC), as a date on both backends."""
    return func.date(column, type_=Date)


def days_between(since: date, until: date) -> list[date]:
    """Every day from ``since`` to ``until``, both included."""
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def last_days(today: date, days: int) -> tuple[date, date]:
    """The last ``days`` days, today included."""
    return today - timedelta(days=days - 1), today


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - ONE_DAY


def month_days(month: date) -> list[date]:
    """Every day of the month that starts on ``month``."""
    return days_between(month, month_end(month))


def whole_months(since: date, until: date) -> list[date]:
    """The first day of each calendar month lying wholly from ``since`` to ``until``."""
    month = since if since.day == 1 else month_end(since) + ONE_DAY
    months = []
    while month_end(month) <= until:
        months.append(month)
        month = month_end(month) + ONE_DAY
    return months


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``today``'s: ``months`` calendar
    months up to and including the current one."""
    first = today.replace(day=1)
    for _month in range(months - 1):
        first = (first - ONE_DAY).replace(day=1)
    return first
