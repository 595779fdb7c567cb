"""The week's record as the tester and the auditor see it (issue 10, item 20).

Each test drives the weekly test page of a real main window shown at 1366x768: the tester clicks
rows and buttons, a bridge presses the buttons through the real press path, the tester fills the
result form, and the test reads what is on screen: the checklist, the headline, the year grid's
dates, colours and marks, and the text of the exported PDF (pdftotext).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp, build_desktop
from desktop.weekly_test.weekly_test_page import add_weekly_test_panel
from desktop.weekly_test.year_view import CELL_COLOURS
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.demo.office import DEMO_PASSWORD
from safedesk.models import Staff
from safedesk.services.shared.workstation_place import register_workstation, resolve_place
from safedesk.services.staff.passwords import hash_password
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.history import CellState
from safedesk.services.weekly_test.refusals import WeeklyTestRefused
from tests.weekly_test.office_builder import TestOffice, heard_now, record_press
from tests.weekly_test.tester import Tester

pytestmark = pytest.mark.gui

SCREEN = (1366, 768)
PANELS = [add_weekly_test_panel]
ROOMS = ("Interview Room 1", "Interview Room 2", "Interview Room 3", "Reception desk 1")
THIS_WEEK_COLOUR = "#14287a"  # this week's date in the grid header: white on dark blue
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the morning after Monday's 23:59 deadline


@pytest.fixture
def pc(
    qtbot: QtBot, db: Database, db_url: str, office: TestOffice, clock: FakeClock
) -> Iterator[DesktopApp]:
    """Asha's reception PC with the weekly test page, shown at 1366x768."""
    with db.session() as s:  # her account has a password, as `safedesk staff passwd` sets it
        staff = s.get(Staff, office.actor("asha").staff_id)
        assert staff is not None
        staff.password_hash = hash_password(DEMO_PASSWORD)
    config = Config(workstation=WorkstationConfig(name="RECEPTION-1", mode="reception"))
    pc_db = Database(db_url, pool_size=2, max_overflow=2)
    app = build_desktop(
        config, pc_db, clock, demo=False, sign_in_as="northgate-asha", panel_factories=PANELS
    )
    app.window.resize(*SCREEN)
    app.window.show()
    qtbot.waitExposed(app.window)
    yield app
    app.shutdown()
    app.window.close_guard = None
    app.window.close()
    pc_db.dispose()


def responder_pc(db_url: str, clock: FakeClock, name: str, *, sound: bool) -> None:
    """Another PC in the office says it is running, and whether it can play sound (its heartbeat)."""
    db = Database(db_url)
    try:
        config = Config(workstation=WorkstationConfig(name=name, mode="responder"))
        register_workstation(
            db, resolve_place(db, config), now=clock.now(), sound_ok=sound, label=name
        )
    finally:
        db.dispose()


def buttons_alive(db: Database, office: TestOffice, clock: FakeClock) -> None:
    """The buttons' heartbeats (every few seconds in an office) up to now."""
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is needed (system-packages.txt)"
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def grid_column(tester: Tester, month: str, day: int) -> int:
    """The grid column a person finds by reading the header: the month, then the date."""
    grid = tester.year_view.grid
    labels = grid.header_labels()
    month_at = next(rect.left() for rect, text in labels if text == month)
    day_rect = next(
        rect
        for rect, text in labels
        if rect.top() > 0 and text == str(day) and rect.left() >= month_at
    )
    col = (day_rect.left() - grid.LABEL_W) // grid.CELL
    return col


def hover_text(qtbot: QtBot, tester: Tester, row: int, col: int) -> str:
    grid = tester.year_view.grid
    centre = grid.cell_rect(row, col).center()
    qtbot.mouseMove(grid, centre)
    qtbot.mouseMove(grid, centre + QPoint(1, 1))  # a move event, whatever the cursor was
    qtbot.waitUntil(lambda: QToolTip.isVisible() and bool(QToolTip.text()), timeout=3000)
    return QToolTip.text()


