"""The managers' marker window: the register, reviews due, incidents, and the views report.

Everything shown comes from MarkerDesk (the core); reasons are fetched only through
"Restricted detail…", which the core permits, audits and (on PostgreSQL) the database guards.
Overdue reviews are marked with a warning icon and the word OVERDUE, not colour alone.
The marker actions act on the row selected in the tab in front (Register or Reviews due): each
row carries its marker id, so a row chosen on one tab never stands in for another tab's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.markers.appeal_dialog import AppealDialog
from desktop.markers.assessment_dialog import RiskAssessmentDialog
from desktop.markers.letter_dialogs import FollowUpLetterDialog, NotificationLetterDialog
from desktop.markers.restricted_dialog import RestrictedDetailDialog
from desktop.markers.review_dialog import ReviewDialog
from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.db import DatabaseUnavailable
from safedesk.services.markers.desk import MarkerDesk
from safedesk.services.markers.restricted_register import RegisterEntry
from safedesk.services.markers.review_dates import UK
from safedesk.services.markers.roles import is_manager
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import NotFound, PermissionRefused

OVERDUE_BG = QColor("#fde2e1")
DUE_WITHIN_DAYS = 30  # "Reviews due" lists reviews overdue or due within this many days


def _table(headers: list[str], stretch: int) -> QTableWidget:
    """Columns sized to their contents except ``stretch``, which takes the rest and wraps."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    # One line per row (fast with thousands of markers); the full text is in each cell's tooltip.
    table.setWordWrap(False)
    return table


