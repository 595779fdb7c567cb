"""An office's local calendar: "today" and local midnight in its own time zone (GMT/BST aware)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def local_date(now: datetime, time_zone: str) -> date:
    """The office's calendar date at ``now`` (just after midnight BST is still 'yesterday' in UTC)."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def local_midnight_utc(day: date, time_zone: str) -> datetime:
    """The UTC instant the office's local ``day`` begins."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)
