"""The weekly alarm test checklist: every button this week, start a test, watch the window count
down, record the result.

Signals:
    changed(object): the ``Checklist`` after each refresh.
    acted(): a test was started or a result recorded here (the header should update now).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.weekly_test.result_dialog import ResultDialog
from desktop.weekly_test.room_flags import READINESS_COLOURS
from safedesk.clock import Clock
from safedesk.db import DatabaseUnavailable
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.checklist import Checklist, ChecklistItem, ItemState
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.refusals import WeeklyTestRefused
from safedesk.services.weekly_test.test_week import UnknownTimeZone

log = logging.getLogger(__name__)

COLUMNS = ("Room", "Button", "Readiness", "This week", "Window", "Press to screen", "Tester")

_STATE_TEXT = {
    ItemState.NOT_TESTED: "Not tested",
    ItemState.WINDOW_OPEN: "PRESS THE BUTTON NOW",
    ItemState.AWAITING_RESULT: "Pressed: record the result",
    ItemState.PASSED: "Passed",
    ItemState.FAILED: "FAILED",
}
_STATE_COLOURS = {
    ItemState.NOT_TESTED: "#444444",
    ItemState.WINDOW_OPEN: "#1f4e9c",
    ItemState.AWAITING_RESULT: "#1f4e9c",
    ItemState.PASSED: "#1b7f3b",
    ItemState.FAILED: "#c00000",
}


class ChecklistPanel(QWidget):
    changed = Signal(object)
    acted = Signal()

    def __init__(
        self,
        desk: WeeklyTestDesk,
        office_id: int,
        actor: Callable[[], Actor | None],
        clock: Clock,
        *,
        refresh_ms: int = 2000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self.actor = actor
        self.clock = clock
        self.checklist: Checklist | None = None
        self.zone = ZoneInfo("UTC")

        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setStyleSheet("font-size:16pt; font-weight:bold;")
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color:#333; font-size:10pt;")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self._on_primary())
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start test for this button")
        self.start_all_button = QPushButton("Start test for all untested buttons")
        self.result_button = QPushButton("Record result…")
        self.refresh_button = QPushButton("Refresh")
        for button in (self.start_button, self.start_all_button, self.result_button):
            button.setMinimumHeight(34)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout.addLayout(buttons)
        help_text = QLabel(
            "Start a test, then press the panic button within the window. Responder screens "
            "show “TEST — room” and sound briefly; check one did, then record the result. "
            "A press from any button outside its test window is always a real alarm."
        )
        help_text.setWordWrap(True)
        help_text.setStyleSheet("color:#555;")
        layout.addWidget(help_text)

        self.start_button.clicked.connect(self._on_start)
        self.start_all_button.clicked.connect(self._on_start_all)
        self.result_button.clicked.connect(self._on_result)
        self.refresh_button.clicked.connect(self.refresh)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(250)
        self.tick_timer.timeout.connect(self._tick)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(refresh_ms)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh()
        self.tick_timer.start()
        self.refresh_timer.start()

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            self.desk.expire_windows()
            checklist = self.desk.checklist(self.office_id)
        except DatabaseUnavailable as exc:
            self._say(f"Cannot reach the database: {exc}", error=True)
            return
        except UnknownTimeZone as exc:
            self._say(str(exc), error=True)
            return
        self.checklist = checklist
        self.zone = ZoneInfo(checklist.week.zone)
        self._render(checklist)
        self.changed.emit(checklist)

    def on_test_press(self, room_name: str, latency_ms: float) -> None:
        """A test press reached the system (bus ``TestPressReceived``): show it at once."""
        self._say(
            f"Press received from {room_name}: {latency_ms:.0f} ms from button to screen. "
            "Check it sounded on a responder screen, then record the result."
        )
        self.refresh()
        self.select_room(room_name)

    def _local(self, when: datetime, fmt: str = "%H:%M:%S") -> str:
        return when.astimezone(self.zone).strftime(fmt)

    def _render(self, checklist: Checklist) -> None:
        colour = "#c00000" if checklist.overdue or checklist.failed else "#1d2b3a"
        self.title.setText(html.escape(checklist.header_text))
        self.title.setStyleSheet(f"font-size:16pt; font-weight:bold; color:{colour};")
        deadline = checklist.week.deadline_at.astimezone(self.zone)
        self.subtitle.setText(
            f"{html.escape(checklist.office_name)} — {checklist.week.label}. "
            f"Test every panic button by {deadline:%a %d %b, %H:%M}."
        )
        selected = self._selected_device()
        self.table.setRowCount(len(checklist.items))
        bold = QFont()
        bold.setBold(True)
        for row, item in enumerate(checklist.items):
            readiness = item.readiness
            cells = [
                item.room_name,
                readiness.label or readiness.device_id,
                "Test in progress"
                if readiness.test_in_progress and not readiness.status.is_flagged
                else readiness.summary,
                self._state_text(item),
                "",
                f"{item.latency_ms:.0f} ms" if item.latency_ms is not None else "",
                item.tester_name or "",
            ]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.device_pk)
                if col == 2:
                    cell.setForeground(QColor(READINESS_COLOURS[readiness.status]))
                    if readiness.status.is_flagged:
                        cell.setFont(bold)
                if col == 3:
                    cell.setForeground(QColor(_STATE_COLOURS[item.state]))
                    cell.setFont(bold)
                self.table.setItem(row, col, cell)
            if item.device_pk == selected:
                self.table.selectRow(row)
        self._tick()
        self._update_buttons()

    def _state_text(self, item: ChecklistItem) -> str:
        text = _STATE_TEXT[item.state]
        if item.state is ItemState.FAILED and item.fail_reason is not None:
            text += f" ({item.fail_reason.value.replace('_', ' ')})"
        if item.late:
            text += " — LATE"
        if item.retesting and item.earlier is not None:
            text += f" (testing again; {_STATE_TEXT[item.earlier].lower()} earlier)"
        return text

    def _tick(self) -> None:
        if self.checklist is None:
            return
        now = self.clock.now()
        for row, item in enumerate(self.checklist.items):
            cell = self.table.item(row, 4)
            if cell is None:
                continue
            if item.state is ItemState.WINDOW_OPEN:
                left = item.seconds_left(now)
                cell.setText(f"{int(left) // 60}:{int(left) % 60:02d} left" if left else "closing…")
                cell.setForeground(QColor("#1f4e9c"))
            else:
                cell.setText("")

    # --- selection and actions ------------------------------------------------------------

    def _selected_item(self) -> ChecklistItem | None:
        if self.checklist is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0].row()
        return self.checklist.items[index] if index < len(self.checklist.items) else None

    def _selected_device(self) -> int | None:
        item = self._selected_item()
        return item.device_pk if item else None

    def select_room(self, room_name: str) -> None:
        if self.checklist is None:
            return
        for row, item in enumerate(self.checklist.items):
            if item.room_name == room_name:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        item = self._selected_item()
        open_states = (ItemState.WINDOW_OPEN, ItemState.AWAITING_RESULT)
        self.start_button.setEnabled(item is not None and item.state not in open_states)
        self.start_button.setText(
            "Test this button again"
            if item is not None and item.state in (ItemState.PASSED, ItemState.FAILED)
            else "Start test for this button"
        )
        self.result_button.setEnabled(item is not None and item.state in open_states)
        untested = self.checklist is not None and any(
            i.state not in (ItemState.PASSED, *open_states) for i in self.checklist.items
        )
        self.start_all_button.setEnabled(untested)

    def _signed_in(self) -> Actor | None:
        actor = self.actor()
        if actor is None or actor.staff_id is None:
            self._say("Sign in to run the weekly alarm test.", error=True)
            return None
        return actor

    def _say(self, text: str, *, error: bool = False, warning: bool = False) -> None:
        if error:
            style = "background:#fde3e3; color:#7a0000; border:2px solid #c00000;"
        elif warning:
            style = "background:#fff1d6; color:#5c3700; border:2px solid #d98200;"
        else:
            style = "background:#e3ebf8; color:#1f4e9c; border:1px solid #1f4e9c;"
        self.message.setStyleSheet(f"QLabel {{ {style} padding:8px; font-weight:bold; }}")
        self.message.setText(text)
        self.message.show()

    def _on_primary(self) -> None:
        item = self._selected_item()
        if item is None:
            return
        if item.state in (ItemState.WINDOW_OPEN, ItemState.AWAITING_RESULT):
            self._on_result()
        else:
            self._on_start()

    def _on_start(self) -> None:
        item = self._selected_item()
        actor = self._signed_in()
        if item is None or actor is None:
            return
        try:
            outcome = self.desk.start(item.device_pk, actor)
        except (WeeklyTestRefused, DatabaseUnavailable) as exc:
            self._say(str(exc), error=True)
        else:
            self._say(outcome.message, error=outcome.offline)
        self.refresh()
        self.acted.emit()

    def _on_start_all(self) -> None:
        actor = self._signed_in()
        if actor is None:
            return
        try:
            outcome = self.desk.start_all(self.office_id, actor)
        except (WeeklyTestRefused, DatabaseUnavailable) as exc:
            self._say(str(exc), error=True)
        else:
            problem = bool(outcome.refused) or any(s.offline for s in outcome.started)
            self._say(outcome.message, warning=problem)
        self.refresh()
        self.acted.emit()

    def result_dialog(self) -> ResultDialog | None:
        """The result dialog for the selected button (separate so tests can drive it)."""
        item = self._selected_item()
        actor = self._signed_in()
        if item is None or actor is None or item.test_id is None:
            return None
        if item.state not in (ItemState.WINDOW_OPEN, ItemState.AWAITING_RESULT):
            self._say(f"{item.room_name} has no test waiting for a result.", warning=True)
            return None
        if item.latency_ms is not None:
            pressed = (
                f"Press received: {item.latency_ms:.0f} ms from button to screen. "
                "Did it sound on a responder screen?"
            )
        else:
            pressed = (
                "No press has been received from this button. Recording now will record "
                "FAIL — no signal."
            )
        try:
            screens = self.desk.responder_screens(self.office_id)
            sound = self.desk.screens(self.office_id, actor.workstation)
        except DatabaseUnavailable:
            screens, sound = [], None  # only suggestions; the core checks again on Record
        return ResultDialog(item, self.desk, actor, pressed, screens, self, sound=sound)

    def _on_result(self) -> None:
        dialog = self.result_dialog()
        if dialog is None:
            return
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._say(f"Result recorded for {dialog.item.room_name}.")
        self.refresh()
        self.acted.emit()
