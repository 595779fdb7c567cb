"""Log a visit: who is going, where, to see whom, back when, how to reach them, and seed 001's
questions; then the marker check of everyone at the address, and the two-person rule.

"Log visit and go" (Enter) checks the address first: any markers are shown in the warning,
which must be acknowledged; a "visits in pairs" marker with nobody named as second officer opens
the manager's override (their login, password and a reason). Problems the service finds are
listed at the bottom and nothing is saved until they are put right. No field asks for, or takes,
anybody's home address.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.movements.marker_warning import PreVisitWarning
from safedesk.services.movements.desk import MovementsDesk, StaffChoice
from safedesk.services.movements.entries import (
    PREVISIT_QUESTIONS,
    MarkersNotAcknowledged,
    VisitForm,
)
from safedesk.services.movements.marker_check import MarkerCheck
from safedesk.services.movements.pairs_rule import PairsRefused
from safedesk.services.reception.room_choice import ManagerOverride, OverrideRefused
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput

ALONE = "(nobody: going alone)"


def _time_edit(value: datetime, name: str) -> QTimeEdit:
    local = value.astimezone()
    edit = QTimeEdit(QTime(local.hour, local.minute))
    edit.setDisplayFormat("HH:mm")
    edit.setObjectName(name)
    return edit


class LogVisitDialog(QDialog):
    """The diary entry form. ``movement_id`` is set once the visit is logged."""

    def __init__(
        self,
        desk: MovementsDesk,
        office_id: int,
        actor: Actor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self.actor = actor
        self.movement_id: int | None = None
        self.check: MarkerCheck | None = None
        self._checked_key: tuple[str, str, int | None, str] | None = None
        self.acknowledged: tuple[int, ...] = ()
        self.override: ManagerOverride | None = None
        self.picked_person: int | None = None
        self.warning: PreVisitWarning | None = None  # open warning, reachable by tests
        self.setWindowTitle("Log a visit out of the office")
        self.resize(1120, 690)
        self._staff = desk.staff_choices(office_id)
        self._build()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        now = self.desk.clock.now()
        outer = QVBoxLayout(self)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        outer.addLayout(grid, 1)

        visit = QGroupBox("The visit")
        form = QFormLayout(visit)
        self.officer = self._staff_combo("officer", self._staff, self.actor.staff_id)
        self.second = self._staff_combo("second", self._staff, None, alone=True)
        self.address = self._line(
            "address", "House number and street, e.g. Flat 3, 14 Abbey Street"
        )
        self.postcode = self._line("postcode", "e.g. DE1 2AB")
        self.seeing = self._line("seeing", "The person or household you are going to see")
        self.seeing.textEdited.connect(self._on_seeing_edited)
        find = QPushButton("Find at this address")
        find.setObjectName("findPeople")
        find.setAutoDefault(False)
        find.clicked.connect(self._on_find)
        seeing_row = QHBoxLayout()
        seeing_row.addWidget(self.seeing, 1)
        seeing_row.addWidget(find)
        self.people = QListWidget()
        self.people.setObjectName("people")
        self.people.setMaximumHeight(70)
        self.people.setWordWrap(True)
        self.people.itemActivated.connect(self._on_pick)
        self.people.itemClicked.connect(self._on_pick)
        self.leaving = _time_edit(now, "leaving")
        self.back = _time_edit(now + timedelta(hours=1), "back")
        times = QHBoxLayout()
        times.addWidget(self.leaving)
        times.addWidget(QLabel("expected back"))
        times.addWidget(self.back)
        times.addStretch()
        self.phone = self._line(
            "phone", "Your work mobile: the office will ring this if you are late"
        )
        self.transport = self._line("transport", "Optional: car and registration, or bus")
        self.amber = QCheckBox("Amber visit: I will say “going in” at the door and “I'm out” after")
        self.amber.setObjectName("amber")
        self.notes = self._line("notes", "Optional")
        form.addRow("Officer going", self.officer)
        form.addRow("Second officer", self.second)
        form.addRow("Address", self.address)
        form.addRow("Postcode", self.postcode)
        form.addRow("Seeing", seeing_row)
        form.addRow("", self.people)
        form.addRow("Leaving", times)
        form.addRow("Phone", self.phone)
        form.addRow("Transport", self.transport)
        form.addRow("", self.amber)
        form.addRow("Notes", self.notes)
        grid.addWidget(visit, 0, 0)

        right = QVBoxLayout()
        questions = QGroupBox("Before you go (who, what, where, when, why)")
        qform = QVBoxLayout(questions)
        qform.setSpacing(2)
        self.answers: dict[str, QLineEdit] = {}
        for key, question in PREVISIT_QUESTIONS:
            edit = self._line(f"q_{key}", '"none known" is an answer')
            self.answers[key] = edit
            label = QLabel(question)
            label.setBuddy(edit)
            qform.addWidget(label)
            qform.addWidget(edit)
        right.addWidget(questions)
        self.markers_status = QLabel("Markers: checked when you log the visit.")
        self.markers_status.setObjectName("markersStatus")
        self.markers_status.setWordWrap(True)
        right.addWidget(self.markers_status)
        self.pairs_box = QFrame()
        self.pairs_box.setObjectName("pairsBox")
        pairs = QFormLayout(self.pairs_box)
        self.pairs_text = QLabel()
        self.pairs_text.setObjectName("pairsText")
        self.pairs_text.setWordWrap(True)
        pairs.addRow(self.pairs_text)
        self.manager_login = self._line("managerLogin", "The manager's login")
        self.manager_password = self._line("managerPassword", "")
        self.manager_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.override_reason = self._line("overrideReason", "Why one officer may go alone")
        pairs.addRow("Manager", self.manager_login)
        pairs.addRow("Password", self.manager_password)
        pairs.addRow("Reason", self.override_reason)
        self.pairs_box.hide()
        right.addWidget(self.pairs_box)
        right.addStretch()
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        outer.addWidget(self.problem)
        buttons = QHBoxLayout()
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        check = QPushButton("Check markers")
        check.setObjectName("checkMarkers")
        check.setAutoDefault(False)
        check.clicked.connect(self._on_check_clicked)
        self.log_button = QPushButton("Log visit and go (Enter)")
        self.log_button.setObjectName("logVisit")
        self.log_button.setDefault(True)
        self.log_button.clicked.connect(self._on_log)
        buttons.addWidget(cancel)
        buttons.addStretch()
        buttons.addWidget(check)
        buttons.addWidget(self.log_button)
        outer.addLayout(buttons)
        self.setStyleSheet(
            "QLabel, QLineEdit, QComboBox, QTimeEdit, QCheckBox, QListWidget { font-size: 11pt; }"
            "QGroupBox { font-size: 12pt; font-weight: bold; }"
            "#problem { color: #b00000; font-weight: bold; font-size: 12pt; }"
            "#pairsBox { border: 3px solid #b00000; border-radius: 6px; background: #fff4f4; }"
            "#pairsText { color: #7a0000; font-weight: bold; }"
            "#logVisit { font-size: 13pt; font-weight: bold; padding: 8px 18px; }"
            "QLineEdit:focus, QComboBox:focus, QTimeEdit:focus { border: 2px solid #1f4e9c; }"
            '*[missing="true"] { border: 2px solid #b00000; background: #fff0f0; }'
        )
        (self.officer if self.actor.staff_id is None else self.address).setFocus()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _staff_combo(
        self, name: str, staff: list[StaffChoice], current: int | None, *, alone: bool = False
    ) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        if alone:
            combo.addItem(ALONE, None)
        for member in staff:
            label = f"{member.name} ({member.job_title})" if member.job_title else member.name
            combo.addItem(label, member.staff_id)
        if current is not None:
            index = combo.findData(current)
            if index >= 0:
                combo.setCurrentIndex(index)
        return combo

    # --- the person being seen -----------------------------------------------------------------

    def _on_seeing_edited(self, _text: str) -> None:
        self.picked_person = None

    def _on_find(self) -> None:
        check = self._run_check()
        self.people.clear()
        for person in check.people:
            mark = "⚠ " if person.flagged else ""
            item = QListWidgetItem(f"{mark}{person.name}, {person.address or ''}")
            item.setToolTip(person.why)
            item.setData(Qt.ItemDataRole.UserRole, person.person_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, person.name)
            self.people.addItem(item)
        if not check.people:
            self.people.addItem("Nobody is recorded at this address: type the name.")

    def _on_pick(self, item: QListWidgetItem) -> None:
        person_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(person_id, int):
            self.picked_person = person_id
            self.seeing.setText(str(item.data(Qt.ItemDataRole.UserRole + 1)))

    # --- the marker check ---------------------------------------------------------------------

    def _key(self) -> tuple[str, str, int | None, str]:
        return (
            self.address.text().strip(),
            self.postcode.text().strip(),
            self.picked_person,
            self.seeing.text().strip(),
        )

    def _run_check(self) -> MarkerCheck:
        if self.check is None or self._checked_key != self._key():
            address, postcode, person_id, name = self._key()
            self.check = self.desk.check(
                address=address, postcode=postcode, person_id=person_id, person_name=name
            )
            self._checked_key = self._key()
        self._show_markers_status(self.check)
        return self.check

    def _show_markers_status(self, check: MarkerCheck) -> None:
        flagged = check.flagged
        if not flagged:
            self.markers_status.setText(
                "✔ No markers found for the person or anyone at this address."
            )
        elif set(check.marker_ids) <= set(self.acknowledged):
            self.markers_status.setText(
                f"⚠ Markers for {', '.join(p.name for p in flagged)}: read and acknowledged."
            )
        else:
            self.markers_status.setText(
                f"⚠ Markers for {', '.join(p.name for p in flagged)}: read them before you go."
            )

    def _on_check_clicked(self) -> None:
        check = self._run_check()
        if check.flagged:
            self._show_warning(check, then_log=False)

    def _show_warning(self, check: MarkerCheck, *, then_log: bool) -> None:
        warning = PreVisitWarning(check, self)
        self.warning = warning

        def acknowledged() -> None:
            self.acknowledged = check.marker_ids
            self._show_markers_status(check)
            self.warning = None
            if then_log:
                self._on_log()

        warning.accepted.connect(acknowledged)
        warning.rejected.connect(lambda: setattr(self, "warning", None))
        warning.open()

    # --- logging it ---------------------------------------------------------------------------

    def _at(self, edit: QTimeEdit) -> datetime:
        local_now = self.desk.clock.now().astimezone()
        chosen = time(edit.time().hour(), edit.time().minute())
        return datetime.combine(local_now.date(), chosen, tzinfo=local_now.tzinfo)

    def form(self) -> VisitForm:
        leaving = self._at(self.leaving)
        now = self.desk.clock.now()
        second = self.second.currentData()
        return VisitForm(
            office_id=self.office_id,
            officer_id=self.officer.currentData(),
            address=self.address.text(),
            postcode=self.postcode.text(),
            person_id=self.picked_person,
            person_name=self.seeing.text(),
            # A leaving time a minute or two ago is "now"; the form cannot leave in the past.
            leaving_at=leaving if leaving > now else None,
            expected_back_at=self._at(self.back),
            phone=self.phone.text(),
            transport=self.transport.text(),
            second_officer_id=second if isinstance(second, int) else None,
            notes=self.notes.text(),
            amber=self.amber.isChecked(),
            answers={key: edit.text() for key, edit in self.answers.items()},
            acknowledged_marker_ids=self.acknowledged,
            pairs_override=self.override,
        )

    def _lone(self) -> bool:
        return not isinstance(self.second.currentData(), int)

    def _on_log(self) -> None:
        if self.warning is not None:
            return
        check = self._run_check()
        if check.flagged and not set(check.marker_ids) <= set(self.acknowledged):
            self._show_warning(check, then_log=True)
            return
        lone = check.pairs_required and self._lone() and self.override is None
        if lone and not self._authorise_if_filled(check):
            return
        try:
            self.movement_id = self.desk.log_visit(self.actor, self.form())
        except InvalidInput as exc:
            self._show_problems(exc)
            return
        except MarkersNotAcknowledged as exc:
            self.check = exc.check
            self._show_warning(exc.check, then_log=True)
            return
        except PairsRefused as exc:
            self._ask_for_pairs(check, str(exc))
            return
        self.accept()

    def _show_problems(self, refused: InvalidInput) -> None:
        """Say what is missing in a line, and mark the fields, without a wall of text."""
        widgets: dict[str, QWidget] = {
            "officer": self.officer,
            "second_officer": self.second,
            "address": self.address,
            "postcode": self.postcode,
            "person": self.seeing,
            "expected_back": self.back,
            "phone": self.phone,
        } | {f"answers.{key}": edit for key, edit in self.answers.items()}
        for widget in widgets.values():
            widget.setProperty("missing", False)
        lines = [p.message for p in refused.problems if not p.field.startswith("answers.")]
        if any(p.field.startswith("answers.") for p in refused.problems):
            lines.append('answer the questions on the right ("none known" is an answer)')
        for problem in refused.problems:
            marked = widgets.get(problem.field)
            if marked is not None:
                marked.setProperty("missing", True)
        for widget in widgets.values():
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.problem.setText("Before you go: " + "; ".join(lines) + ".")

    def _ask_for_pairs(self, check: MarkerCheck, why: str) -> None:
        names = ", ".join(p.name for p in check.people if p.visits_in_pairs)
        self.pairs_text.setText(
            f"VISITS IN PAIRS: a marker for {names} says two people go. Choose a second "
            "officer above, or a manager authorises a lone visit here with a reason."
        )
        self.pairs_box.show()
        self.problem.setText(why)
        (self.second if not self.manager_login.text() else self.manager_password).setFocus()

    def _authorise_if_filled(self, check: MarkerCheck) -> bool:
        if not self.pairs_box.isVisible() or not self.manager_login.text().strip():
            self._ask_for_pairs(check, "Two people must go on this visit.")
            return False
        try:
            self.override = self.desk.authorise_lone_visit(
                self.manager_login.text(),
                self.manager_password.text(),
                self.override_reason.text(),
            )
        except OverrideRefused as exc:
            self.problem.setText(str(exc))
            self.manager_password.clear()
            return False
        return True
