"""A receptionist's day at the desk, item by item of issue 10 (reception, items 8-14).

Each test drives the real reception window shown at 1366x768 with real keys and clicks and
checks what the receptionist sees and what the database (and its audit log) holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.reception.book_in_dialog import BookInDialog
from desktop.reception.change_room_dialog import ChangeRoomDialog
from desktop.reception.focus_style import FOCUS_COLOUR
from desktop.reception.host_notice import HostNoticeWatcher, HostNoticeWindow, RoomAlarmWindow
from desktop.reception.reception_window import ReceptionPanel
from desktop.reception.warning_dialog import FlaggedFileWarning
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AuditEntry, PanicDevice, Visit
from safedesk.services.reception.booking import BookingRequest
from safedesk.services.reception.desk import HostNotices, ReceptionDesk
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import ReadinessSource
from safedesk.services.shared import audit
from tests.reception.driving import (
    SCREEN,
    press,
    read_and_acknowledge,
    texts,
    tick_read_it,
    type_here,
    type_search,
    wait_for_keyboard,
    when_shown,
)
from tests.reception.world import World, fail_weekly_test, place_marker

pytestmark = pytest.mark.gui

LONG_NAME = (
    "Maximilian Alexander Bartholomew Fitzwilliam-Montgomery Featherstonehaugh-Cholmondeley "
    "Throckmorton-Worthington Wolfeschlegelsteinhausenbergerdorff Ffrangcon-Davies "
    "Llewellyn-Pryce Vanderbilt-Rothschild Abercrombie-Fitch St John-Smythe de la Tour "
    "Auvergne-Lauraguais Zebedee"
)[:268]


@pytest.fixture
def desk(
    db: Database, clock: FakeClock, search: PersonSearch, readiness: ReadinessSource
) -> ReceptionDesk:
    return ReceptionDesk(db, clock, search, readiness=readiness)


@pytest.fixture
def reception(qtbot: QtBot, desk: ReceptionDesk, world: World) -> Iterator[ReceptionPanel]:
    """The reception window on the receptionist's PC, at the size of a reception screen."""
    panel = ReceptionPanel(desk, world.office_id, lambda: world.receptionist, auto_refresh=False)
    qtbot.addWidget(panel)
    panel.resize(*SCREEN)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()  # the reception window has the keyboard, as on the desk
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel, timeout=5000)
    yield panel
    for window in QApplication.topLevelWidgets():  # notices and dialogs left on screen
        if window.isVisible() and window is not panel:
            window.hide()
            window.deleteLater()


@pytest.fixture
def officer_pc(
    qtbot: QtBot, db: Database, clock: FakeClock, readiness: ReadinessSource, world: World
) -> Iterator[HostNoticeWatcher]:
    """Tom Whitfield's PC: what his screen shows about his visitors (a second PC, same DB)."""
    watcher = HostNoticeWatcher(HostNotices(db, clock, readiness=readiness), lambda: world.officer)
    yield watcher
    for window in [*watcher.windows.values(), *watcher.alarm_windows.values()]:
        if shiboken6.isValid(window):
            window.hide()
            window.deleteLater()


def _open_book_in(qtbot: QtBot, reception: ReceptionPanel, *, by_key: bool = False) -> BookInDialog:
    """A click on "Book in visitor", or F2 as the button says."""
    if by_key:
        reception.activateWindow()
        reception.table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is reception.table, timeout=5000)
        press(qtbot, Qt.Key.Key_F2)
    else:
        qtbot.mouseClick(reception.book_button, Qt.MouseButton.LeftButton)
    dialog = reception.book_in_dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # what the window manager does with a new dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.search_box, timeout=5000)
    return dialog


def _choose_host_and_purpose(qtbot: QtBot, dialog: BookInDialog, purpose: str) -> None:
    """Alt+H, type the officer's name; Tab, type the purpose: as a receptionist would."""
    press(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.host
    type_here(qtbot, "Tom")
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.purpose
    type_here(qtbot, purpose)


def _by_name(qtbot: QtBot, dialog: BookInDialog) -> None:
    """Alt+N: "Not on the list: book in by name" (a button pressed by its shortcut clicks
    a moment later, as on screen)."""
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.walk_in_name.isVisible(), timeout=2000)