def _item(text: str, overdue: bool = False, icon: QIcon | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if overdue:
        item.setBackground(OVERDUE_BG)
    if icon is not None:
        item.setIcon(icon)
    return item


class MarkersPanel(QWidget):
    def __init__(
        self, desk: MarkerDesk, actor: Callable[[], Actor], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        self.entries: list[RegisterEntry] = []
        self._warning_icon = QIcon(status_pixmap(StatusKind.WARNING, 32))
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("markersHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.header)
        # Says at once why an action cannot be taken (before any form is filled in); under the
        # buttons, so showing it never moves a button from under the pointer.
        self.notice = QLabel()
        self.notice.setObjectName("markersNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "color:#000; background:#fff3cd; border:1px solid #d98200; padding:6px"
        )
        self.notice.hide()
        actions = QHBoxLayout()
        self.new_button = QPushButton("New marker…")
        self.detail_button = QPushButton("Restricted detail…")
        self.review_button = QPushButton("Review…")
        self.appeal_button = QPushButton("Appeal…")
        self.letter_button = QPushButton("Tenant letter…")
        self.refresh_button = QPushButton("Refresh")
        for button in (
            self.new_button,
            self.detail_button,
            self.review_button,
            self.appeal_button,
            self.letter_button,
        ):
            actions.addWidget(button)
        actions.addStretch()
        actions.addWidget(self.refresh_button)
        layout.addLayout(actions)
        layout.addWidget(self.notice)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.register_table = _table(
            ["Marker", "Person", "Category", "Instructions to staff", "Review due", "Reasons"], 3
        )
        self.due_table = _table(
            ["Marker", "Person", "Category", "Review due", "State", "Reviewer"], 1
        )
        incidents = QWidget()
        incidents_layout = QVBoxLayout(incidents)
        self.incident_table = _table(["Incident", "Raised", "Room", "Visitor"], 3)
        incident_actions = QHBoxLayout()
        self.assess_incident_button = QPushButton("Start marker assessment…")
        self.follow_up_button = QPushButton("Follow-up letter…")
        incident_actions.addWidget(self.assess_incident_button)
        incident_actions.addWidget(self.follow_up_button)
        incident_actions.addStretch()
        incidents_layout.addWidget(self.incident_table)
        incidents_layout.addLayout(incident_actions)
        self.views_table = _table(["When", "Who", "PC", "Marker", "Result"], 4)
        self.tabs.addTab(self.register_table, "Register")
        self.tabs.addTab(self.due_table, "Reviews due")
        self.tabs.addTab(incidents, "From an incident")
        self.tabs.addTab(self.views_table, "Restricted views")

        self.due_entries: list[RegisterEntry] = []
        self.new_button.clicked.connect(self._on_new)
        self.detail_button.clicked.connect(self._on_detail)
        self.review_button.clicked.connect(self._on_review)
        self.appeal_button.clicked.connect(self._on_appeal)
        self.letter_button.clicked.connect(self._on_letter)
        self.refresh_button.clicked.connect(self.refresh)
        self.assess_incident_button.clicked.connect(self._on_assess_incident)
        self.follow_up_button.clicked.connect(self._on_follow_up)
        self.register_table.itemSelectionChanged.connect(self._update_buttons)
        self.due_table.itemSelectionChanged.connect(self._update_buttons)
        self.incident_table.itemSelectionChanged.connect(self._update_buttons)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.refresh()

    # -- loading --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload everything for whoever is signed in now (call on user_changed)."""
        actor = self.actor()
        if actor.staff_id is None:
            self._locked("Sign in as a manager to use the marker register.")
            return
        try:
            name, roles = self.desk.name_and_roles(actor)
            if not is_manager(roles):
                self._locked(
                    f"{name} is not a manager: markers are placed and reviewed by managers. "
                    "Reception sees marker instructions when booking visitors in."
                )
                return
            self.setEnabled(True)
            self.entries = self.desk.register(actor)
            horizon = self.desk.today() + timedelta(days=DUE_WITHIN_DAYS)
            incidents = self.desk.recent_incidents()
        except (DatabaseUnavailable, PermissionRefused) as exc:
            self._locked(str(exc))
            return
        # Reviews due are the same entries as the register (as this viewer may see them).
        self.due_entries = [e for e in self.entries if e.review_due <= horizon]
        self._hide_notice()
        overdue = sum(1 for e in self.entries if e.overdue_review)
        self.header.setText(
            f"<b>{len(self.entries)}</b> active markers · "
            + (
                f"<span style='color:#a00000'><b>{overdue} OVERDUE for review</b></span> "
                "(still active and still shown at reception)"
                if overdue
                else "no reviews overdue"
            )
        )
        keep = {t: self._selected_id(t) for t in (self.register_table, self.due_table)}
        self._fill_register()
        self._fill_due()
        for table, marker_id in keep.items():  # the same marker stays selected, if still listed
            self._select_id(table, marker_id)
        self.incident_table.setRowCount(0)
        for row, inc in enumerate(incidents):
            self.incident_table.insertRow(row)
            cells = [
                f"INC-{inc.alarm_id:06d}",
                f"{inc.raised_at.astimezone(UK):%d/%m/%Y %H:%M}",
                inc.room,
                inc.visitor or "(nobody recorded)",
            ]
            for col, text in enumerate(cells):
                cell = _item(text)
                cell.setData(Qt.ItemDataRole.UserRole, inc.alarm_id)
                self.incident_table.setItem(row, col, cell)
        self._fill_views()
        self.new_button.setEnabled(True)
        self._update_buttons()

    def _locked(self, message: str) -> None:
        self.header.setText(message)
        self._hide_notice()
        self.entries = []
        self.due_entries = []
        self.register_table.setRowCount(0)
        self.due_table.setRowCount(0)
        self.incident_table.setRowCount(0)
        self.views_table.setRowCount(0)
        for button in (
            self.new_button,
            self.detail_button,
            self.review_button,
            self.appeal_button,
            self.letter_button,
            self.assess_incident_button,
            self.follow_up_button,
        ):
            button.setEnabled(False)

    def _fill_register(self) -> None:
        table = self.register_table
        table.setRowCount(0)
        for row, e in enumerate(self.entries):
            table.insertRow(row)
            due = f"{e.review_due:%d/%m/%Y}" + ("  OVERDUE" if e.overdue_review else "")
            reasons = "You may view" if e.may_view_reasons else e.contact
            cells = [
                _item(
                    f"M-{e.marker_id:06d}" + ("  (restricted)" if e.restricted else ""),
                    e.overdue_review,
                ),
                _item(f"{e.person_name} ({e.tenancy_ref or 'no tenancy'})", e.overdue_review),
                _item(e.category_title, e.overdue_review),
                _item("; ".join(e.instructions), e.overdue_review),
                _item(due, e.overdue_review, self._warning_icon if e.overdue_review else None),
                _item(reasons, e.overdue_review),
            ]
            self._set_row(table, row, cells, e.marker_id)

    def _fill_due(self) -> None:
        table = self.due_table
        table.setRowCount(0)
        for row, e in enumerate(self.due_entries):
            table.insertRow(row)
            overdue = e.overdue_review
            cells = [
                _item(f"M-{e.marker_id:06d}" + ("  (restricted)" if e.restricted else ""), overdue),
                _item(f"{e.person_name} ({e.tenancy_ref or 'no tenancy'})", overdue),
                _item(e.category_title, overdue),
                _item(f"{e.review_due:%d/%m/%Y}", overdue),
                _item(e.review_state, overdue, self._warning_icon if overdue else None),
                _item(e.reviewer, overdue),
            ]
            self._set_row(table, row, cells, e.marker_id)

    @staticmethod
    def _set_row(
        table: QTableWidget, row: int, cells: list[QTableWidgetItem], marker_id: int
    ) -> None:
        for col, cell in enumerate(cells):
            cell.setData(Qt.ItemDataRole.UserRole, marker_id)
            table.setItem(row, col, cell)

    def _fill_views(self) -> None:
        table = self.views_table
        table.setRowCount(0)
        try:
            views = self.desk.views(self.actor())
        except PermissionRefused as exc:
            table.insertRow(0)
            table.setItem(0, 0, _item(str(exc)))
            return
        for row, v in enumerate(reversed(views)):
            table.insertRow(row)
            cells = [
                f"{v.at.astimezone(UK):%d/%m/%Y %H:%M:%S}",
                v.actor,
                v.workstation or "",
                f"M-{v.marker_id or 0:06d}",
                "REFUSED: " + v.note if v.refused else "viewed",
            ]
            for col, text in enumerate(cells):
                table.setItem(row, col, _item(text))

    # -- actions --------------------------------------------------------------------------
    @staticmethod
    def _selected_id(table: QTableWidget) -> int | None:
        rows = table.selectionModel().selectedRows()
        item = table.item(rows[0].row(), 0) if rows else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    @staticmethod
    def _select_id(table: QTableWidget, marker_id: int | None) -> None:
        if marker_id is None:
            return
        for row in range(table.rowCount()):
            item = table.item(row, 0)
            if item is not None and int(item.data(Qt.ItemDataRole.UserRole)) == marker_id:
                table.selectRow(row)
                return

    def selected_entry(self) -> RegisterEntry | None:
        """The marker on the row selected in the tab in front (None on the other tabs)."""
        table = self.tabs.currentWidget()
        if table not in (self.register_table, self.due_table):
            return None
        assert isinstance(table, QTableWidget)
        marker_id = self._selected_id(table)
        return next((e for e in self.entries if e.marker_id == marker_id), None)

    def _on_tab_changed(self, _index: int) -> None:
        self._hide_notice()
        self._update_buttons()

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        for button in (self.review_button, self.appeal_button, self.letter_button):
            button.setEnabled(entry is not None)
        self.review_button.setToolTip(
            entry.review_refusal or "" if entry is not None else "Select a marker first"
        )
        incident = self._selected_alarm() is not None
        self.assess_incident_button.setEnabled(incident)
        self.follow_up_button.setEnabled(incident)
        self.detail_button.setEnabled(entry is not None and entry.may_view_reasons)
        self.detail_button.setToolTip(
            "" if entry is None or entry.may_view_reasons else f"Not permitted: {entry.contact}"
        )

    def _refused(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Refused", str(exc))

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def _hide_notice(self) -> None:
        self.notice.clear()
        self.notice.hide()

    def _on_new(self) -> None:
        if RiskAssessmentDialog(self.desk, self.actor(), self).exec():
            self.refresh()

    def _on_detail(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        actor = self.actor()
        try:
            detail = self.desk.view_restricted(actor, entry.marker_id)
        except (PermissionRefused, NotFound) as exc:
            self._refused(exc)
            self._fill_views()
            return
        RestrictedDetailDialog(detail, actor.login, self).exec()
        self._fill_views()

    def _on_review(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        actor = self.actor()
        try:
            refusal = self.desk.review_refusal(actor, entry.marker_id)
        except (PermissionRefused, NotFound) as exc:
            refusal = str(exc)
        if refusal:
            self._show_notice(f"M-{entry.marker_id:06d} ({entry.person_name}): {refusal}.")
            return
        self._hide_notice()
        if ReviewDialog(self.desk, actor, entry, self).exec():
            self.refresh()

    def _on_appeal(self) -> None:
        entry = self.selected_entry()
        if entry and AppealDialog(self.desk, self.actor(), entry, self).exec():
            self.refresh()

    def _on_letter(self) -> None:
        entry = self.selected_entry()
        if entry:
            NotificationLetterDialog(self.desk, self.actor(), entry.marker_id, self).exec()

    def _selected_alarm(self) -> int | None:
        rows = self.incident_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.incident_table.item(rows[0].row(), 0)
        return int(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _on_assess_incident(self) -> None:
        alarm_id = self._selected_alarm()
        if alarm_id is None:
            return
        try:
            draft = self.desk.draft_from_incident(alarm_id)
        except (PermissionRefused, NotFound) as exc:
            self._refused(exc)
            return
        if RiskAssessmentDialog(self.desk, self.actor(), self, draft=draft).exec():
            self.refresh()

    def _on_follow_up(self) -> None:
        alarm_id = self._selected_alarm()
        if alarm_id is not None:
            FollowUpLetterDialog(self.desk, self.actor(), alarm_id, self).exec()
