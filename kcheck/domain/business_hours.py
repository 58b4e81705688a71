"""Time counted in business hours (the review SLA): working days, opening hours, holidays and
daylight-saving changes of the calendar's time zone. Pure functions, aware datetimes in and out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A calendar with no working day at all would loop forever; ten years is far beyond any SLA.
MAX_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and hours against which the review SLA is counted."""

    weekdays: frozenset[int] = frozenset(range(5))
    opens: time = time(8, 0)
    closes: time = time(18, 0)
    timezone: str = "Europe/Zurich"
    holidays: frozenset[date] = frozenset()


def is_business_day(calendar: BusinessCalendar, day: date) -> bool:
    return day.weekday() in calendar.weekdays and day not in calendar.holidays


def _windows(calendar: BusinessCalendar, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Opening windows in UTC, from the local day of ``moment`` onwards.

    Each window is built from local wall-clock times, so 08:00 stays 08:00 across a
    daylight-saving change even though the UTC offset moves.
    """
    zone = ZoneInfo(calendar.timezone)
    day = moment.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if is_business_day(calendar, day):
            opens = datetime.combine(day, calendar.opens, zone).astimezone(UTC)
            closes = datetime.combine(day, calendar.closes, zone).astimezone(UTC)
            yield opens, closes
        day += timedelta(days=1)
    raise ValueError("the business calendar has no working time in ten years")


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The moment when ``duration`` of business time has passed since ``start``."""
    if start.tzinfo is None:
        raise ValueError("naive datetime refused")
    remaining = duration
    for opens, closes in _windows(calendar, start):
        if closes <= start:
            continue
        begin = max(start, opens)
        if begin + remaining <= closes:
            return begin + remaining
        remaining -= closes - begin
    raise AssertionError("unreachable")  # _windows raises first


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time from ``start`` to ``end``; negative when ``end`` comes first."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetime refused")
    if end < start:
        return -business_time_between(calendar, end, start)
    total = timedelta(0)
    for opens, closes in _windows(calendar, start):
        if opens >= end:
            break
        total += max(timedelta(0), min(closes, end) - max(opens, start))
    return total


def sla_deadline(calendar: BusinessCalendar, submitted_at: datetime,
                 target_minutes: int) -> datetime:
    """When a submitted case must have been answered (the review target, in business time)."""
    return add_business_time(calendar, submitted_at, timedelta(minutes=target_minutes))
