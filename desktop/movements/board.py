"""The Movements board: who is out of the office, where, seeing whom, due back when; on every PC.

Rows come from the core through the diary's reader (``MovementsAdapter.board_changed``); the
buttons call ``MovementsDesk``. "I'm back" is the signed-in officer's own check-in; the others
act on the selected row: reception marks a phone call ("phoned in: safe"), extends a visit,
records an amber "going in" / "out of the address", or cancels an entry logged by mistake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.movements.log_visit_dialog import LogVisitDialog
from desktop.movements.overdue_window import ExtendDialog, NoteDialog
from desktop.movements.times import hh_mm, overdue_text
from safedesk.clock import Clock
from safedesk.db import DatabaseUnavailable
from safedesk.services.movements.check_in import CheckInRefused
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.entries import BoardRow, BoardState
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, NotFound, PermissionRefused

log = logging.getLogger(__name__)

REFUSED = (CheckInRefused, InvalidInput, NotFound, PermissionRefused, DatabaseUnavailable)

COLUMNS = ("Officer", "With", "Where", "Seeing", "Left", "Due back", "Status", "Phone")
_OVERDUE_BG = QColor("#ffb000")
_LATE_BG = QColor("#ffe9a8")
_BACK_FG = QColor("#5a5a5a")


def status_text(row: BoardRow, now: datetime) -> str:
    """What the Status column says, in words a colleague reads at a glance."""
    if row.state is BoardState.BACK:
        return f"✔ Back {hh_mm(row.returned_at)}" + (f": {row.back_how}" if row.back_how else "")
    if row.state is BoardState.OVERDUE:
        late = max(0.0, (now - row.expected_back_at).total_seconds())
        return f"⚠ OVERDUE by {overdue_text(late)}"
    if row.state is BoardState.INSIDE:
        return f"AMBER: went in {hh_mm(row.going_in_at)}"
    if row.state is BoardState.LATE:
        late = max(0.0, (now - row.expected_back_at).total_seconds())
        return f"Late by {overdue_text(late)}: alert at {hh_mm(row.overdue_from)}"
    left = max(0.0, (row.expected_back_at - now).total_seconds())
    return f"Out: due in {overdue_text(left)}" + (" (amber)" if row.amber else "")


class MovementsBoard(QWidget):
    """Today's board and its buttons."""

    def __init__(
        self,
        desk: MovementsDesk,
        office_id: int,
        actor: Callable[[], Actor],
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self._actor = actor
        self.clock = clock
        self.rows: list[BoardRow] = []
        self.dialog: QWidget | None = None  # the open dialog, reachable by tests
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel("Who is out of the office")
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        top.addWidget(title)
        self.summary = QLabel()
        self.summary.setObjectName("boardSummary")
        self.summary.setStyleSheet("font-size: 12pt;")
        top.addWidget(self.summary, 1)
        self.log_button = QPushButton("Log a visit… (Ctrl+N)")
        self.log_button.setObjectName("logVisitButton")
        self.log_button.clicked.connect(self.open_log_dialog)
        self.back_button = QPushButton("I'M BACK")
        self.back_button.setObjectName("imBackButton")
        self.back_button.clicked.connect(self._on_back)
        for button in (self.log_button, self.back_button):
            button.setStyleSheet("font-size: 12pt; font-weight: bold; padding: 6px 14px;")
            top.addWidget(button)
        layout.addLayout(top)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        shortcut.activated.connect(self.open_log_dialog)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("board")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Long words (how someone reported back) wrap in the tooltip, not across the address.
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(6, 300)
        self.table.setStyleSheet("font-size: 11pt;")
        self.table.itemSelectionChanged.connect(self._refresh_buttons)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.phoned_button = self._action("Phoned in: safe…", "phonedButton", self._on_phoned)
        self.extend_button = self._action("Extend…", "extendButton", self._on_extend)
        self.going_in_button = self._action("Going in (amber)", "goingInButton", self._on_going_in)
        self.came_out_button = self._action(
            "Out of the address", "cameOutButton", self._on_came_out
        )
        self.cancel_button = self._action("Cancel entry…", "cancelEntryButton", self._on_cancel)
        for button in (
            self.phoned_button,
            self.extend_button,
            self.going_in_button,
            self.came_out_button,
            self.cancel_button,
        ):
            actions.addWidget(button)
        actions.addStretch()
        layout.addLayout(actions)
        self.problem = QLabel()
        self.problem.setObjectName("boardProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00000; font-weight: bold; font-size: 12pt;")
        layout.addWidget(self.problem)
        # Words like "due in 12 min" move with the clock; the rows themselves come from the core.
        self._tick = QTimer(self)
        self._tick.setInterval(15_000)
        self._tick.timeout.connect(self._render)
        self._tick.start()
        self._refresh_buttons()

    def _action(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # --- rows ---------------------------------------------------------------------------------

    def set_rows(self, rows: list[BoardRow]) -> None:
        selected = self.selected()
        self.rows = rows
        self._render()
        if selected is not None:
            for index, row in enumerate(rows):
                if row.movement_id == selected.movement_id:
                    self.table.selectRow(index)

    def _render(self) -> None:
        now = self.clock.now()
        rows = self.rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (
                row.officer_name,
                row.second_officer_name or "alone",
                row.address,
                row.seeing + (" ⚠ markers" if row.flagged else ""),
                hh_mm(row.leaving_at),
                hh_mm(row.expected_back_at),
                status_text(row, now),
                row.phone,
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if row.state is BoardState.OVERDUE:
                    item.setBackground(QBrush(_OVERDUE_BG))
                    item.setForeground(QBrush(QColor("black")))
                elif row.state is BoardState.LATE:
                    item.setBackground(QBrush(_LATE_BG))
                elif row.state is BoardState.BACK:
                    item.setForeground(QBrush(_BACK_FG))
                self.table.setItem(r, c, item)
        out = [r for r in rows if r.state is not BoardState.BACK]
        overdue = sum(r.state is BoardState.OVERDUE for r in rows)
        back = len(rows) - len(out)
        words = [f"{len(out)} out"]
        if overdue:
            words.append(f"{overdue} OVERDUE")
        words.append(f"{back} back today")
        self.summary.setText("  ·  ".join(words) if rows else "Nobody is out.")
        self._refresh_buttons()

    def selected(self) -> BoardRow | None:
        index = self.table.currentRow()
        if 0 <= index < len(self.rows) and self.table.selectionModel().hasSelection():
            return self.rows[index]
        return None

    def _mine(self) -> BoardRow | None:
        me = self._actor().staff_id
        for row in self.rows:
            if row.state is not BoardState.BACK and me in (row.officer_id, row.second_officer_id):
                return row
        return None

    def _refresh_buttons(self) -> None:
        row = self.selected()
        out = row is not None and row.state is not BoardState.BACK
        self.phoned_button.setEnabled(out)
        self.extend_button.setEnabled(out)
        self.going_in_button.setEnabled(
            out and row is not None and row.state is not BoardState.INSIDE
        )
        self.came_out_button.setEnabled(row is not None and row.state is BoardState.INSIDE)
        self.cancel_button.setEnabled(
            out and row is not None and row.state is not BoardState.OVERDUE
        )
        self.back_button.setVisible(self._mine() is not None)

    # --- actions ------------------------------------------------------------------------------

    def _do(self, what: str, action: Callable[[], object]) -> bool:
        try:
            action()
        except REFUSED as exc:  # refused, or the database went away: shown and logged
            log.warning("movements board: %s failed: %s", what, exc)
            self.problem.setText(f"Could not record “{what}”: {exc}")
            return False
        self.problem.setText("")
        return True

    def open_log_dialog(self) -> None:
        dialog = LogVisitDialog(self.desk, self.office_id, self._actor(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialog = dialog
        dialog.open()

    def _on_back(self) -> None:
        self._do("I'm back", lambda: self.desk.back(self._actor()))

    def _note(
        self, title: str, lead: str, button: str, save: Callable[[str], object], what: str
    ) -> None:
        dialog = NoteDialog(title, lead, "", button, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def submitted(note: str) -> None:
            if self._do(what, lambda: save(note)):
                dialog.accept()

        dialog.submitted.connect(submitted)
        self.dialog = dialog
        dialog.open()

    def _on_phoned(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._note(
            "Phoned in: safe",
            f"{row.officer_name} phoned in and is safe. What did they say? (optional)",
            "Record: phoned in, safe",
            lambda note: self.desk.phoned_in(self._actor(), row.movement_id, note),
            "phoned in",
        )

    def _on_extend(self) -> None:
        row = self.selected()
        if row is None:
            return
        mine = self._actor().staff_id in (row.officer_id, row.second_officer_id)
        lead = (
            "When will you be back?"
            if mine
            else f"{row.officer_name} phoned: when will they be back?"
        )
        dialog = ExtendDialog(row.officer_name, self.clock.now(), lead=lead, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def chosen(when: datetime, note: str) -> None:
            if self._do(
                "extend", lambda: self.desk.extend(self._actor(), row.movement_id, when, note)
            ):
                dialog.accept()

        dialog.chosen.connect(chosen)
        self.dialog = dialog
        dialog.open()

    def _on_going_in(self) -> None:
        row = self.selected()
        if row is not None:
            self._do("going in", lambda: self.desk.going_in(self._actor(), row.movement_id))

    def _on_came_out(self) -> None:
        row = self.selected()
        if row is not None:
            self._do(
                "out of the address", lambda: self.desk.came_out(self._actor(), row.movement_id)
            )

    def _on_cancel(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._note(
            "Cancel entry",
            f"Cancel {row.officer_name}'s entry for {row.address}? Say why (it stays on record).",
            "Cancel the entry",
            lambda reason: self.desk.cancel(self._actor(), row.movement_id, reason),
            "cancel",
        )
