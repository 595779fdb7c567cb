"""The weekly alarm-test week: when it starts and when an untested button becomes overdue.

Seed 000: "Panic alarms are to be tested at the beginning of each week." The week is reckoned
in the office's own time zone (an office in London starts its week at local midnight, GMT or
BST alike), from a configurable weekday, so a Monday 00:30 BST press is in Monday's week even
though it is still Sunday in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from safedesk.config import WEEKDAYS, WeeklyTestConfig


class UnknownTimeZone(ValueError):
    """An office's time zone name is not in the zone database (a typo in the office record)."""


def office_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(
            f"unknown time zone {name!r} for the office (expected e.g. Europe/London)"
        ) from None


def parse_deadline(text: str) -> time:
    hh, _, mm = text.partition(":")
    return time(int(hh), int(mm))


@dataclass(frozen=True)
class TestWeek:
    """One test week of one office.

    ``starts_at``/``ends_at`` are UTC instants of local midnight; ``overdue_from`` is the first
    instant after the deadline minute (deadline "23:59" means overdue from local midnight).
    """

    __test__ = False  # not a pytest test class

    week_start: date  # the local date of the test day; the key stored on alarm_tests rows
    starts_at: datetime
    ends_at: datetime
    overdue_from: datetime
    zone: str

    def contains(self, when: datetime) -> bool:
        return self.starts_at <= when < self.ends_at

    def is_overdue(self, now: datetime) -> bool:
        return now >= self.overdue_from

    @property
    def deadline_at(self) -> datetime:
        """The last on-time minute (the configured HH:MM on the test day), as UTC."""
        return self.overdue_from - timedelta(minutes=1)

    @property
    def label(self) -> str:
        """How the checklist and reports name a week: "Week of Mon 23 Nov 2026"."""
        return f"Week of {self.week_start:%a} {self.week_start.day} {self.week_start:%b %Y}"


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Midnight exists on every UK day (clocks change at 01:00/02:00), and fold=0 picks the
    # first occurrence anywhere it might repeat.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def week_start_date(when: datetime, zone: ZoneInfo, weekday: str) -> date:
    """The local date of the most recent test day on or before ``when``."""
    if when.tzinfo is None:
        raise ValueError("week_start_date needs a timezone-aware time")
    local_day = when.astimezone(zone).date()
    target = WEEKDAYS.index(weekday.lower())
    return local_day - timedelta(days=(local_day.weekday() - target) % 7)


def week_for_start(week_start: date, zone_name: str, config: WeeklyTestConfig) -> TestWeek:
    zone = office_zone(zone_name)
    deadline = datetime.combine(week_start, parse_deadline(config.deadline), tzinfo=zone)
    return TestWeek(
        week_start=week_start,
        starts_at=_local_midnight(week_start, zone),
        ends_at=_local_midnight(week_start + timedelta(days=7), zone),
        overdue_from=(deadline + timedelta(minutes=1)).astimezone(UTC),
        zone=zone_name,
    )


def week_containing(when: datetime, zone_name: str, config: WeeklyTestConfig) -> TestWeek:
    """The test week that ``when`` (aware, any zone) falls in, for an office in ``zone_name``."""
    start = week_start_date(when, office_zone(zone_name), config.weekday)
    return week_for_start(start, zone_name, config)


def weeks_of_year(year: int, zone_name: str, config: WeeklyTestConfig) -> list[TestWeek]:
    """Every test week whose test day falls in ``year`` (52 or 53 of them), for the year view."""
    target = WEEKDAYS.index(config.weekday.lower())
    day = date(year, 1, 1)
    day += timedelta(days=(target - day.weekday()) % 7)
    weeks = []
    while day.year == year:
        weeks.append(week_for_start(day, zone_name, config))
        day += timedelta(days=7)
    return weeks
