"""Appeals (seed 002 section 7): record the tenant's appeal; a more senior manager decides it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.markers.refusal_text import invalid_html
from safedesk.models import AppealOutcome
from safedesk.services.actor import Actor
from safedesk.services.marker_desk import MarkerDesk
from safedesk.services.refusals import InvalidInput, PermissionRefused
from safedesk.services.restricted_register import RegisterEntry


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
        history = "".join(
            f"<li>{a.lodged_at:%d/%m/%Y}: {escape(a.grounds)}<br><b>"
            + (
                f"{a.outcome.value.upper()}</b> by {escape(a.decided_by or '')}: "
                f"{escape(a.outcome_reason or '')} (final)"
                if a.outcome
                else "Awaiting a decision</b>"
            )
            + "</li>"
            for a in appeals
        )
        summary = QLabel(f"<ul>{history}</ul>" if history else "No appeals recorded.")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#a00000")
        layout.addWidget(self.error)
        form = QFormLayout()
        self.text = QPlainTextEdit()
        self.text.setMaximumHeight(90)
        self.outcome = QComboBox()
        if self.open_appeal is None:
            form.addRow("Tenant's grounds", self.text)
            action = "Record appeal"
        else:
            self.outcome.addItem("Choose…", None)
            self.outcome.addItem("Upheld: the marker stays", AppealOutcome.UPHELD.value)
            self.outcome.addItem("Removed: the marker ends", AppealOutcome.REMOVED.value)
            form.addRow("Outcome", self.outcome)
            form.addRow("Reason for the decision", self.text)
            layout.addWidget(
                QLabel(
                    "Only a manager more senior than whoever made the original decision may "
                    "decide. The outcome is final."
                )
            )
            action = "Record final decision"
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 380)

    def _on_ok(self) -> None:
        try:
            if self.open_appeal is None:
                self.desk.lodge_appeal(self.actor, self.entry.marker_id, self.text.toPlainText())
            else:
                self.desk.decide_appeal(
                    self.actor,
                    self.open_appeal.appeal_id,
                    AppealOutcome(self.outcome.currentData())
                    if self.outcome.currentData()
                    else None,
                    self.text.toPlainText(),
                )
        except InvalidInput as exc:
            self.error.setText(invalid_html(exc))
            return
        except PermissionRefused as exc:
            self.error.setText(f"Refused: {escape(str(exc))}")
            return
        self.accept()
