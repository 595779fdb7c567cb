"""The weekly test screens on a real offscreen window, driven like a tester would."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from desktop.weekly_test.checklist_window import ChecklistPanel
from desktop.weekly_test.flag_list import ButtonFlagList
from desktop.weekly_test.header_status import WeeklyTestStatus
from desktop.weekly_test.room_flags import room_flags
from desktop.weekly_test.year_view import YearViewPanel
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.services.weekly_test.checklist import ItemState
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from tests.weekly_test.office_builder import TestOffice, heard_now, record_press

pytestmark = pytest.mark.gui


class RecordingHeader:
    """Stands in for StatusHeader's weekly-test slot (the header is the desktop area's widget)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int, str]] = []

    def set_weekly_test(
        self, done: int, total: int, *, problems: int = 0, detail: str = ""
    ) -> None:
        self.calls.append((done, total, problems, detail))


def cell(panel: ChecklistPanel, row: int, col: int) -> str:
    item = panel.table.item(row, col)
    assert item is not None
    return item.text()


def row_of(panel: ChecklistPanel, room: str) -> int:
    assert panel.checklist is not None
    return next(i for i, item in enumerate(panel.checklist.items) if item.room_name == room)


def test_tester_starts_a_test_sees_the_countdown_and_records_a_pass(
    qtbot: QtBot,
    desk: WeeklyTestDesk,
    db: Database,
    clock: FakeClock,
    office: TestOffice,
    tmp_path: Path,
) -> None:
    panel = ChecklistPanel(desk, office.office_id, lambda: office.actor("asha"), clock)
    qtbot.addWidget(panel)
    panel.resize(1000, 420)
    assert panel.title.text() == "Weekly alarm test: 0 of 4 buttons tested"
    panel.table.selectRow(row_of(panel, "Interview Room 2"))
    panel.start_button.click()
    assert "press the panic button now" in panel.message.text()
    row = row_of(panel, "Interview Room 2")
    assert cell(panel, row, 3) == "PRESS THE BUTTON NOW"
    assert cell(panel, row, 4) == "2:00 left"
    clock.advance(seconds=45)
    panel._tick()
    assert cell(panel, row, 4) == "1:15 left"
    assert panel.checklist is not None
    test_id = panel.checklist.items[row].test_id
    assert test_id is not None
    record_press(db, test_id, clock.now(), clock.now() + timedelta(milliseconds=180))
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    panel.refresh()
    assert cell(panel, row, 3) == "Pressed: record the result"
    panel.table.selectRow(row)
    dialog = panel.result_dialog()
    assert dialog is not None
    assert not dialog.record_button.isEnabled()  # heard or not heard must be answered
    dialog.heard.setChecked(True)
    assert dialog.verdict.text() == "Result: PASS"
    dialog.record_button.click()
    panel.refresh()
    assert cell(panel, row, 3) == "Passed"
    assert panel.title.text() == "Weekly alarm test: 1 of 4 buttons tested"
    panel.grab().save(str(tmp_path / "checklist.png"))


def test_a_second_tester_sees_who_holds_the_button(
    qtbot: QtBot, desk: WeeklyTestDesk, office: TestOffice, clock: FakeClock
) -> None:
    desk.start(office.devices["Interview Room 1"], office.actor("ben"))
    panel = ChecklistPanel(desk, office.office_id, lambda: office.actor("asha"), clock)
    qtbot.addWidget(panel)
    assert panel.checklist is not None
    assert panel.checklist.items[0].state is ItemState.WINDOW_OPEN
    # Ben's window is shown to Asha too; starting it is disabled, and the service refuses anyway.
    panel.table.selectRow(0)
    assert not panel.start_button.isEnabled()
    panel.start_all_button.click()
    assert "already being tested by Ben Okafor" in panel.message.text()


def test_nobody_signed_in_is_told_to_sign_in(
    qtbot: QtBot, desk: WeeklyTestDesk, office: TestOffice, clock: FakeClock
) -> None:
    panel = ChecklistPanel(desk, office.office_id, lambda: None, clock)
    qtbot.addWidget(panel)
    panel.table.selectRow(0)
    panel.start_button.click()
    assert panel.message.text() == "Sign in to run the weekly alarm test."
    assert panel.checklist is not None and panel.checklist.tested == 0


def test_result_dialog_fails_not_heard_and_keeps_input_when_refused(
    qtbot: QtBot, desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 3"], office.actor("asha"))
    record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=90))
    panel = ChecklistPanel(desk, office.office_id, lambda: office.actor("asha"), clock)
    qtbot.addWidget(panel)
    panel.table.selectRow(row_of(panel, "Interview Room 3"))
    dialog = panel.result_dialog()
    assert dialog is not None
    dialog.not_heard.setChecked(True)
    assert dialog.verdict.text() == "Result: FAIL — not heard"
    dialog.record_button.click()  # no screen named: refused, nothing lost
    assert "Name the responder screen" in dialog.error.text()
    dialog.screen_name.setText("RESPONDER-PC2")
    dialog.record_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    panel.refresh()
    item = panel.checklist.items[row_of(panel, "Interview Room 3")] if panel.checklist else None
    assert item is not None and item.state is ItemState.FAILED