def _column(panel: ReceptionPanel, title: str) -> int:
    for column in range(panel.table.columnCount()):
        item = panel.table.horizontalHeaderItem(column)
        if item is not None and item.text() == title:
            return column
    raise AssertionError(f"no column {title!r}")


def _row_of(panel: ReceptionPanel, name_part: str) -> int:
    visitor = _column(panel, "Visitor")
    for row in range(panel.table.rowCount()):
        item = panel.table.item(row, visitor)
        if item is not None and name_part in item.text():
            return row
    raise AssertionError(f"{name_part!r} is not on today's list")


def _visits(db: Database) -> list[Visit]:
    with db.session() as s:
        rows = s.scalars(select(Visit).order_by(Visit.id)).all()
        s.expunge_all()
        return list(rows)


def _actions(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        rows = list(audit.entries(s, action=action))
        s.expunge_all()
        return rows


def _acknowledge_by_keyboard(qtbot: QtBot, seen: list[QWidget]) -> None:
    """In the warning: Space ticks the box that has the focus, Enter acknowledges."""

    def act(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        read_and_acknowledge(qtbot, warning)

    when_shown(FlaggedFileWarning, act, seen)


# ---------------------------------------------------------------------- item 8


def test_a_very_long_walk_in_name_leaves_the_flag_and_its_instructions_on_screen(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    john = world.people["john_smith"]
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=john,
            host_officer_id=world.officer_id,
            room_id=world.rooms["Interview Room 1"],
            acknowledged={john: [1]},
        ),
    )
    with db.session() as s:  # a name saved before names were limited, still on today's list
        s.add(
            Visit(
                office_id=world.office_id,
                walk_in_name=LONG_NAME[:240],  # as much as the column holds
                host_officer_id=world.officer_id,
                purpose="Housing advice",
                created_at=clock.now(),
                arrived_at=clock.now(),
            )
        )
    reception.refresh()
    table = reception.table
    width = table.viewport().width()
    flag = _column(reception, "Flagged file")
    assert flag == 0  # the flag column comes first
    for title in ("Flagged file", "Seeing", "Room", "Notes"):
        column = _column(reception, title)
        for row in range(table.rowCount()):
            rect = table.visualRect(table.model().index(row, column))
            assert rect.left() >= 0 and rect.right() <= width, f"{title} is off the screen"
    john_row = _row_of(reception, "John Smith")
    assert "No lone interviews" in table.item(john_row, flag).text()
    long_row = _row_of(reception, "Maximilian")
    visitor = table.visualRect(table.model().index(long_row, _column(reception, "Visitor")))
    assert visitor.height() < 3 * table.fontMetrics().height()  # one line, cut short
    assert table.item(long_row, _column(reception, "Visitor")).toolTip() == LONG_NAME[:240]


def test_an_over_long_name_typed_at_the_desk_is_refused_with_a_message(
    qtbot: QtBot, reception: ReceptionPanel, db: Database
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, LONG_NAME)
    _by_name(qtbot, dialog)
    _choose_host_and_purpose(qtbot, dialog, "Housing advice")
    press(qtbot, Qt.Key.Key_Return)
    assert "can be at most 100" in dialog.problem.text()
    assert dialog.problem.isVisible() and dialog.isVisible()
    assert QApplication.focusWidget() is dialog.walk_in_name
    assert dialog.frameGeometry().width() <= SCREEN[0]  # the dialog stays on the screen
    assert _visits(db) == []


# ---------------------------------------------------------------------- item 9


@pytest.mark.parametrize(
    "name", ["Zoë Ní Bhriain", "Łukasz Wiśniewski", "Mary-Kate McDonald-O'Neill"]
)
def test_a_walk_in_name_is_stored_and_shown_as_the_visitor_spells_it(
    qtbot: QtBot, reception: ReceptionPanel, db: Database, name: str
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, f"{name} 02/02/1990")
    _by_name(qtbot, dialog)
    assert dialog.walk_in_name.isVisible() and dialog.walk_in_name.text() == name
    _choose_host_and_purpose(qtbot, dialog, "Housing register enquiry")
    with qtbot.waitSignal(dialog.booked, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    (visit,) = _visits(db)
    assert visit.walk_in_name == name
    row = _row_of(reception, name)
    assert reception.table.item(row, _column(reception, "Visitor")).text() == name


def test_a_walk_in_is_booked_like_anyone_else_not_in_one_click(
    qtbot: QtBot, reception: ReceptionPanel, db: Database, world: World
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "Karen Walsh")
    qtbot.mouseClick(dialog.walk_in_button, Qt.MouseButton.LeftButton)
    assert _visits(db) == []  # nothing booked, nobody marked arrived
    assert dialog.isVisible() and dialog.walk_in_name.text() == "Karen Walsh"
    press(qtbot, Qt.Key.Key_Return)
    assert "Choose who the visitor is seeing" in dialog.problem.text()
    assert QApplication.focusWidget() is dialog.host
    type_here(qtbot, "Tom")
    press(qtbot, Qt.Key.Key_Return)
    assert "what the visit is about" in dialog.problem.text()
    assert QApplication.focusWidget() is dialog.purpose
    assert _visits(db) == []
    type_here(qtbot, "Repairs")
    with qtbot.waitSignal(dialog.booked, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    (visit,) = _visits(db)
    assert (visit.host_officer_id, visit.purpose) == (world.officer_id, "Repairs")


# ---------------------------------------------------------------------- item 10


def test_a_flagged_visitor_is_not_booked_without_a_host_and_the_host_is_told(
    qtbot: QtBot,
    reception: ReceptionPanel,
    db: Database,
    world: World,
    officer_pc: HostNoticeWatcher,
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "john smith 06/03/1985")
    press(qtbot, Qt.Key.Key_Down)  # into the list: the first record is selected
    assert dialog.selected_entry() is not None
    assert dialog.selected_entry().record.person_id == world.people["john_smith"]
    press(qtbot, Qt.Key.Key_Return)
    assert "Choose who the visitor is seeing" in dialog.problem.text()
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, FlaggedFileWarning)] == []
    assert _visits(db) == []
    _choose_host_and_purpose(qtbot, dialog, "Rent arrears")
    seen: list[QWidget] = []

    def read_who_is_told(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        assert "Seeing: <b>Tom Whitfield</b>" in warning.host_line.text()
        read_and_acknowledge(qtbot, warning)

    when_shown(FlaggedFileWarning, read_who_is_told, seen)
    with qtbot.waitSignal(dialog.booked, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    (visit,) = _visits(db)
    assert visit.host_officer_id == world.officer_id and visit.host_notified_at is not None
    with qtbot.waitSignal(officer_pc.shown, timeout=5000) as shown:
        officer_pc.poll()
    notice = shown.args[0]
    assert isinstance(notice, HostNoticeWindow)
    assert "FLAGGED FILE" in texts(notice) and "No lone interviews" in texts(notice)


def test_a_flag_found_while_the_visitor_is_in_tells_the_host_again(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
    officer_pc: HostNoticeWatcher,
) -> None:
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=world.people["alan_brown"],
            host_officer_id=world.officer_id,
            purpose="Repairs",
        ),
    )
    with qtbot.waitSignal(officer_pc.shown, timeout=5000) as first:
        officer_pc.poll()
    assert "FLAGGED" not in texts(first.args[0])
    qtbot.mouseClick(first.args[0].ok, Qt.MouseButton.LeftButton)  # Tom is on his way
    place_marker(db, world.people["alan_brown"], clock.now(), "Visit in pairs")
    seen: list[QWidget] = []

    def acknowledge(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        read_and_acknowledge(qtbot, warning)

    when_shown(FlaggedFileWarning, acknowledge, seen)
    clock.advance(5)
    reception.check_for_new_warnings()
    assert seen
    with qtbot.waitSignal(officer_pc.shown, timeout=5000) as again:
        officer_pc.poll()
    assert "FLAGGED FILE" in texts(again.args[0]) and "Visit in pairs" in texts(again.args[0])


# ---------------------------------------------------------------------- item 11


def test_the_arrival_warning_of_a_high_risk_meeting_shows_the_meetings_own_notes(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    notes = "Two officers present. Call Tom before letting him through."
    desk.register_meeting(
        world.officer,
        office_id=world.office_id,
        host_officer_id=world.officer_id,
        expected_at=clock.now() + timedelta(minutes=30),
        person_id=world.people["john_smith"],
        room_id=world.rooms["Interview Room 1"],
        high_risk=True,
        risk_notes=notes,
    )
    reception.refresh()
    reception.table.setFocus()
    reception.select_visit(_visits(db)[0].id)
    seen: list[QWidget] = []

    def read(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        assert notes in texts(warning) and "No lone interviews" in texts(warning)
        assert warning.meeting_notes is not None and warning.meeting_notes.isVisible()
        for card in warning.cards:
            if not card.candidate.booked_person:
                qtbot.mouseClick(card.not_this_person, Qt.MouseButton.LeftButton)
                qtbot.keyClicks(card.reason, "Different DOB: checked with the visitor")
        read_and_acknowledge(qtbot, warning)

    when_shown(FlaggedFileWarning, read, seen)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # Visitor has arrived
    qtbot.waitUntil(lambda: bool(seen) and _visits(db)[0].arrived_at is not None, timeout=5000)
    assert _visits(db)[0].arrived_at is not None


def test_a_high_risk_meeting_without_a_flag_still_shows_its_notes_on_arrival(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    notes = "Keep Interview Room 1 free; call me first."
    desk.register_meeting(
        world.officer,
        office_id=world.office_id,
        host_officer_id=world.officer_id,
        expected_at=clock.now() + timedelta(minutes=30),
        person_id=world.people["alan_brown"],
        room_id=world.rooms["Interview Room 1"],
        high_risk=True,
        risk_notes=notes,
    )
    reception.refresh()
    reception.select_visit(_visits(db)[0].id)
    seen: list[QWidget] = []

    def read(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        assert "HIGH-RISK MEETING" in texts(warning) and notes in texts(warning)
        read_and_acknowledge(qtbot, warning)

    when_shown(FlaggedFileWarning, read, seen)
    qtbot.mouseClick(reception.arrived_button, Qt.MouseButton.LeftButton)
    assert seen and _visits(db)[0].arrived_at is not None
    (arrived,) = _actions(db, "visit_arrived")
    assert arrived.detail["risk_notes_shown"] == notes


# ---------------------------------------------------------------------- item 12


def test_stopping_at_the_warning_puts_the_flagged_person_on_the_record(
    qtbot: QtBot, reception: ReceptionPanel, db: Database, world: World
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "john smith 06/03/1985")
    press(qtbot, Qt.Key.Key_Down)
    _choose_host_and_purpose(qtbot, dialog, "Rent arrears")
    seen: list[QWidget] = []

    def stop(warning: QWidget) -> None:
        wait_for_keyboard(qtbot, warning)
        press(qtbot, Qt.Key.Key_Escape)

    when_shown(FlaggedFileWarning, stop, seen)
    press(qtbot, Qt.Key.Key_Return)
    assert seen and not seen[0].isVisible()
    assert _visits(db) == []  # not booked in
    (entry,) = _actions(db, "visit_stopped_after_warning")
    assert entry.actor == "psharma" and entry.detail["stage"] == "stopped at the warning"
    people = {p["person_id"]: p for p in entry.detail["people"]}
    assert people[world.people["john_smith"]]["name"] == "John Smith"
    assert people[world.people["john_smith"]]["booked_person"] is True
    assert entry.detail["typed_query"] == "john smith 06/03/1985"


def test_cancelling_after_acknowledging_the_warning_is_on_the_record_too(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
) -> None:
    room = world.rooms["Interview Room 1"]
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=world.people["alan_brown"],
            host_officer_id=world.officer_id,
            purpose="Repairs",
            room_id=room,
        ),
    )
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "john smith 06/03/1985")
    press(qtbot, Qt.Key.Key_Down)
    _choose_host_and_purpose(qtbot, dialog, "Rent arrears")
    dialog.rooms.setCurrentIndex(dialog.rooms.findData(room))  # in use by Alan Brown
    seen: list[QWidget] = []
    _acknowledge_by_keyboard(qtbot, seen)
    press(qtbot, Qt.Key.Key_Return)
    assert seen
    assert "Interview Room 1 is in use: Alan Brown is in it" in dialog.problem.text()
    assert len(_visits(db)) == 1  # John Smith was not booked in
    wait_for_keyboard(qtbot, dialog)
    press(qtbot, Qt.Key.Key_Escape)  # the receptionist gives up
    assert not dialog.isVisible()
    (entry,) = _actions(db, "visit_stopped_after_warning")
    assert entry.detail["stage"] == "cancelled after the warning was acknowledged"
    assert entry.detail["people"][0]["person_id"] == world.people["john_smith"]


def test_stopping_at_an_expected_visitors_arrival_warning_is_audited(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    desk.register_meeting(
        world.officer,
        office_id=world.office_id,
        host_officer_id=world.officer_id,
        expected_at=clock.now() + timedelta(minutes=30),
        person_id=world.people["john_smith"],
        room_id=world.rooms["Interview Room 1"],
    )
    reception.refresh()
    (visit,) = _visits(db)
    reception.select_visit(visit.id)
    seen: list[QWidget] = []
    when_shown(
        FlaggedFileWarning,
        lambda w: qtbot.mouseClick(w.cancel, Qt.MouseButton.LeftButton),  # type: ignore[attr-defined]
        seen,
    )
    qtbot.mouseClick(reception.arrived_button, Qt.MouseButton.LeftButton)
    assert seen and _visits(db)[0].arrived_at is None
    (entry,) = _actions(db, "visit_stopped_after_warning")
    assert entry.subject_id == visit.id
    assert entry.detail["stage"] == "stopped at the arrival warning"


# ---------------------------------------------------------------------- item 13


def test_a_room_alarm_going_offline_with_a_flagged_visitor_in_it_tells_reception_and_the_host(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
    officer_pc: HostNoticeWatcher,
) -> None:
    john = world.people["john_smith"]
    room = world.rooms["Interview Room 1"]
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=john,
            host_officer_id=world.officer_id,
            room_id=room,
            acknowledged={john: [1]},
        ),
    )
    officer_pc.poll()  # "your visitor has arrived"
    reception.refresh()
    assert not reception.alarm_banner.isVisible()
    with db.session() as s:  # the button in Room 1 stops answering
        device = s.scalar(select(PanicDevice).where(PanicDevice.room_id == room))
        assert device is not None
        device.last_seen_at = clock.now() - timedelta(minutes=5)
    with qtbot.waitSignal(reception.alarm_notice_shown, timeout=5000) as shown:
        reception.refresh()
    banner = reception.alarm_banner
    assert banner.isVisible()
    assert "PANIC ALARM NOT WORKING in Interview Room 1" in banner.text()
    assert "John Smith (flagged file)" in banner.text() and "Tom Whitfield" in banner.text()
    assert banner.geometry().bottom() < reception.table.geometry().top()  # above the list
    at_desk = shown.args[0]
    assert isinstance(at_desk, RoomAlarmWindow) and at_desk.isVisible()
    notes = reception.table.item(0, _column(reception, "Notes")).text()
    assert "ROOM ALARM NOT WORKING" in notes
    with qtbot.waitSignal(officer_pc.alarm_shown, timeout=5000) as told:
        officer_pc.poll()
    on_tom = told.args[0]
    assert isinstance(on_tom, RoomAlarmWindow)
    assert "Panic button OFFLINE" in texts(on_tom) and "No lone interviews" in texts(on_tom)
    on_tom.activateWindow()
    qtbot.keyClick(on_tom, Qt.Key.Key_Return)
    assert not on_tom.isVisible()
    (entry,) = _actions(db, "room_alarm_problem_seen")
    assert entry.actor == world.officer_login and entry.detail["room"] == "Interview Room 1"
    officer_pc.poll()
    assert len(officer_pc.alarm_windows) == 1  # told once, not every few seconds


def test_a_failed_weekly_test_with_a_flagged_visitor_in_the_room_is_shown_at_reception(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    john = world.people["john_smith"]
    room = world.rooms["Interview Room 2"]
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=john,
            host_officer_id=world.officer_id,
            room_id=room,
            acknowledged={john: [1]},
        ),
    )
    fail_weekly_test(db, room, world.officer_id, clock.now() + timedelta(minutes=10))
    with qtbot.waitSignal(reception.alarm_notice_shown, timeout=5000):
        reception.refresh()
    assert "Interview Room 2: Last weekly test FAILED" in reception.alarm_banner.text()


def test_a_room_in_use_is_not_given_to_a_second_visitor(
    qtbot: QtBot, reception: ReceptionPanel, desk: ReceptionDesk, db: Database, world: World
) -> None:
    room = world.rooms["Interview Room 2"]
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=world.people["alan_brown"],
            host_officer_id=world.officer_id,
            purpose="Repairs",
            room_id=room,
        ),
    )
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "Karen Walsh")
    _by_name(qtbot, dialog)
    _choose_host_and_purpose(qtbot, dialog, "Housing advice")
    index = dialog.rooms.findData(room)
    assert "in use (Alan Brown)" in dialog.rooms.itemText(index)
    dialog.rooms.setCurrentIndex(index)
    press(qtbot, Qt.Key.Key_Return)
    assert "Interview Room 2 is in use: Alan Brown is in it" in dialog.problem.text()
    assert len(_visits(db)) == 1


