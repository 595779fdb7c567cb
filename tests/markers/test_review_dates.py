"""Six months from placement, clamped to month ends, leap years included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from safedesk.services.review_dates import add_months, review_due_from


@pytest.mark.parametrize(
    ("placed", "due"),
    [
        (date(2026, 11, 23), date(2027, 5, 23)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), date(2028, 2, 29)),  # 2028 is a leap year
        (date(2027, 8, 29), date(2028, 2, 29)),
        (date(2027, 8, 30), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2027, 6, 30)),
        (date(2027, 7, 15), date(2028, 1, 15)),  # across a year end
        (date(2028, 2, 29), date(2028, 8, 29)),
    ],
)
def test_review_falls_six_calendar_months_after_placement(placed: date, due: date) -> None:
    assert add_months(placed, 6) == due


def test_a_leap_day_plus_a_year_is_the_last_of_february() -> None:
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_the_uk_calendar_date_counts_not_the_utc_one() -> None:
    # 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April: due 1 October, not 30 September.
    assert review_due_from(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), 6) == date(2026, 10, 1)
    # In winter UK time is UTC.
    assert review_due_from(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), 6) == date(2027, 6, 30)
