"""A responder's alarm (seed 000/004): a panic button is pressed at a reception desk; the alert
appears on both responders' PCs; a stray keystroke does nothing; one responds and the other sees
who is going; Call 999; resolved with notes; the alert leaves every screen.

Four PCs on one office database, each a whole SafeDesk at 1366x768: Priya's reception PC at
Reception desk 1, Tom's and Sarah's responder PCs, and Rachel's (an officer not on the rota).
"""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QRadioButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.alarm.alert_window import AlertWindow, local_time
from desktop.alarm.notice import AlarmNotice
from desktop.app import DesktopApp
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmOutcome, AlarmResponse
from tests.walkthrough.conftest import OfficePCs

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton
WAIT = 10_000


def _alert(qtbot: QtBot, pc: DesktopApp, alarm_id: int) -> AlertWindow:
    qtbot.waitUntil(lambda: alarm_id in pc.controller.windows, timeout=WAIT)
    window = pc.controller.windows[alarm_id]
    qtbot.waitUntil(window.isVisible, timeout=WAIT)
    return window


def _click(qtbot: QtBot, window: AlertWindow, button: QPushButton) -> None:
    qtbot.waitUntil(lambda: window.armed, timeout=WAIT)  # looked at it, then clicked
    qtbot.mouseClick(button, LEFT)


def _gone(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _alarm(pcs: OfficePCs, alarm_id: int) -> tuple[AlarmEvent, int]:
    """The alarm as recorded, and how many people said "I'm responding"."""
    db = Database(pcs.url)
    try:
        with db.session() as s:
            alarm = s.get_one(AlarmEvent, alarm_id)
            s.expunge(alarm)
            responses = s.scalars(
                select(AlarmResponse.id).where(AlarmResponse.alarm_id == alarm_id)
            ).all()
            return alarm, len(responses)
    finally:
        db.dispose()


def test_a_responders_alarm_from_press_to_resolved_on_every_screen(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    desk = office_pcs.open("psharma", mode="reception", name="DESK-1", desk="Reception desk 1")
    tom = office_pcs.open("twhitfield", mode="responder", name="RESPONDER-1")
    sarah = office_pcs.open("sokafor", mode="responder", name="RESPONDER-2")
    rachel = office_pcs.open("rgreen", mode="responder", name="OFFICER-3")
    for pc in (desk, tom, sarah, rachel):
        pc.adapter.refresh()  # every PC looks again at who can be reached (it does so every 30 s)
    header = rachel.window.header
    qtbot.waitUntil(
        lambda: header.rota.text() == "Responders reachable: 2 of 3 on duty", timeout=WAIT
    )

    # Someone at Reception desk 1 presses the panic button under the counter.
    alarm_id = office_pcs.press_button("Reception desk 1")

    tom_alert, sarah_alert = _alert(qtbot, tom, alarm_id), _alert(qtbot, sarah, alarm_id)
    for alert in (tom_alert, sarah_alert):
        assert alert.room_label.text() == "Reception desk 1"
        assert alert.people_title.text() == "AT THE DESK NOW"
        assert "<b>Priya Sharma</b> (signed in at this desk on DESK-1)" in alert.people_label.text()
        assert "Nobody has said they are going yet" in alert.responders_label.text()
        assert "Tom Whitfield: signed in on RESPONDER-1" in alert.responders_label.text()
        assert alert.width() == 1366 and alert.height() == 768
    # The desk stays quiet (the person there may be facing the aggressor); Rachel, not on the
    # rota, gets the smaller notice, which says only what is known.
    qtbot.waitUntil(lambda: alarm_id in rachel.controller.notices, timeout=WAIT)
    notice = rachel.controller.notices[alarm_id].body.text()
    assert "Sent to the rota:" in notice and "alerted" not in notice
    assert "Tom Whitfield (signed in on RESPONDER-1)" in notice
    assert alarm_id not in desk.controller.windows and alarm_id not in desk.controller.notices

    # Tom was typing an email when the alert covered his screen: the rest of it goes nowhere.
    tom_alert.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tom_alert, timeout=WAIT)
    for text in ("smith ", " ", "regards"):
        qtbot.keyClicks(QApplication.focusWidget() or tom_alert, text)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Escape):
        qtbot.keyClick(QApplication.focusWidget() or tom_alert, key)
    alarm, responses = _alarm(office_pcs, alarm_id)
    assert responses == 0 and alarm.acknowledged_at is None
    assert tom_alert.isVisible() and tom_alert.respond_button.text() == "➜  I'M RESPONDING"

    # He looks, and clicks I'M RESPONDING: Sarah's screen says he is going, from where.
    slots = [tom_alert.respond_button.geometry(), tom_alert.resolve_button.geometry()]
    _click(qtbot, tom_alert, tom_alert.respond_button)
    assert tom_alert.respond_button.text() == "✔  YOU ARE RESPONDING"
    assert [tom_alert.respond_button.geometry(), tom_alert.resolve_button.geometry()] == slots
    qtbot.waitUntil(
        lambda: "Tom Whitfield</b> is going" in sarah_alert.responders_label.text(), timeout=WAIT
    )
    assert "(from RESPONDER-1)" in sarah_alert.responders_label.text()
    qtbot.waitUntil(
        lambda: "Tom Whitfield is going." in rachel.controller.notices[alarm_id].body.text(),
        timeout=WAIT,
    )

    # At the desk it is serious: Call 999, read out the address, then resolve with notes.
    _click(qtbot, tom_alert, tom_alert.call_button)
    call = tom_alert.call_999_dialog
    assert call is not None
    qtbot.waitUntil(call.isVisible, timeout=WAIT)
    texts = [label.text() for label in call.findChildren(QLabel)]
    assert "Council House, Corporation Street, Derby DE1 2FS" in texts
    close = next(b for b in call.findChildren(QPushButton) if b.text() == "Close")
    qtbot.mouseClick(close, LEFT)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as the app's loop does

    _click(qtbot, tom_alert, tom_alert.resolve_button)
    dialog = tom_alert.resolve_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    police = dialog.findChild(QRadioButton, f"outcome_{AlarmOutcome.POLICE_CALLED.value}")
    assert police is not None
    qtbot.mouseClick(police, LEFT)
    qtbot.keyClicks(dialog.notes, "Visitor threatened Priya; police attended and removed him.")
    qtbot.mouseClick(dialog.ok_button, LEFT)

    # The alert leaves every screen, whatever was open on it.
    for pc, alert in ((tom, tom_alert), (sarah, sarah_alert)):
        qtbot.waitUntil(lambda: alarm_id not in pc.controller.windows, timeout=WAIT)  # noqa: B023
        assert _gone(alert)
    qtbot.waitUntil(lambda: alarm_id not in rachel.controller.notices, timeout=WAIT)
    alarm, responses = _alarm(office_pcs, alarm_id)
    assert alarm.resolved_at is not None and responses == 1
    assert alarm.outcome is AlarmOutcome.POLICE_CALLED
    assert alarm.notes == "Visitor threatened Priya; police attended and removed him."
    # Sarah's PC says who resolved it, and when.
    said = f"Resolved by Tom Whitfield at {local_time(alarm.resolved_at)}: police called."
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, AlarmNotice) and w.isVisible() and said in w.body.text()
            for w in QApplication.topLevelWidgets()
        ),
        timeout=WAIT,
    )
