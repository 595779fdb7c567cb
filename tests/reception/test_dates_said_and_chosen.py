"""Dates at reception (issue 10, item 22): a meeting is never registered in the past, and a date
of birth that cannot be one ("31/02/1975", "01/01/2099") is said so on screen, never dropped
without a word nor taken as someone's birthday.

The dialogs are shown at 1366x768 and driven with keys and clicks.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.reception.book_in_dialog import COLUMNS, BookInDialog
from desktop.reception.register_meeting_dialog import RegisterMeetingDialog
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.matching.query_parse import parse_query
from safedesk.services.reception.booking import BookingRequest, WalkIn
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import ReadinessSource
from safedesk.services.reception.visit_view import VisitError
from tests.reception.driving import SCREEN, when_shown
from tests.reception.world import World

pytestmark = pytest.mark.gui

MONDAY = date(2026, 11, 23)  # the fixtures' clock: Monday 23 November 2026, 09:00


@pytest.fixture
def desk(
    db: Database, clock: FakeClock, search: PersonSearch, readiness: ReadinessSource
) -> ReceptionDesk:
    return ReceptionDesk(db, clock, search, readiness=readiness)


def shown(qtbot: QtBot, dialog: RegisterMeetingDialog) -> RegisterMeetingDialog:
    qtbot.addWidget(dialog)
    dialog.resize(*SCREEN)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_meeting_calendar_starts_today_and_an_earlier_day_cannot_be_typed(
    qtbot: QtBot, desk: ReceptionDesk, world: World
) -> None:
    dialog = shown(qtbot, RegisterMeetingDialog(desk, world.office_id, lambda: world.officer))
    day = dialog.day
    assert day.date() == QDate(2026, 11, 23)
    assert day.calendarWidget().minimumDate() == QDate(2026, 11, 23)  # earlier days greyed
    # Step the day back with the arrow key, as someone would: it stays on today.
    day.setFocus()
    qtbot.keyClick(day, Qt.Key.Key_Home)  # the day part
    qtbot.keyClick(day, Qt.Key.Key_Down)
    qtbot.keyClick(day, Qt.Key.Key_Down)
    assert day.date() == QDate(2026, 11, 23), day.date()
    qtbot.keyClick(day, Qt.Key.Key_Up)  # tomorrow is fine
    assert day.date() == QDate(2026, 11, 24)


def test_a_meeting_earlier_today_is_refused_with_a_reason(
    qtbot: QtBot, desk: ReceptionDesk, world: World
) -> None:
    dialog = shown(qtbot, RegisterMeetingDialog(desk, world.office_id, lambda: world.officer))
    dialog.time.setFocus()
    qtbot.keyClick(dialog.time, Qt.Key.Key_Home)  # the hour: 10:00 -> 08:00, an hour ago
    qtbot.keyClick(dialog.time, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.time, Qt.Key.Key_Down)
    assert dialog.expected_at() < desk.clock.now()
    said: list[str] = []

    def read_and_close(box: object) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        box.accept()

    qtbot.keyClicks(dialog.search_box, "Karen Walsh")
    qtbot.waitUntil(lambda: "Karen Walsh" in dialog.reading.text(), timeout=5000)  # searched
    qtbot.mouseClick(dialog.walk_in_button, Qt.MouseButton.LeftButton)  # register by name
    when_shown(QMessageBox, read_and_close, [])
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert said and "has already passed" in said[0], said
    assert desk.todays_visits(world.office_id) == []


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("john bell 31/02/1975", "31/02/1975 is not a date"),
        ("john bell 01/01/2099", "01/01/2099 is in the future: not a date of birth"),
        ("31 February 1975 john bell", "31 February 1975 is not a date"),
        ("john bell 1975-02-31", "1975-02-31 is not a date"),
        ("john bell 2099", "2099 is in the future: not a year of birth"),
    ],
)
def test_a_date_that_cannot_be_a_birthday_is_said_and_not_used(typed: str, problem: str) -> None:
    parsed = parse_query(typed + " ", MONDAY)
    assert parsed.date_of_birth is None
    assert parsed.date_problem == problem
    assert parsed.names == ("john", "bell")  # the rest of the line still searches


def test_real_dates_of_birth_still_read_as_before() -> None:
    parsed = parse_query("jon smyth 06/03/1985 ", MONDAY)
    assert parsed.date_of_birth is not None and parsed.date_of_birth.exact == date(1985, 3, 6)
    assert parsed.date_problems == ()
    assert parse_query("bell 23/11/2026 ", MONDAY).date_problems == ()  # born today


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("john smith 31/02/1975 ", "31/02/1975 is not a date"),
        ("john smith 01/01/2099 ", "01/01/2099 is in the future: not a date of birth"),
    ],
)
def test_the_search_says_so_when_a_date_of_birth_cannot_be_one(
    qtbot: QtBot, desk: ReceptionDesk, world: World, typed: str, said: str
) -> None:
    dialog = BookInDialog(desk, world.office_id, lambda: world.receptionist)
    qtbot.addWidget(dialog)
    dialog.resize(*SCREEN)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.search_box, typed)
    qtbot.waitUntil(lambda: said in dialog.reading.text(), timeout=5000)
    assert dialog.reading.isVisible()
    # The "visitor said" row of the list says it too, in the date of birth column.
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=5000)
    cell = dialog.table.item(0, COLUMNS.index("Date of birth"))
    assert cell is not None and cell.text() == said
    # The names still search: John Smith is on the list.
    names = [
        dialog.table.item(row, COLUMNS.index("Name")).text()  # type: ignore[union-attr]
        for row in range(1, dialog.table.rowCount())
    ]
    assert "John Smith" in names, names


def test_a_walk_in_or_meeting_with_an_impossible_date_is_refused_by_the_core(
    desk: ReceptionDesk, world: World, clock: FakeClock
) -> None:
    born_later = WalkIn("Karen Walsh", date(2099, 1, 1))
    with pytest.raises(VisitError, match="01/01/2099 is in the future: not a date of birth"):
        desk.book_in(
            world.receptionist,
            BookingRequest(
                office_id=world.office_id,
                walk_in=born_later,
                host_officer_id=world.officer_id,
                purpose="Housing register enquiry",
            ),
        )
    with pytest.raises(VisitError, match="has already passed"):
        desk.register_meeting(
            world.officer,
            office_id=world.office_id,
            host_officer_id=world.officer_id,
            expected_at=clock.now() - timedelta(hours=2),
            walk_in=WalkIn("Karen Walsh"),
            purpose="Repairs",
        )
    assert desk.todays_visits(world.office_id) == []
