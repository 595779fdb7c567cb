"""A manager signs off a room whose alarm is not known to work, for a flagged visitor."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from safedesk.services.reception.room_choice import ManagerOverride, OverrideRefused, RoomOption

Authorise = Callable[[str, str, str], ManagerOverride]


class ManagerOverrideDialog(QDialog):
    def __init__(
        self, room: RoomOption, authorise: Authorise, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manager override needed")
        self.override: ManagerOverride | None = None
        self.setMinimumWidth(560)
        self._authorise = authorise
        layout = QVBoxLayout(self)
        explain = QLabel(
            f"<p style='font-size:12pt'><b>{room.name}: {room.summary}.</b></p>"
            "<p>This visitor has a flagged file, or the meeting is high-risk. They should be "
            "seen in a room whose panic "
            "alarm is known to work. A manager can allow this room, with a reason; the "
            "override is recorded in the audit log.</p>"
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.login = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. all other rooms in use; I will sit in with a radio")
        form.addRow("Manager login", self.login)
        form.addRow("Password", self.password)
        form.addRow("Reason", self.reason)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color:#b00000; font-weight:bold")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Authorise this room")
        buttons.accepted.connect(self._on_authorise)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_authorise(self) -> None:
        try:
            self.override = self._authorise(
                self.login.text(), self.password.text(), self.reason.text()
            )
        except OverrideRefused as exc:
            self.problem.setText(str(exc))
            self.password.clear()
            return
        self.accept()
