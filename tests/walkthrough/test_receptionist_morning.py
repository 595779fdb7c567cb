"""A receptionist's morning (seed 001: "the red triangle comes up and we tell the officer"):

Priya, at Reception desk 1, books in a flagged visitor entirely from the keyboard: she types
what he says with a nickname and a slip ("jon bel"), the shortlist says why he matched in plain
words, the warning appears, she ticks it and Enter books him in; Tom, the host, is told on his
own PC with the flag and its instructions. Then a Polish and a Welsh walk-in, stored exactly as
they spell their names; then the high-risk meeting Tom registered, whose own notes appear in
the arrival warning. Two PCs, each a whole SafeDesk at 1366x768, on one database (SQLite, then
PostgreSQL).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.app import DesktopApp
from desktop.reception.book_in_dialog import BookInDialog
from desktop.reception.host_notice import HostNoticeWindow
from desktop.reception.panel_hook import ReceptionPage
from desktop.reception.reception_window import NOTES_COL, VISITOR_COL, ReceptionPanel
from desktop.reception.warning_dialog import FlaggedFileWarning
from safedesk.db import Database
from safedesk.models import (
    AuditEntry,
    Marker,
    MarkerCategory,
    MarkerStatus,
    Person,
    Room,
    Staff,
    Visit,
)
from safedesk.services.reception.meetings import register_meeting
from safedesk.services.shared.actor import Actor
from tests.reception.driving import (
    press,
    read_and_acknowledge,
    texts,
    type_here,
    type_search,
    wait_for_keyboard,
    when_shown,
)
from tests.walkthrough.conftest import SCREEN_SIZE, OfficePCs

pytestmark = pytest.mark.gui

WAIT = 15_000
BELL_INSTRUCTIONS = ["Two officers present for any meeting", "Meet only in an interview room"]
MEETING_NOTES = "Two officers present. Call Tom before letting him through."


def _add_flagged(
    db: Database, fore: str, sur: str, dob: date, postcode: str, *, now: object
) -> int:
    with db.session() as s:
        person = Person(
            forenames=fore,
            surname=sur,
            date_of_birth=dob,
            postcode=postcode,
            tenancy_ref=None,
            created_at=now,
            updated_at=now,
        )
        s.add(person)
        s.flush()
        s.add(
            Marker(
                person_id=person.id,
                category=MarkerCategory.VIOLENCE_AGGRESSION,
                instructions=list(BELL_INSTRUCTIONS),
                placed_at=now,
                review_due=date(2027, 3, 1),
                status=MarkerStatus.ACTIVE,
            )
        )
        return person.id


def _use(qtbot: QtBot, pc: DesktopApp) -> None:
    """Priya sits at her PC: its window is the active one, with the keyboard."""
    pc.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is pc.window, timeout=WAIT)


def _reception(qtbot: QtBot, pcs: OfficePCs, pc: DesktopApp) -> ReceptionPanel:
    page = pcs.tab(pc, "Reception")
    assert isinstance(page, ReceptionPage)
    qtbot.waitUntil(lambda: page.panel is not None, timeout=60_000)  # the people index loads
    assert page.panel is not None
    return page.panel


def _notices_for(name: str) -> list[HostNoticeWindow]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, HostNoticeWindow)
        and shiboken6.isValid(w)
        and w.isVisible()
        and w.notice.visit.visitor_name == name
    ]


def _visit(db: Database, **where: object) -> Visit:
    with db.session() as s:
        query = select(Visit)
        for column, value in where.items():
            query = query.where(getattr(Visit, column) == value)
        visit = s.scalars(query).one()
        s.expunge(visit)
        return visit


def _audit(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        s.expunge_all()
        return rows


def test_receptionist_books_in_a_flagged_visitor_by_keyboard_two_walk_ins_and_a_high_risk_meeting(
    office_pcs: OfficePCs, qtbot: QtBot
) -> None:
    db = Database(office_pcs.url)
    now = office_pcs.clock.now()
    bell = _add_flagged(db, "John", "Bell", date(1976, 2, 29), "DE22 4LB", now=now)
    marsh = _add_flagged(db, "Kelly", "Marsh", date(1988, 7, 3), "DE23 6QT", now=now)
    priya = office_pcs.open(
        "psharma", mode="reception", name="RECEPTION-1", desk="Reception desk 1"
    )
    tom = office_pcs.open("twhitfield", mode="responder", name="PC-TOM")
    panel = _reception(qtbot, office_pcs, priya)
    assert priya.window.width() <= SCREEN_SIZE[0]

    # ------------------------------------------------------------ 1. a flagged visitor, by keyboard
    _use(qtbot, priya)
    panel.table.setFocus()
    press(qtbot, Qt.Key.Key_F2)
    dialog = panel.book_in_dialog
    assert isinstance(dialog, BookInDialog)
    qtbot.waitExposed(dialog)
    wait_for_keyboard(qtbot, dialog)
    assert QApplication.focusWidget() is dialog.search_box
    type_search(qtbot, dialog, "jon bel 29/02/1976")  # a nickname and a slip
    press(qtbot, Qt.Key.Key_Down)
    entry = dialog.selected_entry()
    assert entry is not None and entry.record.person_id == bell
    how = dialog.table.item(dialog.table.currentRow(), 5).text()
    assert "Jon is a short form of John" in how and "surname sounds like Bell" in how
    assert "~" not in how and "→" not in how
    press(qtbot, Qt.Key.Key_Tab)  # out of the list, to "Seeing"
    assert QApplication.focusWidget() is dialog.host
    type_here(qtbot, "Tom")
    press(qtbot, Qt.Key.Key_Tab)
    type_here(qtbot, "Rent arrears")
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.rooms
    room = dialog.rooms.current_room()
    assert room is not None and room.alarm_ok  # a room whose alarm works, chosen for him
    seen: list[QWidget] = []

    def warned(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        shown = texts(warning)
        assert "FLAGGED FILE" in shown and BELL_INSTRUCTIONS[0] in shown
        assert "Seeing: <b>Tom Whitfield</b>" in warning.host_line.text()
        read_and_acknowledge(qtbot, warning)  # Alt+R ticks it, Enter books in

    when_shown(FlaggedFileWarning, warned, seen)
    with qtbot.waitSignal(dialog.booked, timeout=WAIT):
        press(qtbot, Qt.Key.Key_Return)
    assert seen
    booked = _visit(db, person_id=bell)
    assert booked.arrived_at is not None and booked.room_id == room.room_id
    assert any(e.subject_id == booked.id for e in _audit(db, "visit_warning_acknowledged"))
    # Tom is told on his own PC, with the flag and what to do.
    qtbot.waitUntil(lambda: bool(_notices_for("John Bell")), timeout=WAIT)
    (notice,) = _notices_for("John Bell")
    assert "FLAGGED FILE" in texts(notice) and BELL_INSTRUCTIONS[0] in texts(notice)
    assert room.name in texts(notice)
    assert tom.window.isVisible()
    qtbot.mouseClick(notice.ok, Qt.MouseButton.LeftButton)

    # ------------------------------------------------------------ 2. walk-ins, named as they spell it
    for name, purpose in (
        ("Łukasz Wiśniewski", "Housing register enquiry"),
        ("Siân Llŷr ap Gwilym", "Report a repair"),
    ):
        _use(qtbot, priya)
        panel.table.setFocus()
        press(qtbot, Qt.Key.Key_F2)
        walk_in = panel.book_in_dialog
        qtbot.waitExposed(walk_in)
        wait_for_keyboard(qtbot, walk_in)
        type_search(qtbot, walk_in, name)
        press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # not on the list: by name
        qtbot.waitUntil(walk_in.walk_in_name.isVisible, timeout=WAIT)
        assert walk_in.walk_in_name.text() == name
        press(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
        type_here(qtbot, "Tom")
        press(qtbot, Qt.Key.Key_Tab)
        type_here(qtbot, purpose)
        with qtbot.waitSignal(walk_in.booked, timeout=WAIT):
            press(qtbot, Qt.Key.Key_Return)
        stored = _visit(db, walk_in_name=name)
        assert stored.purpose == purpose and stored.host_officer_id is not None
        row = next(
            r
            for r in range(panel.table.rowCount())
            if panel.table.item(r, VISITOR_COL).text() == name
        )
        assert "walk-in" in panel.table.item(row, NOTES_COL).text()

    # ------------------------------------------------------------ 3. the high-risk meeting
    with db.session() as s:
        officer = s.scalars(select(Staff).where(Staff.login == "twhitfield")).one()
        interview_2 = s.scalars(select(Room).where(Room.name == "Interview Room 2")).first()
        assert interview_2 is not None
        meeting = register_meeting(
            s,
            Actor(officer.id, officer.login, "PC-TOM"),
            now,
            panel.desk.search,
            office_id=panel.office_id,
            host_officer_id=officer.id,
            expected_at=now + timedelta(minutes=40),
            person_id=marsh,
            room_id=interview_2.id,
            purpose="Tenancy enforcement: outcome of the ASB hearing",
            high_risk=True,
            risk_notes=MEETING_NOTES,
            readiness=panel.desk.readiness,
        )
        meeting_id = meeting.id
    panel.refresh()
    row = next(
        r
        for r in range(panel.table.rowCount())
        if "Kelly Marsh" in panel.table.item(r, VISITOR_COL).text()
    )
    assert "[HIGH-RISK]" in panel.table.item(row, VISITOR_COL).text()
    assert MEETING_NOTES in panel.table.item(row, NOTES_COL).text()
    # She arrives: Alt+V to the list, the arrow keys to her row, Alt+A.
    _use(qtbot, priya)
    panel.book_button.setFocus()
    press(qtbot, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # "Today's visitors"
    assert QApplication.focusWidget() is panel.table
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(row):
        press(qtbot, Qt.Key.Key_Down)
    selected = panel.selected_visit()
    assert selected is not None and selected.id == meeting_id
    notes_seen: list[QWidget] = []

    def arrival(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        shown = texts(warning)
        assert MEETING_NOTES in shown and BELL_INSTRUCTIONS[0] in shown
        assert warning.meeting_notes is not None and warning.meeting_notes.isVisible()
        read_and_acknowledge(qtbot, warning)

    when_shown(FlaggedFileWarning, arrival, notes_seen)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(
        lambda: bool(notes_seen) and _visit(db, id=meeting_id).arrived_at is not None,
        timeout=WAIT,
    )
    qtbot.waitUntil(lambda: bool(_notices_for("Kelly Marsh")), timeout=WAIT)
    (told,) = _notices_for("Kelly Marsh")
    assert MEETING_NOTES in texts(told) and "FLAGGED FILE" in texts(told)
    qtbot.mouseClick(told.ok, Qt.MouseButton.LeftButton)
    assert _audit(db, "visit_stopped_after_warning") == []  # nobody was turned away this morning
    db.dispose()
