"""Recording a button's test result: heard on a responder screen (or which screen was silent),
did the LED change, notes. The verdict follows from the answers; the core decides it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from safedesk.db import DatabaseUnavailable
from safedesk.models import FailReason
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.checklist import ChecklistItem
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.refusals import WeeklyTestRefused
from safedesk.services.weekly_test.screens import OfficeScreens


class ResultDialog(QDialog):
    def __init__(
        self,
        item: ChecklistItem,
        desk: WeeklyTestDesk,
        actor: Actor,
        pressed_text: str,
        screens: list[str] | None = None,
        parent: QWidget | None = None,
        *,
        sound: OfficeScreens | None = None,
    ) -> None:
        super().__init__(parent)
        assert item.test_id is not None
        self.item = item
        self.desk = desk
        self.actor = actor
        self.pressed = item.latency_ms is not None
        self.setWindowTitle(f"Weekly alarm test result — {item.room_name}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h3>{item.room_name}</h3>")
        layout.addWidget(title)
        press = QLabel(pressed_text)
        press.setWordWrap(True)
        layout.addWidget(press)

        self.heard = QRadioButton("Heard and seen on a responder screen")
        self.not_heard = QRadioButton("Did NOT sound on this responder screen:")
        self.screen_name = QLineEdit()
        self.screen_name.setPlaceholderText("screen / PC name, e.g. RESPONDER-PC2")
        if screens:
            completer = QCompleter(screens, self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.screen_name.setCompleter(completer)
        group = QButtonGroup(self)
        group.addButton(self.heard)
        group.addButton(self.not_heard)
        layout.addWidget(self.heard)
        row = QHBoxLayout()
        row.addWidget(self.not_heard)
        row.addWidget(self.screen_name, 1)
        layout.addLayout(row)
        # Every running screen says NO SOUND ON THIS PC: "heard" cannot be true, so it is not
        # offered (the core refuses it too), and the form says why.
        self.no_sound = QLabel(
            sound.refusal() if sound is not None and sound.none_can_sound else ""
        )
        self.no_sound.setObjectName("noSound")
        self.no_sound.setWordWrap(True)
        self.no_sound.setStyleSheet(
            "background:#fff1d6; color:#5c3700; border:2px solid #d98200; padding:6px;"
            " font-weight:bold;"
        )
        layout.addWidget(self.no_sound)
        self.no_sound.setVisible(bool(self.no_sound.text()))
        self.led = QCheckBox("The button's light changed when pressed")
        self.led.setChecked(True)
        layout.addWidget(self.led)
        self.other = QCheckBox("Another problem (say what in the notes)")
        layout.addWidget(self.other)
        layout.addWidget(QLabel("Notes"))
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(70)
        layout.addWidget(self.notes)
        self.verdict = QLabel()
        self.verdict.setStyleSheet("font-size:12pt; font-weight:bold;")
        layout.addWidget(self.verdict)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c00000; font-weight:bold;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.record_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.record_button.setText("Record result")
        buttons.accepted.connect(self._on_record)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        for widget in (self.heard, self.not_heard, self.led, self.other):
            widget.toggled.connect(self._update_verdict)
        self.screen_name.textChanged.connect(self._update_verdict)
        if not self.pressed:
            for control in (self.heard, self.not_heard, self.screen_name, self.led):
                control.setEnabled(False)
        elif sound is not None and sound.none_can_sound:
            self.heard.setEnabled(False)
            self.heard.setText("Heard and seen on a responder screen (not possible: no sound)")
            self.not_heard.setChecked(True)
            if sound.named_without_sound:
                self.screen_name.setText(sound.named_without_sound[0])
        self._update_verdict()

    def _fail_reason(self) -> FailReason | None:
        """Mirror of the core's rule, only to preview the verdict; the core decides."""
        if not self.pressed:
            return FailReason.NO_SIGNAL
        if self.other.isChecked():
            return FailReason.OTHER
        if self.not_heard.isChecked():
            return FailReason.NOT_HEARD
        if not self.led.isChecked():
            return FailReason.LED_UNCHANGED
        return None

    def _update_verdict(self) -> None:
        reason = self._fail_reason()
        if self.pressed and not (self.heard.isChecked() or self.not_heard.isChecked()):
            self.verdict.setText("Tick whether it sounded on a responder screen.")
            self.verdict.setStyleSheet("font-size:12pt; font-weight:bold; color:#5c3700;")
            self.record_button.setEnabled(False)
            return
        self.record_button.setEnabled(True)
        if reason is None:
            self.verdict.setText("Result: PASS")
            self.verdict.setStyleSheet("font-size:12pt; font-weight:bold; color:#1b7f3b;")
        else:
            self.verdict.setText(f"Result: FAIL — {reason.value.replace('_', ' ')}")
            self.verdict.setStyleSheet("font-size:12pt; font-weight:bold; color:#c00000;")

    def _on_record(self) -> None:
        assert self.item.test_id is not None
        heard: bool | None = None
        if self.pressed:
            heard = (
                True if self.heard.isChecked() else False if self.not_heard.isChecked() else None
            )
        try:
            self.desk.record(
                self.item.test_id,
                self.actor,
                heard_on_responder=heard,
                not_heard_screen=self.screen_name.text() if self.not_heard.isChecked() else None,
                led_changed=self.led.isChecked(),
                fail_reason=FailReason.OTHER if self.other.isChecked() else None,
                notes=self.notes.toPlainText(),
            )
        except (WeeklyTestRefused, DatabaseUnavailable) as exc:
            self.error.setText(str(exc))  # nothing is lost: the dialog stays open as filled in
            self.error.show()
            return
        self.accept()
