"""Recording a six-monthly review (seed 002 section 6): continue, amend or remove, with reasons."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.markers.form_keys import SUBMIT_HINT, DeliberateSubmit
from desktop.markers.refusal_text import invalid_html
from safedesk.models import ReviewDecision
from safedesk.services.markers.desk import MarkerDesk
from safedesk.services.markers.instructions import STANDARD_INSTRUCTIONS
from safedesk.services.markers.restricted_register import RegisterEntry
from safedesk.services.markers.review import ReviewInput
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, PermissionRefused


class ReviewDialog(QDialog):
    def __init__(
        self, desk: MarkerDesk, actor: Actor, entry: RegisterEntry, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.entry = desk, actor, entry
        self.setWindowTitle(f"Review marker M-{entry.marker_id:06d}: {entry.person_name}")
        layout = QVBoxLayout(self)
        due = "OVERDUE since" if entry.overdue_review else "due"
        layout.addWidget(
            QLabel(
                f"Review {due} {entry.review_due:%d/%m/%Y}. Current instructions: "
                + "; ".join(entry.instructions)
            )
        )
        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#a00000")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.decisions = QButtonGroup(self)
        self._buttons: dict[ReviewDecision, QRadioButton] = {}
        for decision, text in (
            (ReviewDecision.CONTINUE, "Continue as it is"),
            (ReviewDecision.AMEND, "Amend the instructions"),
            (ReviewDecision.REMOVE, "Remove the marker"),
        ):
            button = QRadioButton(text)
            self.decisions.addButton(button)
            self._buttons[decision] = button
            row.addWidget(button)
        layout.addLayout(row)
        form = QFormLayout()
        self.reason = QPlainTextEdit()
        self.reason.setMaximumHeight(60)
        self.information = QPlainTextEdit()
        self.information.setMaximumHeight(60)
        self.information.setPlaceholderText(
            "Conduct since the marker was added, support in place, views of other staff"
        )
        form.addRow("Reason for the decision", self.reason)
        form.addRow("Information considered", self.information)
        self.instructions = QListWidget()
        self.instructions.setMaximumHeight(120)
        for text in STANDARD_INSTRUCTIONS:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = text in entry.instructions
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.instructions.addItem(item)
        self.note = QLineEdit()
        form.addRow("New instructions (amend)", self.instructions)
        form.addRow("Other instruction", self.note)
        self.visits_in_pairs = QCheckBox(
            "Visits in pairs: a lone home visit needs a second officer or a manager's override"
        )
        self.visits_in_pairs.setObjectName("visitsInPairs")
        self.visits_in_pairs.setChecked(entry.visits_in_pairs)
        form.addRow(self.visits_in_pairs)
        self.informed_yes = QRadioButton("Tenant will be told the outcome")
        self.informed_no = QRadioButton("Tenant will not be told, because:")
        group = QButtonGroup(self)
        group.addButton(self.informed_yes)
        group.addButton(self.informed_no)
        self.not_informed_reason = QLineEdit()
        form.addRow(self.informed_yes)
        form.addRow(self.informed_no, self.not_informed_reason)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Record review")
        self.save_button.setToolTip(f"Record the review ({SUBMIT_HINT})")
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 560)
        self.keys = DeliberateSubmit(self, self._on_save)
        # Asked before anything is written: a review that is not this person's to make says so now.
        refusal = desk.review_refusal(actor, entry.marker_id)
        if refusal:
            self.error.setText(f"{escape(refusal)}. Nothing can be recorded here.")
            for widget in (
                *self._buttons.values(),
                self.reason,
                self.information,
                self.save_button,
            ):
                widget.setEnabled(False)

    def form(self) -> ReviewInput:
        decision = next((d for d, b in self._buttons.items() if b.isChecked()), None)
        informed = (
            True
            if self.informed_yes.isChecked()
            else False
            if self.informed_no.isChecked()
            else None
        )
        chosen = tuple(
            self.instructions.item(i).text()
            for i in range(self.instructions.count())
            if self.instructions.item(i).checkState() == Qt.CheckState.Checked
        )
        return ReviewInput(
            decision=decision,
            reason=self.reason.toPlainText(),
            information_considered=self.information.toPlainText(),
            tenant_informed=informed,
            not_informed_reason=self.not_informed_reason.text(),
            instructions=chosen if decision is ReviewDecision.AMEND else None,
            instructions_note=self.note.text() if decision is ReviewDecision.AMEND else None,
            visits_in_pairs=self.visits_in_pairs.isChecked(),
        )

    def _on_save(self) -> None:
        try:
            self.desk.review(self.actor, self.entry.marker_id, self.form())
        except InvalidInput as exc:
            self.error.setText(invalid_html(exc))
            return
        except PermissionRefused as exc:
            self.error.setText(f"Refused: {escape(str(exc))}. Nothing was saved.")
            return
        self.accept()