def pixel(tester: Tester, row: int, col: int) -> str:
    grid = tester.year_view.grid
    image = grid.grab().toImage()
    point = grid.cell_rect(row, col).topLeft() + QPoint(5, 4)
    return image.pixelColor(point).name()


def test_a_week_with_every_button_tested_shows_passed_under_its_own_date_and_in_the_pdf(
    qtbot: QtBot,
    pc: DesktopApp,
    db: Database,
    db_url: str,
    office: TestOffice,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    tester = Tester(qtbot, pc, db_url, clock)
    tester.open_checklist()
    for room in ROOMS:
        buttons_alive(db, office, clock)
        assert "press the panic button now" in tester.start(room)
        clock.advance(seconds=10)
        assert tester.press(room).is_test
        assert tester.record(room, heard=True).accepted
    assert tester.checklist.title.text() == "Weekly alarm test: all 4 buttons tested"

    tester.open_year_view()
    col = grid_column(tester, "Nov", 23)  # Monday 23 November: this week
    grid = tester.year_view.grid
    assert grid.view is not None and grid.view.current == col
    for row in range(len(ROOMS)):
        text = hover_text(qtbot, tester, row, col)
        assert "Week of Mon 23 Nov 2026 (this week): passed" in text, text
        assert pixel(tester, row, col) == CELL_COLOURS[CellState.PASS]
    # The week after is still to come (white), and this week's date stands out.
    assert pixel(tester, 0, col + 1) == CELL_COLOURS[CellState.FUTURE]
    image = grid.grab().toImage()
    day_rect = grid.cell_rect(0, col)
    assert image.pixelColor(day_rect.left() + 2, 16).name() == THIS_WEEK_COLOUR
    assert "This week — Week of Mon 23 Nov 2026: 4 of 4 buttons passed" in (
        tester.year_view.summary.text()
    )

    report = tmp_path / "tests-2026.pdf"
    tester.save_as(tester.year_view.pdf_button, report)
    text = pdf_text(report)
    assert "This week" in text and "Week of Mon 23 Nov 2026: 4 of 4 buttons passed" in text


def test_untested_weeks_are_rows_of_the_pdf_log_not_only_coloured_cells(
    qtbot: QtBot,
    pc: DesktopApp,
    db: Database,
    db_url: str,
    desk: WeeklyTestDesk,
    office: TestOffice,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    # Week of 16 Nov: every button but Reception desk 1 tested (by the service, as history).
    clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    for room in ROOMS[:-1]:
        heard_now(db, office.devices[room], clock.now())
        started = desk.start(office.devices[room], office.actor("asha"))
        record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=150))
        desk.record(started.test_id, office.actor("asha"), heard_on_responder=True)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    tester = Tester(qtbot, pc, db_url, clock)
    tester.open_year_view()
    report = tmp_path / "tests-2026.pdf"
    tester.save_as(tester.year_view.pdf_button, report)
    lines = pdf_text(report).splitlines()
    gap = [ln for ln in lines if "16 Nov" in ln and "Reception desk 1" in ln]
    assert gap and "NOT TESTED" in gap[0], gap
    # Every untested button-week of the year is a row: the buttons were installed in 2025.
    assert sum(1 for ln in lines if "NOT TESTED" in ln and "No test recorded" in ln) == (
        pc.services.weekly_tests.year_record(office.office_id, 2026).view.gaps
    )
    # ... and the same week is the amber cell under 16 Nov on the screen.
    col = grid_column(tester, "Nov", 16)
    assert (
        pixel(tester, ROOMS.index("Reception desk 1"), col) == (CELL_COLOURS[CellState.NOT_TESTED])
    )


