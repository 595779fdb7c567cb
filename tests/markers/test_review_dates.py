"""Six months from placement, clamped to month ends, leap years included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from safedesk.services.markers.review_dates import add_months, review_due_from


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


def test_review_states_read_in_plain_english() -> None:
    from safedesk.services.markers.review_dates import review_state_text

    today = date(2026, 11, 23)
    assert review_state_text(date(2026, 11, 24), today) == "due in 1 day"
    assert review_state_text(date(2026, 11, 25), today) == "due in 2 days"
    assert review_state_text(today, today) == "due today"
    assert review_state_text(date(2026, 11, 22), today) == "OVERDUE by 1 day"
    assert review_state_text(date(2026, 11, 13), today) == "OVERDUE by 10 days"


def test_categories_are_known_by_their_code_or_their_title_on_screen() -> None:
    from safedesk.models import MarkerCategory
    from safedesk.services.markers.roles import category_from_text

    violence = MarkerCategory.VIOLENCE_AGGRESSION
    assert category_from_text("violence_aggression") is violence
    assert category_from_text("Violence or aggression incident") is violence
    assert category_from_text("violence and aggression incident") is violence
    assert category_from_text("Registered prolific offender / criminal offender") is (
        MarkerCategory.OFFENDER
    )
    assert category_from_text("something else") is None
