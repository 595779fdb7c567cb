"""The tester's Monday (seed 000: "Panic alarms are to be tested at the beginning of each week").

Priya runs the week's test from the reception PC; Tom's responder PC, with its speakers on,
is the screen she checks each press on. One button's battery is flat: its press never comes,
the window closes, and the checklist, the headline on both PCs and the records all say so.
Then she exports the year's record: every test of the week is a row, and every week a
button was not tested is a row too.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from desktop import app as desktop_app
from desktop.alarm.notice import AlarmNotice
from desktop.alarm.sound import AlarmSound
from desktop.weekly_test.flag_list import ButtonFlagList
from safedesk.services.weekly_test.history import CellState
from tests.walkthrough.conftest import SCREEN_SIZE, OfficePCs
from tests.weekly_test.tester import Tester

pytestmark = pytest.mark.gui

ROOMS = (
    "Interview Room 1",
    "Interview Room 2",
    "Interview Room 3",
    "Interview Room 4",
    "Reception desk 1",
    "Reception desk 2",
)
FLAT_BATTERY = "Interview Room 3"


class WorkingSpeakers(AlarmSound):
    """The responder PC's speakers, which work (the one fake: sound hardware at the edge).

    This machine has no audio output, so every real AlarmSound here says NO SOUND ON THIS PC,
    truthfully. Tom's PC in the story has its speakers on: it reports sound, in its header and
    in its heartbeat row, as a PC with a working output does.
    """

    def _check(self) -> None:
        return  # an output is there and plays: nothing to report


def notices_titled(title: str) -> Sequence[str]:
    """The "TEST — room" notices open on any screen in this office, as their text."""
    found = []
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, AlarmNotice) and widget.isVisible():
            text = " ".join(label.text() for label in widget.findChildren(QLabel))
            if title in text:
                found.append(text)
    return found


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is needed (system-packages.txt)"
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def test_the_testers_monday(office_pcs: OfficePCs, tmp_path: Path) -> None:
    qtbot, clock = office_pcs.qtbot, office_pcs.clock
    desk_pc = office_pcs.open("psharma", mode="reception", name="RECEPTION-1")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(desktop_app, "AlarmSound", WorkingSpeakers)
        responder = office_pcs.open("twhitfield", mode="responder", name="RESPONDER-1")
    assert responder.window.header.sound.text() == "Sound on"
    assert desk_pc.window.header.sound.text() == "NO SOUND ON THIS PC"
    for app in (desk_pc, responder):
        assert app.window.width() <= SCREEN_SIZE[0] and app.window.height() <= SCREEN_SIZE[1]

    priya = Tester(qtbot, desk_pc, office_pcs.url, clock)
    priya.open_checklist()
    priya.checklist.refresh()
    assert priya.checklist.title.text() == "Weekly alarm test: 0 of 6 buttons tested"
    assert "Week of Mon 23 Nov 2026" in priya.checklist.subtitle.text()

    for room in ROOMS:
        priya.buttons_heartbeat()  # the buttons are alive: they say so every few seconds
        assert "press the panic button now" in priya.start(room), room
        assert priya.this_week(room) == "PRESS THE BUTTON NOW"
        clock.advance(seconds=20)
        if room == FLAT_BATTERY:
            # Nothing comes. The two minutes pass and the window closes: no signal.
            clock.advance(seconds=130)
            priya.checklist.refresh()
            assert priya.this_week(room) == "FAILED (no signal)"
            continue
        receipt = priya.press(room)
        assert receipt.is_test, (room, receipt)
        # Tom's screen shows the test (and chimes); it is not an emergency.
        title = f"TEST — {room}"
        qtbot.waitUntil(lambda: bool(notices_titled(title)), timeout=10_000)  # noqa: B023
        assert "This is a test, not an emergency" in notices_titled(title)[0]
        assert not responder.controller.windows, "a test press raised a full alarm"
        result = priya.record(room, heard=True, notes="Heard on RESPONDER-1")
        assert result.heard_enabled and result.verdict == "Result: PASS", result
        assert result.accepted, result
        assert priya.this_week(room) == "Passed"

    headline = priya.checklist.title.text()
    assert headline == "Weekly alarm test: all 6 buttons tested, 1 failed", headline
    assert "c00000" in priya.checklist.title.styleSheet()  # in red: a failure to act on
    priya.buttons_heartbeat()
    for app in (desk_pc, responder):
        page = app.window.panel("Weekly alarm test")
        assert page is not None
        page.status.refresh()  # type: ignore[attr-defined]
        chip = app.window.header.weekly_test.text()
        assert chip == "Weekly alarm test: 6 of 6 (1 needs attention)", chip

    # The year view: this week's column, under its date, green but for the flat battery.
    priya.open_year_view()
    grid = priya.year_view.grid
    view = grid.view
    assert view is not None and view.current is not None
    col = view.current
    assert view.weeks[col].label == "Week of Mon 23 Nov 2026"
    states = {row.room_name: row.cells[col].state for row in view.rows}
    assert states[FLAT_BATTERY] is CellState.FAIL
    assert {s for r, s in states.items() if r != FLAT_BATTERY} == {CellState.PASS}
    assert grid.cell_mark(ROOMS.index(FLAT_BATTERY), col) == "F"
    assert "5 of 6 buttons passed, 1 failed" in priya.year_view.summary.text()

    # The exports: every test this week is a row, and so is every untested button-week.
    report = tmp_path / "alarm-tests-2026.pdf"
    priya.save_as(priya.year_view.pdf_button, report)
    lines = pdf_text(report).splitlines()
    this_week = [ln for ln in lines if ln.lstrip().startswith("23 Nov")]
    for room in ROOMS:
        row = next((ln for ln in this_week if room in ln), None)
        assert row is not None, (room, this_week)
        assert ("FAIL: no signal" if room == FLAT_BATTERY else "PASS") in row, row
        if room != FLAT_BATTERY:
            assert "Priya Sharma" in row and "yes" in row, row
    gaps = priya.year_view.record.view.gaps  # type: ignore[union-attr]
    assert sum(1 for ln in lines if "NOT TESTED" in ln and "No test recorded" in ln) == gaps

    sheet = tmp_path / "alarm-tests-2026.csv"
    priya.save_as(priya.year_view.csv_button, sheet)
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    week_rows = [r for r in rows if r["week_start"] == "2026-11-23"]
    assert sorted((r["room"], r["result"]) for r in week_rows) == sorted(
        (room, "fail" if room == FLAT_BATTERY else "pass") for room in ROOMS
    )
    assert sum(1 for r in rows if r["result"] == "not_tested") == gaps

    # Tom's PC shows the room whose button failed under its header, for the rest of the week.
    strip = responder.window.findChild(ButtonFlagList)
    assert strip is not None and strip.isVisible()
    assert strip.title.text() == "1 room with a panic button problem"
    shown = " ".join(label.text() for label in strip.findChildren(QLabel) if label.isVisible())
    assert FLAT_BATTERY in shown and "FAILED" in shown.upper(), shown
