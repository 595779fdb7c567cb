"""Register a meeting in advance; a high-risk one is shown to reception before it happens.

Seed 004: "Consider reception colleagues when planning a meeting with a person that poses a
high risk ... share this with them before the planned meeting." The officer finds the person
(or gives the name), sets the time, room and host, and says what reception should do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QTimeEdit,
    QWidget,
)

from desktop.reception.book_in_dialog import BookInDialog
from desktop.reception.override_dialog import ManagerOverrideDialog
from safedesk.db import DatabaseUnavailable
from safedesk.services.reception.booking import WalkIn
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.room_choice import ManagerOverride, RoomNeedsOverride
from safedesk.services.reception.visit_view import VisitError
from safedesk.services.shared.actor import Actor


class RegisterMeetingDialog(BookInDialog):
    TITLE = "Register a meeting in advance"
    BY_NAME = "Not on the list: register by &name"
    CHOSEN = "Register for selected person"
    NAMED = "Register by name"
    PURPOSE_REQUIRED = False
    INTRO = (
        "<b>Find the person you are meeting</b> by name, date of birth, postcode or tenancy "
        "reference, or register them by name if they are not on the list."
    )
    FLAG_NOTE = "reception will see the flag and its instructions before the meeting"

    def __init__(
        self,
        desk: ReceptionDesk,
        office_id: int,
        actor: Callable[[], Actor],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(desk, office_id, actor, parent)
        when = QHBoxLayout()
        # A meeting is registered for today or later: the calendar greys out earlier days and
        # a typed earlier date is not taken (the time is checked on Register).
        today = desk.clock.now().astimezone().date()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setMinimumDate(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.time = QTimeEdit(QTime(10, 0))
        self.time.setDisplayFormat("HH:mm")
        when.addWidget(self.day)
        when.addWidget(self.time)
        when.addStretch()
        self.form.insertRow(0, "When", when)
        self.high_risk = QCheckBox(
            "High-risk meeting: share the risk assessment with reception before the meeting"
        )
        self.risk_notes = QPlainTextEdit()
        self.risk_notes.setPlaceholderText(
            "What reception should do, e.g. two officers; call me before letting them through; "
            "keep Interview Room 1 free"
        )
        self.risk_notes.setMaximumHeight(70)
        self.risk_notes.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.form.addRow("", self.high_risk)
        self.form.addRow("Tell reception", self.risk_notes)
        me = actor().staff_id
        index = self.host.findData(me)
        if index >= 0:
            self.host.setCurrentIndex(index)
        self.high_risk.toggled.connect(lambda _c: self._on_selection())

    def _on_selection(self) -> None:
        super()._on_selection()
        if hasattr(self, "high_risk") and self.high_risk.isChecked():
            self._refresh_rooms(True)

    def expected_at(self) -> datetime:
        day, at = self.day.date(), self.time.time()
        local = datetime(day.year(), day.month(), day.day(), at.hour(), at.minute())
        return local.astimezone()  # this PC's zone; stored as UTC

    def _book(self, *, person_id: int | None, walk_in: WalkIn | None) -> None:
        if self.expected_at() < self.desk.clock.now():
            QMessageBox.warning(
                self,
                "Cannot register",
                f"{self.expected_at():%d/%m/%Y %H:%M} has already passed: a meeting is "
                "registered for a time still to come.",
            )
            return
        host = self.host.currentData()
        if host is None:
            QMessageBox.warning(self, "Cannot register", "Choose who the visitor is seeing.")
            return
        override: ManagerOverride | None = None
        for _attempt in range(3):
            room = self.rooms.current_room()
            try:
                visit = self.desk.register_meeting(
                    self.actor(),
                    office_id=self.office_id,
                    host_officer_id=host,
                    expected_at=self.expected_at(),
                    person_id=person_id,
                    walk_in=walk_in,
                    room_id=room.room_id if room else None,
                    purpose=self.purpose.text().strip() or None,
                    high_risk=self.high_risk.isChecked(),
                    risk_notes=self.risk_notes.toPlainText(),
                    override=override,
                )
            except RoomNeedsOverride as exc:
                dialog = ManagerOverrideDialog(exc.room, self.desk.authorise_override, self)
                if dialog.exec() != QDialog.DialogCode.Accepted or dialog.override is None:
                    return
                override = dialog.override
                continue
            except (VisitError, DatabaseUnavailable) as exc:
                QMessageBox.warning(self, "Cannot register", str(exc))
                return
            self.booked.emit(visit)
            self.accept()
            return
