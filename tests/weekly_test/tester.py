"""The tester's hands on the weekly test page: tabs, rows, buttons and the result form, clicked.

Shared by the weekly test screen tests and the tester's Monday walkthrough. Everything goes
through real mouse and key events on the shown window; presses go through the real press path
on their own connection, as a button's bridge makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.app import DesktopApp
from desktop.weekly_test.result_dialog import ResultDialog
from desktop.weekly_test.weekly_test_page import WeeklyTestPage
from safedesk.button_events import DeviceHeard, DeviceKind
from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import PanicDevice, Room
from safedesk.services.alarms.alarm_service import PressReceipt
from safedesk.services.hub import Services

LEFT = Qt.MouseButton.LeftButton
PAGE_TITLE = "Weekly alarm test"


def click(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None) -> None:
    assert widget.isVisible() and widget.isEnabled(), f"cannot click {widget!r}"
    qtbot.mouseClick(widget, LEFT, pos=pos if pos is not None else widget.rect().center())


def click_tab(qtbot: QtBot, tabs: QTabWidget, title: str) -> QWidget:
    bar: QTabBar = tabs.tabBar()
    for index in range(bar.count()):
        if bar.tabText(index) == title:
            click(qtbot, bar, bar.tabRect(index).center())
            assert tabs.currentIndex() == index
            widget = tabs.widget(index)
            assert widget is not None
            return widget
    raise AssertionError(f"no tab {title!r}: {[bar.tabText(i) for i in range(bar.count())]}")


def when_modal(
    kind: type[QWidget], act: Callable[[QWidget], None], timeout_ms: int = 5000
) -> list[str]:
    """Run ``act`` on the next modal window of ``kind`` once it is shown (it runs its own loop).

    Returns a list that holds a problem if the window never came or ``act`` failed; whatever
    modal window is up then is closed, so the test fails instead of waiting for ever.
    """
    problems: list[str] = []
    waited = [0]

    def give_up(why: str) -> None:
        problems.append(why)
        modal = QApplication.activeModalWidget()
        if modal is not None:
            modal.close()

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, kind) and modal.isVisible():
            try:
                act(modal)
            except Exception as exc:  # noqa: BLE001 -- reported by the caller after the loop
                give_up(f"{type(exc).__name__}: {exc}")
                return

            def still_open() -> None:
                if modal.isVisible() and QApplication.activeModalWidget() is modal:
                    give_up(f"{kind.__name__} still open after it was filled in")

            QTimer.singleShot(timeout_ms, modal, still_open)  # dropped if the modal is gone
            return
        waited[0] += 20
        if waited[0] > timeout_ms:
            give_up(f"no {kind.__name__} appeared (active modal: {modal!r})")
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return problems


@dataclass
class RecordedResult:
    accepted: bool
    verdict: str
    error: str
    heard_enabled: bool
    no_sound_note: str


class Tester:
    """One person at one PC running the weekly test."""

    __test__ = False  # not a pytest test class

    def __init__(self, qtbot: QtBot, app: DesktopApp, db_url: str, clock: Clock) -> None:
        self.qtbot = qtbot
        self.app = app
        self.db_url = db_url
        self.clock = clock
        page = app.window.panel(PAGE_TITLE)
        assert isinstance(page, WeeklyTestPage), page
        self.page = page
        self.checklist = page.checklist
        self.year_view = page.year_view

    # --- getting there -------------------------------------------------------------------

    def open_checklist(self) -> None:
        click_tab(self.qtbot, self.app.window.tabs, PAGE_TITLE)
        click_tab(self.qtbot, self.page, "This week's checklist")

    def open_year_view(self) -> None:
        click_tab(self.qtbot, self.app.window.tabs, PAGE_TITLE)
        click_tab(self.qtbot, self.page, "Year view")

    # --- the checklist -------------------------------------------------------------------

    def row_of(self, room: str) -> int:
        checklist = self.checklist.checklist
        assert checklist is not None
        return next(i for i, item in enumerate(checklist.items) if item.room_name == room)

    def cell(self, room: str, column: int) -> str:
        item = self.checklist.table.item(self.row_of(room), column)
        assert item is not None
        return item.text()

    def this_week(self, room: str) -> str:
        return self.cell(room, 3)

    def select(self, room: str) -> None:
        table = self.checklist.table
        item = table.item(self.row_of(room), 0)
        assert item is not None
        rect = table.visualItemRect(item)
        assert table.viewport().rect().contains(rect.center()), f"{room} is scrolled out of view"
        click(self.qtbot, table.viewport(), rect.center())
        assert self.checklist._selected_item() is not None
        assert self.checklist._selected_item().room_name == room  # type: ignore[union-attr]

    def start(self, room: str) -> str:
        """Select the room's row and click the start (or "test again") button."""
        self.select(room)
        click(self.qtbot, self.checklist.start_button)
        return self.checklist.message.text()

    @contextmanager
    def _bridge(self) -> Iterator[Services]:
        """The buttons' bridge: its own connection to the office database."""
        db = Database(self.db_url)
        services = Services.build(Config(), db, self.clock, "BUTTON-BRIDGE")
        try:
            yield services
        finally:
            services.close()
            db.dispose()

    def buttons_heartbeat(self) -> None:
        """Every button in the office says it is alive (they do every few seconds)."""
        with self._bridge() as services:
            with services.db.session() as s:
                device_ids = list(
                    s.scalars(
                        select(PanicDevice.device_id)
                        .join(Room, PanicDevice.room_id == Room.id)
                        .where(Room.office_id == self.app.window.office_id)
                    )
                )
            for device_id in device_ids:
                services.alarms.heard(
                    DeviceHeard(device_id, self.clock.now(), DeviceKind.SIMULATED)
                )

    def press(self, room: str) -> PressReceipt:
        """Someone presses the room's panic button; the checklist hears it over the bus."""
        with self._bridge() as services:
            with services.db.session() as s:
                room_id = s.scalars(
                    select(Room.id).where(
                        Room.name == room, Room.office_id == self.app.window.office_id
                    )
                ).one()
            receipt = services.alarms.press_room(room_id)
        if receipt.is_test:
            self.qtbot.waitUntil(lambda: self.this_week(room).startswith("Pressed"), timeout=10_000)
        return receipt

    def record(
        self,
        room: str,
        *,
        heard: bool,
        silent_screen: str = "",
        led_changed: bool = True,
        notes: str = "",
    ) -> RecordedResult:
        """Open "Record result…" for the room and fill the form as the tester found it."""
        self.select(room)
        seen: list[RecordedResult] = []

        def fill(widget: QWidget) -> None:
            assert isinstance(widget, ResultDialog)
            dialog = widget
            heard_enabled = dialog.heard.isEnabled()
            no_sound = dialog.findChild(QLabel, "noSound")  # the form's no-sound warning
            note = no_sound.text() if no_sound is not None and no_sound.isVisible() else ""
            if heard and heard_enabled:
                click(self.qtbot, dialog.heard)
            elif not heard:
                if not dialog.not_heard.isChecked():
                    click(self.qtbot, dialog.not_heard)
                if silent_screen:
                    dialog.screen_name.clear()
                    click(self.qtbot, dialog.screen_name)
                    self.qtbot.keyClicks(dialog.screen_name, silent_screen)
            if dialog.led.isChecked() != led_changed:
                click(self.qtbot, dialog.led)
            if notes:
                click(self.qtbot, dialog.notes)
                self.qtbot.keyClicks(dialog.notes, notes)
            verdict = dialog.verdict.text()
            if dialog.record_button.isEnabled():
                click(self.qtbot, dialog.record_button)
            accepted = dialog.result() == dialog.DialogCode.Accepted and not dialog.isVisible()
            seen.append(
                RecordedResult(
                    accepted=accepted,
                    verdict=verdict,
                    error=dialog.error.text() if dialog.error.isVisible() else "",
                    heard_enabled=heard_enabled,
                    no_sound_note=note,
                )
            )
            if dialog.isVisible():
                dialog.reject()  # what could not be recorded is given up, as Cancel would

        problems = when_modal(ResultDialog, fill)
        click(self.qtbot, self.checklist.result_button)
        assert not problems, problems
        assert seen, "the result form never opened"
        return seen[0]

    # --- exports -------------------------------------------------------------------------

    def save_as(self, button: QWidget, path: Path) -> None:
        """Click an export button and type the file name into the save dialog."""

        def type_name(widget: QWidget) -> None:
            assert isinstance(widget, QFileDialog)
            edit = widget.findChild(QLineEdit, "fileNameEdit")
            assert edit is not None, "the save dialog has no file name box"
            self.qtbot.wait(300)  # the dialog settles (default name, folder listing) first
            click(self.qtbot, edit)
            edit.clear()
            self.qtbot.keyClicks(edit, str(path))
            box = widget.findChild(QDialogButtonBox)
            assert box is not None, "the save dialog has no buttons"
            accept = QDialogButtonBox.ButtonRole.AcceptRole
            save = next((b for b in box.buttons() if box.buttonRole(b) == accept), None)
            assert save is not None, [b.text() for b in box.buttons()]
            self.qtbot.waitUntil(save.isEnabled, timeout=5000)
            assert save.text().replace("&", "") == "Save", save.text()
            click(self.qtbot, save)

        problems = when_modal(QFileDialog, type_name)
        click(self.qtbot, button)
        assert not problems, problems
        self.qtbot.waitUntil(path.exists, timeout=10_000)
