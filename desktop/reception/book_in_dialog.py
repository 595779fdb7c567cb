"""Book in a visitor: search as you type, the shortlist side by side, warnings, room, host.

The first row of the shortlist is what the visitor said, so each record's name, date of birth
and postcode can be compared with it at a glance. Nothing is picked automatically: the
receptionist selects a record, or chooses to book the visitor in by name as a walk-in (matched
again on every save). A match is called certain only when the matcher says so (DOB or tenancy
reference agree, and no other record qualifies); otherwise the dialog says to check with the
visitor. Why a record matched is said in plain words ("surname sounds like Bell").

A walk-in is booked like anyone else: choosing "by name" fills in the name as typed (never
re-cased or stripped of accents), and the same host, purpose and room are asked for before
anything is saved. A flagged visitor always names a host officer, who is told.

The whole booking can be done from the keyboard: the search box has the focus, ↓ moves into the
list (Tab leaves it), Alt+underlined letters reach each field, Enter books in (or says, and
focuses, what is still missing), Escape cancels. A booking that stops after a flag warning is
audited, whatever the way it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QKeyEvent, QShowEvent
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

from desktop.reception.focus_style import FOCUS_STYLE
from desktop.reception.one_line import OneLineDelegate
from desktop.reception.override_dialog import ManagerOverrideDialog
from desktop.reception.rich_text import plain
from desktop.reception.room_picker import RoomPicker
from desktop.reception.search_runner import SearchRunner
from desktop.reception.visit_warning_flow import meeting_notes, warned_people
from desktop.reception.warning_dialog import (
    FlaggedCandidate,
    FlaggedFileWarning,
    WarningOutcome,
)
from desktop.shell.status_icons import StatusKind, status_icon
from safedesk.db import DatabaseUnavailable
from safedesk.matching.query_parse import ParsedQuery
from safedesk.services.reception.booking import BookingRequest, WalkIn
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.match_reasons import plain_reasons
from safedesk.services.reception.person_search import Shortlist, ShortlistEntry
from safedesk.services.reception.room_choice import ManagerOverride, RoomNeedsOverride
from safedesk.services.reception.visit_view import VisitError, VisitView
from safedesk.services.reception.visit_warnings import WarningsPending
from safedesk.services.reception.walk_in_name import (
    MAX_PURPOSE_LENGTH,
    name_problem,
    purpose_problem,
    tidy_name,
    typed_name,
)
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

MANY_FLAGGED = 5
COLUMNS = ("Flag", "Name", "Date of birth", "Postcode", "Tenancy ref", "How it matched")
NAME_COL = 1


def describe_parsed(parsed: ParsedQuery | None) -> tuple[str, str, str, str]:
    """What the visitor said, per column: name, DOB, postcode, reference."""
    if parsed is None:
        return "", "", "", ""
    return (
        " ".join(parsed.names),
        parsed.date_of_birth.describe() if parsed.date_of_birth else parsed.date_problem or "—",
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


class ShortlistTable(QTableWidget):
    """The shortlist: Tab leaves it, and the arrow keys never land on the "visitor said" row."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(0, columns, parent)
        self.setTabKeyNavigation(False)

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        index = super().moveCursor(action, modifiers)
        if index.isValid() and index.row() == 0 and self.rowCount() > 1:
            return self.model().index(1, index.column())
        return index

    def first_record(self) -> None:
        """Select the first record (row 1, under what the visitor said)."""
        if self.rowCount() > 1:
            self.setCurrentCell(1, NAME_COL)
            self.selectRow(1)