def test_header_chip_and_room_flags_follow_the_checklist(
    qtbot: QtBot, desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    header = RecordingHeader()
    status = WeeklyTestStatus(desk, office.office_id, header)
    status.refresh()
    assert header.calls[-1][:3] == (0, 4, 0)
    assert header.calls[-1][3].startswith("Weekly alarm test: 0 of 4 buttons tested")
    desk.start(office.devices["Interview Room 2"], office.actor("asha"))
    clock.advance(seconds=200)
    for pk in office.devices.values():
        heard_now(db, pk, clock.now())
    with qtbot.waitSignal(status.flags_changed) as blocker:
        status.refresh()  # closes the silent window: no signal
    flags = blocker.args[0]
    flag = flags[office.rooms["Interview Room 2"]]
    assert flag.text == "Alarm test FAILED" and flag.is_serious
    assert "no signal" in flag.detail
    assert header.calls[-1][:3] == (1, 4, 1)
    assert room_flags(desk.readiness(office.office_id)) == flags


def test_year_view_shows_this_week_and_exports(
    qtbot: QtBot, desk: WeeklyTestDesk, clock: FakeClock, office: TestOffice, tmp_path: Path
) -> None:
    desk.start(office.devices["Interview Room 1"], office.actor("asha"))
    panel = YearViewPanel(desk, office.office_id, clock)
    qtbot.addWidget(panel)
    panel.resize(1150, 330)
    assert panel.record is not None and panel.record.view.year == 2026
    grid = panel.grid
    y = grid.HEADER_H + 2
    week_col = next(
        i for i, w in enumerate(panel.record.view.weeks) if w.week_start.isoformat() == "2026-11-23"
    )
    hit = grid.cell_at(QPoint(grid.LABEL_W + week_col * grid.CELL + 3, y))
    assert hit == (0, week_col)
    assert grid.cell_text(*hit) == (
        "Interview Room 1, Week of Mon 23 Nov 2026 (this week): due this week"
    )
    panel.export_csv(tmp_path / "year.csv")
    panel.export_pdf(tmp_path / "year.pdf")
    assert (tmp_path / "year.pdf").read_bytes().startswith(b"%PDF")
    assert "Saved the report" in panel.message.text()
    panel.grab().save(str(tmp_path / "year.png"))


def test_flag_list_names_the_rooms_with_a_button_problem_and_hides_when_clear(
    qtbot: QtBot, desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    flags_widget = ButtonFlagList()
    qtbot.addWidget(flags_widget)
    flags_widget.set_flags(room_flags(desk.readiness(office.office_id)))
    assert flags_widget.isHidden()  # Monday morning: everything only due
    clock.advance(seconds=30)  # nothing heard for 30 s: Interview Room 4's button too
    for room, pk in office.devices.items():
        if room != "Reception desk 1":
            heard_now(db, pk, clock.now())
    flags_widget.set_flags(room_flags(desk.readiness(office.office_id)))
    assert not flags_widget.isHidden()
    assert flags_widget.title.text() == "1 room with a panic button problem"


def test_flag_list_replaces_its_lines_on_every_update(
    qtbot: QtBot, desk: WeeklyTestDesk, clock: FakeClock, office: TestOffice
) -> None:
    flags_widget = ButtonFlagList()
    qtbot.addWidget(flags_widget)
    clock.advance(hours=15)  # past the deadline, and nothing heard since: all offline
    flags = room_flags(desk.readiness(office.office_id))
    flags_widget.set_flags(flags)
    flags_widget.set_flags(flags)
    assert len(flags_widget.lines) == 1  # one problem kind, one line, however often refreshed
    assert flags_widget.rows.count() == 2  # the title and that line, nothing left over


def test_a_test_press_on_the_bus_shows_at_once_on_the_checklist(
    qtbot: QtBot, desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 3"], office.actor("asha"))
    panel = ChecklistPanel(desk, office.office_id, lambda: office.actor("asha"), clock)
    qtbot.addWidget(panel)
    record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=260))
    panel.on_test_press("Interview Room 3", 260.0)
    assert "Press received from Interview Room 3: 260 ms" in panel.message.text()
    item = panel._selected_item()
    assert item is not None and item.room_name == "Interview Room 3"
    assert item.state is ItemState.AWAITING_RESULT
    assert panel.result_button.isEnabled()


def test_clicking_the_year_grid_shows_that_weeks_tests_and_the_rooms_history(
    qtbot: QtBot, desk: WeeklyTestDesk, db: Database, clock: FakeClock, office: TestOffice
) -> None:
    started = desk.start(office.devices["Interview Room 1"], office.actor("ben"))
    record_press(db, started.test_id, clock.now(), clock.now() + timedelta(milliseconds=75))
    desk.record(started.test_id, office.actor("ben"), heard_on_responder=True)
    panel = YearViewPanel(desk, office.office_id, clock)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.record is not None
    grid = panel.grid
    col = next(
        i for i, w in enumerate(panel.record.view.weeks) if w.week_start.isoformat() == "2026-11-23"
    )
    qtbot.mouseClick(
        grid,
        Qt.MouseButton.LeftButton,
        pos=QPoint(grid.LABEL_W + col * grid.CELL + 4, grid.HEADER_H + 4),
    )
    assert panel.details_title.text() == "Interview Room 1, Week of Mon 23 Nov 2026"
    assert [cell_text(panel.details, 0, c) for c in (1, 2, 3, 4)] == [
        "Ben Okafor",
        "75 ms",
        "yes",
        "PASS",
    ]
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(20, grid.HEADER_H + grid.CELL + 4))
    assert panel.details_title.text() == "Interview Room 2: every test, newest first"
    assert cell_text(panel.details, 0, 0) == "No test recorded"


def cell_text(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    assert item is not None
    return item.text()
