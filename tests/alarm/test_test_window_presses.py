"""During a weekly test, only the press that completes the test is a test (issue 12, hole 7).

"Start all" opened a window on every button, and every press in any of them was filed as a test:
a real emergency anywhere in the office in the next two minutes reached nobody, and its LED said
TEST. A tester is at one button at a time: only that button's first press is the test; any other
press (another room, the same button again, a tester's double press) is a real alarm on the
responders' screens, and its LED says help is coming.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.alarm.alert_window import AlertWindow
from hardware.simulated import SimulatedButtonSource
from safedesk.button_events import LedState
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmTest, PanicDevice, TestResult
from safedesk.services.hub import Services
from safedesk.services.weekly_test.checklist import ItemState
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, open_screen

pytestmark = pytest.mark.gui


@pytest.fixture
def buttons(services: Services, office: SeededOffice, clock: FakeClock) -> SimulatedButtonSource:
    """The office's USB buttons, as the demo drives them: each press goes to the alarm service."""
    source = SimulatedButtonSource(
        services.alarms,
        clock,
        {d: room for room, d in office.device_ids.items() if d.startswith("pico-")},
        heartbeat_interval_s=None,
    )
    source.heartbeat()  # every button online, so every test window opens
    return source


def _responder_screen(
    qtbot: QtBot, db_url: str, clock: FakeClock, office: SeededOffice, screens: list[Screen]
) -> Screen:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter.connected and tom.adapter._sub is not None, timeout=5000)
    return tom


def _device_pk(db: Database, device_id: str) -> int:
    with db.session() as s:
        return s.scalars(select(PanicDevice.id).where(PanicDevice.device_id == device_id)).one()


def _alert(qtbot: QtBot, screen: Screen, alarm_id: int) -> AlertWindow:
    qtbot.waitUntil(lambda: alarm_id in screen.controller.windows, timeout=5000)
    window = screen.controller.windows[alarm_id]
    qtbot.waitUntil(window.isVisible, timeout=2000)
    return window


def test_after_start_all_other_rooms_and_a_second_press_are_real_alarms_on_the_responder_screen(
    qtbot: QtBot,
    db_url: str,
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    buttons: SimulatedButtonSource,
    screens: list[Screen],
) -> None:
    tom = _responder_screen(qtbot, db_url, clock, office, screens)
    desk = WeeklyTestDesk(db, clock, Config())
    outcome = desk.start_all(office.office_id, office.actor("psharma"))
    assert sum(1 for s in outcome.started if not s.offline) == 6
    # The tester is told the order: the first window is the button they test first.
    assert "in this order: Interview Room 1, Interview Room 2" in outcome.message

    clock.advance(10)
    test_press = buttons.press("Interview Room 1")  # the tester, at the first button
    assert test_press.is_test
    assert buttons.led_states[office.device_ids["Interview Room 1"]] is LedState.TEST

    # Within the two minutes: emergencies in two other rooms, and the tested button again.
    clock.advance(5)
    reception = buttons.press("Reception desk 1")
    desk2 = buttons.press("Reception desk 2")
    clock.advance(5)
    again = buttons.press("Interview Room 1")
    for receipt, room in (
        (reception, "Reception desk 1"),
        (desk2, "Reception desk 2"),
        (again, "Interview Room 1"),
    ):
        assert not receipt.is_test and receipt.created, room
        # The LED in the room says help is coming, not TEST.
        assert buttons.led_states[office.device_ids[room]] is LedState.DELIVERED, room
        window = _alert(qtbot, tom, receipt.alarm_id)
        assert window.kind_label.text() == "PANIC ALARM"
        assert window.room_label.text() == room

    # The tester walks on: the next button's first press is its test.
    clock.advance(20)
    assert buttons.press("Interview Room 2").is_test

    with db.session() as s:
        tests = {t.device_pk: t for t in s.scalars(select(AlarmTest))}
        alarms = list(s.scalars(select(AlarmEvent).order_by(AlarmEvent.id)))
    assert [a.is_test for a in alarms] == [True, False, False, False, True]
    assert sum(1 for t in tests.values() if t.pressed_at is not None) == 2
    # The other rooms' tests were not completed by the emergencies: still waiting their turn.
    states = {i.room_name: i.state for i in desk.checklist(office.office_id).items}
    assert states["Interview Room 1"] is ItemState.AWAITING_RESULT
    assert states["Interview Room 2"] is ItemState.AWAITING_RESULT
    assert states["Reception desk 1"] is ItemState.WINDOW_OPEN
    assert states["Reception desk 2"] is ItemState.WINDOW_OPEN
    assert all(t.result is TestResult.PENDING for t in tests.values())


def test_a_single_test_is_completed_by_the_first_press_and_a_double_press_is_a_real_alarm(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    buttons: SimulatedButtonSource,
) -> None:
    desk = WeeklyTestDesk(db, clock, Config())
    room = "Interview Room 2"
    started = desk.start(_device_pk(db, office.device_ids[room]), office.actor("psharma"))
    clock.advance(3)
    first = buttons.press(room)
    clock.advance(0.4)  # the tester's finger slips: pressed twice
    second = buttons.press(room)
    assert first.is_test
    assert not second.is_test and second.created
    assert buttons.led_states[office.device_ids[room]] is LedState.DELIVERED
    with db.session() as s:
        test = s.get_one(AlarmTest, started.test_id)
        assert test.alarm_id == first.alarm_id
        real = s.get_one(AlarmEvent, second.alarm_id)
        assert not real.is_test and real.room_id == office.room_ids[room]
    # The double press is not lost silently: it is an open emergency until someone resolves it.
    assert [v.alarm_id for v in services.alarms.open_alarms(office.office_id)] == [second.alarm_id]


def test_a_resend_of_the_test_press_stays_the_test(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    buttons: SimulatedButtonSource,
) -> None:
    desk = WeeklyTestDesk(db, clock, Config())
    room = "Reception desk 2"
    desk.start(_device_pk(db, office.device_ids[room]), office.actor("psharma"))
    first = buttons.press(room)
    resend = buttons.resend(room, age_s=0.25)  # the acknowledgement was lost
    assert first.is_test and resend.is_test and resend.alarm_id == first.alarm_id
    assert services.alarms.open_alarms(office.office_id) == []