class BookInDialog(QDialog):
    """Signals:
    booked(object): the VisitView of the visitor just booked in.
    """

    booked = Signal(object)
    TITLE = "Book in visitor"
    BY_NAME = "Not on the list: book in by &name (walk-in)"
    CHOSEN = "Book in selected person"
    NAMED = "Book in by name"
    INTRO = (
        "<b>Ask the visitor their name, date of birth and postcode.</b> Type any of them, "
        "in any order (e.g. <i>jon smyth 06/03/1985</i> or <i>smith DE1 2AB</i>). "
        "Press ↓ to choose from the list, Enter to book in, Esc to cancel."
    )
    FLAG_NOTE = "you will be shown the warning"
    PURPOSE_REQUIRED = True

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
        self.by_name = False
        # Flagged records the receptionist was warned about in this dialog and not yet booked:
        # if the dialog closes without a booking, that is audited.
        self._warned: list[FlaggedCandidate] = []
        self._notes_read = False
        self.setWindowTitle(self.TITLE)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:  # whatever is typed, the dialog stays on the screen
            self.setMaximumSize(screen.availableGeometry().size())
        self.resize(1180, 720)
        self.setStyleSheet(FOCUS_STYLE)
        layout = QVBoxLayout(self)

        intro = QLabel(self.INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        search_label = QLabel("&Search:")
        self.search_box = QLineEdit()
        search_label.setBuddy(self.search_box)
        self.search_box.setPlaceholderText("Name, date of birth, postcode or tenancy reference")
        font = self.search_box.font()
        font.setPointSize(16)
        self.search_box.setFont(font)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.installEventFilter(self)
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_box, 1)
        layout.addLayout(search_row)
        self.reading = QLabel("")
        self.reading.setStyleSheet("color:#444")
        self.reading.setWordWrap(True)  # a long paste must never widen the dialog
        layout.addWidget(self.reading)

        self.table = ShortlistTable(len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setItemDelegateForColumn(NAME_COL, OneLineDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME_COL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-size:12pt")
        layout.addWidget(self.verdict)

        form = self.form = QFormLayout()
        self.walk_in_name = QLineEdit()
        self.walk_in_name.setPlaceholderText("The visitor's name, spelt as they spell it")
        self.host = QComboBox()
        self.host.addItem("(choose who they are seeing)", None)
        for staff_id, name in desk.host_officers(office_id):
            self.host.addItem(name, staff_id)
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("e.g. rent arrears appointment")
        self.rooms = RoomPicker()
        form.addRow(
            self._label("Visitor's na&me (as they spell it)", self.walk_in_name), self.walk_in_name
        )
        form.addRow(self._label("Seeing (&host officer)", self.host), self.host)
        form.addRow(self._label("&Purpose", self.purpose), self.purpose)
        form.addRow(self._label("Interview &room", self.rooms), self.rooms)
        form.setRowVisible(self.walk_in_name, False)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color:#b00000; font-weight:bold; font-size:12pt")
        layout.addWidget(self.problem)

        buttons = QHBoxLayout()
        self.walk_in_button = QPushButton(self.BY_NAME)
        self.walk_in_button.setAutoDefault(False)
        self.book_button = QPushButton(f"{self.CHOSEN} (Enter)")
        self.book_button.setDefault(True)
        self.book_button.setStyleSheet("font-size:13pt; font-weight:bold; padding:6px 14px")
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.setAutoDefault(False)
        buttons.addWidget(self.walk_in_button)
        buttons.addStretch()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.book_button)
        layout.addLayout(buttons)
        for first, second in (
            (self.search_box, self.table),
            (self.table, self.walk_in_name),
            (self.walk_in_name, self.host),
            (self.host, self.purpose),
            (self.purpose, self.rooms),
            (self.rooms, self.book_button),
            (self.book_button, self.walk_in_button),
            (self.walk_in_button, self.cancel_button),
        ):
            QWidget.setTabOrder(first, second)

        self.runner = SearchRunner(lambda q: desk.shortlist(q, 20), self)
        self.runner.results.connect(self._on_results)
        self.runner.failed.connect(self._on_search_failed)
        self.search_box.textChanged.connect(self.runner.request)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.walk_in_button.clicked.connect(self._on_walk_in)
        self.book_button.clicked.connect(self._on_book_clicked)
        self.cancel_button.clicked.connect(self.reject)
        for field in (self.walk_in_name, self.purpose):
            field.textChanged.connect(lambda _t: self.problem.setText(""))
        self.host.currentIndexChanged.connect(lambda _i: self.problem.setText(""))
        if expected is not None:
            self._prefill(expected)
        self._refresh_rooms()
        self._on_selection()
        self.search_box.setFocus()

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # ------------------------------------------------------------------ keyboard

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()  # typing goes to the search box at once

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """↓ in the search box goes to the first record of the list."""
        if (
            watched is self.search_box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.table.rowCount() > 1
        ):
            self.table.setFocus()
            self.table.first_record()
            return True
        return super().eventFilter(watched, event)

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
        _folded, dob, postcode, ref = describe_parsed(shortlist.parsed)
        name = typed_name(shortlist.query)  # as typed: "Zoë Ní Bhriain", not "zoe ni bhriain"
        shown = name if len(name) <= 60 else name[:59] + "…"
        self.reading.setText(
            f"Searching for — name: {plain(shown) or '—'} · DOB: {dob} · postcode: {postcode}"
            f" · ref: {ref}"
            if shortlist.parsed
            else ""
        )
        self.table.setRowCount(0)
        if shortlist.parsed is not None:
            self._add_row(("VISITOR SAID", name or "—", dob, postcode, ref, ""), said=True)
        for entry in shortlist.entries:
            r = entry.record
            flag = "FLAGGED" if entry.flagged else ""
            how = "; ".join(plain_reasons(entry.match))
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
                "No record matches. Check the spelling with the visitor, or book in by name "
                "(Alt+N)."
            )
        self._on_selection()

    def _add_row(
        self, values: tuple[str, ...], *, said: bool = False, entry: ShortlistEntry | None = None
    ) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            if col == NAME_COL:
                item.setToolTip(text)
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
        self.verdict.setText(f"<span style='color:#b00000'><b>{plain(message)}</b></span>")

    def selected_entry(self) -> ShortlistEntry | None:
        if self.shortlist is None:
            return None
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), NAME_COL)
        person_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((e for e in self.shortlist.entries if e.record.person_id == person_id), None)

    def select_person(self, person_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, NAME_COL)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == person_id:
                self.table.selectRow(row)
                return
        raise LookupError(f"person {person_id} is not on the shortlist")

    def _set_by_name(self, on: bool) -> None:
        self.by_name = on
        self.form.setRowVisible(self.walk_in_name, on)
        self.book_button.setText(f"{self.NAMED if on else self.CHOSEN} (Enter)")

    def _on_selection(self) -> None:
        entry = self.selected_entry()
        if entry is not None and self.by_name:
            self._set_by_name(False)  # a record chosen after all
        self.problem.setText("")
        flagged = bool(self._flagged_close()) or (entry is not None and entry.flagged)
        self._refresh_rooms(flagged)
        if entry is None:
            if self.by_name:
                self.verdict.setText(
                    "Booking in by name: check the spelling with the visitor, then choose who "
                    "they are seeing, the purpose and the room." + self._flag_note()
                )
            elif self.shortlist and self.shortlist.entries:
                self.verdict.setText(
                    "Select the visitor's record (↓ and ↑), after checking it with them."
                )
            return
        if entry.match.certain:
            text = "Date of birth or tenancy reference and name agree with this record."
        else:
            text = (
                "<b>Not certain:</b> check the date of birth and postcode with the visitor "
                "before booking them in as this person."
            )
        self.verdict.setText(text + self._flag_note())

    def _flag_note(self) -> str:
        if not self._flagged_close():
            return ""
        names = ", ".join(
            plain(f"{e.record.forenames} {e.record.surname}") for e in self._flagged_close()
        )
        return (
            f"<br><span style='color:#9a0000'><b>A flagged file is among the close matches "
            f"({names}): {self.FLAG_NOTE}.</b></span>"
        )

    def _refresh_rooms(self, flagged: bool = False) -> None:
        self.rooms.set_options(self.desk.room_options(self.office_id), flagged)

    # ------------------------------------------------------------------ booking

    def _refuse(self, message: str, focus: QWidget) -> None:
        """Say what is missing, beside the form, and put the cursor there."""
        self.problem.setText(message)
        self.activateWindow()  # back from a warning or override dialog: the keys come here
        focus.setFocus()

    def _on_book_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._book(person_id=entry.record.person_id, walk_in=None)
            return
        if not self.by_name:
            if self.table.rowCount() > 1:
                self.table.setFocus()
            else:
                self.search_box.setFocus()
            self.problem.setText(
                "Choose the visitor's record in the list (↓ and ↑), or book them in by name "
                "(Alt+N)."
            )
            return
        name = tidy_name(self.walk_in_name.text())
        problem = name_problem(name)
        if problem is not None:
            self._refuse(problem, self.walk_in_name)
            return
        parsed = self.shortlist.parsed if self.shortlist else None
        dob = parsed.date_of_birth.exact if parsed and parsed.date_of_birth else None
        postcode = parsed.postcode.full if parsed and parsed.postcode else None
        self._book(person_id=None, walk_in=WalkIn(name, dob, postcode))

    def _on_walk_in(self) -> None:
        """Book in by name: the name as typed, then the same form as anyone else."""
        self.table.clearSelection()
        name = typed_name(self.search_box.text())
        if not self.by_name or not self.walk_in_name.text().strip():
            self.walk_in_name.setText(name)
        self._set_by_name(True)
        self._on_selection()
        if name_problem(self.walk_in_name.text()) is not None:
            self.walk_in_name.setFocus()
        elif self.host.currentData() is None:
            self.host.setFocus()
        else:
            self.purpose.setFocus()

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

    def _form_problem(self, flagged: bool) -> tuple[str, QWidget] | None:
        """What the desk booking still needs: a host always, a purpose, a room if flagged."""
        if self.host.currentData() is None:
            return (
                "Choose who the visitor is seeing (Alt+H): the host officer is told they are "
                "here, with any warning.",
                self.host,
            )
        purpose = self.purpose.text().strip()
        if self.PURPOSE_REQUIRED and not purpose:
            return "Say what the visit is about (Alt+P).", self.purpose
        problem = purpose_problem(purpose)
        if problem is not None:
            return problem, self.purpose
        if flagged and self.rooms.current_room() is None:
            return (
                "Choose an interview room whose panic alarm works (Alt+R): this visitor has a "
                "flagged file or a high-risk meeting.",
                self.rooms,
            )
        return None

    def _book(self, *, person_id: int | None, walk_in: WalkIn | None) -> None:
        # Whatever the shortlist showed flagged is warned about before the service is asked.
        shown = self._flagged_close()
        chosen = self.selected_entry() if person_id is not None else None
        if chosen is not None and chosen.flagged and chosen not in shown:
            shown.insert(0, chosen)
        notes = meeting_notes(self.expected) if self.expected else None
        missing = self._form_problem(bool(shown) or notes is not None)
        if missing is not None:
            self._refuse(*missing)
            return
        if self._too_vague():
            self.search_box.setFocus()
            return
        acknowledged: dict[int, tuple[int, ...]] = {}
        dismissed: dict[int, str] = {}
        override: ManagerOverride | None = None
        pending = [candidate_from_entry(e, e.record.person_id == person_id) for e in shown]
        if not pending and notes is not None and not self._notes_read and self._warn([]) is None:
            return  # stopped at a high-risk meeting's notes
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
                    self._refuse(
                        "Choose a room whose panic alarm works, or ask a manager.", self.rooms
                    )
                    return
                override = dialog.override
                continue
            except (VisitError, DatabaseUnavailable) as exc:
                self._refuse(str(exc), self.rooms if "room" in str(exc).lower() else self.host)
                return
            self._warned = []
            self.booked.emit(visit)
            self.accept()
            return
        QMessageBox.warning(self, "Cannot book in", "The records kept changing; search again.")

    def _warn(self, candidates: list[FlaggedCandidate]) -> WarningOutcome | None:
        _folded, dob, postcode, _ = describe_parsed(
            self.shortlist.parsed if self.shortlist else None
        )
        name = self.walk_in_name.text() if self.by_name else typed_name(self.search_box.text())
        said = " · ".join(p for p in (name, dob, postcode) if p and p != "—")
        notes = meeting_notes(self.expected) if self.expected else None
        dialog = FlaggedFileWarning(
            candidates,
            visitor_said=said,
            risk_notes=notes,
            host_name=self.host.currentText() if self.host.currentData() is not None else None,
            parent=self,
        )
        self.warning_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self._record_stopped(candidates, "stopped at the warning")
            return None
        self._notes_read = True
        known = {c.key for c in self._warned}
        self._warned.extend(c for c in candidates if c.key not in known)
        return dialog.outcome

    def _record_stopped(self, candidates: list[FlaggedCandidate], stage: str) -> None:
        """A flagged person came to the desk and was not booked in: on the record."""
        people = list(self._warned)
        known = {c.key for c in people}
        people.extend(c for c in candidates if c.key not in known)
        self._warned = []
        if not people:
            return
        try:
            self.desk.record_stopped(
                self.actor(),
                office_id=self.office_id,
                warned=warned_people(people),
                visit_id=self.expected.id if self.expected else None,
                typed_query=self.search_box.text(),
                stage=stage,
            )
        except DatabaseUnavailable as exc:
            log.warning("stopping after a warning not recorded: %s", exc)
            QMessageBox.warning(
                self,
                "Not recorded",
                f"The database could not be reached to record that this booking stopped "
                f"after a flag warning: {exc}. Tell your manager.",
            )

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted and self._warned:
            self._record_stopped([], "cancelled after the warning was acknowledged")
        super().done(result)


__all__ = ["MAX_PURPOSE_LENGTH", "BookInDialog", "ShortlistTable"]
