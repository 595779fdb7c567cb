"""The test week: starts at local midnight on the test day, in the office's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from safedesk.config import WeeklyTestConfig
from safedesk.services.weekly_test.test_week import UnknownTimeZone, week_containing, weeks_of_year

LONDON = "Europe/London"
MONDAY = WeeklyTestConfig()


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_week_starts_at_midnight_on_monday_in_winter() -> None:
    week = week_containing(utc(2026, 11, 25, 14, 0), LONDON, MONDAY)
    assert week.week_start == date(2026, 11, 23)
    assert week.starts_at == utc(2026, 11, 23, 0, 0)
    assert week.ends_at == utc(2026, 11, 30, 0, 0)
    assert week.label == "Week of Mon 23 Nov 2026"


def test_sunday_night_belongs_to_the_week_before_and_monday_midnight_to_the_new_week() -> None:
    assert week_containing(utc(2026, 11, 29, 23, 59, 59), LONDON, MONDAY).week_start == date(
        2026, 11, 23
    )
    assert week_containing(utc(2026, 11, 30, 0, 0), LONDON, MONDAY).week_start == date(2026, 11, 30)


def test_in_summer_time_the_week_starts_at_23_00_utc_on_sunday() -> None:
    # 00:30 BST on Monday 6 July 2026 is 23:30 UTC on Sunday: it is Monday in the office.
    week = week_containing(utc(2026, 7, 5, 23, 30), LONDON, MONDAY)
    assert week.week_start == date(2026, 7, 6)
    assert week.starts_at == utc(2026, 7, 5, 23, 0)


def test_clocks_go_forward_last_sunday_of_march_week_is_one_hour_short() -> None:
    # BST starts 01:00 UTC on Sunday 29 March 2026.
    before = week_containing(utc(2026, 3, 29, 12, 0), LONDON, MONDAY)
    assert before.week_start == date(2026, 3, 23)
    assert before.starts_at == utc(2026, 3, 23, 0, 0)  # GMT
    assert before.ends_at == utc(2026, 3, 29, 23, 0)  # Monday 00:00 BST
    assert (before.ends_at - before.starts_at).total_seconds() == 7 * 86400 - 3600
    after = week_containing(utc(2026, 3, 29, 23, 0), LONDON, MONDAY)
    assert after.week_start == date(2026, 3, 30)
    assert after.starts_at == before.ends_at


def test_clocks_go_back_last_sunday_of_october_week_is_one_hour_long() -> None:
    # GMT returns 01:00 UTC on Sunday 25 October 2026.
    week = week_containing(utc(2026, 10, 25, 0, 30), LONDON, MONDAY)  # 01:30 BST, first pass
    assert week.week_start == date(2026, 10, 19)
    assert week.starts_at == utc(2026, 10, 18, 23, 0)  # Monday 00:00 BST
    assert week.ends_at == utc(2026, 10, 26, 0, 0)  # Monday 00:00 GMT
    assert (week.ends_at - week.starts_at).total_seconds() == 7 * 86400 + 3600
    # The repeated hour (01:00-02:00 local, twice) is still the same week.
    assert week_containing(utc(2026, 10, 25, 1, 30), LONDON, MONDAY).week_start == date(
        2026, 10, 19
    )


def test_default_deadline_is_the_end_of_the_test_day_in_local_time() -> None:
    winter = week_containing(utc(2026, 11, 23, 10, 0), LONDON, MONDAY)
    assert not winter.is_overdue(utc(2026, 11, 23, 23, 59, 59))
    assert winter.is_overdue(utc(2026, 11, 24, 0, 0))
    summer = week_containing(utc(2026, 7, 6, 10, 0), LONDON, MONDAY)
    assert not summer.is_overdue(utc(2026, 7, 6, 22, 59, 59))  # 23:59:59 BST
    assert summer.is_overdue(utc(2026, 7, 6, 23, 0))  # 00:00 BST Tuesday


def test_configured_weekday_and_deadline_are_used() -> None:
    config = WeeklyTestConfig(weekday="tuesday", deadline="10:00")
    week = week_containing(utc(2026, 7, 6, 12, 0), LONDON, config)  # a Monday
    assert week.week_start == date(2026, 6, 30)  # the Tuesday before
    this_week = week_containing(utc(2026, 7, 7, 8, 0), LONDON, config)
    assert this_week.week_start == date(2026, 7, 7)
    assert not this_week.is_overdue(utc(2026, 7, 7, 9, 0, 59))  # 10:00:59 BST: still on time
    assert this_week.is_overdue(utc(2026, 7, 7, 9, 1))  # 10:01 BST


def test_office_in_another_time_zone_has_its_own_monday() -> None:
    week = week_containing(utc(2026, 11, 22, 14, 0), "Pacific/Auckland", MONDAY)
    assert week.week_start == date(2026, 11, 23)  # already Monday 03:00 in Auckland


def test_year_has_a_week_for_every_test_day() -> None:
    weeks = weeks_of_year(2026, LONDON, MONDAY)
    assert len(weeks) == 52
    assert weeks[0].week_start == date(2026, 1, 5)
    assert weeks[-1].week_start == date(2026, 12, 28)
    assert len(weeks_of_year(2029, LONDON, MONDAY)) == 53  # 2029 starts on a Monday


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(UnknownTimeZone, match="Europe/Londno"):
        week_containing(utc(2026, 11, 23), "Europe/Londno", MONDAY)
