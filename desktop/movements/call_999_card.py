"""Cannot reach them: the Call 999 card with the visit's address, in the order the operator asks.

The panic alarm's card (``desktop/alarm/call_999_dialog.py``) reads out the office and the room; this
one reads out where the officer went, who they went to see, their phone and their car.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.movements.times import hh_mm
from safedesk.services.movements.overdue_view import OverdueView


class VisitCall999Dialog(QDialog):
    """Signals:
    police_called(): the person confirmed they have called the police (recorded on the alert).
    """

    police_called = Signal()

    def __init__(
        self, view: OverdueView, *, record: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Call 999: what to say")
        self.setMinimumWidth(640)
        self.setStyleSheet("QDialog { background: white; } QLabel { color: black; }")
        layout = QVBoxLayout(self)
        title = QLabel("☎  Dial 999 (or 112). Ask for the POLICE.")
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        alone = "with " + view.second_officer_name if view.second_officer_name else "alone"
        rows = [
            ("Address", view.address + (f", {view.postcode}" if view.postcode else "")),
            ("Member of staff", f"{view.officer_name} ({alone})"),
            ("Went to see", view.seeing or "(not recorded)"),
            ("Their phone", view.phone),
            (
                "Left the office",
                f"{hh_mm(view.leaving_at)}, due back {hh_mm(view.expected_back_at)}",
            ),
            ("Vehicle", view.transport or "(not recorded)"),
        ]
        for label, value in rows:
            caption = QLabel(label.upper())
            caption.setStyleSheet("font-size: 10pt; color: #444; margin-top: 6px;")
            text = QLabel(value)
            text.setObjectName(f"call999_{label.split()[0].lower()}")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setStyleSheet("font-size: 18pt; font-weight: bold;")
            layout.addWidget(caption)
            layout.addWidget(text)
        if view.markers:
            said = "; ".join(f"{m.person_name}: {', '.join(m.instructions)}" for m in view.markers)
            warn = QLabel(f"Tell them there are risk markers at the address: {said}")
            warn.setWordWrap(True)
            warn.setStyleSheet("font-size: 12pt; font-weight: bold; color: #7a0000;")
            layout.addWidget(warn)
        say = QLabel(
            "Say: “A council housing officer on a home visit has not come back and cannot be "
            "reached.” Then answer the operator's questions. Stay on the line."
        )
        say.setWordWrap(True)
        say.setStyleSheet("font-size: 13pt; margin-top: 8px;")
        layout.addWidget(say)
        row = QHBoxLayout()
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        row.addStretch()
        self.record = QPushButton("I have called the police: record it")
        self.record.setObjectName("recordPolice")
        self.record.setAutoDefault(False)
        self.record.setVisible(record)
        self.record.clicked.connect(self._on_record)
        row.addWidget(self.record)
        layout.addLayout(row)

    def _on_record(self) -> None:
        self.police_called.emit()
        self.record.setEnabled(False)
        self.record.setText("Recorded: police called")
