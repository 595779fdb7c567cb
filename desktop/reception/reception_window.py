"""The reception window: today's visitors at a glance, booking in, and warnings found later.

The default screen on a reception PC. Every few seconds it catches the search index up and
re-matches the visitors still to come or in the building; a flagged record found for one of
them (a marker placed after booking) opens the warning at once. A room whose panic button
goes offline or fails while a flagged visitor is in it is shown in red above the list and in
a notice that stays on top until someone reads it.

Whatever the data, the flag and its instructions stay on screen: the flag column comes first,
a long name is cut short with "…" (the whole name is in its tooltip), and the columns share
the width instead of growing with what was typed. Everything can be done from the keyboard:
F2 books a visitor in, F3 registers a meeting, Alt+underlined letters press the buttons, and
Tab moves between the list and the buttons instead of walking cell by cell.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import (
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.reception.book_in_dialog import BookInDialog
from desktop.reception.change_room_dialog import ChangeRoomDialog
from desktop.reception.focus_style import FOCUS_STYLE
from desktop.reception.host_notice import RoomAlarmWindow
from desktop.reception.one_line import OneLineDelegate
from desktop.reception.override_dialog import ManagerOverrideDialog
from desktop.reception.register_meeting_dialog import RegisterMeetingDialog
from desktop.reception.rich_text import plain
from desktop.reception.visit_warning_flow import warn_for_visit
from desktop.reception.warning_dialog import FlaggedFileWarning
from desktop.shell.status_icons import StatusKind, status_icon
from safedesk.db import DatabaseUnavailable
from safedesk.services.reception.alarm_problems import RoomAlarmProblem
from safedesk.services.reception.arrival import RoomNeeded
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.room_assignment import RoomInUse
from safedesk.services.reception.room_choice import RoomNeedsOverride
from safedesk.services.reception.visit_view import VisitError, VisitView
from safedesk.services.reception.visit_warnings import WarningsPending
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

REFRESH_MS = 10_000
COLUMNS = ("Flagged file", "Time", "Visitor", "Seeing", "Room", "Status", "Notes")
FLAG_COL, TIME_COL, VISITOR_COL, HOST_COL, ROOM_COL, STATUS_COL, NOTES_COL = range(len(COLUMNS))
# Columns that share the width; the others fit their short, staff-entered contents.
SHARED = (FLAG_COL, VISITOR_COL, NOTES_COL)


def _time(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M") if when else "walk-in"


class _RefreshJob(QRunnable):
    """Off the GUI thread: catch the search index up, then re-match today's open visits.

    Re-matching a name-only walk-in against a million people takes tens of milliseconds per
    visit; a full list of them must not freeze the screen every few seconds.
    """

    def __init__(self, desk: ReceptionDesk, office_id: int, relay: _Relay) -> None:
        super().__init__()
        self.desk = desk
        self.office_id = office_id
        self.relay = relay

    def run(self) -> None:
        try:
            self.desk.refresh_search()
            flagged = self.desk.recheck_open_visits(self.office_id)
        except DatabaseUnavailable as exc:
            self.relay.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("reception refresh failed")
            self.relay.failed.emit(f"reception refresh failed: {exc}")
            return
        self.relay.done.emit(flagged)


class _Relay(QObject):
    done = Signal(object)  # list[VisitView] needing a warning now
    failed = Signal(str)


class ReceptionPanel(QWidget):
    """Signals:
    warning_shown(object): a FlaggedFileWarning was opened (for tests and the tray).
    alarm_notice_shown(object): a RoomAlarmWindow was opened for a room whose alarm failed.
    """

    warning_shown = Signal(object)
    alarm_notice_shown = Signal(object)

    def __init__(
        self,
        desk: ReceptionDesk,
        office_id: int,
        actor: Callable[[], Actor],
        parent: QWidget | None = None,
        *,
        auto_refresh: bool = True,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self.actor = actor
        self.visits: list[VisitView] = []
        self.alarm_problems: list[RoomAlarmProblem] = []
        self.alarm_windows: dict[tuple[int, int, str], RoomAlarmWindow] = {}
        self._warning_open = False
        self.setStyleSheet(FOCUS_STYLE)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        title = QLabel(f"Reception — {plain(desk.office_name(office_id))}")
        title.setStyleSheet("font-size:18pt; font-weight:bold")
        top.addWidget(title)
        top.addStretch()
        self.book_button = QPushButton("Book in visitor (F2)")
        self.book_button.setStyleSheet("font-size:15pt; font-weight:bold; padding:8px 20px")
        self.book_button.clicked.connect(lambda: self.open_book_in())
        self.register_button = QPushButton("Register a meeting… (F3)")
        self.register_button.setToolTip(
            "Book a visitor in advance; mark high-risk meetings so reception knows beforehand"
        )
        self.register_button.clicked.connect(self.open_register)
        top.addWidget(self.register_button)
        top.addWidget(self.book_button)
        layout.addLayout(top)

        # A flagged visitor in a room whose alarm stopped working: red, above everything.
        self.alarm_banner = QLabel("")
        self.alarm_banner.setObjectName("alarmBanner")
        self.alarm_banner.setWordWrap(True)
        self.alarm_banner.setTextFormat(Qt.TextFormat.RichText)
        self.alarm_banner.setStyleSheet(
            "#alarmBanner { background:#b00000; color:white; font-size:14pt; padding:8px; "
            "border-radius:4px; }"
        )
        self.alarm_banner.hide()
        layout.addWidget(self.alarm_banner)

        self.rooms_line = QLabel("")
        self.rooms_line.setWordWrap(True)
        self.rooms_line.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.rooms_line)

        heading = QLabel("Today's &visitors")
        heading.setStyleSheet("font-size:13pt; font-weight:bold")
        layout.addWidget(heading)
        self.table = QTableWidget(0, len(COLUMNS))
        heading.setBuddy(self.table)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setItemDelegateForColumn(VISITOR_COL, OneLineDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in SHARED:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(
            "No visitors booked for today yet. Use <b>Book in visitor</b> (F2) when someone "
            "arrives."
        )
        self.empty.setStyleSheet("color:#555; font-size:12pt; padding:6px")
        layout.addWidget(self.empty)

        actions = QHBoxLayout()
        self.arrived_button = QPushButton("Visitor has &arrived")
        self.left_button = QPushButton("Visitor has &left")
        self.room_button = QPushButton("&Change room…")
        self.room_button.setToolTip("Move the selected visitor to another interview room")
        self.refresh_button = QPushButton("Refresh")
        for button in (self.arrived_button, self.left_button, self.room_button):
            button.setStyleSheet("font-size:12pt; padding:5px 12px")
        actions.addWidget(self.arrived_button)
        actions.addWidget(self.left_button)
        actions.addWidget(self.room_button)
        actions.addStretch()
        self.status = QLabel("")
        actions.addWidget(self.status)
        actions.addWidget(self.refresh_button)
        layout.addLayout(actions)

        self.arrived_button.clicked.connect(self._on_arrived)
        self.left_button.clicked.connect(self._on_left)
        self.room_button.clicked.connect(self._on_change_room)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.activated.connect(lambda _i: self._on_row_activated())
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, lambda: self.open_book_in())
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.open_register)

        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay()
        self._relay.done.connect(self._after_refresh)
        self._relay.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh_in_background)
        if auto_refresh:
            self._timer.start()
        self._on_selection()
        self.refresh()

    # ------------------------------------------------------------------ showing

    def refresh(self) -> None:
        try:
            self.visits = self.desk.todays_visits(self.office_id)
            rooms = self.desk.room_options(self.office_id)
            self.alarm_problems = self.desk.room_alarm_problems(self.office_id)
        except DatabaseUnavailable as exc:
            self._on_failed(str(exc))
            return
        parts = []
        for room in rooms:
            mark = "✔ alarm OK" if room.alarm_ok else f"⚠ {plain(room.summary)}"
            colour = "#1b7f3b" if room.alarm_ok else "#b00000"
            parts.append(f"<b>{plain(room.name)}</b>: <span style='color:{colour}'>{mark}</span>")
        self.rooms_line.setText("Interview rooms — " + " · ".join(parts))
        self._fill_table()
        self._show_alarm_problems()
        self.status.setText(f"Updated {datetime.now().strftime('%H:%M:%S')}")
        self._on_selection()

    def _show_alarm_problems(self) -> None:
        problems = self.alarm_problems
        self.alarm_banner.setVisible(bool(problems))
        self.alarm_banner.setText(
            "<br>".join(
                f"<b>⚠ {plain(p.headline)}.</b> {plain(p.who)} Tell "
                f"{plain(p.visit.host_name or 'the officer')} now, and move them to a room "
                "whose alarm works (Change room…)."
                for p in problems
            )
        )
        for problem in problems:
            if problem.key in self.alarm_windows:
                continue
            window = RoomAlarmWindow(problem, for_host=False)
            window.seen.connect(self._on_alarm_problem_seen)
            self.alarm_windows[problem.key] = window
            window.show()
            window.raise_()
            self.alarm_notice_shown.emit(window)

    def _on_alarm_problem_seen(self, problem: object) -> None:
        assert isinstance(problem, RoomAlarmProblem)
        try:
            self.desk.record_alarm_problem_seen(self.actor(), problem)
        except DatabaseUnavailable as exc:
            self._on_failed(str(exc))

    def _fill_table(self) -> None:
        selected = self.selected_visit()
        self.table.setRowCount(0)
        in_trouble = {p.visit.id for p in self.alarm_problems}
        for visit in self.visits:
            row = self.table.rowCount()
            self.table.insertRow(row)
            flag = ""
            if visit.flagged:
                flag = "FLAGGED: " + "; ".join(visit.instructions)
            if visit.pending_warnings and visit.arrived_at is not None:
                flag = "NOT YET ACKNOWLEDGED — " + flag
            notes = []
            if visit.id in in_trouble:
                notes.append("ROOM ALARM NOT WORKING")
            if visit.high_risk:
                notes.append(f"HIGH-RISK MEETING: {visit.risk_notes or ''}")
            if visit.walk_in:
                notes.append("walk-in (not matched to a record)")
            if visit.purpose:
                notes.append(visit.purpose)
            values = {
                FLAG_COL: flag,
                TIME_COL: _time(visit.expected_at or visit.arrived_at),
                VISITOR_COL: visit.visitor_name + ("  [HIGH-RISK]" if visit.high_risk else ""),
                HOST_COL: visit.host_name or "—",
                ROOM_COL: visit.room_name or "—",
                STATUS_COL: visit.status
                + (f" {_time(visit.arrived_at)}" if visit.arrived_at else ""),
                NOTES_COL: " · ".join(notes),
            }
            for col, text in values.items():
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, visit.id)
                if col == VISITOR_COL:
                    item.setToolTip(text)  # the whole name, however long
                if visit.flagged and col == FLAG_COL:
                    item.setIcon(status_icon(StatusKind.ALARM))
                    bold = QFont()
                    bold.setBold(True)
                    item.setFont(bold)
                    item.setForeground(QBrush(QColor("#9a0000")))
                if col == NOTES_COL and (visit.high_risk or visit.id in in_trouble):
                    item.setIcon(status_icon(StatusKind.WARNING))
                if visit.pending_warnings or visit.flagged or visit.id in in_trouble:
                    item.setBackground(QBrush(QColor("#ffe8e8")))
                elif visit.high_risk:
                    item.setBackground(QBrush(QColor("#fff4d6")))
                if visit.left_at is not None:
                    item.setForeground(QBrush(QColor("#666666")))
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not self.visits)
        if selected is not None:
            self.select_visit(selected.id)

    def selected_visit(self) -> VisitView | None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), 0)
        visit_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((v for v in self.visits if v.id == visit_id), None)

    def select_visit(self, visit_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == visit_id:
                self.table.selectRow(row)
                return

    def _on_selection(self) -> None:
        visit = self.selected_visit()
        self.arrived_button.setEnabled(visit is not None and visit.arrived_at is None)
        self.left_button.setEnabled(
            visit is not None and visit.arrived_at is not None and visit.left_at is None
        )
        self.room_button.setEnabled(visit is not None and visit.left_at is None)

    def _on_row_activated(self) -> None:
        """Enter (or a double click) on an expected visitor: they have arrived."""
        visit = self.selected_visit()
        if visit is not None and visit.arrived_at is None:
            self._on_arrived()

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#b00000'><b>{plain(message)}</b></span>")

    # ------------------------------------------------------------------ keeping current

    def refresh_in_background(self) -> None:
        if self._warning_open:
            return  # a warning is on screen: re-match after it is acknowledged
        self._pool.start(_RefreshJob(self.desk, self.office_id, self._relay))

    def _after_refresh(self, flagged: object) -> None:
        assert isinstance(flagged, list)
        self.refresh()
        self.show_warnings(flagged)

    def check_for_new_warnings(self) -> None:
        """Re-match today's visitors now (on this thread) and warn about any flagged record."""
        if self._warning_open:
            return
        try:
            flagged = self.desk.recheck_open_visits(self.office_id)
        except DatabaseUnavailable as exc:
            self._on_failed(str(exc))
            return
        self.refresh()
        self.show_warnings(flagged)

    def show_warnings(self, flagged: list[VisitView]) -> None:
        """The warning for each visitor a flagged record was found for; it must be acknowledged."""
        if self._warning_open or not flagged:
            return
        self._warning_open = True
        try:
            for visit in flagged:
                current = self.desk.visit(visit.id)
                warn_for_visit(
                    self.desk,
                    self.actor,
                    current,
                    self,
                    f"A flagged record now matches {current.visitor_name}, who is already on "
                    "today's list. Tell the officer now.",
                    allow_stop=False,
                    opened=self.warning_shown.emit,
                )
        finally:
            self._warning_open = False
        self.refresh()

    # ------------------------------------------------------------------ acting

    def open_book_in(self, expected: VisitView | None = None) -> BookInDialog:
        dialog = BookInDialog(self.desk, self.office_id, self.actor, self, expected=expected)
        dialog.booked.connect(lambda _v: self.refresh())
        dialog.setModal(True)
        dialog.show()
        self.book_in_dialog = dialog
        return dialog

    def open_register(self) -> RegisterMeetingDialog:
        dialog = RegisterMeetingDialog(self.desk, self.office_id, self.actor, self)
        dialog.booked.connect(lambda _v: self.refresh())
        dialog.setModal(True)
        dialog.show()
        self.register_dialog = dialog
        return dialog

    def _on_arrived(self) -> None:
        visit = self.selected_visit()
        if visit is None:
            return
        if visit.walk_in:
            # Booked by name in advance: search for the record now, with the visitor here.
            self.open_book_in(visit)
            return
        visit = self.desk.visit(visit.id)
        # The flag (if any) and a high-risk meeting's own notes, before anything else.
        if not warn_for_visit(
            self.desk,
            self.actor,
            visit,
            self,
            f"{visit.visitor_name} is expected today.",
            opened=self.warning_shown.emit,
        ):
            self.refresh()
            return
        for _attempt in range(4):
            try:
                self.desk.mark_arrived(self.actor(), visit.id)
                break
            except WarningsPending:
                visit = self.desk.visit(visit.id)
                if not warn_for_visit(
                    self.desk,
                    self.actor,
                    visit,
                    self,
                    f"{visit.visitor_name} is expected today.",
                    opened=self.warning_shown.emit,
                ):
                    return
            except RoomNeedsOverride as exc:
                dialog = ManagerOverrideDialog(exc.room, self.desk.authorise_override, self)
                if dialog.exec() != QDialog.DialogCode.Accepted or dialog.override is None:
                    return
                self.desk.assign_room(self.actor(), visit.id, exc.room.room_id, dialog.override)
            except (RoomInUse, RoomNeeded) as exc:
                # Choose (another) room now, with the same room rule, then book in.
                change = ChangeRoomDialog(self.desk, self.actor, visit, self, reason=str(exc))
                self.change_room_dialog = change
                if change.exec() != QDialog.DialogCode.Accepted:
                    self.refresh()
                    return
            except (VisitError, DatabaseUnavailable) as exc:
                QMessageBox.warning(self, "Cannot book in", str(exc))
                return
        self.refresh()

    def _on_change_room(self) -> None:
        visit = self.selected_visit()
        if visit is None:
            return
        dialog = ChangeRoomDialog(self.desk, self.actor, visit, self)
        self.change_room_dialog = dialog
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def _on_left(self) -> None:
        visit = self.selected_visit()
        if visit is None:
            return
        try:
            self.desk.mark_left(self.actor(), visit.id)
        except (VisitError, DatabaseUnavailable) as exc:
            QMessageBox.warning(self, "Cannot record", str(exc))
        self.refresh()


__all__ = ["FlaggedFileWarning", "ReceptionPanel"]
