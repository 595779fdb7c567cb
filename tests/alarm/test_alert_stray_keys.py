"""Nothing typed by someone busy elsewhere acts on the alert (issue 10 item 3).

The alert appears over whatever the person was doing; a Space, a word typed mid-sentence, Enter
or Escape must not record "I'm responding" (which would stop the escalation and tell every other
screen that this person is going), open Resolved, or hide it. A deliberate click, or a Ctrl+Shift
chord followed by Y for keyboard-only users, does.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

import desktop.alarm.alert_window as alert_window
from desktop.alarm.alert_window import AlertWindow
from safedesk.clock import FakeClock
from safedesk.models import AlarmEvent, AlarmResponse
from safedesk.services.hub import Services
from tests.alarm.alert_helpers import alert_on, click, press
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, heartbeat, open_screen

pytestmark = pytest.mark.gui

BUSY_KEYS = (
    Qt.Key.Key_Space,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Space,
)


def _responses(services: Services, alarm_id: int) -> int:
    with services.db.session() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(AlarmResponse)
                .where(AlarmResponse.alarm_id == alarm_id)
            )
            or 0
        )


def _alarm(services: Services, alarm_id: int) -> AlarmEvent:
    with services.db.session() as s:
        alarm = s.get_one(AlarmEvent, alarm_id)
        s.expunge(alarm)
        return alarm


def _type_like_someone_busy(qtbot: QtBot, window: AlertWindow) -> None:
    """What a person typing an email when the alert appears sends to whatever has the focus."""
    for text in ("smith ", "  ", "Dear Mr Smith,"):
        qtbot.keyClicks(QApplication.focusWidget() or window, text)
    for key in BUSY_KEYS:
        qtbot.keyClick(QApplication.focusWidget() or window, key)


def _buttons(window: AlertWindow) -> list[QPushButton]:
    return [
        window.respond_button,
        window.resolve_button,
        window.call_button,
        window.silence_button,
        window.hide_button,
    ]


def test_stray_space_while_alert_appears_does_not_respond(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    alarm_id = press(services, office, clock, "Interview Room 1")
    window = alert_on(qtbot, tom, alarm_id)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)

    _type_like_someone_busy(qtbot, window)  # the moment it appears
    qtbot.wait(int(getattr(alert_window, "ARM_AFTER_MS", 600) * 1.5))
    _type_like_someone_busy(qtbot, window)  # and a while later, still typing

    assert _responses(services, alarm_id) == 0
    assert _alarm(services, alarm_id).acknowledged_at is None
    assert window.isVisible()
    assert window.respond_button.text() == "➜  I'M RESPONDING"
    assert window.resolve_dialog is None
    assert "Nobody has said they are going yet" in window.responders_label.text()
    assert QApplication.focusWidget() not in _buttons(window)
    # ... so the escalation to all staff still happens after 30 s.
    clock.advance(31)
    qtbot.waitUntil(lambda: _alarm(services, alarm_id).escalated_at is not None, timeout=5000)
    qtbot.waitUntil(window.escalation_label.isVisible, timeout=5000)
    assert "ESCALATED TO ALL STAFF" in window.escalation_label.text()


def test_typing_after_responding_does_not_hide_or_resolve_the_alert(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    alarm_id = press(services, office, clock, "Interview Room 2")
    window = alert_on(qtbot, tom, alarm_id)
    click(qtbot, window, window.respond_button)
    assert _responses(services, alarm_id) == 1

    _type_like_someone_busy(qtbot, window)

    assert window.isVisible()  # Hide needs a click on Hide
    assert window.resolve_dialog is None  # Resolved needs a click on Resolved
    assert window.call_999_dialog is None
    assert _alarm(services, alarm_id).resolved_at is None


def test_a_click_already_on_its_way_when_the_alert_appears_does_nothing(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Long enough that this test cannot be slower than it on a loaded machine.
    monkeypatch.setattr(alert_window, "ARM_AFTER_MS", 3000, raising=False)
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    alarm_id = press(services, office, clock, "Interview Room 3")
    window = alert_on(qtbot, tom, alarm_id)

    # The person was clicking in another program just as the alert covered the screen.
    qtbot.mouseClick(window.respond_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.resolve_button, Qt.MouseButton.LeftButton)

    assert _responses(services, alarm_id) == 0
    assert window.resolve_dialog is None
    # Once it has been on screen a moment, a click is a click.
    click(qtbot, window, window.respond_button)
    assert _responses(services, alarm_id) == 1
    assert window.respond_button.text() == "✔  YOU ARE RESPONDING"


def test_keyboard_only_responder_uses_the_chord_and_confirms_with_y(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)
    alarm_id = press(services, office, clock, "Interview Room 4")
    window = alert_on(qtbot, tom, alarm_id)
    chord = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    assert "Ctrl+Shift" in window.keys_label.text()  # the way is on screen

    qtbot.keyClick(window, Qt.Key.Key_R, chord)
    assert window.confirm_label.isVisible()
    assert "Press Y to say I'M RESPONDING" in window.confirm_label.text()
    qtbot.keyClick(window, Qt.Key.Key_N)  # changed their mind: any other key cancels
    assert not window.confirm_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Y)  # a Y on its own does nothing
    assert _responses(services, alarm_id) == 0

    qtbot.keyClick(window, Qt.Key.Key_R, chord)
    qtbot.keyClick(window, Qt.Key.Key_Y)

    assert _responses(services, alarm_id) == 1
    assert window.respond_button.text() == "✔  YOU ARE RESPONDING"
    # Resolved from the keyboard too: the chord, Y, and the dialog takes the keyboard.
    qtbot.keyClick(window, Qt.Key.Key_D, chord)
    qtbot.keyClick(window, Qt.Key.Key_Y)
    assert window.resolve_dialog is not None
    qtbot.waitUntil(window.resolve_dialog.isVisible, timeout=2000)


def test_stray_keys_reaching_the_smaller_notice_do_not_act_on_it(
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
    alarm_id = press(services, office, clock, "Interview Room 1")
    qtbot.waitUntil(lambda: alarm_id in rachel.controller.notices, timeout=5000)
    notice = rachel.controller.notices[alarm_id]
    qtbot.waitExposed(notice)
    notice.activateWindow()  # whatever the window manager does, keys may end up here

    for text in ("smith ", "\t", " "):
        qtbot.keyClicks(QApplication.focusWidget() or notice, text)
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Escape):
        qtbot.keyClick(QApplication.focusWidget() or notice, key)

    assert notice.isVisible()  # not put away ("OK")
    assert alarm_id not in rachel.controller.windows  # not opened ("Show details")