# ---------------------------------------------------------------------- item 14


def test_enter_in_the_warning_acknowledges_once_ticked_and_says_why_not_before(
    qtbot: QtBot, reception: ReceptionPanel, db: Database, world: World
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "john smith 06/03/1985")
    press(qtbot, Qt.Key.Key_Down)
    _choose_host_and_purpose(qtbot, dialog, "Rent arrears")
    seen: list[QWidget] = []
    still_open: list[bool] = []

    def act(warning: QWidget) -> None:
        assert isinstance(warning, FlaggedFileWarning)
        wait_for_keyboard(qtbot, warning)
        press(qtbot, Qt.Key.Key_Space)  # typed by someone busy elsewhere: ticks nothing
        press(qtbot, Qt.Key.Key_Return)  # not ticked: nothing happens silently
        still_open.append(warning.isVisible())
        assert not warning.read_it.isChecked()
        assert "Tick the box" in warning.problem.text() and warning.problem.isVisible()
        tick_read_it(qtbot, warning)
        press(qtbot, Qt.Key.Key_Return)  # now Enter means Acknowledge

    when_shown(FlaggedFileWarning, act, seen)
    with qtbot.waitSignal(dialog.booked, timeout=10_000):
        press(qtbot, Qt.Key.Key_Return)
    assert still_open == [True]
    (visit,) = _visits(db)
    assert visit.arrived_at is not None
    assert _actions(db, "visit_warning_acknowledged")
    assert _actions(db, "visit_stopped_after_warning") == []


