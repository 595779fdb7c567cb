"""Producing the two letters as PDF files: the tenant's notification and the incident follow-up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.markers.form_keys import SUBMIT_HINT, DeliberateSubmit
from desktop.markers.refusal_text import invalid_html
from safedesk.services.markers.desk import MarkerDesk
from safedesk.services.markers.letters import FollowUpDetails
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import InvalidInput, NotFound, PermissionRefused


def _save_pdf(parent: QWidget, pdf: bytes, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save letter", str(Path.home() / suggested), "PDF (*.pdf)"
    )
    if not name:
        return None
    path = Path(name)
    path.write_bytes(pdf)
    return path


class _LetterDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#a00000")
        self.layout_.addWidget(self.error)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.make_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.make_button.setText("Make PDF…")
        self.make_button.setToolTip(f"Make the letter as a PDF ({SUBMIT_HINT})")
        buttons.accepted.connect(self._on_make)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)
        self.saved_to: Path | None = None

    def make_pdf(self) -> tuple[bytes, str]:
        raise NotImplementedError

    def _on_make(self) -> None:
        try:
            pdf, name = self.make_pdf()
        except InvalidInput as exc:
            self.error.setText(invalid_html(exc))
            return
        except (PermissionRefused, NotFound) as exc:
            self.error.setText(f"Refused: {exc}")
            return
        self.saved_to = _save_pdf(self, pdf, name)
        if self.saved_to is not None:
            self.accept()


class NotificationLetterDialog(_LetterDialog):
    def __init__(
        self, desk: MarkerDesk, actor: Actor, marker_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Tenant letter for marker M-{marker_id:06d}", parent)
        self.desk, self.actor, self.marker_id = desk, actor, marker_id
        self.explanation = QPlainTextEdit()
        self.explanation.setPlaceholderText(
            "In plain words the tenant will understand: what happened and why these arrangements"
        )
        self.form.addRow("Why we are doing this", self.explanation)
        self.resize(560, 300)
        self.keys = DeliberateSubmit(self, self._on_make)

    def make_pdf(self) -> tuple[bytes, str]:
        pdf = self.desk.notification_pdf(self.actor, self.marker_id, self.explanation.toPlainText())
        return pdf, f"marker-M-{self.marker_id:06d}-tenant-letter.pdf"


class FollowUpLetterDialog(_LetterDialog):
    """Seed 004 appendix 2: only after the manager has spoken to the person."""

    def __init__(
        self, desk: MarkerDesk, actor: Actor, alarm_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Follow-up letter after incident INC-{alarm_id:06d}", parent)
        self.desk, self.actor, self.alarm_id = desk, actor, alarm_id
        self.staff_member = QLineEdit()
        self.behaviour = QLineEdit()
        self.behaviour.setPlaceholderText("as the colleague described it")
        self.discussed = QDateEdit()
        self.discussed.setCalendarPopup(True)
        self.discussed.setDisplayFormat("dd/MM/yyyy")
        today = desk.today()
        self.discussed.setDate(QDate(today.year, today.month, today.day))
        self.understood = QCheckBox(
            "They understood the impact and assured me they will be respectful"
        )
        self.understood.setChecked(True)
        self.complaints = QLineEdit()
        self.complaints.setPlaceholderText("link to the complaints process, if appropriate")
        self.next_steps = QPlainTextEdit()
        self.next_steps.setMaximumHeight(70)
        self.form.addRow("Colleague involved", self.staff_member)
        self.form.addRow("What happened", self.behaviour)
        self.form.addRow("Date you spoke to them", self.discussed)
        self.form.addRow("", self.understood)
        self.form.addRow("Complaints link", self.complaints)
        self.form.addRow("Next steps", self.next_steps)
        self.resize(620, 420)
        self.keys = DeliberateSubmit(self, self._on_make)

    def make_pdf(self) -> tuple[bytes, str]:
        d = self.discussed.date()
        details = FollowUpDetails(
            staff_member=self.staff_member.text(),
            behaviour=self.behaviour.text(),
            discussion_date=date(d.year(), d.month(), d.day()),
            understood=self.understood.isChecked(),
            complaints_link=self.complaints.text(),
            next_steps=self.next_steps.toPlainText(),
        )
        pdf = self.desk.follow_up_pdf(self.actor, self.alarm_id, details)
        return pdf, f"incident-INC-{self.alarm_id:06d}-follow-up.pdf"
