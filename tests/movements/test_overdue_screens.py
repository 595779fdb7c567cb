"""The OVERDUE alert through the real bus, on real windows, taken and resolved from another PC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import desktop.movements.overdue_window as overdue_window
from desktop.app import DesktopApp
from desktop.movements.overdue_window import NoteDialog, OverdueWindow
from safedesk.db import Database
from safedesk.models.movements import CheckInMethod, Movement, OverdueAlert, OverdueOutcome
from tests.movements.office_diary import log_visit_elsewhere, movements, staff_id
from tests.walkthrough.conftest import OfficePCs

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton
BUSY_KEYS = (
    Qt.Key.Key_Tab,
    Qt.Key.Key_Space,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Space,
    Qt.Key.Key_Return,
    Qt.Key.Key_Escape,
)


def _alert_window(app: object) -> OverdueWindow | None:
    windows = movements(app).controller.windows  # type: ignore[arg-type]
    return next((w for w in windows.values() if w.isVisible()), None)


def test_overdue_officer_is_shown_to_responders_and_phoned_safe_from_reception(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    priya = office_pcs.open("psharma", mode="reception", name="RECEPTION-1")
    movement_id = log_visit_elsewhere(office_pcs, "rgreen", minutes=60)
    # Both boards show Rachel out, through the bus.
    for app in (tom, priya):

        def one_row(a: DesktopApp = app) -> bool:
            return len(movements(a).board.rows) == 1

        qtbot.waitUntil(one_row, timeout=10_000)
    first = movements(priya).board.table.item(0, 0)
    assert first is not None and first.text() == "Rachel Green"

    office_pcs.clock.advance(minutes=75)  # expected back 60 min, plus 15 min grace
    qtbot.waitUntil(lambda: _alert_window(tom) is not None, timeout=15_000)
    window = _alert_window(tom)
    assert window is not None
    window.resize(1366, 768)
    qtbot.waitExposed(window)
    assert window.officer_label.text() == "Rachel Green"
    assert window.where_label.text() == "2 Nowhere Row, Derby DE99 9ZZ"
    assert "07700 900118" in window.phone_label.text()
    assert "on their own" in window.visit_label.text()
    assert window.kind_label.text() == "OVERDUE: NOT BACK FROM A VISIT"
    for button in (
        window.take_button,
        window.safe_button,
        window.extend_button,
        window.police_button,
    ):
        assert button.isVisible()
        assert button.geometry().right() <= window.width(), button.text()
    # Its own look: amber and black, not the panic alarm's red.
    assert "#ffb000" in window.styleSheet() and "#b00000" not in window.styleSheet()

    # Priya is not on the rota: she gets the amber notice, and opens it.
    notices = movements(priya).controller.notices
    qtbot.waitUntil(lambda: bool(notices), timeout=10_000)
    notice = next(iter(notices.values()))
    assert notice.title.text() == "⚠ OVERDUE — Rachel Green"
    qtbot.mouseClick(notice.findChild(QPushButton, "noticeDetails"), LEFT)
    mine = _alert_window(priya)
    assert mine is not None
    _deliberate_click(qtbot, mine, mine.safe_button)
    dialog = mine.dialog
    assert isinstance(dialog, NoteDialog)
    qtbot.keyClicks(dialog.note, "Rang her: phone died, safe in the car")
    qtbot.mouseClick(dialog.ok, LEFT)

    # Taken down on both PCs, by the bus.
    qtbot.waitUntil(
        lambda: _alert_window(tom) is None and _alert_window(priya) is None, timeout=10_000
    )
    assert not movements(tom).controller.windows
    db = Database(office_pcs.url)
    try:
        with db.session() as s:
            m = s.get_one(Movement, movement_id)
            assert m.check_in_method is CheckInMethod.PHONED
            assert m.checked_in_by_id == staff_id(office_pcs, "psharma")
            alert = s.scalars(select(OverdueAlert)).one()
            assert alert.outcome is OverdueOutcome.PHONED_SAFE
            assert alert.notes is not None and "phone died" in alert.notes
    finally:
        db.dispose()
    qtbot.waitUntil(lambda: "1 back today" in movements(tom).board.summary.text(), timeout=10_000)
    assert "OVERDUE" not in movements(tom).board.summary.text()


def _alert_state(office_pcs: OfficePCs) -> OverdueAlert:
    db = Database(office_pcs.url)
    try:
        with db.session() as s:
            alert = s.scalars(select(OverdueAlert)).one()
            s.expunge(alert)
            return alert
    finally:
        db.dispose()


def _buttons(window: OverdueWindow) -> list[QPushButton]:
    return [
        window.take_button,
        window.safe_button,
        window.extend_button,
        window.police_button,
        window.silence_button,
        window.hide_button,
    ]


def _type_like_someone_busy(qtbot: QtBot, window: OverdueWindow) -> None:
    """What someone typing an email sends to whatever has the keyboard when the alert appears."""
    for text in ("smith ", "  ", "Dear Mr Smith,"):
        qtbot.keyClicks(QApplication.focusWidget() or window, text)
    for key in BUSY_KEYS:
        qtbot.keyClick(QApplication.focusWidget() or window, key)


def _overdue_on(qtbot: QtBot, app: object) -> OverdueWindow:
    qtbot.waitUntil(lambda: _alert_window(app) is not None, timeout=15_000)
    window = _alert_window(app)
    assert window is not None
    qtbot.waitExposed(window)
    assert window.width() == 1366 and window.height() == 768  # full screen on the office PC
    window.activateWindow()  # whatever the window manager does, the keys may end up here
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def _deliberate_click(qtbot: QtBot, window: OverdueWindow, button: QPushButton) -> None:
    """A person looks at the alert, then clicks (it ignores the mouse for a moment at first)."""
    qtbot.waitUntil(lambda: getattr(window, "armed", True), timeout=8000)
    qtbot.mouseClick(button, LEFT)


def test_stray_typing_while_the_overdue_alert_appears_does_nothing(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    log_visit_elsewhere(office_pcs, "rgreen", minutes=30)
    office_pcs.clock.advance(minutes=46)
    window = _overdue_on(qtbot, tom)

    _type_like_someone_busy(qtbot, window)  # the moment it appears
    qtbot.wait(int(getattr(overdue_window, "ARM_AFTER_MS", 600) * 1.5))
    _type_like_someone_busy(qtbot, window)  # and a while later, still typing

    alert = _alert_state(office_pcs)
    assert alert.taken_at is None and alert.resolved_at is None
    assert window.isVisible() and window.dialog is None
    assert window.take_button.text() == "☎  I'M PHONING THEM"
    assert "Nobody has taken this yet" in window.dealing_label.text()
    assert QApplication.focusWidget() not in _buttons(window)
    assert all(b.focusPolicy() is Qt.FocusPolicy.NoFocus for b in _buttons(window))
    assert "Ctrl+Shift" in window.keys_label.text()  # the keyboard's way is on screen


def test_a_click_meant_for_another_window_does_not_take_the_overdue_alert(
    office_pcs: OfficePCs, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough that this test cannot be slower than it on a loaded machine.
    monkeypatch.setattr(overdue_window, "ARM_AFTER_MS", 3000, raising=False)
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    log_visit_elsewhere(office_pcs, "rgreen", minutes=30)
    office_pcs.clock.advance(minutes=46)
    window = _overdue_on(qtbot, tom)

    # Tom was clicking OK in another dialog just as the alert covered the screen.
    qtbot.mouseClick(window.take_button, LEFT)
    qtbot.mouseClick(window.safe_button, LEFT)

    assert _alert_state(office_pcs).taken_at is None
    assert window.dialog is None
    # Once it has been on screen a moment, a click is a click.
    _deliberate_click(qtbot, window, window.take_button)
    assert _alert_state(office_pcs).taken_at is not None
    assert window.take_button.text() == "✔  BEING PHONED"


def test_typing_after_taking_the_overdue_alert_does_not_record_them_safe(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    log_visit_elsewhere(office_pcs, "rgreen", minutes=30)
    office_pcs.clock.advance(minutes=46)
    window = _overdue_on(qtbot, tom)
    _deliberate_click(qtbot, window, window.take_button)
    assert _alert_state(office_pcs).taken_at is not None

    # Tom goes back to his email while the phone rings; the alert is still up behind it.
    _type_like_someone_busy(qtbot, window)

    alert = _alert_state(office_pcs)
    assert alert.resolved_at is None and alert.outcome is None  # not "phoned: safe"
    assert window.isVisible() and window.dialog is None
    assert QApplication.focusWidget() not in _buttons(window)


def test_keyboard_only_user_takes_the_overdue_alert_with_the_chord_and_y(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    log_visit_elsewhere(office_pcs, "rgreen", minutes=30)
    office_pcs.clock.advance(minutes=46)
    window = _overdue_on(qtbot, tom)
    chord = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

    qtbot.keyClick(window, Qt.Key.Key_P, chord)
    assert "P (I'm phoning them)" in window.keys_label.text()  # the way is on screen
    assert window.confirm_label.isVisible()
    assert "Press Y to say I'M PHONING THEM" in window.confirm_label.text()
    qtbot.keyClick(window, Qt.Key.Key_N)  # changed their mind: any other key cancels
    assert not window.confirm_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Y)  # a Y on its own does nothing
    assert _alert_state(office_pcs).taken_at is None

    qtbot.keyClick(window, Qt.Key.Key_P, chord)
    qtbot.keyClick(window, Qt.Key.Key_Y)
    assert _alert_state(office_pcs).taken_at is not None
    assert window.take_button.text() == "✔  BEING PHONED"
    # "Phoned: safe" from the keyboard too: the chord, Y, and the dialog takes the keyboard.
    qtbot.keyClick(window, Qt.Key.Key_D, chord)
    qtbot.keyClick(window, Qt.Key.Key_Y)
    dialog = window.dialog
    assert isinstance(dialog, NoteDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=2000)


def test_untaken_overdue_escalates_to_a_manager_s_screen(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    helen = office_pcs.open("sbarker", mode="manager", name="PC-STEVE")
    log_visit_elsewhere(office_pcs, "rgreen", minutes=30)
    office_pcs.clock.advance(minutes=46)
    notices = movements(helen).controller.notices
    qtbot.waitUntil(lambda: bool(notices), timeout=15_000)
    assert _alert_window(helen) is None
    office_pcs.clock.advance(timedelta(seconds=31).total_seconds())
    qtbot.waitUntil(lambda: _alert_window(helen) is not None, timeout=15_000)
    window = _alert_window(helen)
    assert window is not None
    assert "ESCALATED TO THE MANAGERS" in window.escalation_label.text()