def test_tab_leaves_the_lists_instead_of_walking_cell_by_cell(
    qtbot: QtBot, reception: ReceptionPanel, desk: ReceptionDesk, world: World
) -> None:
    desk.book_in(
        world.receptionist,
        BookingRequest(
            office_id=world.office_id,
            person_id=world.people["alan_brown"],
            host_officer_id=world.officer_id,
        ),
    )
    reception.refresh()
    reception.table.setFocus()
    reception.table.setCurrentCell(0, 0)
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not reception.table
    dialog = _open_book_in(qtbot, reception, by_key=True)
    type_search(qtbot, dialog, "margaret jones")
    press(qtbot, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is dialog.table
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.host  # the next field, not the next cell
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_field_with_the_keyboard_focus_is_framed_so_it_can_be_seen(
    qtbot: QtBot, reception: ReceptionPanel
) -> None:
    dialog = _open_book_in(qtbot, reception)
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    purpose = dialog.purpose
    assert QApplication.focusWidget() is purpose
    image = purpose.grab().toImage()
    edge = QColor(image.pixelColor(1, image.height() // 2))
    assert edge.name() == QColor(FOCUS_COLOUR).name()
    press(qtbot, Qt.Key.Key_Tab)
    image = purpose.grab().toImage()
    assert QColor(image.pixelColor(1, image.height() // 2)).name() != QColor(FOCUS_COLOUR).name()


def test_shortcuts_open_booking_in_and_registering_from_the_keyboard(
    qtbot: QtBot, reception: ReceptionPanel
) -> None:
    assert "(F2)" in reception.book_button.text() and "(F3)" in reception.register_button.text()
    reception.table.setFocus()
    press(qtbot, Qt.Key.Key_F3)
    register = reception.register_dialog
    qtbot.waitExposed(register)
    wait_for_keyboard(qtbot, register)
    register.risk_notes.setFocus()
    type_here(qtbot, "Two officers")
    press(qtbot, Qt.Key.Key_Tab)  # Tab leaves the notes box instead of typing a tab into it
    assert register.risk_notes.toPlainText() == "Two officers"
    assert QApplication.focusWidget() is not register.risk_notes
    press(qtbot, Qt.Key.Key_Escape)
    assert not register.isVisible()
    dialog = _open_book_in(qtbot, reception, by_key=True)
    assert dialog.isVisible()


# ---------------------------------------------------------------------- item 23 (reception's words)


def test_the_shortlist_says_why_a_record_matched_in_plain_words(
    qtbot: QtBot, reception: ReceptionPanel, world: World
) -> None:
    dialog = _open_book_in(qtbot, reception)
    type_search(qtbot, dialog, "jon smyth 06/03/1985")
    how = {
        dialog.table.item(row, 1).text(): dialog.table.item(row, 5).text()
        for row in range(1, dialog.table.rowCount())
    }
    assert "Jon is a short form of John" in how["John Smith"]
    assert "surname sounds like Smith" in how["John Smith"]
    assert "same date of birth" in how["John Smith"]
    assert not any(mark in text for text in how.values() for mark in ("~", "→", "DOB exact"))
    said = [dialog.table.item(0, c).text() for c in range(1, 4)]
    assert said == ["jon smyth", "06/03/1985", "—"]


def test_a_flagged_visitor_expected_without_a_room_is_given_one_whose_alarm_works_on_arrival(
    qtbot: QtBot,
    reception: ReceptionPanel,
    desk: ReceptionDesk,
    db: Database,
    world: World,
    clock: FakeClock,
) -> None:
    fail_weekly_test(db, world.rooms["Interview Room 1"], world.officer_id, clock.now())
    desk.register_meeting(
        world.officer,
        office_id=world.office_id,
        host_officer_id=world.officer_id,
        expected_at=clock.now() + timedelta(minutes=30),
        person_id=world.people["john_smith"],
    )
    reception.refresh()
    (visit,) = _visits(db)
    reception.select_visit(visit.id)
    seen: list[QWidget] = []

    def acknowledge(warning: QWidget) -> None:
        for card in warning.cards:  # type: ignore[attr-defined]
            if not card.candidate.booked_person:
                qtbot.mouseClick(card.not_this_person, Qt.MouseButton.LeftButton)
                qtbot.keyClicks(card.reason, "Different DOB: checked with the visitor")
        read_and_acknowledge(qtbot, warning)

    def choose_room(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangeRoomDialog)
        assert "whose panic alarm works" in texts(dialog)
        room = dialog.rooms.current_room()
        assert room is not None and room.name == "Interview Room 2"  # Room 1 failed its test
        wait_for_keyboard(qtbot, dialog)
        press(qtbot, Qt.Key.Key_Return)

    when_shown(FlaggedFileWarning, acknowledge, seen)
    when_shown(ChangeRoomDialog, choose_room, seen)
    qtbot.mouseClick(reception.arrived_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2
    (arrived,) = _visits(db)
    assert arrived.arrived_at is not None and arrived.room_id == world.rooms["Interview Room 2"]
