"""The diary's records: history per officer or address (audited), CSV export, OVERDUE follow-up,
and the managers' list of markers whose instructions ask for pairs, to flag "visits in pairs".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.movements.board import REFUSED
from desktop.movements.overdue_window import NoteDialog
from safedesk.services.alarms.incidents import IncidentError
from safedesk.services.movements.desk import MovementsDesk, OverdueRecord
from safedesk.services.movements.records import HistoryFilter, HistoryRow
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

_FAILED = (*REFUSED, IncidentError, OSError)


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))


class RecordsPage(QWidget):
    """History and export (top), OVERDUE events to follow up (middle), pairs flags (bottom)."""

    def __init__(
        self,
        desk: MovementsDesk,
        office_id: int,
        actor: Callable[[], Actor],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self._actor = actor
        self.history_rows: list[HistoryRow] = []
        self.overdue_rows: list[OverdueRecord] = []
        self.dialog: QWidget | None = None
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.officer = QComboBox()
        self.officer.setObjectName("historyOfficer")
        self.officer.addItem("Everyone", None)
        for member in desk.staff_choices(office_id):
            self.officer.addItem(member.name, member.staff_id)
        self.address = QLineEdit()
        self.address.setObjectName("historyAddress")
        self.address.setPlaceholderText("Address (the same home or building)")
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addMonths(-1))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        show = QPushButton("Show history")
        show.setObjectName("showHistory")
        show.clicked.connect(self.show_history)
        export = QPushButton("Export CSV…")
        export.setObjectName("exportHistory")
        export.clicked.connect(self._on_export)
        row: tuple[QWidget, ...] = (
            QLabel("Officer"),
            self.officer,
            self.address,
            QLabel("from"),
            self.date_from,
            QLabel("to"),
            self.date_to,
            show,
            export,
        )
        for widget in row:
            filters.addWidget(widget)
        layout.addLayout(filters)
        note = QLabel("Looking at another officer's diary is recorded in the audit log.")
        note.setStyleSheet("color: #444;")
        layout.addWidget(note)
        self.history = _table(
            "historyTable", ("Left", "Officer", "With", "Address", "Seeing", "Back", "Overdue")
        )
        layout.addWidget(self.history, 2)

        layout.addWidget(QLabel("<b>OVERDUE events: debrief and follow-up, as for an incident</b>"))
        self.overdue = _table(
            "overdueTable", ("Raised", "Officer", "Address", "Why", "Outcome", "Status")
        )
        layout.addWidget(self.overdue, 1)
        follow = QHBoxLayout()
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.show_overdue)
        self.debrief = QPushButton("Record debrief…")
        self.debrief.setObjectName("recordDebrief")
        self.debrief.clicked.connect(lambda: self._follow("debrief"))
        self.follow_up = QPushButton("Record follow-up…")
        self.follow_up.setObjectName("recordFollowUp")
        self.follow_up.clicked.connect(lambda: self._follow("follow-up"))
        for button in (refresh, self.debrief, self.follow_up):
            follow.addWidget(button)
        follow.addStretch()
        layout.addLayout(follow)

        layout.addWidget(
            QLabel("<b>Markers whose instructions ask for two people, not yet flagged</b>")
        )
        self.pairs = _table("pairsTable", ("Marker", "Person", "Address", "Instructions"))
        layout.addWidget(self.pairs, 1)
        pairs_row = QHBoxLayout()
        load = QPushButton("Find markers")
        load.setObjectName("findPairs")
        load.clicked.connect(self.show_pairs)
        self.flag = QPushButton("Flag: visits in pairs")
        self.flag.setObjectName("flagPairs")
        self.flag.clicked.connect(self._on_flag)
        pairs_row.addWidget(load)
        pairs_row.addWidget(self.flag)
        pairs_row.addStretch()
        layout.addLayout(pairs_row)
        self.problem = QLabel()
        self.problem.setObjectName("recordsProblem")
        self.problem.setStyleSheet("color: #b00000; font-weight: bold;")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self._pairs: list[int] = []

    def _do(self, what: str, action: Callable[[], object]) -> bool:
        try:
            action()
        except _FAILED as exc:
            log.warning("movements records: %s failed: %s", what, exc)
            self.problem.setText(f"Could not {what}: {exc}")
            return False
        self.problem.setText("")
        return True

    def _filters(self) -> HistoryFilter:
        officer = self.officer.currentData()
        return HistoryFilter(
            office_id=self.office_id,
            officer_id=officer if isinstance(officer, int) else None,
            address=self.address.text(),
            date_from=self.date_from.date().toPython(),  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython(),  # type: ignore[arg-type]
        )

    def show_history(self) -> None:
        def load() -> None:
            self.history_rows = self.desk.history(self._actor(), self._filters())

        if not self._do("show the history", load):
            return
        _fill(
            self.history,
            [
                (
                    r.leaving_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                    r.officer,
                    r.second_officer or "alone",
                    r.address,
                    r.seeing,
                    r.returned_at.astimezone().strftime("%H:%M") if r.returned_at else "not back",
                    str(r.overdue_events or ""),
                )
                for r in self.history_rows
            ],
        )

    def _on_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the diary", "diary.csv", "CSV (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        def write() -> None:
            with path.open("w", newline="", encoding="utf-8") as out:
                count = self.desk.export_csv(self._actor(), out, self._filters())
            self.problem.setText(f"{count} entries written to {path}")

        self._do("export", write)

    def show_overdue(self) -> None:
        def load() -> None:
            self.overdue_rows = self.desk.overdue_records(self.office_id)

        if not self._do("read the OVERDUE events", load):
            return
        _fill(
            self.overdue,
            [
                (
                    r.view.raised_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                    r.view.officer_name,
                    r.view.address,
                    r.view.reason.value.replace("_", " "),
                    r.view.outcome.value.replace("_", " ") if r.view.outcome else "open",
                    r.status.replace("_", " "),
                )
                for r in self.overdue_rows
            ],
        )

    def _follow(self, kind: str) -> None:
        index = self.overdue.currentRow()
        if not 0 <= index < len(self.overdue_rows):
            self.problem.setText("Choose an OVERDUE event first.")
            return
        overdue_id = self.overdue_rows[index].view.overdue_id
        save = self.desk.record_debrief if kind == "debrief" else self.desk.record_follow_up
        dialog = NoteDialog(
            f"Record {kind}", f"The {kind} for this OVERDUE event:", "", "Save", self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def submitted(note: str) -> None:
            if self._do(f"record the {kind}", lambda: save(self._actor(), overdue_id, note)):
                dialog.accept()
                self.show_overdue()

        dialog.submitted.connect(submitted)
        self.dialog = dialog
        dialog.open()

    def show_pairs(self) -> None:
        candidates = self.desk.pairs_candidates()
        self._pairs = [c.marker_id for c in candidates]
        _fill(
            self.pairs,
            [
                (str(c.marker_id), c.person_name, c.address or "", "; ".join(c.instructions))
                for c in candidates
            ],
        )

    def _on_flag(self) -> None:
        index = self.pairs.currentRow()
        if not 0 <= index < len(self._pairs):
            self.problem.setText("Choose a marker first.")
            return
        marker_id = self._pairs[index]
        if self._do(
            "flag the marker",
            lambda: self.desk.set_visits_in_pairs(self._actor(), marker_id, True),
        ):
            self.show_pairs()
