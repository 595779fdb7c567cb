"""Test mode on the press path: a press in its own window is a test; everything else is real."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from safedesk.alarm_bus import make_bus
from safedesk.alarm_bus.events import AlarmRaised, TestPressReceived
from safedesk.button_events import ButtonPress, DeviceKind, PressReceipt
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmTest, BusEvent, TestResult
from safedesk.services.alarms.alarm_service import AlarmService
from safedesk.services.weekly_test.checklist import ItemState
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from tests.weekly_test.office_builder import TestOffice, heard_now


@pytest.fixture
def alarms(db: Database, clock: FakeClock, config: Config) -> Iterator[AlarmService]:
    bus = make_bus(db, clock, config.alarm)
    yield AlarmService(db, bus, clock, config.alarm, "TEST-PC")
    bus.close()


class Button:
    """A panic button that sends presses with rising sequence numbers, pressed 'now'."""

    def __init__(self, alarms: AlarmService, clock: FakeClock, device_id: str) -> None:
        self.alarms = alarms
        self.clock = clock
        self.device_id = device_id
        self.sequence = 0

    def press(self, travel_ms: float = 150) -> PressReceipt:
        """Press now; the press reaches the screen ``travel_ms`` later."""
        self.sequence += 1
        pressed_at = self.clock.now()
        self.clock.advance(seconds=travel_ms / 1000)
        return self.alarms.press(
            ButtonPress(self.device_id, self.sequence, pressed_at, DeviceKind.SERIAL, boot_id=1)
        )


def bus_kinds(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(BusEvent.kind).order_by(BusEvent.id)))


def test_a_press_in_its_window_is_recorded_as_a_test_with_its_latency(
    desk: WeeklyTestDesk, alarms: AlarmService, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    clock.advance(seconds=20)
    receipt = Button(alarms, clock, office.device_ids["Interview Room 1"]).press(travel_ms=240)
    assert receipt.is_test
    assert bus_kinds(db) == [TestPressReceived.KIND]
    item = desk.checklist(office.office_id).items[0]
    assert item.state is ItemState.AWAITING_RESULT
    assert item.latency_ms == pytest.approx(240, abs=1)
    assert (
        desk.record(started.test_id, office.actor("asha"), heard_on_responder=True)
        is TestResult.PASS
    )
    checklist = desk.checklist(office.office_id)
    assert checklist.header_text == "Weekly alarm test: 1 of 4 buttons tested"
    with db.session() as s:
        assert s.get_one(AlarmEvent, receipt.alarm_id).is_test


def test_a_real_alarm_from_another_room_during_a_test_window_stays_a_real_alarm(
    desk: WeeklyTestDesk, alarms: AlarmService, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    clock.advance(seconds=30)
    receipt = Button(alarms, clock, office.device_ids["Interview Room 2"]).press()
    assert not receipt.is_test
    assert bus_kinds(db) == [AlarmRaised.KIND]
    with db.session() as s:
        alarm = s.get_one(AlarmEvent, receipt.alarm_id)
        assert not alarm.is_test and alarm.room_id == office.rooms["Interview Room 2"]
        test = s.get_one(AlarmTest, started.test_id)
        assert test.pressed_at is None and test.result is TestResult.PENDING


def test_a_press_from_the_same_button_after_its_window_closed_is_a_real_alarm(
    desk: WeeklyTestDesk, alarms: AlarmService, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 3"], office.actor("ben"))
    clock.advance(seconds=121)  # the window has closed; the expiry timer has not run yet
    heard_now(db, office.devices["Interview Room 3"], clock.now())
    button = Button(alarms, clock, office.device_ids["Interview Room 3"])
    assert not button.press().is_test
    clock.advance(seconds=30)
    assert desk.expire_windows() == [started.test_id]
    clock.advance(seconds=600)
    # Long after: still a real alarm ("pressed again" on the open one), never a test.
    assert not button.press().is_test
    assert bus_kinds(db)[0] == AlarmRaised.KIND
    assert TestPressReceived.KIND not in bus_kinds(db)
    with db.session() as s:
        test = s.get_one(AlarmTest, started.test_id)
        assert (test.result, test.pressed_at) == (TestResult.FAIL, None)


def test_a_press_after_the_result_is_recorded_is_a_real_alarm(
    desk: WeeklyTestDesk, alarms: AlarmService, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Reception desk 1"], office.actor("carol"))
    button = Button(alarms, clock, office.device_ids["Reception desk 1"])
    assert button.press().is_test
    desk.record(started.test_id, office.actor("carol"), heard_on_responder=True)
    clock.advance(seconds=10)  # still inside the 120 s, but the test is finished
    assert not button.press().is_test


def test_the_window_length_comes_from_the_configuration(
    db: Database, alarms: AlarmService, clock: FakeClock, office: TestOffice
) -> None:
    import dataclasses

    config = Config()
    config = dataclasses.replace(
        config, weekly_test=dataclasses.replace(config.weekly_test, window_s=30)
    )
    desk = WeeklyTestDesk(db, clock, config)
    started = desk.start(office.devices["Interview Room 2"], office.actor("asha"))
    assert started.window_ends_at == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=31)
    assert not Button(alarms, clock, office.device_ids["Interview Room 2"]).press().is_test
