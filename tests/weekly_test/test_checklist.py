"""The weekly checklist: every button due on the test day, counted as it is tested."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AlarmTest, FailReason, PanicDevice, TestResult
from safedesk.services.buttons.readiness import Readiness
from safedesk.services.shared import audit
from safedesk.services.weekly_test.checklist import ItemState
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.refusals import TestHeld, WeeklyTestRefused
from tests.weekly_test.office_builder import TestOffice, heard_now, record_press


def pass_button(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice, room: str
) -> None:
    started = desk.start(office.devices[room], office.actor("asha"))
    now = clock.now()
    record_press(db, started.test_id, now, now + timedelta(milliseconds=180))
    assert (
        desk.record(started.test_id, office.actor("asha"), heard_on_responder=True)
        is TestResult.PASS
    )


def test_every_button_is_due_on_monday_morning(desk: WeeklyTestDesk, office: TestOffice) -> None:
    checklist = desk.checklist(office.office_id)
    assert checklist.total == 4
    assert checklist.tested == 0
    assert {i.readiness.status for i in checklist.items} == {Readiness.DUE}
    assert checklist.header_text == "Weekly alarm test: 0 of 4 buttons tested"


def test_checklist_counts_buttons_as_they_are_tested(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    pass_button(desk, db, clock, office, "Interview Room 1")
    pass_button(desk, db, clock, office, "Interview Room 2")
    checklist = desk.checklist(office.office_id)
    assert (checklist.tested, checklist.passed, checklist.total) == (2, 2, 4)
    assert checklist.header_text == "Weekly alarm test: 2 of 4 buttons tested"
    pass_button(desk, db, clock, office, "Interview Room 3")
    pass_button(desk, db, clock, office, "Reception desk 1")
    checklist = desk.checklist(office.office_id)
    assert checklist.all_tested
    assert checklist.header_text == "Weekly alarm test: all 4 buttons tested"
    assert {i.readiness.status for i in checklist.items} == {Readiness.OK}


def test_untested_buttons_are_overdue_after_the_deadline(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    pass_button(desk, db, clock, office, "Interview Room 1")
    clock.advance(hours=15)  # Tuesday 00:00 GMT: past the default deadline (end of Monday)
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    checklist = desk.checklist(office.office_id)
    assert checklist.overdue
    assert checklist.header_text == "Weekly alarm test OVERDUE: 1 of 4 buttons tested"
    statuses = {i.room_name: i.readiness.status for i in checklist.items}
    assert statuses["Interview Room 1"] is Readiness.OK
    assert statuses["Interview Room 2"] is Readiness.OVERDUE


def test_next_week_every_button_is_due_again(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    for room in office.devices:
        pass_button(desk, db, clock, office, room)
    clock.advance(days=7)
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    checklist = desk.checklist(office.office_id)
    assert checklist.tested == 0
    assert {i.readiness.status for i in checklist.items} == {Readiness.DUE}


def test_a_test_that_never_gets_a_press_fails_with_no_signal(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 2"], office.actor("ben"))
    assert started.window_ends_at == clock.now() + timedelta(seconds=120)
    item = desk.checklist(office.office_id).items[1]
    assert item.state is ItemState.WINDOW_OPEN
    assert item.seconds_left(clock.now()) == 120
    clock.advance(seconds=120)
    assert desk.expire_windows() == []  # the window has only just closed (grace for late presses)
    clock.advance(seconds=10)
    assert desk.expire_windows() == [started.test_id]
    with db.session() as s:
        test = s.get(AlarmTest, started.test_id)
        assert test is not None
        assert (test.result, test.fail_reason) == (TestResult.FAIL, FailReason.NO_SIGNAL)
        latest_entry = audit.entries(s, subject_type="alarm_test")[0]
        assert latest_entry.action == "weekly_test.no_signal"
    heard_now(db, office.devices["Interview Room 2"], clock.now())  # online, yet never signalled
    checklist = desk.checklist(office.office_id)
    assert checklist.failed == 1
    assert checklist.header_text == "Weekly alarm test: 1 of 4 buttons tested, 1 failed"
    room2 = next(i for i in checklist.items if i.room_name == "Interview Room 2")
    assert room2.readiness.status is Readiness.FAILED
    assert room2.readiness.summary == "Last weekly test FAILED (no signal)"


def test_a_pressed_test_is_not_expired_and_waits_for_the_result(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("ben"))
    clock.advance(seconds=30)
    record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=95))
    clock.advance(seconds=600)
    assert desk.expire_windows() == []
    item = desk.checklist(office.office_id).items[0]
    assert item.state is ItemState.AWAITING_RESULT
    assert item.latency_ms == pytest.approx(95)


def test_starting_a_test_on_an_offline_button_says_so_and_records_a_fail(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    clock.advance(seconds=60)  # nothing heard for 60 s; the default limit is 10 s
    heard_now(db, office.devices["Interview Room 1"], clock.now())
    outcome = desk.start(office.devices["Interview Room 3"], office.actor("asha"))
    assert outcome.offline
    assert outcome.window_ends_at is None
    assert "Interview Room 3 is OFFLINE (not heard from for 60 s)" in outcome.message
    with db.session() as s:
        test = s.get(AlarmTest, outcome.test_id)
        assert test is not None
        assert (test.result, test.fail_reason) == (TestResult.FAIL, FailReason.DEVICE_OFFLINE)
    room3 = next(
        i for i in desk.checklist(office.office_id).items if i.room_name == "Interview Room 3"
    )
    assert room3.state is ItemState.FAILED
    assert room3.readiness.status is Readiness.OFFLINE


def test_a_second_tester_is_refused_and_told_who_holds_the_button(
    desk: WeeklyTestDesk, office: TestOffice
) -> None:
    desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    with pytest.raises(TestHeld, match="already being tested by Asha Patel"):
        desk.start(office.devices["Interview Room 1"], office.actor("ben"))


def test_the_same_tester_starting_twice_gets_the_same_window(
    desk: WeeklyTestDesk, office: TestOffice
) -> None:
    first = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    again = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    assert again.test_id == first.test_id


def test_start_all_opens_a_window_for_every_untested_button(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    pass_button(desk, db, clock, office, "Interview Room 1")
    desk.start(office.devices["Interview Room 2"], office.actor("ben"))
    outcome = desk.start_all(office.office_id, office.actor("asha"))
    assert sorted(s.room_name for s in outcome.started) == ["Interview Room 3", "Reception desk 1"]
    assert len(outcome.refused) == 1 and "Ben Okafor" in outcome.refused[0]
    assert outcome.message.startswith("2 test windows open")


def test_signed_out_system_cannot_start_a_test(desk: WeeklyTestDesk, office: TestOffice) -> None:
    from safedesk.services.shared.actor import Actor

    with pytest.raises(WeeklyTestRefused, match="needs a signed-in member of staff"):
        desk.start(office.devices["Interview Room 1"], Actor.system())


def test_pass_needs_a_press(desk: WeeklyTestDesk, clock: FakeClock, office: TestOffice) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    with pytest.raises(WeeklyTestRefused, match="No press received"):
        desk.record(started.test_id, office.actor("asha"), heard_on_responder=True)


def test_not_heard_needs_the_silent_screen_named_and_fails(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=120))
    with pytest.raises(WeeklyTestRefused, match="Name the responder screen"):
        desk.record(started.test_id, office.actor("asha"), heard_on_responder=False)
    result = desk.record(
        started.test_id,
        office.actor("asha"),
        heard_on_responder=False,
        not_heard_screen="RESPONDER-PC2",
        notes="Speakers muted",
    )
    assert result is TestResult.FAIL
    with db.session() as s:
        test = s.get(AlarmTest, started.test_id)
        assert test is not None
        assert test.fail_reason is FailReason.NOT_HEARD
        assert test.not_heard_screen == "RESPONDER-PC2"
        assert test.notes == "Speakers muted"


def test_led_unchanged_is_a_fail(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=120))
    desk.record(started.test_id, office.actor("asha"), heard_on_responder=True, led_changed=False)
    item = desk.checklist(office.office_id).items[0]
    assert (item.state, item.fail_reason) == (ItemState.FAILED, FailReason.LED_UNCHANGED)


def test_a_result_cannot_be_recorded_twice(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    pass_button(desk, db, clock, office, "Interview Room 1")
    test_id = desk.checklist(office.office_id).items[0].test_id
    assert test_id is not None
    with pytest.raises(WeeklyTestRefused, match="already has a result"):
        desk.record(test_id, office.actor("ben"), heard_on_responder=False, not_heard_screen="X")


def test_a_retest_that_passes_clears_the_failed_flag(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    clock.advance(seconds=200)
    desk.expire_windows()
    heard_now(db, office.devices["Interview Room 1"], clock.now())
    assert desk.readiness(office.office_id).rooms[0].status is Readiness.FAILED
    pass_button(desk, db, clock, office, "Interview Room 1")
    assert desk.readiness(office.office_id).rooms[0].status is Readiness.OK
    assert started.test_id != desk.checklist(office.office_id).items[0].test_id


def test_a_disabled_button_is_off_the_checklist_but_its_room_is_flagged(
    desk: WeeklyTestDesk, db: Database, office: TestOffice
) -> None:
    with db.session() as s:
        device = s.get(PanicDevice, office.devices["Interview Room 3"])
        assert device is not None
        device.enabled = False
    assert desk.checklist(office.office_id).total == 3
    room = desk.readiness(office.office_id).room(office.rooms["Interview Room 3"])
    assert room is not None and room.status is Readiness.OFFLINE and room.status.is_flagged


def test_a_test_just_after_midnight_bst_counts_for_the_new_week(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    # Monday 30 March 2026, 00:30 BST (the clocks went forward on Sunday): still Sunday in UTC.
    clock.set(datetime(2026, 3, 29, 23, 30, tzinfo=UTC))
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    pass_button(desk, db, clock, office, "Interview Room 1")
    checklist = desk.checklist(office.office_id)
    assert checklist.week.week_start == date(2026, 3, 30)
    assert checklist.tested == 1
    with db.session() as s:
        test = s.scalars(select(AlarmTest)).one()
        assert test.week_start == date(2026, 3, 30)


def test_a_test_late_on_sunday_counts_for_the_old_week_not_the_new_one(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    # Sunday 25 October 2026, 23:50 GMT (the clocks went back that morning).
    clock.set(datetime(2026, 10, 25, 23, 50, tzinfo=UTC))
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    pass_button(desk, db, clock, office, "Interview Room 2")
    assert desk.checklist(office.office_id).week.week_start == date(2026, 10, 19)
    clock.advance(minutes=10)  # Monday 00:00 GMT: a new week, every button due again
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    checklist = desk.checklist(office.office_id)
    assert checklist.week.week_start == date(2026, 10, 26)
    assert checklist.tested == 0
    assert {i.readiness.status for i in checklist.items} == {Readiness.DUE}


def test_a_timed_out_window_does_not_block_the_next_tester_even_before_the_timer_runs(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    first = desk.start(office.devices["Interview Room 1"], office.actor("ben"))
    clock.advance(seconds=200)
    heard_now(db, office.devices["Interview Room 1"], clock.now())
    second = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    assert not second.offline and second.test_id != first.test_id
    with db.session() as s:
        old = s.get_one(AlarmTest, first.test_id)
        assert (old.result, old.fail_reason) == (TestResult.FAIL, FailReason.NO_SIGNAL)


def test_the_holder_is_named_with_the_local_start_time(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    clock.set(datetime(2026, 7, 6, 8, 15, tzinfo=UTC))  # 09:15 BST
    heard_now(db, office.devices["Interview Room 1"], clock.now())
    desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    with pytest.raises(TestHeld, match=r"Asha Patel \(started 09:15:00\)"):
        desk.start(office.devices["Interview Room 1"], office.actor("ben"))


def test_an_offline_button_is_described_in_local_time(
    desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    clock.set(datetime(2026, 7, 6, 8, 15, tzinfo=UTC))  # Monday; last heard on Friday
    heard_now(db, office.devices["Interview Room 2"], datetime(2026, 7, 3, 16, 30, tzinfo=UTC))
    outcome = desk.start(office.devices["Interview Room 2"], office.actor("asha"))
    assert "not heard from since Fri 03 Jul 17:30" in outcome.message  # BST
