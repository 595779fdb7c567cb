"""The responder's screen: an alarm appears, is acknowledged, escalates, and is resolved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.alarm.alert_window import AlertWindow
from safedesk.button_events import ButtonPress, DeviceKind, PressReceipt
from safedesk.clock import FakeClock
from safedesk.models import AlarmOutcome, RoomKind
from safedesk.services.hub import Services
from tests.alarm.alert_helpers import click
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, heartbeat, open_screen


def _press(services: Services, office: SeededOffice, clock: FakeClock, room: str) -> int:
    press = ButtonPress(office.device_ids[room], 1, clock.now(), DeviceKind.SERIAL, boot_id=7)
    return services.alarms.press(press).alarm_id


def _window(screen: Screen, alarm_id: int) -> AlertWindow | None:
    return screen.controller.windows.get(alarm_id)


def test_alarm_opens_full_screen_alert_on_the_on_duty_responders_pc(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter.connected and tom.adapter._sub is not None, timeout=5000)

    alarm_id = _press(services, office, clock, "Interview Room 1")
    clock.advance(12)

    qtbot.waitUntil(lambda: _window(tom, alarm_id) is not None, timeout=5000)
    window = _window(tom, alarm_id)
    assert window is not None
    qtbot.waitUntil(window.isVisible, timeout=2000)
    assert window.isFullScreen()
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.kind_label.text() == "PANIC ALARM"
    assert window.room_label.text() == "Interview Room 1"
    assert "Ground floor, left of reception" in window.where_label.text()
    assert "Derby Central Housing Office" in window.where_label.text()
    qtbot.waitUntil(lambda: window.elapsed_label.text() == "12 s ago", timeout=2000)
    assert "Nobody has said they are going yet" in window.responders_label.text()


def test_staff_not_on_duty_get_the_smaller_notice_not_the_full_alert(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    heartbeat(services.db, clock, office.office_id, office.actor("twhitfield"))  # Tom's PC is on
    rachel = open_screen(db_url, clock, office.office_id, office.actor("rgreen"))
    screens.append(rachel)
    qtbot.waitUntil(lambda: rachel.adapter._sub is not None, timeout=5000)

    alarm_id = _press(services, office, clock, "Interview Room 2")

    qtbot.waitUntil(lambda: alarm_id in rachel.controller.notices, timeout=5000)
    notice = rachel.controller.notices[alarm_id]
    assert notice.isVisible()
    assert "Interview Room 2" in notice.title.text()
    assert alarm_id not in rachel.controller.windows
    assert not rachel.sound.is_playing


def test_acknowledgement_on_one_screen_shows_on_a_second(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    sarah = open_screen(db_url, clock, office.office_id, office.actor("sokafor"))
    screens.extend([tom, sarah])
    qtbot.waitUntil(lambda: tom.adapter._sub is not None and sarah.adapter._sub is not None)

    alarm_id = _press(services, office, clock, "Interview Room 1")
    qtbot.waitUntil(
        lambda: _window(tom, alarm_id) is not None and _window(sarah, alarm_id) is not None,
        timeout=5000,
    )
    tom_window, sarah_window = _window(tom, alarm_id), _window(sarah, alarm_id)
    assert tom_window is not None and sarah_window is not None

    click(qtbot, tom_window, tom_window.respond_button)

    qtbot.waitUntil(lambda: "is going" in sarah_window.responders_label.text(), timeout=5000)
    assert "Tom Whitfield</b> is going" in sarah_window.responders_label.text()
    assert alarm_id in tom.controller.silenced
    assert alarm_id not in sarah.controller.silenced  # Sarah's screen still sounds until she acts
    assert sarah_window.silence_button.isVisible()


def test_unacknowledged_alarm_escalates_to_all_staff(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    heartbeat(services.db, clock, office.office_id, office.actor("twhitfield"))  # Tom's PC is on
    rachel = open_screen(db_url, clock, office.office_id, office.actor("rgreen"))
    screens.append(rachel)
    qtbot.waitUntil(lambda: rachel.adapter._sub is not None, timeout=5000)
    alarm_id = _press(services, office, clock, "Interview Room 3")
    qtbot.waitUntil(lambda: alarm_id in rachel.controller.notices, timeout=5000)

    clock.advance(29)
    qtbot.wait(1500)  # two escalation checks at 29 s: nothing may change yet
    assert alarm_id not in rachel.controller.windows

    clock.advance(2)
    qtbot.waitUntil(lambda: _window(rachel, alarm_id) is not None, timeout=5000)
    window = _window(rachel, alarm_id)
    assert window is not None
    qtbot.waitUntil(window.isVisible, timeout=2000)
    assert window.escalation_label.isVisible()
    assert "ESCALATED TO ALL STAFF" in window.escalation_label.text()
    assert alarm_id not in rachel.controller.notices


def test_resolving_requires_an_outcome_and_notes_and_takes_every_alert_down(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    sarah = open_screen(db_url, clock, office.office_id, office.actor("sokafor"))
    screens.extend([tom, sarah])
    qtbot.waitUntil(lambda: tom.adapter._sub is not None and sarah.adapter._sub is not None)
    alarm_id = _press(services, office, clock, "Interview Room 4")
    qtbot.waitUntil(
        lambda: _window(tom, alarm_id) is not None and _window(sarah, alarm_id) is not None,
        timeout=5000,
    )
    tom_window = _window(tom, alarm_id)
    assert tom_window is not None

    click(qtbot, tom_window, tom_window.resolve_button)
    dialog = tom_window.resolve_dialog
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    dialog.choose(AlarmOutcome.RESOLVED_ON_SITE, "")
    assert not dialog.ok_button.isEnabled()  # notes are required
    dialog.choose(AlarmOutcome.RESOLVED_ON_SITE, "Visitor calmed down and left at 10:05.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: _window(sarah, alarm_id) is None, timeout=5000)
    assert _window(tom, alarm_id) is None
    assert not tom.sound.is_playing and not sarah.sound.is_playing
    view = services.alarms.alert(alarm_id)
    assert view.outcome is AlarmOutcome.RESOLVED_ON_SITE


def test_a_newcomer_presses_a_demo_button_and_sees_the_alert_on_this_pc(
    qtbot: QtBot, db_url: str, office: SeededOffice, clock: FakeClock, screens: list[Screen]
) -> None:
    from desktop.alarm.panic_button import DemoButtons
    from safedesk.services.shared.workstation_place import RoomChoice

    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    room_id = office.room_ids["Interview Room 2"]
    device_id = office.device_ids["Interview Room 2"]
    rooms = (RoomChoice(room_id, "Interview Room 2", RoomKind.INTERVIEW_ROOM, None, device_id),)
    buttons = DemoButtons(tom.services.alarms, rooms, lambda: tom.actor, clock=clock)
    qtbot.addWidget(buttons)

    qtbot.mouseClick(buttons.buttons[room_id], Qt.MouseButton.LeftButton)

    # Delivered off the GUI thread, as the desk's own press (L, issue 12 follow-ups).
    qtbot.waitUntil(lambda: "new alarm" in buttons.result.text(), timeout=5000)
    assert "(alarm" not in buttons.result.text()  # human words, no database ids
    qtbot.waitUntil(lambda: len(tom.controller.windows) == 1, timeout=5000)
    (window,) = tom.controller.windows.values()
    assert window.room_label.text() == "Interview Room 2"
    click(qtbot, window, window.call_button)
    dialog = window.call_999_dialog
    assert dialog is not None
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Council House, Corporation Street, Derby DE1 2FS" in texts
    assert "01332 640000" in texts


def test_alarm_from_an_unregistered_button_shows_as_unknown_location_on_every_screen(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    rachel = open_screen(db_url, clock, office.office_id, office.actor("rgreen"))
    screens.append(rachel)
    qtbot.waitUntil(lambda: rachel.adapter._sub is not None, timeout=5000)
    press = ButtonPress("pico-not-registered", 1, clock.now(), DeviceKind.SERIAL, boot_id=1)
    alarm_id = services.alarms.press(press).alarm_id

    qtbot.waitUntil(
        lambda: alarm_id in rachel.controller.notices or alarm_id in rachel.controller.windows,
        timeout=5000,
    )
    rachel.controller._show_details(alarm_id)
    window = _window(rachel, alarm_id)
    assert window is not None
    assert "pico-not-registered" in window.where_label.text()
    assert "check every room" in window.where_label.text()


def test_switching_to_an_on_duty_responder_turns_the_notice_into_the_full_alert(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    heartbeat(services.db, clock, office.office_id, office.actor("twhitfield"))  # Tom's PC is on
    shared = open_screen(db_url, clock, office.office_id, office.actor("rgreen"))
    screens.append(shared)
    qtbot.waitUntil(lambda: shared.adapter._sub is not None, timeout=5000)
    alarm_id = _press(services, office, clock, "Interview Room 1")
    qtbot.waitUntil(lambda: alarm_id in shared.controller.notices, timeout=5000)

    shared.actor = office.actor("sokafor")  # quick switch of user on a shared PC
    shared.adapter._actor = lambda: shared.actor
    shared.adapter.refresh()

    qtbot.waitUntil(lambda: _window(shared, alarm_id) is not None, timeout=5000)
    assert alarm_id not in shared.controller.notices


def test_weekly_test_press_shows_a_labelled_test_notice_not_the_alarm(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    from sqlalchemy import select

    from safedesk.models import PanicDevice

    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    with services.db.session() as s:
        device_pk = s.scalars(
            select(PanicDevice.id).where(
                PanicDevice.device_id == office.device_ids["Interview Room 3"]
            )
        ).one()
    services.weekly_tests.start(device_pk, office.actor("hmarsh"))
    clock.advance(2)
    tests_seen: list[object] = []
    tom.adapter.test_press.connect(tests_seen.append)

    receipt = _press_receipt(services, office, clock, "Interview Room 3")

    assert receipt.is_test
    qtbot.waitUntil(lambda: bool(tests_seen), timeout=5000)
    notice = tom.controller._test_notice
    assert notice.title.text() == "TEST — Interview Room 3"
    assert "not an emergency" in notice.body.text()
    assert not tom.controller.windows  # no red alert for a test


def _press_receipt(
    services: Services, office: SeededOffice, clock: FakeClock, room: str
) -> PressReceipt:
    press = ButtonPress(office.device_ids[room], 1, clock.now(), DeviceKind.SERIAL, boot_id=11)
    return services.alarms.press(press)


def test_pressed_again_sounds_again_on_a_screen_that_was_only_silenced(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    sarah = open_screen(db_url, clock, office.office_id, office.actor("sokafor"))
    screens.extend([tom, sarah])
    qtbot.waitUntil(lambda: tom.adapter._sub is not None and sarah.adapter._sub is not None)
    alarm_id = _press(services, office, clock, "Interview Room 1")
    qtbot.waitUntil(lambda: _window(sarah, alarm_id) is not None, timeout=5000)
    tom.controller.respond(alarm_id)
    sarah_window = _window(sarah, alarm_id)
    assert sarah_window is not None
    qtbot.waitUntil(sarah_window.silence_button.isVisible, timeout=5000)
    click(qtbot, sarah_window, sarah_window.silence_button)
    assert alarm_id in sarah.controller.silenced

    again = ButtonPress(
        office.device_ids["Interview Room 1"], 2, clock.now(), DeviceKind.SERIAL, boot_id=7
    )
    services.alarms.press(again)

    qtbot.waitUntil(lambda: alarm_id not in sarah.controller.silenced, timeout=5000)
    assert "pressed 2 times" in sarah_window.raised_label.text()
    assert alarm_id in tom.controller.silenced  # Tom is already going: his PC stays quiet
