"""When an officer out on a visit is overdue: plain rules with the time passed in.

Three deadlines can apply to an open diary entry, in the office's own time zone (GMT/BST):

- DUE: the expected return plus the grace period (``movements.grace_minutes``);
- AMBER: "I'm going in" with no "I'm out" within ``movements.amber_minutes``;
- END_OF_DAY: the office's closing time on the day the officer left, if they left before it on a
  day the office is open (seed 000: report back, or leave word if the office has closed).

Each deadline raises at most one alert: once alerted, (time, reason) is "spent". Extending the
expected return makes a new DUE deadline; the end of that day stays spent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from safedesk.config import WEEKDAYS, MovementsConfig
from safedesk.models.movements import OverdueReason


def _hh_mm(text: str) -> time:
    hh, _, mm = text.partition(":")
    return time(int(hh), int(mm))


@dataclass(frozen=True)
class OfficeHours:
    """Opening hours in local time, on the listed weekdays (0 = Monday)."""

    opens: time
    closes: time
    days: frozenset[int]
    zone: ZoneInfo

    @classmethod
    def from_config(cls, config: MovementsConfig, time_zone: str) -> OfficeHours:
        days = frozenset(WEEKDAYS.index(d.lower()) for d in config.office_days)
        return cls(
            _hh_mm(config.office_opens), _hh_mm(config.office_closes), days, ZoneInfo(time_zone)
        )

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def closing_on(self, day: date) -> datetime | None:
        """The UTC instant the office closes on local ``day``; None if it does not open then."""
        if day.weekday() not in self.days:
            return None
        return datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(UTC)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes


@dataclass(frozen=True)
class EntryTimes:
    """What the rule needs from a diary entry."""

    leaving_at: datetime
    expected_back_at: datetime
    going_in_at: datetime | None = None
    came_out_at: datetime | None = None


@dataclass(frozen=True)
class Deadline:
    at: datetime
    reason: OverdueReason


@dataclass(frozen=True)
class Timers:
    grace: timedelta
    amber: timedelta

    @classmethod
    def from_config(cls, config: MovementsConfig) -> Timers:
        return cls(timedelta(minutes=config.grace_minutes), timedelta(minutes=config.amber_minutes))


def deadlines(entry: EntryTimes, hours: OfficeHours, timers: Timers) -> list[Deadline]:
    """Every deadline of an open entry, earliest first."""
    found = [Deadline(entry.expected_back_at + timers.grace, OverdueReason.DUE)]
    if entry.going_in_at is not None and entry.came_out_at is None:
        found.append(Deadline(entry.going_in_at + timers.amber, OverdueReason.AMBER))
    closing = hours.closing_on(hours.local_date(entry.leaving_at))
    if closing is not None and entry.leaving_at < closing:
        found.append(Deadline(closing, OverdueReason.END_OF_DAY))
    return sorted(found, key=lambda d: d.at)


def passed_deadline(
    entry: EntryTimes,
    hours: OfficeHours,
    timers: Timers,
    now: datetime,
    spent: Collection[tuple[datetime, OverdueReason]] = (),
) -> Deadline | None:
    """The earliest deadline passed by ``now`` that has not raised an alert yet (None: fine)."""
    for deadline in deadlines(entry, hours, timers):
        if deadline.at <= now and (deadline.at, deadline.reason) not in spent:
            return deadline
    return None


def next_deadline(entry: EntryTimes, hours: OfficeHours, timers: Timers) -> Deadline:
    """The first deadline of the entry: what the board shows as "due back by"."""
    return deadlines(entry, hours, timers)[0]


def may_extend_self(entry: EntryTimes, now: datetime) -> bool:
    """An officer extends their own return only before it passes; after, they report back."""
    return now < entry.expected_back_at
