"""The OVERDUE alert through the real bus, on real windows, taken and resolved from another PC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.movements.overdue_window import NoteDialog, OverdueWindow
from safedesk.db import Database
from safedesk.models.movements import CheckInMethod, Movement, OverdueAlert, OverdueOutcome
from tests.movements.office_diary import log_visit_elsewhere, movements, staff_id
from tests.walkthrough.conftest import OfficePCs

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


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
        qtbot.waitUntil(lambda a=app: len(movements(a).board.rows) == 1, timeout=10_000)
    assert movements(priya).board.table.item(0, 0).text() == "Rachel Green"

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
    qtbot.mouseClick(notice.findChild(type(window.take_button), "noticeDetails"), LEFT)
    mine = _alert_window(priya)
    assert mine is not None
    qtbot.mouseClick(mine.safe_button, LEFT)
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


def test_stray_typing_while_the_overdue_alert_appears_does_nothing(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    log_visit_elsewhere(office_pcs, "rgreen", minutes=30)
    office_pcs.clock.advance(minutes=46)
    qtbot.waitUntil(lambda: _alert_window(tom) is not None, timeout=15_000)
    window = _alert_window(tom)
    assert window is not None
    target = QApplication.focusWidget() or window
    qtbot.keyClicks(target, "smith  ")
    qtbot.keyClick(target, Qt.Key.Key_Return)
    qtbot.keyClick(target, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible() and window.dialog is None
    db = Database(office_pcs.url)
    try:
        with db.session() as s:
            alert = s.scalars(select(OverdueAlert)).one()
            assert alert.taken_at is None and alert.resolved_at is None
    finally:
        db.dispose()


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
