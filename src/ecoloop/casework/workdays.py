"""Working-day arithmetic for deadlines (限时整改): weekends, public holidays and make-up working days.

The calendar itself lives in :mod:`ecoloop.casework.holidays`. Rules used here:

* A day is a working day when it is a make-up working day (调休上班), or it is Monday–Friday and not in a holiday
  block (放假调休).
* ``add_working_days(start, n)`` counts *n* working days after ``start`` (the start day itself is not counted —
  a task dispatched on Friday with 1 working day is due on the next working day). The deadline is the end of that
  day, China Standard Time.
* Dates in a year without a State Council notice in the table raise :class:`CalendarNotCovered`, unless the caller
  passes ``provisional=True`` (weekends plus the fixed-date statutory holidays only).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ecoloop.casework.holidays import COVERED_YEARS, DAYS_OFF, FIXED_DATE_HOLIDAYS, MAKE_UP_WORKDAYS
from ecoloop.errors import EcoLoopError
from ecoloop.timezones import CST


class CalendarNotCovered(EcoLoopError):
    """The holiday calendar has no State Council notice for this year."""


def is_working_day(day: date, *, provisional: bool = False) -> bool:
    if day.year not in COVERED_YEARS:
        if not provisional:
            raise CalendarNotCovered(
                f"no public-holiday notice loaded for {day.year} (节假日安排未录入); add it to "
                "ecoloop/casework/holidays.py or pass provisional=True"
            )
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATE_HOLIDAYS
    if day in MAKE_UP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in DAYS_OFF


def add_working_days(start: date, n: int, *, provisional: bool = False) -> date:
    """The date *n* working days after ``start`` (n >= 1); ``start`` itself does not count."""
    if n < 1:
        raise EcoLoopError(f"working days must be at least 1, got {n}")
    day = start
    left = n
    while left:
        day += timedelta(days=1)
        if is_working_day(day, provisional=provisional):
            left -= 1
    return day


def working_days_between(start: date, end: date, *, provisional: bool = False) -> int:
    """Working days in (start, end]; negative when end is before start (days overdue, counted the same way)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count = 0
    day = lo
    while day < hi:
        day += timedelta(days=1)
        if is_working_day(day, provisional=provisional):
            count += 1
    return sign * count


def local_date(moment: datetime) -> date:
    """The bureau's calendar day (CST) of a UTC-aware timestamp."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CST).date()


def end_of_day_utc(day: date) -> datetime:
    """23:59:59.999999 CST of ``day`` as a UTC timestamp (the moment a deadline runs out)."""
    return datetime.combine(day, time.max, tzinfo=CST).astimezone(UTC)


def deadline_for(dispatched_at: datetime, working_days: int) -> date:
    """Due date for work dispatched at ``dispatched_at`` with ``working_days`` allowed.

    Falls back to the provisional calendar only beyond the table's last year (the year after the last notice is
    typically announced in November), so deadlines can always be set."""
    start = local_date(dispatched_at)
    try:
        return add_working_days(start, working_days)
    except CalendarNotCovered:
        return add_working_days(start, working_days, provisional=True)
