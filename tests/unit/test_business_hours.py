"""Business-hours arithmetic of the review SLA: evenings, weekends, holidays, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kcheck.domain.business_hours import (
    add_business_time,
    business_time_between,
    sla_deadline,
)
from kcheck.settings import BusinessCalendar

ZURICH = ZoneInfo("Europe/Zurich")
DEFAULT = BusinessCalendar()  # Monday-Friday 08:00-18:00 Europe/Zurich


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ZURICH)


def test_inside_opening_hours_the_deadline_is_two_hours_later():
    assert sla_deadline(DEFAULT, local(2026, 11, 25, 9, 30), 120) == local(2026, 11, 25, 11, 30)


def test_the_evening_carries_over_to_the_next_morning():
    # Wednesday 17:30: 30 minutes today, 90 minutes on Thursday from 08:00.
    assert sla_deadline(DEFAULT, local(2026, 11, 25, 17, 30), 120) == local(2026, 11, 26, 9, 30)


def test_a_submission_at_night_starts_counting_at_opening_time():
    assert sla_deadline(DEFAULT, local(2026, 11, 25, 23, 0), 120) == local(2026, 11, 26, 10, 0)
    assert sla_deadline(DEFAULT, local(2026, 11, 26, 6, 0), 120) == local(2026, 11, 26, 10, 0)


def test_the_weekend_is_skipped():
    # Friday 17:00 -> one hour on Friday, one hour on Monday.
    assert sla_deadline(DEFAULT, local(2026, 11, 27, 17, 0), 120) == local(2026, 11, 30, 9, 0)
    assert sla_deadline(DEFAULT, local(2026, 11, 28, 12, 0), 120) == local(2026, 11, 30, 10, 0)


def test_holidays_are_skipped():
    calendar = BusinessCalendar(holidays=frozenset({date(2026, 12, 25)}))
    # Thursday 24 December 17:00 -> Friday 25 is a holiday -> Monday 28.
    assert sla_deadline(calendar, local(2026, 12, 24, 17, 0), 120) == local(2026, 12, 28, 9, 0)


def test_autumn_dst_change_keeps_local_opening_time():
    # Clocks go back on Sunday 25 October 2026; Monday opens at 08:00 CET = 07:00 UTC,
    # while Friday's 18:00 was CEST = 16:00 UTC.
    start = local(2026, 10, 23, 17, 0)
    deadline = sla_deadline(DEFAULT, start, 120)
    assert deadline == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert deadline.astimezone(ZURICH).hour == 9


def test_a_working_day_with_a_dst_gap_counts_the_real_hours():
    # Clocks go forward on Sunday 29 March 2026 at 02:00: 01:00-05:00 lasts three hours.
    night = BusinessCalendar(weekdays=frozenset({6}), opens=time(1, 0), closes=time(5, 0))
    day_start, day_end = local(2026, 3, 29, 0, 0), local(2026, 3, 29, 23, 0)
    assert business_time_between(night, day_start, day_end) == timedelta(hours=3)
    assert add_business_time(night, day_start, timedelta(hours=3)) == local(2026, 3, 29, 5, 0)


def test_business_time_between_counts_only_opening_hours():
    start, end = local(2026, 11, 27, 17, 0), local(2026, 11, 30, 9, 30)
    assert business_time_between(DEFAULT, start, end) == timedelta(hours=2, minutes=30)
    assert business_time_between(DEFAULT, end, start) == -timedelta(hours=2, minutes=30)
    assert business_time_between(DEFAULT, local(2026, 11, 28, 9), local(2026, 11, 29, 17)) \
        == timedelta(0)


def test_between_and_add_agree():
    start = local(2026, 11, 25, 16, 12)
    for minutes in (1, 59, 120, 600, 601, 3000):
        deadline = add_business_time(DEFAULT, start, timedelta(minutes=minutes))
        assert business_time_between(DEFAULT, start, deadline) == timedelta(minutes=minutes)


def test_other_time_zone_and_hours():
    calendar = BusinessCalendar(weekdays=frozenset(range(6)), opens=time(9), closes=time(17),
                                timezone="America/New_York")
    saturday = datetime(2026, 11, 28, 16, 30, tzinfo=ZoneInfo("America/New_York"))
    assert sla_deadline(calendar, saturday, 60) == datetime(
        2026, 11, 30, 9, 30, tzinfo=ZoneInfo("America/New_York"))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        sla_deadline(DEFAULT, datetime(2026, 11, 25, 9), 120)


def test_a_calendar_without_working_days_fails_instead_of_looping():
    with pytest.raises(ValueError):
        sla_deadline(BusinessCalendar(weekdays=frozenset()), local(2026, 11, 25, 9), 120)
