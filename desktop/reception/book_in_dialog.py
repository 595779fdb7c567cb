"""Book in a visitor: search as you type, the shortlist side by side, warnings, room, host.

The first row of the shortlist is what the visitor said, so each record's name, date of birth
and postcode can be compared with it at a glance. Nothing is picked automatically: the
receptionist selects a record, or books the visitor in by name as a walk-in (matched again on
every save). A match is called certain only when the matcher says so (DOB or tenancy reference
agree, and no other record qualifies); otherwise the dialog says to check with the visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.reception.override_dialog import ManagerOverrideDialog
from desktop.reception.room_picker import RoomPicker
from desktop.reception.search_runner import SearchRunner
from desktop.reception.warning_dialog import (
    FlaggedCandidate,
    FlaggedFileWarning,
    WarningOutcome,
)
from desktop.status_icons import StatusKind, status_icon
from safedesk.db import DatabaseUnavailable
from safedesk.matching.query_parse import ParsedQuery
from safedesk.services.actor import Actor
from safedesk.services.person_search import Shortlist, ShortlistEntry
from safedesk.services.reception_desk import ReceptionDesk
from safedesk.services.room_choice import ManagerOverride, RoomNeedsOverride
from safedesk.services.visits import BookingRequest, VisitError, VisitView, WalkIn, WarningsPending

log = logging.getLogger(__name__)

MANY_FLAGGED = 5
COLUMNS = ("Flag", "Name", "Date of birth", "Postcode", "Tenancy ref", "How it matched")


def describe_parsed(parsed: ParsedQuery | None) -> tuple[str, str, str, str]:
    """What the visitor said, per column: name, DOB, postcode, reference."""
    if parsed is None:
        return "", "", "", ""
    return (
        " ".join(parsed.names),
        parsed.date_of_birth.describe() if parsed.date_of_birth else "—",
        (parsed.postcode.full or parsed.postcode.sector or parsed.postcode.district)
        if parsed.postcode
        else "—",
        parsed.tenancy_ref or "—",
    )


def candidate_from_entry(entry: ShortlistEntry, booked: bool) -> FlaggedCandidate:
    r = entry.record
    return FlaggedCandidate(
        key=r.person_id,
        name=f"{r.forenames} {r.surname}",
        date_of_birth=r.date_of_birth,
        postcode=r.postcode,
        tenancy_ref=r.tenancy_ref,
        instructions=entry.instructions,
        marker_ids=tuple(w.marker_id for w in entry.warnings),
        booked_person=booked,
    )


class BookInDialog(QDialog):
    """Signals:
    booked(object): the VisitView of the visitor just booked in.
    """

    booked = Signal(object)
    TITLE = "Book in visitor"
    BY_NAME = "Not on the list: book in by name (walk-in)"
    CHOSEN = "Book in selected person"
    INTRO = (
        "<b>Ask the visitor their name, date of birth and postcode.</b> Type any of them, "
        "in any order (e.g. <i>jon smyth 06/03/1985</i> or <i>smith DE1 2AB</i>)."
    )
    FLAG_NOTE = "you will be shown the warning"

    def __init__(
        self,
        desk: ReceptionDesk,
        office_id: int,
        actor: Callable[[], Actor],
        parent: QWidget | None = None,
        *,
        expected: VisitView | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self.actor = actor
        self.expected = expected
        self.shortlist: Shortlist | None = None
        self.setWindowTitle(self.TITLE)
        self.resize(1180, 760)
        layout = QVBoxLayout(self)

        intro = QLabel(self.INTRO)
        layout.addWidget(intro)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Name, date of birth, postcode or tenancy reference")
        font = self.search_box.font()
        font.setPointSize(16)
        self.search_box.setFont(font)
        self.search_box.setClearButtonEnabled(True)
        layout.addWidget(self.search_box)
        self.reading = QLabel("")
        self.reading.setStyleSheet("color:#444")
        layout.addWidget(self.reading)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-size:12pt")
        layout.addWidget(self.verdict)

        form = self.form = QFormLayout()
        self.host = QComboBox()
        self.host.addItem("(no officer yet)", None)
        for staff_id, name in desk.host_officers(office_id):
            self.host.addItem(name, staff_id)
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("e.g. rent arrears appointment")
        self.rooms = RoomPicker()
        form.addRow("Seeing (host officer)", self.host)
        form.addRow("Purpose", self.purpose)
        form.addRow("Interview room", self.rooms)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.walk_in_button = QPushButton(self.BY_NAME)
        self.book_button = QPushButton(self.CHOSEN)
        self.book_button.setDefault(True)
        self.book_button.setStyleSheet("font-size:13pt; font-weight:bold; padding:6px 14px")
        cancel = QPushButton("Cancel")
        buttons.addWidget(self.walk_in_button)
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.book_button)
        layout.addLayout(buttons)

        self.runner = SearchRunner(lambda q: desk.shortlist(q, 20), self)
        self.runner.results.connect(self._on_results)
        self.runner.failed.connect(self._on_search_failed)
        self.search_box.textChanged.connect(self.runner.request)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.walk_in_button.clicked.connect(self._on_walk_in)
        self.book_button.clicked.connect(self._on_book_selected)
        cancel.clicked.connect(self.reject)
        if expected is not None:
            self._prefill(expected)
        self._refresh_rooms()
        self._on_selection()

    # ------------------------------------------------------------------ shortlist

    def _prefill(self, visit: VisitView) -> None:
        index = self.host.findData(visit.host_officer_id)
        if index >= 0:
            self.host.setCurrentIndex(index)
        self.purpose.setText(visit.purpose or "")
        parts = [visit.visitor_name]
        if visit.date_of_birth:
            parts.append(visit.date_of_birth.strftime("%d/%m/%Y"))
        if visit.postcode:
            parts.append(visit.postcode)
        self.search_box.setText(" ".join(parts) + " ")

    def _flagged_close(self) -> list[ShortlistEntry]:
        return list(self.shortlist.flagged_close) if self.shortlist else []

    def _on_results(self, shortlist: Shortlist) -> None:
        self.shortlist = shortlist
        name, dob, postcode, ref = describe_parsed(shortlist.parsed)
        self.reading.setText(
            f"Searching for — name: {name or '—'} · DOB: {dob} · postcode: {postcode} · ref: {ref}"
            if shortlist.parsed
            else ""
        )
        self.table.setRowCount(0)
        if shortlist.parsed is not None:
            self._add_row(("VISITOR SAID", name or "—", dob, postcode, ref, ""), said=True)
        for entry in shortlist.entries:
            r = entry.record
            flag = "FLAGGED" if entry.flagged else ""
            how = "; ".join(entry.match.reasons)
            if entry.match.shown_because_flagged:
                how = "shown because flagged; " + how
            self._add_row(
                (
                    flag,
                    f"{r.forenames} {r.surname}",
                    r.date_of_birth.strftime("%d/%m/%Y") if r.date_of_birth else "not recorded",
                    r.postcode or "not recorded",
                    r.tenancy_ref or "—",
                    f"{round(entry.match.score * 100)}% — {how}",
                ),
                entry=entry,
            )
        if not shortlist.entries and shortlist.parsed is not None:
            self.verdict.setText(
                "No record matches. Check the spelling with the visitor, or book in by name."
            )
        self._on_selection()

    def _add_row(
        self, values: tuple[str, ...], *, said: bool = False, entry: ShortlistEntry | None = None
    ) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            if said:
                bold = QFont()
                bold.setBold(True)
                item.setFont(bold)
                item.setBackground(QBrush(QColor("#fff4c2")))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            elif entry is not None:
                item.setData(Qt.ItemDataRole.UserRole, entry.record.person_id)
                if entry.flagged:
                    item.setForeground(QBrush(QColor("#9a0000")))
                    if col == 0:
                        item.setIcon(status_icon(StatusKind.ALARM))
                        bold = QFont()
                        bold.setBold(True)
                        item.setFont(bold)
            self.table.setItem(row, col, item)

    def _on_search_failed(self, message: str) -> None:
        self.verdict.setText(f"<span style='color:#b00000'><b>{message}</b></span>")

    def selected_entry(self) -> ShortlistEntry | None:
        if self.shortlist is None:
            return None
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), 1)
        person_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((e for e in self.shortlist.entries if e.record.person_id == person_id), None)

    def select_person(self, person_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 1)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == person_id:
                self.table.selectRow(row)
                return
        raise LookupError(f"person {person_id} is not on the shortlist")

    def _on_selection(self) -> None:
        entry = self.selected_entry()
        self.book_button.setEnabled(entry is not None)
        flagged = bool(self._flagged_close()) or (entry is not None and entry.flagged)
        self._refresh_rooms(flagged)
        if entry is None:
            if self.shortlist and self.shortlist.entries:
                self.verdict.setText("Select the visitor's record, after checking it with them.")
            return
        if entry.match.certain:
            text = "Date of birth or tenancy reference and name agree with this record."
        else:
            text = (
                "<b>Not certain:</b> check the date of birth and postcode with the visitor "
                "before booking them in as this person."
            )
        if self._flagged_close():
            names = ", ".join(
                f"{e.record.forenames} {e.record.surname}" for e in self._flagged_close()
            )
            text += (
                f"<br><span style='color:#9a0000'><b>A flagged file is among the close matches "
                f"({names}): {self.FLAG_NOTE}.</b></span>"
            )
        self.verdict.setText(text)

    def _refresh_rooms(self, flagged: bool = False) -> None:
        self.rooms.set_options(self.desk.room_options(self.office_id), flagged)

    # ------------------------------------------------------------------ booking

    def _on_book_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self._book(person_id=entry.record.person_id, walk_in=None)

    def _on_walk_in(self) -> None:
        parsed = self.shortlist.parsed if self.shortlist else None
        if parsed is None or not parsed.names:
            self.verdict.setText(
                "Type the visitor's name first (and their date of birth if they know it)."
            )
            return
        name = " ".join(w.capitalize() for w in parsed.names)
        dob = parsed.date_of_birth.exact if parsed.date_of_birth else None
        postcode = parsed.postcode.full if parsed.postcode else None
        self._book(person_id=None, walk_in=WalkIn(name, dob, postcode))

    def _too_vague(self) -> bool:
        """Many flagged records share a name typed without a DOB or postcode: ask for more."""
        parsed = self.shortlist.parsed if self.shortlist else None
        flagged = self._flagged_close()
        if (
            parsed is None
            or parsed.date_of_birth
            or parsed.postcode
            or len(flagged) <= MANY_FLAGGED
        ):
            return False
        answer = QMessageBox.question(
            self,
            "Ask for the date of birth",
            f"{len(flagged)} people with this name have a flagged file. Ask the visitor for "
            "their date of birth and postcode and add them to the search.\n\n"
            "Continue without them? You will have to read every warning.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer != QMessageBox.StandardButton.Yes

    def _book(self, *, person_id: int | None, walk_in: WalkIn | None) -> None:
        if self._too_vague():
            self.search_box.setFocus()
            return
        acknowledged: dict[int, tuple[int, ...]] = {}
        dismissed: dict[int, str] = {}
        override: ManagerOverride | None = None
        # Whatever the shortlist showed flagged is warned about before the service is asked.
        shown = self._flagged_close()
        chosen = self.selected_entry() if person_id is not None else None
        if chosen is not None and chosen.flagged and chosen not in shown:
            shown.insert(0, chosen)
        pending = [candidate_from_entry(e, e.record.person_id == person_id) for e in shown]
        for _attempt in range(5):
            if pending:
                outcome = self._warn(pending)
                if outcome is None:
                    return
                acknowledged.update(outcome.acknowledged)
                dismissed.update(outcome.dismissed)
                pending = []
            room = self.rooms.current_room()
            request = BookingRequest(
                office_id=self.office_id,
                person_id=person_id,
                walk_in=walk_in,
                typed_query=self.search_box.text(),
                host_officer_id=self.host.currentData(),
                purpose=self.purpose.text().strip() or None,
                room_id=room.room_id if room else None,
                acknowledged=acknowledged,
                dismissed=dismissed,
                override=override,
                visit_id=self.expected.id if self.expected else None,
            )
            try:
                visit = self.desk.book_in(self.actor(), request)
            except WarningsPending as exc:
                # Found by the service (e.g. a marker placed while the dialog was open).
                pending = [
                    FlaggedCandidate(
                        key=w.person_id,
                        name=w.person_name,
                        date_of_birth=w.date_of_birth,
                        postcode=w.postcode,
                        tenancy_ref=w.tenancy_ref,
                        instructions=w.instructions,
                        marker_ids=w.marker_ids,
                        booked_person=w.booked_person,
                    )
                    for w in exc.warnings
                ]
                continue
            except RoomNeedsOverride as exc:
                dialog = ManagerOverrideDialog(exc.room, self.desk.authorise_override, self)
                if dialog.exec() != QDialog.DialogCode.Accepted or dialog.override is None:
                    self.verdict.setText("Choose a room whose panic alarm works, or ask a manager.")
                    return
                override = dialog.override
                continue
            except (VisitError, DatabaseUnavailable) as exc:
                QMessageBox.warning(self, "Cannot book in", str(exc))
                return
            self.booked.emit(visit)
            self.accept()
            return
        QMessageBox.warning(self, "Cannot book in", "The records kept changing; search again.")

    def _warn(self, candidates: list[FlaggedCandidate]) -> WarningOutcome | None:
        name, dob, postcode, _ = describe_parsed(self.shortlist.parsed if self.shortlist else None)
        said = " · ".join(p for p in (name, dob, postcode) if p and p != "—")
        dialog = FlaggedFileWarning(candidates, visitor_said=said, parent=self)
        self.warning_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.outcome
