"""Managers' incident list: filters, the incidents still awaiting debrief or follow-up, CSV export.

Everything goes through ``IncidentService``; this widget only shows rows and collects input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.alarm.alert_window import OUTCOME_WORDS
from safedesk.db import DatabaseUnavailable
from safedesk.models import AlarmOutcome
from safedesk.plural import plural, verb
from safedesk.services.alarms.alarm_deliveries import Delivery, one_per_pc
from safedesk.services.alarms.incidents import (
    IncidentError,
    IncidentFilter,
    IncidentRow,
    IncidentService,
    IncidentStatus,
)
from safedesk.services.shared.actor import Actor

if TYPE_CHECKING:
    from desktop.shell.main_window import MainWindow

log = logging.getLogger(__name__)

STATUS_WORDS = {
    IncidentStatus.OPEN: "⚠ Open (alarm not resolved)",
    IncidentStatus.AWAITING_DEBRIEF: "⚠ Awaiting debrief",
    IncidentStatus.AWAITING_FOLLOW_UP: "⚠ Awaiting follow-up",
    IncidentStatus.CLOSED: "✔ Closed",
}
COLUMNS = (
    "Raised",
    "Office",
    "Room",
    "Outcome",
    "Status",
    "Acknowledged by",
    "Escalated",
    "Resolved by",
    "Visitor",
    "Shown on",
    "Notes",
)
NEEDS_ACTION = "needs_action"


def _local(value: object) -> str:
    from datetime import datetime

    return value.astimezone().strftime("%d/%m/%Y %H:%M") if isinstance(value, datetime) else ""


def shown_on_cell(deliveries: tuple[Delivery, ...]) -> tuple[str, str]:
    """ "RESPONDER-1 (sound) 10:02:03, DESK-2 (notice) 10:02:04" and, for the tooltip, each
    showing in full (who was signed in, full alert or notice, why there was no sound)."""
    if not deliveries:
        return "none recorded", "No screen recorded showing this alarm."
    screens = one_per_pc(deliveries)
    short = ", ".join(f"{d.short} {d.shown_at.astimezone():%H:%M:%S}" for d in screens[:3])
    if len(screens) > 3:  # the cell stays narrow; every screen is in the tooltip and the CSV
        short += f" +{len(screens) - 3} more"
    full = "\n".join(d.detail(f"{d.shown_at.astimezone():%d/%m/%Y %H:%M:%S}") for d in deliveries)
    return short, full


class IncidentsView(QWidget):
    def __init__(
        self,
        incidents: IncidentService,
        actor: Callable[[], Actor],
        *,
        office_id: int | None,
        office_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.incidents = incidents
        self._actor = actor
        self._office_id = office_id
        self.rows: list[IncidentRow] = []
        # Asks for notes (title, prompt) -> text or None if cancelled; replaceable in tests.
        self.ask_notes: Callable[[str, str], str | None] = self._ask_notes
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.office = QComboBox()
        self.office.addItem(f"This office ({office_name})", office_id)
        self.office.addItem("All offices", None)
        self.status = QComboBox()
        self.status.addItem("Needs action (open, awaiting debrief or follow-up)", NEEDS_ACTION)
        self.status.addItem("All incidents", None)
        for status, words in STATUS_WORDS.items():
            self.status.addItem(words.lstrip("⚠✔ "), status)
        self.outcome = QComboBox()
        self.outcome.addItem("Any outcome", None)
        for outcome in AlarmOutcome:
            self.outcome.addItem(OUTCOME_WORDS[outcome].capitalize(), outcome)
        self.use_dates = QCheckBox("Between")
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-3))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        for widget in (self.office, self.status, self.outcome, self.use_dates):
            filters.addWidget(widget)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("and"))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        layout.addLayout(filters)
        for combo in (self.office, self.status, self.outcome):
            combo.currentIndexChanged.connect(self.refresh)
        self.use_dates.toggled.connect(self.refresh)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)

        self.summary = QLabel()
        self.summary.setStyleSheet("font-size: 12pt; font-weight: bold;")
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.debrief_button = QPushButton("Record debrief…")
        self.follow_up_button = QPushButton("Record follow-up…")
        self.export_button = QPushButton("Export CSV…")
        self.refresh_button = QPushButton("Refresh")
        self.debrief_button.clicked.connect(self._on_debrief)
        self.follow_up_button.clicked.connect(self._on_follow_up)
        self.export_button.clicked.connect(self._on_export)
        self.refresh_button.clicked.connect(self.refresh)
        for button in (self.debrief_button, self.follow_up_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        actions.addWidget(self.refresh_button)
        layout.addLayout(actions)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.refresh()

    def current_filter(self) -> IncidentFilter:
        status = self.status.currentData()
        dates: tuple[date | None, date | None] = (None, None)
        if self.use_dates.isChecked():
            dates = (self.date_from.date().toPython(), self.date_to.date().toPython())  # type: ignore[assignment]
        return IncidentFilter(
            office_id=self.office.currentData(),
            date_from=dates[0],
            date_to=dates[1],
            outcome=self.outcome.currentData(),
            status=status if isinstance(status, IncidentStatus) else None,
            needs_action=status == NEEDS_ACTION,
        )

    def refresh(self) -> None:
        try:
            self.rows = self.incidents.list(self.current_filter())
        except DatabaseUnavailable as exc:
            self._say(f"⚠ Cannot load incidents: {exc}", error=True)
            return
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            acknowledged = row.acknowledged_by or ""
            shown = shown_on_cell(row.shown_on)
            if row.acknowledged_at is not None:
                seconds = (row.acknowledged_at - row.raised_at).total_seconds()
                acknowledged += f" (after {seconds:.0f} s)"
            cells = (
                _local(row.raised_at),
                row.office,
                row.room,
                OUTCOME_WORDS[row.outcome].capitalize() if row.outcome else "—",
                STATUS_WORDS[row.status],
                acknowledged or "nobody",
                "⚠ yes" if row.escalated else "no",
                row.resolved_by or "",
                row.visitor or "",
                shown[0],
                row.notes or "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.alarm_id)
                if COLUMNS[column] == "Shown on":
                    item.setToolTip(shown[1])
                self.table.setItem(index, column, item)
        needing = sum(1 for r in self.rows if r.status is not IncidentStatus.CLOSED)
        self.summary.setText(
            f"{plural(len(self.rows), 'incident')} shown; {needing} "
            f"{verb(needing, 'needs', 'need')} action "
            "(open, awaiting debrief or follow-up)."
        )

    def selected(self) -> IncidentRow | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #a00000; font-weight: bold;" if error else "")
        self.message.setText(text)

    def _record(self, title: str, prompt: str, action: Callable[[int, Actor, str], None]) -> None:
        row = self.selected()
        if row is None:
            self._say("Select an incident first.", error=True)
            return
        notes = self.ask_notes(title, f"{row.room}, {_local(row.raised_at)}\n{prompt}")
        if notes is None:
            return
        try:
            action(row.alarm_id, self._actor(), notes)
        except (IncidentError, DatabaseUnavailable) as exc:
            self._say(f"⚠ Not saved: {exc}", error=True)
            return
        self._say(f"✔ {title} recorded for {row.room}.")
        self.refresh()

    def _ask_notes(self, title: str, prompt: str) -> str | None:
        notes, ok = QInputDialog.getMultiLineText(self, title, prompt)
        return notes if ok else None

    def _on_debrief(self) -> None:
        self._record(
            "Debrief",
            "Who was debriefed, what happened, what support they need:",
            self.incidents.record_debrief,
        )

    def _on_follow_up(self) -> None:
        self._record(
            "Follow-up",
            "Action taken (letter to the visitor, marker considered, police report…):",
            self.incidents.record_follow_up,
        )

    def _on_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export incidents", str(Path.home() / "safedesk-incidents.csv"), "CSV (*.csv)"
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> int:
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                count = self.incidents.export_csv(out, self.current_filter())
        except (OSError, DatabaseUnavailable) as exc:
            self._say(f"⚠ Export failed: {exc}", error=True)
            return 0
        self._say(f"✔ {plural(count, 'incident')} exported to {path}.")
        return count


def add_incidents_panel(window: MainWindow) -> None:
    """Managers' PCs (and the demo) get the incident list."""
    if window.place.mode != "manager" and not window.demo:
        return
    view = IncidentsView(
        window.services.incidents,
        window.current_actor,
        office_id=window.office_id,
        office_name=window.place.office_name,
    )
    window.bus.alarm_update.connect(lambda _update: view.refresh())
    window.add_panel(view, "Incidents")
