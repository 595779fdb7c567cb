"""The risk assessment form that places a marker (seed 002 section 3).

The form collects; the core decides. Every refusal comes back with the fields named and is shown
at the top of the form with nothing saved, so the manager fixes it and saves again.
Enter searches in the person box and never places the marker: only "Place marker" or Ctrl+Enter
do. Evidence from an incident belongs to the person the incident was about: choosing somebody
else (a namesake) takes it off the form, with a warning saying so.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.markers.form_keys import SUBMIT_HINT, DeliberateSubmit
from desktop.markers.refusal_text import invalid_html
from safedesk.models import MarkerCategory, Role
from safedesk.services.markers.desk import MarkerDesk, PersonChoice
from safedesk.services.markers.instructions import STANDARD_INSTRUCTIONS
from safedesk.services.markers.placing import EvidenceInput, RiskAssessment
from safedesk.services.markers.roles import (
    ASSESSING_ROLE,
    CATEGORY_TITLES,
    ROLE_TITLES,
    is_manager,
)
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused

PEOPLE_SHOWN = 30  # search results listed; more means the search should be narrowed


def _fitting_height(wanted: int) -> int:
    """``wanted`` pixels, or less on a small screen (1366x768), so the buttons stay on it."""
    available = QGuiApplication.primaryScreen().availableGeometry().height()
    return min(wanted, available - 60)


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class _EvidenceRow(QWidget):
    def __init__(self, today: date, item: EvidenceInput | None = None) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.occurred_on = QDateEdit()
        self.occurred_on.setCalendarPopup(True)
        self.occurred_on.setDisplayFormat("dd/MM/yyyy")
        self.occurred_on.setDate(_qdate(item.occurred_on if item and item.occurred_on else today))
        self.what = QLineEdit(item.what_happened if item else "")
        self.what.setCursorPosition(0)  # show how the account starts, not how it ends
        self.what.setPlaceholderText("What happened (facts, in the words used)")
        self.source = QLineEdit(item.source if item else "")
        self.source.setPlaceholderText("Source (report, officer, partner)")
        self.alarm_id = item.alarm_id if item else None
        layout.addWidget(self.occurred_on)
        layout.addWidget(self.what, 3)
        layout.addWidget(self.source, 2)

    def value(self) -> EvidenceInput:
        return EvidenceInput(
            occurred_on=_pydate(self.occurred_on.date()),
            what_happened=self.what.text(),
            source=self.source.text(),
            alarm_id=self.alarm_id,
        )


class RiskAssessmentDialog(QDialog):
    def __init__(
        self,
        desk: MarkerDesk,
        actor: Actor,
        parent: QWidget | None = None,
        draft: RiskAssessment | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        self.marker_id: int | None = None
        self.person_id: int | None = None
        self.source_alarm_id: int | None = draft.source_alarm_id if draft else None
        # The incident's own evidence, and who it was about: kept only while that person is chosen.
        self._incident_evidence: tuple[EvidenceInput, ...] = ()
        self._incident_alarm_id: int | None = None
        self._incident_person: PersonChoice | None = None
        self.setWindowTitle("New marker from a risk assessment")
        outer = QVBoxLayout(self)
        self.error = QLabel("")
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setStyleSheet("color:#a00000; background:#fdecea; padding:4px")
        self.error.hide()
        outer.addWidget(self.error)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll)
        layout = QVBoxLayout(body)
        layout.addWidget(self._person_box())
        layout.addWidget(self._assessment_box())
        layout.addWidget(self._instructions_box())
        layout.addWidget(self._reason_box())
        layout.addWidget(self._evidence_box())
        layout.addWidget(self._tenant_box())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Place marker")
        self.save_button.setToolTip(f"Place the marker ({SUBMIT_HINT})")
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.resize(860, _fitting_height(900))
        self._on_category_changed()
        if draft is not None:
            self.prefill(draft)
        self.keys = DeliberateSubmit(self, self._on_save)

    # -- sections -------------------------------------------------------------------------
    def _person_box(self) -> QGroupBox:
        box = QGroupBox("1. Person")
        layout = QVBoxLayout(box)
        self.person_search = QLineEdit()
        self.person_search.setObjectName("personSearch")
        self.person_search.setPlaceholderText("Name, tenancy reference or postcode, then Enter")
        self.person_search.returnPressed.connect(self._on_search)
        self.people = QListWidget()
        self.people.setObjectName("people")
        self.people.setMaximumHeight(90)
        # Chosen by a click or Enter, never by the highlight moving: namesakes sit side by side.
        self.people.itemClicked.connect(self._on_person_picked)
        self.people.itemActivated.connect(self._on_person_picked)
        self.person_label = QLabel("No person chosen")
        self.person_label.setObjectName("personChosen")
        # Where the person is changed, so it is seen there: an incident's evidence taken off.
        self.evidence_warning = QLabel("")
        self.evidence_warning.setObjectName("evidenceWarning")
        self.evidence_warning.setWordWrap(True)
        self.evidence_warning.setTextFormat(Qt.TextFormat.RichText)
        self.evidence_warning.setStyleSheet(
            "color:#000; background:#fff3cd; border:1px solid #d98200; padding:6px"
        )
        self.evidence_warning.hide()
        layout.addWidget(self.person_search)
        layout.addWidget(self.people)
        layout.addWidget(self.person_label)
        layout.addWidget(self.evidence_warning)
        return box

    def _assessment_box(self) -> QGroupBox:
        box = QGroupBox("2. Risk assessment")
        form = QFormLayout(box)
        self.category = QComboBox()
        self.category.setObjectName("category")
        self.category.addItem("Choose…", None)
        for category, title in CATEGORY_TITLES.items():
            self.category.addItem(title, category.value)  # Qt hands enums back as str
        self.category.currentIndexChanged.connect(self._on_category_changed)
        self.assessor = QComboBox()
        self.assessor.setObjectName("assessor")
        self.assessor_note = QLabel("")
        self.assessor_note.setStyleSheet("color:#555")
        self.review_due = QDateEdit()
        self.review_due.setCalendarPopup(True)
        self.review_due.setDisplayFormat("dd/MM/yyyy")
        self.review_due.setDate(_qdate(self.desk.default_review_due()))
        form.addRow("Category", self.category)
        form.addRow("Assessed by", self.assessor)
        form.addRow("", self.assessor_note)
        form.addRow("First review due", self.review_due)
        return box

    def _instructions_box(self) -> QGroupBox:
        box = QGroupBox("3. Instructions to staff (shown at reception and on alarms)")
        layout = QVBoxLayout(box)
        self.instructions = QListWidget()
        self.instructions.setObjectName("instructions")
        for text in STANDARD_INSTRUCTIONS:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.instructions.addItem(item)
        self.instructions.setMaximumHeight(150)
        self.instructions_note = QLineEdit()
        self.instructions_note.setPlaceholderText("Other instruction (free text)")
        self.restricted = QCheckBox(
            "On the restricted register: other staff see only the instructions and "
            "'contact … before visiting'"
        )
        self.restricted.setObjectName("restricted")
        self.visits_in_pairs = QCheckBox(
            "Visits in pairs: a lone home visit needs a second officer or a manager's override"
        )
        self.visits_in_pairs.setObjectName("visitsInPairs")
        self.contact_role = QComboBox()
        for role in Role:
            if is_manager([role]):
                self.contact_role.addItem(ROLE_TITLES[role], role.value)
        row = QHBoxLayout()
        row.addWidget(QLabel("Staff contact:"))
        row.addWidget(self.contact_role, 1)
        layout.addWidget(self.instructions)
        layout.addWidget(self.instructions_note)
        layout.addWidget(self.restricted)
        layout.addLayout(row)
        layout.addWidget(self.visits_in_pairs)
        return box

    def _reason_box(self) -> QGroupBox:
        box = QGroupBox("4. Reason (restricted: never shown at reception)")
        form = QFormLayout(box)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setMaximumHeight(60)
        self.detail = QPlainTextEdit()
        self.detail.setMaximumHeight(60)
        form.addRow("Reason", self.reason)
        form.addRow("Detail", self.detail)
        return box

    def _evidence_box(self) -> QGroupBox:
        box = QGroupBox("5. Evidence: the recorded incident or information the marker rests on")
        layout = QVBoxLayout(box)
        self.evidence_rows = QVBoxLayout()
        layout.addLayout(self.evidence_rows)
        add = QPushButton("Add another piece of evidence")
        add.clicked.connect(lambda: self._add_evidence(None))
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        self._evidence: list[_EvidenceRow] = []
        self._add_evidence(None)
        return box

    def _tenant_box(self) -> QGroupBox:
        box = QGroupBox("6. Telling the tenant")
        layout = QVBoxLayout(box)
        self.informed_yes = QRadioButton(
            "The tenant has been, or will be, told (and of the right to appeal)"
        )
        self.informed_no = QRadioButton("The tenant will not be told")
        self.informed_group = QButtonGroup(self)
        self.informed_group.addButton(self.informed_yes)
        self.informed_group.addButton(self.informed_no)
        self.not_informed_reason = QLineEdit()
        self.not_informed_reason.setPlaceholderText(
            "Why not (required when the tenant is not told)"
        )
        layout.addWidget(self.informed_yes)
        layout.addWidget(self.informed_no)
        layout.addWidget(self.not_informed_reason)
        return box

    # -- behaviour ------------------------------------------------------------------------
    def _add_evidence(self, item: EvidenceInput | None) -> None:
        row = _EvidenceRow(self.desk.today(), item)
        self._evidence.append(row)
        self.evidence_rows.addWidget(row)

    def _on_search(self) -> None:
        self.people.clear()
        for choice in self.desk.find_people(self.person_search.text(), limit=PEOPLE_SHOWN):
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, choice.person_id)
            self.people.addItem(item)
        found = self.people.count()
        if found == 0:
            self.person_label.setText("Nobody found: check the spelling, or search by tenancy ref")
            return
        self.people.setFocus()
        if found == 1:
            self.people.setCurrentRow(0)
            self._on_person_picked(self.people.item(0))
            return
        # Nothing highlighted as if chosen: the manager picks among namesakes on purpose.
        self.people.setCurrentRow(-1)
        more = "At least " if found >= PEOPLE_SHOWN else ""
        narrow = " (add a date of birth, postcode or tenancy ref to narrow it)" if more else ""
        if self.person_id is None:
            self.person_label.setText(
                f"{more}{found} people found{narrow}: click the right one, "
                "or use the arrows and Enter"
            )

    def _on_person_picked(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.person_id = int(item.data(Qt.ItemDataRole.UserRole))
        self.person_label.setText(f"<b>Chosen:</b> {item.text()}")
        self._match_incident_to_person()

    def _match_incident_to_person(self) -> None:
        """The incident's evidence stays only on the person the incident was about."""
        about = self._incident_person
        if about is None or self._incident_alarm_id is None:
            return
        ref = f"INC-{self._incident_alarm_id:06d}"
        attached = any(row.alarm_id is not None for row in self._evidence)
        if self.person_id == about.person_id:
            if not attached:
                self._set_evidence(self._incident_evidence)
            self.source_alarm_id = self._incident_alarm_id
            self.evidence_warning.hide()
            return
        if attached:
            self._set_evidence(tuple(r.value() for r in self._evidence if r.alarm_id is None))
        self.source_alarm_id = None
        self.evidence_warning.setText(
            f"<b>Incident {ref} was about {escape(about.label)}</b>, not the person chosen now, "
            "so its evidence has been taken off this form (section 5). Add the evidence this "
            f"marker rests on, or choose {escape(about.name)} again to put the incident back."
        )
        self.evidence_warning.show()

    def _set_evidence(self, items: tuple[EvidenceInput, ...]) -> None:
        for row in self._evidence:
            row.setParent(None)
        self._evidence.clear()
        for item in items or (None,):
            self._add_evidence(item)

    def _category(self) -> MarkerCategory | None:
        data = self.category.currentData()
        return MarkerCategory(data) if data else None

    def _on_category_changed(self) -> None:
        category = self._category()
        self.assessor.clear()
        if category is None:
            self.assessor.addItem("Choose a category first", None)
            self.assessor_note.setText("")
            return
        self.assessor.addItem("Choose…", None)
        for choice in self.desk.assessors(category):
            self.assessor.addItem(f"{choice.name}, {choice.title}".rstrip(", "), choice.staff_id)
        required = ROLE_TITLES[ASSESSING_ROLE[category]]
        self.assessor_note.setText(f"Assessed by the {required} or someone more senior")
        index = self.contact_role.findData(ASSESSING_ROLE[category].value)
        if index >= 0:
            self.contact_role.setCurrentIndex(index)

    def prefill(self, draft: RiskAssessment) -> None:
        """Start from a draft (from an incident): person, category and evidence filled in."""
        if draft.person_id is not None:
            choice = self.desk.person(draft.person_id)
            if choice is not None:
                self.person_id = choice.person_id
                self.person_label.setText(f"<b>Chosen:</b> {choice.label}")
        if draft.category is not None:
            self.category.setCurrentIndex(self.category.findData(draft.category.value))
        if draft.evidence:
            self._set_evidence(draft.evidence)
        if draft.source_alarm_id is not None:
            self._incident_alarm_id = draft.source_alarm_id
            self._incident_evidence = tuple(e for e in draft.evidence if e.alarm_id is not None)
            self._incident_person = self.desk.incident_person(draft.source_alarm_id)

    def form(self) -> RiskAssessment:
        checked = tuple(
            self.instructions.item(i).text()
            for i in range(self.instructions.count())
            if self.instructions.item(i).checkState() == Qt.CheckState.Checked
        )
        informed: bool | None = None
        if self.informed_yes.isChecked():
            informed = True
        elif self.informed_no.isChecked():
            informed = False
        category = self._category()
        contact = self.contact_role.currentData() if self.restricted.isChecked() else None
        return RiskAssessment(
            person_id=self.person_id,
            category=category,
            assessed_by_id=self.assessor.currentData(),
            reason=self.reason.toPlainText(),
            detail=self.detail.toPlainText(),
            evidence=tuple(
                row.value() for row in self._evidence if row.what.text() or row.source.text()
            ),
            tenant_informed=informed,
            not_informed_reason=self.not_informed_reason.text(),
            instructions=checked,
            instructions_note=self.instructions_note.text(),
            restricted=self.restricted.isChecked(),
            contact_role=Role(contact) if contact else None,
            review_due=_pydate(self.review_due.date()),
            source_alarm_id=self.source_alarm_id,
            visits_in_pairs=self.visits_in_pairs.isChecked(),
        )

    def _on_save(self) -> None:
        try:
            self.marker_id = self.desk.create(self.actor, self.form())
        except InvalidInput as exc:
            self._show_error(invalid_html(exc))
            return
        except PermissionRefused as exc:
            self._show_error(f"Refused: {exc}. Nothing was saved.")
            return
        self.accept()

    def _show_error(self, html: str) -> None:
        self.error.setText(html)
        self.error.show()
