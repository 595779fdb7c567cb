"""Appeals (seed 002 section 7): record the tenant's appeal; a more senior manager decides it.

Outcomes read as UK usage does: an appeal *upheld* is one the tenant wins (the marker is removed,
or in part: its instructions change); *not upheld* (dismissed) means the marker stays. Whether
the person at the screen may decide is asked when the dialog opens, before anything is written.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.markers.form_keys import SUBMIT_HINT, DeliberateSubmit
from desktop.markers.refusal_text import invalid_html
from safedesk.models import AppealOutcome
from safedesk.services.markers.appeals import OUTCOME_TITLES
from safedesk.services.markers.desk import AppealView, MarkerDesk
from safedesk.services.markers.instructions import STANDARD_INSTRUCTIONS
from safedesk.services.markers.restricted_register import RegisterEntry
from safedesk.services.markers.review_dates import UK
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, NotFound, PermissionRefused


def _history_line(a: AppealView) -> str:
    lodged = f"{a.lodged_at.astimezone(UK):%d/%m/%Y}"
    if a.outcome is None:
        return f"<li>Lodged {lodged}: {escape(a.grounds)}<br><b>Awaiting a decision</b></li>"
    decided = f" on {a.decided_at.astimezone(UK):%d/%m/%Y}" if a.decided_at else ""
    return (
        f"<li>Lodged {lodged}: {escape(a.grounds)}<br><b>{escape(a.outcome_title)}</b>"
        f"{decided} by {escape(a.decided_by or 'unknown')}: {escape(a.outcome_reason or '')} "
        "(final)</li>"
    )


class AppealDialog(QDialog):
    """Shows the marker's appeals; lodges a new one or decides the open one."""

    def __init__(
        self, desk: MarkerDesk, actor: Actor, entry: RegisterEntry, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.entry = desk, actor, entry
        self.setWindowTitle(f"Appeal: M-{entry.marker_id:06d} {entry.person_name}")
        layout = QVBoxLayout(self)
        appeals = desk.appeals(entry.marker_id)
        self.open_appeal = next((a for a in appeals if a.outcome is None), None)
        history = "".join(_history_line(a) for a in appeals)
        self.summary = QLabel(f"<ul>{history}</ul>" if history else "No appeals recorded.")
        self.summary.setObjectName("appealHistory")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.error = QLabel("")
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#a00000")
        layout.addWidget(self.error)
        form = QFormLayout()
        self.text = QPlainTextEdit()
        self.text.setMaximumHeight(90)
        self.outcome = QComboBox()
        self.outcome.setObjectName("outcome")
        self.instructions = QListWidget()
        self.instructions.setMaximumHeight(120)
        self.note = QLineEdit()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if self.open_appeal is None:
            form.addRow("Tenant's grounds", self.text)
            action = "Record appeal"
            refusal = desk.appeal_lodging_refusal(entry.marker_id)
            if refusal:  # a decided appeal is final (seed 002 section 7)
                self.error.setText(f"No appeal can be recorded: {escape(refusal)}.")
                self.text.setEnabled(False)
                self.ok_button.setEnabled(False)
        else:
            self.outcome.addItem("Choose…", None)
            for outcome, title in OUTCOME_TITLES.items():
                self.outcome.addItem(title, outcome.value)
            self.outcome.currentIndexChanged.connect(self._on_outcome_changed)
            for text in STANDARD_INSTRUCTIONS:
                item = QListWidgetItem(text)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = text in entry.instructions
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.instructions.addItem(item)
            form.addRow("Outcome", self.outcome)
            form.addRow("Reason for the decision", self.text)
            self.instructions_label = QLabel("Instructions from now on")
            self.note_label = QLabel("Other instruction")
            form.addRow(self.instructions_label, self.instructions)
            form.addRow(self.note_label, self.note)
            self._on_outcome_changed()
            rule = QLabel(
                "Only a manager more senior than whoever made the original decision may "
                "decide. The outcome is final."
            )
            rule.setWordWrap(True)
            layout.addWidget(rule)
            action = "Record final decision"
            self._ask_permission()
        layout.addLayout(form)
        layout.addStretch(1)
        self.ok_button.setText(action)
        self.ok_button.setToolTip(f"{action} ({SUBMIT_HINT})")
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(600, 420)
        self.keys = DeliberateSubmit(self, self._on_ok)

    def _ask_permission(self) -> None:
        try:
            refusal = self.desk.appeal_decision_refusal(self.actor, self.entry.marker_id)
        except (PermissionRefused, NotFound) as exc:
            refusal = str(exc)
        if refusal:
            self.error.setText(f"You cannot decide this appeal: {escape(refusal)}.")
            for widget in (self.outcome, self.text, self.instructions, self.note, self.ok_button):
                widget.setEnabled(False)

    def _chosen(self) -> AppealOutcome | None:
        data = self.outcome.currentData()
        return AppealOutcome(data) if data else None

    def _on_outcome_changed(self) -> None:
        amending = self._chosen() is AppealOutcome.UPHELD_AMENDED
        for widget in (self.instructions, self.note, self.instructions_label, self.note_label):
            widget.setVisible(amending)

    def _on_ok(self) -> None:
        if not self.ok_button.isEnabled():
            return
        try:
            if self.open_appeal is None:
                self.desk.lodge_appeal(self.actor, self.entry.marker_id, self.text.toPlainText())
            else:
                outcome = self._chosen()
                amending = outcome is AppealOutcome.UPHELD_AMENDED
                chosen = tuple(
                    self.instructions.item(i).text()
                    for i in range(self.instructions.count())
                    if self.instructions.item(i).checkState() == Qt.CheckState.Checked
                )
                self.desk.decide_appeal(
                    self.actor,
                    self.open_appeal.appeal_id,
                    outcome,
                    self.text.toPlainText(),
                    amended_instructions=chosen if amending else None,
                    amended_note=self.note.text() if amending else None,
                )
        except InvalidInput as exc:
            self.error.setText(invalid_html(exc))
            return
        except PermissionRefused as exc:
            self.error.setText(f"Refused: {escape(str(exc))}")
            return
        self.accept()
