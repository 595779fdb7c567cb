"""Six-monthly review dates: calendar months, clamped to the month's end (31 Aug + 6 = 28/29 Feb).

Dates are UK calendar dates: a marker placed at 00:30 BST on 1 March was placed on 1 March,
even though it is still 28/29 February in UTC.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month if it is shorter."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def review_due_from(moment: datetime, months: int) -> date:
    """When the next review is due for a decision taken at ``moment`` (UTC-aware)."""
    return add_months(uk_date(moment), months)


def days_text(days: int) -> str:
    """ "1 day", "3 days": never "1 days"."""
    return f"{days} day" if days == 1 else f"{days} days"


def review_state_text(review_due: date, today: date) -> str:
    """How a review date reads in a list: "OVERDUE by 3 days", "due today", "due in 1 day"."""
    days = (review_due - today).days
    if days < 0:
        return f"OVERDUE by {days_text(-days)}"
    if days == 0:
        return "due today"
    return f"due in {days_text(days)}"