def test_a_test_done_after_the_deadline_is_shown_late_everywhere(
    qtbot: QtBot,
    pc: DesktopApp,
    db: Database,
    db_url: str,
    office: TestOffice,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    clock.set(TUESDAY)
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    tester = Tester(qtbot, pc, db_url, clock)
    tester.open_checklist()
    tester.checklist.refresh()
    assert tester.checklist.title.text().startswith("Weekly alarm test OVERDUE")
    tester.start("Interview Room 1")
    clock.advance(seconds=12)
    tester.press("Interview Room 1")
    assert tester.record("Interview Room 1", heard=True).accepted
    assert tester.this_week("Interview Room 1") == "Passed — LATE"
    assert "1 late" in tester.checklist.title.text()

    tester.open_year_view()
    col = grid_column(tester, "Nov", 23)
    assert tester.year_view.grid.cell_mark(0, col) == "L"
    assert "LATE: tested after the deadline" in hover_text(qtbot, tester, 0, col)
    report = tmp_path / "late.pdf"
    tester.save_as(tester.year_view.pdf_button, report)
    row = next(
        ln for ln in pdf_text(report).splitlines() if "Interview Room 1" in ln and "23 Nov" in ln
    )
    assert "PASS (LATE)" in row, row


def test_heard_on_a_responder_screen_cannot_be_ticked_when_every_screen_has_no_sound(
    qtbot: QtBot,
    pc: DesktopApp,
    db: Database,
    db_url: str,
    desk: WeeklyTestDesk,
    office: TestOffice,
    clock: FakeClock,
) -> None:
    # Both PCs say NO SOUND ON THIS PC: this one (no audio output under test) and the other.
    assert pc.window.header.sound.text() == "NO SOUND ON THIS PC"
    responder_pc(db_url, clock, "RESPONDER-2", sound=False)
    tester = Tester(qtbot, pc, db_url, clock)
    tester.open_checklist()
    tester.start("Interview Room 2")
    clock.advance(seconds=8)
    tester.press("Interview Room 2")
    result = tester.record("Interview Room 2", heard=True)
    assert not result.heard_enabled
    assert "NO SOUND ON THIS PC" in result.no_sound_note
    assert "RESPONDER-2" in result.no_sound_note
    # The form offers what is true instead: it did not sound; the test fails, not passes.
    assert result.verdict == "Result: FAIL — not heard"
    assert tester.this_week("Interview Room 2") == "FAILED (not heard)"

    # The rule is the core's: the tick is refused whichever screen or command sends it.
    buttons_alive(db, office, clock)
    tester.start("Interview Room 3")
    clock.advance(seconds=8)
    tester.press("Interview Room 3")
    item = tester.checklist.checklist.items[tester.row_of("Interview Room 3")]  # type: ignore[union-attr]
    assert item.test_id is not None
    with pytest.raises(WeeklyTestRefused, match="NO SOUND ON THIS PC"):
        desk.record(item.test_id, office.actor("asha"), heard_on_responder=True)

    # Once a screen has its sound back, the tick is accepted again.
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    assert tester.record("Interview Room 3", heard=True).accepted
    assert tester.this_week("Interview Room 3") == "Passed"


def test_starting_a_retest_after_the_deadline_keeps_the_headline_as_it_was(
    qtbot: QtBot,
    pc: DesktopApp,
    db: Database,
    db_url: str,
    office: TestOffice,
    clock: FakeClock,
) -> None:
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    tester = Tester(qtbot, pc, db_url, clock)
    tester.open_checklist()
    for room in ROOMS:
        buttons_alive(db, office, clock)
        tester.start(room)
        clock.advance(seconds=10)
        tester.press(room)
        assert tester.record(room, heard=True).accepted
    clock.set(TUESDAY)  # past the deadline: a re-test now must not make the week OVERDUE
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    responder_pc(db_url, clock, "RESPONDER-2", sound=True)
    tester.checklist.refresh()
    assert tester.checklist.title.text() == "Weekly alarm test: all 4 buttons tested"

    tester.select("Interview Room 2")
    assert tester.checklist.start_button.text() == "Test this button again"
    tester.start("Interview Room 2")
    title = tester.checklist.title.text()
    assert "OVERDUE" not in title
    assert title == "Weekly alarm test: all 4 buttons tested, 1 being tested again"
    assert tester.this_week("Interview Room 2").startswith("PRESS THE BUTTON NOW (testing again")
    qtbot.waitUntil(lambda: pc.window.header.weekly_test.text() == "Weekly alarm test: 4 of 4")
