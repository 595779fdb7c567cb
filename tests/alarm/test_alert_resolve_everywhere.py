"""A resolved alarm leaves every screen, whichever dialogs were open (issue 10 item 4).

Call 999 and then Resolve used to leave the red alert up with its clock frozen (the Call 999
dialog had been deleted behind the alert's back); a second Resolve then said "Not saved: alarm 1
was already resolved". An alarm someone else resolved says who resolved it, and when.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QRadioButton
from pytestqt.qtbot import QtBot

from desktop.alarm.alert_window import local_time
from desktop.alarm.notice import AlarmNotice
from desktop.alarm.resolve_dialog import ResolveDialog
from safedesk.clock import FakeClock
from safedesk.models import AlarmEvent, AlarmOutcome
from safedesk.services.hub import Services
from tests.alarm.alert_helpers import alert_on, click, gone, press
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, open_screen

pytestmark = pytest.mark.gui


def _fill_and_resolve(qtbot: QtBot, dialog: ResolveDialog, notes: str) -> None:
    """As a person does it: pick the outcome, type the notes, click Resolve alarm."""
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    radio = dialog.findChild(QRadioButton, f"outcome_{AlarmOutcome.RESOLVED_ON_SITE.value}")
    assert radio is not None
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.notes, notes)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _visible_texts() -> list[str]:
    texts = []
    for top in QApplication.topLevelWidgets():
        if top.isVisible():
            texts += [label.text() for label in top.findChildren(QLabel) if label.isVisible()]
    return texts


def _resolved_notices() -> list[AlarmNotice]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, AlarmNotice) and w.isVisible() and "resolved" in w.title.text()
    ]


def _tom_and_sarah(
    qtbot: QtBot, db_url: str, office: SeededOffice, clock: FakeClock, screens: list[Screen]
) -> tuple[Screen, Screen]:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    sarah = open_screen(db_url, clock, office.office_id, office.actor("sokafor"))
    screens.extend([tom, sarah])
    qtbot.waitUntil(lambda: tom.adapter._sub is not None and sarah.adapter._sub is not None)
    return tom, sarah


def test_call_999_then_resolve_takes_the_alert_down(
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
    click(qtbot, window, window.respond_button)

    click(qtbot, window, window.call_button)
    call = window.call_999_dialog
    assert call is not None
    qtbot.waitUntil(call.isVisible, timeout=2000)
    close = next(b for b in call.findChildren(QPushButton) if b.text() == "Close")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)  # read out, phone down
    qtbot.waitUntil(lambda: gone(call), timeout=2000)
    # The app's event loop deletes what was closed (pytest-qt's nested loops would not).
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    click(qtbot, window, window.resolve_button)
    dialog = window.resolve_dialog
    assert dialog is not None
    _fill_and_resolve(qtbot, dialog, "Police attended; visitor left with them at 10:20.")

    qtbot.waitUntil(lambda: gone(window), timeout=5000)
    assert alarm_id not in tom.controller.windows
    assert gone(dialog)
    view = services.alarms.alert(alarm_id)
    assert view.resolved_at is not None
    assert view.outcome is AlarmOutcome.RESOLVED_ON_SITE
    assert not any("Not saved" in text for text in _visible_texts())


def test_resolve_while_the_call_999_numbers_are_still_open_closes_both(
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
    click(qtbot, window, window.call_button)
    call = window.call_999_dialog
    assert call is not None
    qtbot.waitUntil(call.isVisible, timeout=2000)

    click(qtbot, window, window.resolve_button)
    dialog = window.resolve_dialog
    assert dialog is not None
    _fill_and_resolve(qtbot, dialog, "Ambulance took the visitor to hospital.")

    qtbot.waitUntil(lambda: gone(window), timeout=5000)
    assert gone(call) and gone(dialog)
    assert services.alarms.alert(alarm_id).resolved_at is not None


def test_resolved_on_one_pc_closes_the_alert_and_dialogs_on_the_other_and_says_who(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom, sarah = _tom_and_sarah(qtbot, db_url, office, clock, screens)
    alarm_id = press(services, office, clock, "Interview Room 3")
    tom_window, sarah_window = alert_on(qtbot, tom, alarm_id), alert_on(qtbot, sarah, alarm_id)
    # Sarah has the numbers up and has started writing the incident notes.
    click(qtbot, sarah_window, sarah_window.call_button)
    click(qtbot, sarah_window, sarah_window.resolve_button)
    sarah_call, sarah_resolve = sarah_window.call_999_dialog, sarah_window.resolve_dialog
    assert sarah_call is not None and sarah_resolve is not None
    qtbot.waitUntil(sarah_resolve.isVisible, timeout=2000)
    qtbot.keyClicks(sarah_resolve.notes, "Visitor shouting at Tom")

    click(qtbot, tom_window, tom_window.resolve_button)
    assert tom_window.resolve_dialog is not None
    _fill_and_resolve(qtbot, tom_window.resolve_dialog, "Calmed down, left at 10:05.")

    qtbot.waitUntil(lambda: gone(sarah_window), timeout=5000)
    assert gone(sarah_call) and gone(sarah_resolve)
    assert alarm_id not in sarah.controller.windows
    qtbot.waitUntil(lambda: bool(_resolved_notices()), timeout=5000)
    (notice,) = _resolved_notices()
    resolved_at = services.alarms.alert(alarm_id).resolved_at
    assert resolved_at is not None
    assert "Interview Room 3" in notice.title.text()
    assert (
        f"Resolved by Tom Whitfield at {local_time(resolved_at)}: resolved on site."
        in notice.body.text()
    )
    assert "Visitor shouting at Tom" in notice.body.text()  # her unsaved notes are not lost
    assert "NOT saved" in notice.body.text()


def test_resolving_an_alarm_someone_else_just_resolved_says_who_and_takes_it_down(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom, sarah = _tom_and_sarah(qtbot, db_url, office, clock, screens)
    alarm_id = press(services, office, clock, "Interview Room 4")
    sarah_window = alert_on(qtbot, sarah, alarm_id)
    alert_on(qtbot, tom, alarm_id)
    click(qtbot, sarah_window, sarah_window.resolve_button)
    dialog = sarah_window.resolve_dialog
    assert dialog is not None
    sarah.adapter.stop()  # the news has not reached Sarah's PC yet
    tom.controller.resolve(alarm_id, AlarmOutcome.FALSE_ALARM, "Pressed by mistake.")

    _fill_and_resolve(qtbot, dialog, "Nobody hurt.")

    qtbot.waitUntil(lambda: gone(sarah_window), timeout=5000)
    assert not any("Not saved" in text for text in _visible_texts())
    assert not any("alarm 1" in text or f"alarm {alarm_id}" in text for text in _visible_texts())
    notices = _resolved_notices()
    assert notices and "Resolved by Tom Whitfield" in notices[0].body.text()
    assert "false alarm" in notices[0].body.text()
    with services.db.session() as s:
        assert s.get_one(AlarmEvent, alarm_id).notes == "Pressed by mistake."  # Tom's, not hers
