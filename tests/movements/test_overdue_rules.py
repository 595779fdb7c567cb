"""The overdue rules on a fake clock: due, grace, extension, amber, end of day, GMT and BST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safedesk.config import MovementsConfig
from safedesk.models.movements import OverdueReason
from safedesk.services.movements.overdue_rules import (
    EntryTimes,
    OfficeHours,
    Timers,
    may_extend_self,
    passed_deadline,
)

HOURS = OfficeHours.from_config(MovementsConfig(), "Europe/London")
TIMERS = Timers.from_config(MovementsConfig())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_not_overdue_until_expected_return_plus_grace() -> None:
    entry = EntryTimes(leaving_at=at("2026-11-23 10:00"), expected_back_at=at("2026-11-23 11:00"))
    assert passed_deadline(entry, HOURS, TIMERS, at("2026-11-23 11:00")) is None
    assert passed_deadline(entry, HOURS, TIMERS, at("2026-11-23 11:14:59")) is None
    due = passed_deadline(entry, HOURS, TIMERS, at("2026-11-23 11:15"))
    assert due is not None and due.reason is OverdueReason.DUE
    assert due.at == at("2026-11-23 11:15")


def test_grace_comes_from_config() -> None:
    timers = Timers.from_config(MovementsConfig(grace_minutes=5))
    entry = EntryTimes(leaving_at=at("2026-11-23 10:00"), expected_back_at=at("2026-11-23 11:00"))
    assert passed_deadline(entry, HOURS, timers, at("2026-11-23 11:05")) is not None


def test_an_alerted_deadline_is_spent_and_an_extension_makes_a_new_one() -> None:
    entry = EntryTimes(leaving_at=at("2026-11-23 10:00"), expected_back_at=at("2026-11-23 11:00"))
    spent = {(at("2026-11-23 11:15"), OverdueReason.DUE)}
    assert passed_deadline(entry, HOURS, TIMERS, at("2026-11-23 11:30"), spent) is None
    extended = EntryTimes(entry.leaving_at, expected_back_at=at("2026-11-23 12:00"))
    assert passed_deadline(extended, HOURS, TIMERS, at("2026-11-23 12:14"), spent) is None
    again = passed_deadline(extended, HOURS, TIMERS, at("2026-11-23 12:15"), spent)
    assert again is not None and again.at == at("2026-11-23 12:15")


def test_officer_may_extend_only_before_the_expected_return_passes() -> None:
    entry = EntryTimes(leaving_at=at("2026-11-23 10:00"), expected_back_at=at("2026-11-23 11:00"))
    assert may_extend_self(entry, at("2026-11-23 10:59"))
    assert not may_extend_self(entry, at("2026-11-23 11:00"))


def test_amber_going_in_without_coming_out_is_overdue_after_the_amber_timer() -> None:
    inside = EntryTimes(
        leaving_at=at("2026-11-23 10:00"),
        expected_back_at=at("2026-11-23 13:00"),
        going_in_at=at("2026-11-23 10:30"),
    )
    assert passed_deadline(inside, HOURS, TIMERS, at("2026-11-23 10:49")) is None
    amber = passed_deadline(inside, HOURS, TIMERS, at("2026-11-23 10:50"))
    assert amber is not None and amber.reason is OverdueReason.AMBER
    out = EntryTimes(
        inside.leaving_at, inside.expected_back_at, inside.going_in_at, at("2026-11-23 10:45")
    )
    assert passed_deadline(out, HOURS, TIMERS, at("2026-11-23 11:00")) is None


def test_still_out_at_closing_in_winter_gmt_is_overdue_at_17_00_utc() -> None:
    # Monday 23 November 2026: GMT, so closing at 17:00 local is 17:00 UTC.
    entry = EntryTimes(leaving_at=at("2026-11-23 16:00"), expected_back_at=at("2026-11-23 18:00"))
    assert passed_deadline(entry, HOURS, TIMERS, at("2026-11-23 16:59")) is None
    closing = passed_deadline(entry, HOURS, TIMERS, at("2026-11-23 17:00"))
    assert closing is not None and closing.reason is OverdueReason.END_OF_DAY
    assert closing.at == at("2026-11-23 17:00")


def test_still_out_at_closing_in_summer_bst_is_overdue_at_16_00_utc() -> None:
    # Monday 29 June 2026: BST, so closing at 17:00 local is 16:00 UTC.
    entry = EntryTimes(leaving_at=at("2026-06-29 14:00"), expected_back_at=at("2026-06-29 18:00"))
    assert passed_deadline(entry, HOURS, TIMERS, at("2026-06-29 15:59")) is None
    closing = passed_deadline(entry, HOURS, TIMERS, at("2026-06-29 16:00"))
    assert closing is not None and closing.reason is OverdueReason.END_OF_DAY


def test_the_day_after_the_clocks_go_forward_closes_at_bst() -> None:
    # Clocks go forward on Sunday 29 March 2026; Monday 30 March closes at 16:00 UTC.
    assert HOURS.closing_on(datetime(2026, 3, 30).date()) == at("2026-03-30 16:00")
    assert HOURS.closing_on(datetime(2026, 3, 27).date()) == at("2026-03-27 17:00")
    # Clocks go back on Sunday 25 October 2026.
    assert HOURS.closing_on(datetime(2026, 10, 26).date()) == at("2026-10-26 17:00")


def test_a_visit_on_a_day_the_office_is_closed_has_no_end_of_day_deadline() -> None:
    saturday = EntryTimes(
        leaving_at=at("2026-11-28 10:00"), expected_back_at=at("2026-11-28 20:00")
    )
    assert passed_deadline(saturday, HOURS, TIMERS, at("2026-11-28 19:00")) is None


def test_just_after_midnight_bst_is_still_the_previous_office_day() -> None:
    # 23:30 UTC on Monday 29 June is 00:30 on Tuesday in London: Tuesday's closing applies.
    late = EntryTimes(leaving_at=at("2026-06-29 23:30"), expected_back_at=at("2026-06-30 01:00"))
    closing = HOURS.closing_on(HOURS.local_date(late.leaving_at))
    assert closing == at("2026-06-30 16:00")


def test_leaving_after_closing_time_is_not_an_end_of_day_alert() -> None:
    evening = EntryTimes(leaving_at=at("2026-11-23 17:30"), expected_back_at=at("2026-11-23 19:00"))
    assert passed_deadline(evening, HOURS, TIMERS, at("2026-11-23 19:14")) is None
    due = passed_deadline(evening, HOURS, TIMERS, at("2026-11-23 19:15"))
    assert due is not None and due.reason is OverdueReason.DUE


def test_office_hours_know_when_it_is_open() -> None:
    assert HOURS.is_open(at("2026-11-23 09:00"))
    assert not HOURS.is_open(at("2026-11-23 17:00"))
    assert not HOURS.is_open(at("2026-11-22 12:00"))  # Sunday
    assert HOURS.is_open(at("2026-06-29 15:59"))  # 16:59 BST
    assert not HOURS.is_open(at("2026-06-29 16:00"))  # 17:00 BST
    assert timedelta(minutes=15) == TIMERS.grace
