"""What to read out to the emergency operator: large, in the order they ask for it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from safedesk.services.alarms.alert_views import AlertView


class Call999Dialog(QDialog):
    def __init__(self, view: AlertView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Call 999: what to say")
        self.setMinimumWidth(640)
        # Every colour explicit: opened over the red alert, it must not take the alert's look.
        self.setStyleSheet(
            "QDialog { background: #ffffff; } QLabel { color: #000000; background: transparent; }"
            "QPushButton { color: #000000; background: #f0f0f0; border: 2px solid #333333;"
            " border-radius: 4px; padding: 6px 16px; font-size: 12pt; font-weight: bold; }"
        )
        layout = QVBoxLayout(self)
        title = QLabel(
            "☎  Dial 999 (or 112). Ask for the POLICE (or AMBULANCE if someone is hurt)."
        )
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        room = view.room_name + (f" — {view.room_location}" if view.room_location else "")
        rows = [
            ("Address", view.office_address or "(address not recorded: give the building name)"),
            ("Building", view.office_name),
            ("Room", room),
            ("Office phone number", view.office_phone or "(not recorded)"),
        ]
        for label, value in rows:
            caption = QLabel(label.upper())
            caption.setStyleSheet("font-size: 10pt; color: #444; margin-top: 8px;")
            text = QLabel(value)
            text.setObjectName(f"call999_{label.split()[0].lower()}")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setStyleSheet("font-size: 20pt; font-weight: bold;")
            layout.addWidget(caption)
            layout.addWidget(text)
        say = QLabel(
            "Say: “A member of staff has raised a panic alarm at a council housing office.” "
            "Then answer the operator's questions. Stay on the line."
        )
        say.setWordWrap(True)
        say.setStyleSheet("font-size: 13pt; margin-top: 12px;")
        layout.addWidget(say)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
