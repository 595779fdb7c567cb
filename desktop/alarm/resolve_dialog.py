"""Closing an alarm: an outcome must be chosen and notes written, because this is the incident record."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from safedesk.models import AlarmOutcome

log = logging.getLogger(__name__)

OUTCOME_LABELS: dict[AlarmOutcome, str] = {
    AlarmOutcome.FALSE_ALARM: "False alarm (pressed by mistake, nobody in danger)",
    AlarmOutcome.RESOLVED_ON_SITE: "Resolved on site (staff calmed it down, nobody hurt)",
    AlarmOutcome.POLICE_CALLED: "Police called",
    AlarmOutcome.AMBULANCE_CALLED: "Ambulance called",
}


DIALOG_STYLE = (
    "QDialog { background: #ffffff; }"
    "QLabel, QRadioButton { color: #000000; background: transparent; font-size: 12pt; }"
    "#resolveHeading { font-size: 15pt; }"
    "#resolveError { color: #a00000; font-weight: bold; }"
    "QRadioButton { padding: 3px; }"
    "QRadioButton:focus { border: 2px dotted #1f4e9c; }"
    "QRadioButton::indicator { width: 16px; height: 16px; border: 2px solid #333333;"
    " border-radius: 10px; background: #ffffff; }"
    "QRadioButton::indicator:checked { background: #1f4e9c; border: 2px solid #000000; }"
    "QPlainTextEdit { color: #000000; background: #ffffff; border: 2px solid #4a4a4a;"
    " font-size: 12pt; placeholder-text-color: #595959; }"
    "QPushButton { color: #000000; background: #f0f0f0; border: 2px solid #333333;"
    " border-radius: 4px; padding: 6px 16px; font-size: 12pt; font-weight: bold; }"
    "QPushButton:focus { border: 3px solid #1f4e9c; }"
    "QPushButton:disabled { color: #444444; background: #e0e0e0; border-color: #777777; }"
)


class ResolveDialog(QDialog):
    """Asks for the outcome and notes; "Resolve alarm" stays disabled until both are given.

    ``submit`` records the resolution; if it raises, the dialog stays open with the message and
    everything typed so far (bad input or a lost connection never loses the notes).
    """

    def __init__(
        self,
        room_name: str,
        submit: Callable[[AlarmOutcome, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(f"Resolve the alarm in {room_name}")
        self.setModal(True)
        self.setMinimumWidth(560)
        # Every colour explicit (black on white): opened over the red alert, this dialog must not
        # take its look from the alert or from the desktop theme.
        self.setStyleSheet(DIALOG_STYLE)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#595959"))
        self.setPalette(palette)
        layout = QVBoxLayout(self)
        self.heading = QLabel(f"<b>Resolve the alarm in {html.escape(room_name)}</b>")
        self.heading.setObjectName("resolveHeading")
        layout.addWidget(self.heading)
        self.step_what = QLabel("1. What happened?")
        layout.addWidget(self.step_what)
        self._group = QButtonGroup(self)
        self._buttons: dict[AlarmOutcome, QRadioButton] = {}
        for outcome, label in OUTCOME_LABELS.items():
            button = QRadioButton(label)
            button.setObjectName(f"outcome_{outcome.value}")
            self._group.addButton(button)
            self._buttons[outcome] = button
            layout.addWidget(button)
            button.toggled.connect(self._update)
        self.step_notes = QLabel("2. Notes for the incident record (what happened, what was done):")
        self.step_notes.setWordWrap(True)
        layout.addWidget(self.step_notes)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(
            "e.g. Visitor shouted and threw a chair; asked to leave; left at 10:55. Nobody hurt."
        )
        self.notes.setTabChangesFocus(True)  # keyboard users Tab on to "Resolve alarm"
        self.notes.textChanged.connect(self._update)
        layout.addWidget(self.notes)
        self.error = QLabel()
        self.error.setObjectName("resolveError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = QPushButton("✔ Resolve alarm")
        self.ok_button.setObjectName("resolveConfirm")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.clicked.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()

    @property
    def outcome(self) -> AlarmOutcome | None:
        for outcome, button in self._buttons.items():
            if button.isChecked():
                return outcome
        return None

    def choose(self, outcome: AlarmOutcome, notes: str) -> None:
        """Fill the form (used by tests and by a future "same as last time" helper)."""
        self._buttons[outcome].setChecked(True)
        self.notes.setPlainText(notes)

    def show_error(self, text: str) -> None:
        self.error.setText(f"⚠ {text}")
        self.error.show()

    def _on_ok(self) -> None:
        outcome = self.outcome
        notes = self.notes.toPlainText().strip()
        if outcome is None or not notes:
            self.show_error("Choose what happened and write the notes.")
            return
        try:
            self._submit(outcome, notes)
        except Exception as exc:  # shown here; the form keeps what was typed
            log.exception("resolving failed")
            self.show_error(f"Not saved: {exc}")
            return
        self.accept()

    def _update(self) -> None:
        self.ok_button.setEnabled(
            self.outcome is not None and bool(self.notes.toPlainText().strip())
        )
