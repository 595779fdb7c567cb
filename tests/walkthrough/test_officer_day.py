"""An officer's day (seed 000's movements diary, seed 001's "who, what, where, when, why"):

Rachel logs a home visit on her own PC, by keyboard and mouse, is shown the marker at the
address and acknowledges it, and goes. She is not back in time: the OVERDUE alert reaches Tom,
the responder on duty, full screen; Priya at reception gets the notice, opens it, takes it and
phones Rachel, who is safe. Every PC's board says so.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from unidecode import unidecode

from desktop.movements.log_visit_dialog import LogVisitDialog
from desktop.movements.marker_warning import PreVisitWarning
from desktop.movements.overdue_window import NoteDialog, OverdueWindow
from safedesk.db import Database
from safedesk.models import AuditEntry
from safedesk.models.movements import CheckInMethod, Movement, OverdueAlert, OverdueOutcome
from tests.movements.office_diary import flagged_person, movements
from tests.walkthrough.conftest import OfficePCs

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


def _type_into(qtbot: QtBot, field: object, text: str) -> None:
    qtbot.mouseClick(field, LEFT)  # type: ignore[arg-type]
    qtbot.keyClicks(field, text)  # type: ignore[arg-type]


def _visible_alert(app: object) -> OverdueWindow | None:
    windows = movements(app).controller.windows  # type: ignore[arg-type]
    return next((w for w in windows.values() if w.isVisible()), None)


def test_officer_logs_a_visit_sees_the_markers_is_overdue_is_phoned_and_is_safe(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    rachel = office_pcs.open("rgreen", mode="responder", name="PC-RACHEL")
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    priya = office_pcs.open("psharma", mode="reception", name="RECEPTION-1")
    _, name, address, postcode = flagged_person(office_pcs)
    # Typed as a keyboard types it: plain letters (QTest cannot type "í"), and a typo.
    plain = unidecode(name)
    forename, surname = plain.split(" ", 1)[0], plain.rsplit(" ", 1)[-1]
    typo = surname[:2] + surname[3] + surname[2] + surname[4:]  # two letters swapped

    # Rachel opens the Movements tab and logs the visit: Ctrl+N, then the form.
    board = movements(rachel).board
    office_pcs.tab(rachel, "Movements")
    rachel.window.activateWindow()  # her PC is the one she is using
    qtbot.waitActive(rachel.window)
    qtbot.mouseClick(board.table.viewport(), LEFT)
    # Through the window, as a keyboard's keys arrive (so the shortcut sees them).
    qtbot.keyClick(rachel.window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = board.dialog
    assert isinstance(dialog, LogVisitDialog)
    qtbot.waitExposed(dialog)
    assert dialog.officer.currentText().startswith("Rachel Green")
    _type_into(qtbot, dialog.address, unidecode(address))
    _type_into(qtbot, dialog.postcode, postcode)
    _type_into(qtbot, dialog.seeing, f"{forename} {typo}")
    _type_into(qtbot, dialog.phone, "07700 900118")
    _type_into(qtbot, dialog.answers["previous_violence"], "See the marker")
    for key in ("health_risk", "household", "environment"):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.answers[key]
        qtbot.keyClicks(dialog.focusWidget(), "none known")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "Rent arrears: agree a plan")
    qtbot.mouseClick(dialog.log_button, LEFT)

    # The marker at the address, as reception shows a flagged file: tick, then acknowledge.
    warning = dialog.warning
    assert isinstance(warning, PreVisitWarning)
    qtbot.waitExposed(warning)
    cards = " ".join(label.text() for label in warning.findChildren(type(warning.problem)))
    assert name in cards and "Instructions to staff" in cards
    assert not warning.acknowledge.isEnabled()
    qtbot.keyClick(warning, Qt.Key.Key_Return)
    assert "Tick the box" in warning.problem.text()
    qtbot.keyClick(warning.read_it, Qt.Key.Key_Space)
    qtbot.keyClick(warning, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.movement_id is not None, timeout=5_000)
    assert not dialog.isVisible()
    assert "acknowledged" in dialog.markers_status.text()

    # Every PC's board shows her out, due back in an hour.
    for app in (rachel, tom, priya):
        qtbot.waitUntil(lambda a=app: len(movements(a).board.rows) == 1, timeout=10_000)
    row = movements(priya).board.rows[0]
    assert (row.officer_name, row.address, row.flagged) == (
        "Rachel Green",
        unidecode(address),
        True,
    )
    office_pcs.tab(priya, "Movements")
    assert "Out: due in 1 h 00 min" in movements(priya).board.table.item(0, 6).text()

    # An hour and a quarter later she has not reported back: OVERDUE on Tom's screen.
    office_pcs.clock.advance(minutes=76)
    qtbot.waitUntil(lambda: _visible_alert(tom) is not None, timeout=15_000)
    alert = _visible_alert(tom)
    assert alert is not None
    alert.resize(1366, 768)
    qtbot.waitExposed(alert)
    assert alert.officer_label.text() == "Rachel Green"
    assert unidecode(address) in alert.where_label.text()
    assert name in alert.markers_label.text()
    assert "07700 900118" in alert.phone_label.text()

    # Priya gets the notice, opens it, takes it and rings Rachel.
    notices = movements(priya).controller.notices
    qtbot.waitUntil(lambda: bool(notices), timeout=10_000)
    notice = next(iter(notices.values()))
    qtbot.mouseClick(notice.findChild(QPushButton, "noticeDetails"), LEFT)
    mine = _visible_alert(priya)
    assert mine is not None
    qtbot.waitUntil(lambda: mine.armed, timeout=8000)  # it ignores the mouse for a moment
    qtbot.mouseClick(mine.take_button, LEFT)
    qtbot.waitUntil(lambda: "Priya Sharma" in alert.dealing_label.text(), timeout=10_000)
    assert alert.take_button.text() == "✔  BEING PHONED" and not alert.take_button.isEnabled()
    qtbot.mouseClick(mine.safe_button, LEFT)
    note = mine.dialog
    assert isinstance(note, NoteDialog)
    qtbot.keyClicks(note.note, "Spoke to Rachel: the visit ran over, she is safe")
    qtbot.keyClick(note.note, Qt.Key.Key_Return)

    # Safe: the alerts come down everywhere and the boards say how she reported back.
    qtbot.waitUntil(
        lambda: _visible_alert(tom) is None and _visible_alert(priya) is None, timeout=10_000
    )
    qtbot.waitUntil(
        lambda: movements(tom).board.rows and movements(tom).board.rows[0].returned_at is not None,
        timeout=10_000,
    )
    assert movements(tom).board.rows[0].back_how == "phoned in: safe (call taken by Priya Sharma)"
    db = Database(office_pcs.url)
    try:
        with db.session() as s:
            movement = s.scalars(select(Movement)).one()
            assert movement.person_id is None and movement.person_name == f"{forename} {typo}"
            assert movement.marker_ids and movement.markers_acknowledged_at is not None
            assert movement.check_in_method is CheckInMethod.PHONED
            overdue = s.scalars(select(OverdueAlert)).one()
            assert overdue.outcome is OverdueOutcome.PHONED_SAFE
            assert overdue.taken_at is not None and overdue.escalated_managers_at is None
            actions = set(s.scalars(select(AuditEntry.action)))
            assert {
                "movement.logged",
                "overdue.raised",
                "overdue.taken",
                "movement.back",
            } <= actions
    finally:
        db.dispose()
