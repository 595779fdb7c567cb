"""Before leaving: the markers at the address, shown the way reception shows a flagged file.

Reception's pattern (``desktop/reception/warning_dialog.py``): the red triangle and words, one
card per flagged record with what staff must do (never a restricted reason), a box to tick before
"Acknowledge" works, Enter to acknowledge (saying what is missing), Escape to stop. No close
button: the only ways out are acknowledging or not going yet.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.services.movements.marker_check import MarkerCheck, MatchedPerson


def _card(person: MatchedPerson) -> QFrame:
    card = QFrame()
    card.setObjectName("card")
    layout = QVBoxLayout(card)
    pairs = (
        " &nbsp;<span style='color:#7a0000'>[VISITS IN PAIRS]</span>"
        if person.visits_in_pairs
        else ""
    )
    title = QLabel(f"<b>{escape(person.name)}</b>{pairs}")
    title.setObjectName("cardTitle")
    title.setWordWrap(True)
    layout.addWidget(title)
    facts = QLabel(
        f"{escape(person.address or 'no address recorded')} {escape(person.postcode or '')}"
        f"<br><i>{escape(person.why)}</i>"
    )
    facts.setWordWrap(True)
    facts.setTextFormat(Qt.TextFormat.RichText)
    layout.addWidget(facts)
    items = "".join(f"<li><b>{escape(line)}</b></li>" for line in person.instructions)
    instructions = QLabel(f"Instructions to staff:<ul style='margin:2px'>{items}</ul>")
    instructions.setObjectName("instructions")
    instructions.setWordWrap(True)
    layout.addWidget(instructions)
    return card


class PreVisitWarning(QDialog):
    """Every marker at or near the address; must be acknowledged before the visit is logged."""

    def __init__(self, check: MarkerCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self.setWindowTitle("MARKERS FOR THIS VISIT: read before you go")
        self.setModal(True)
        self.setWindowFlags(
            Qt.WindowType.Dialog
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.resize(760, 600)
        layout = QVBoxLayout(self)
        banner = QFrame()
        banner.setObjectName("banner")
        top = QHBoxLayout(banner)
        icon = QLabel()
        icon.setPixmap(status_pixmap(StatusKind.ALARM, 88))
        icon.setObjectName("triangle")
        icon.setAccessibleName("Red triangle: risk markers at this address")
        top.addWidget(icon)
        count = len(check.flagged)
        heading = QLabel(
            "<div style='font-size:22pt; font-weight:bold'>MARKERS FOR THIS VISIT</div>"
            f"<div style='font-size:13pt'>{count} {'person' if count == 1 else 'people'} "
            "you may meet on this visit "
            f"{'has' if count == 1 else 'have'} a risk marker. Do what the instructions say; "
            "if you are unsure, ask your manager before you go.</div>"
            f"<div style='font-size:11pt; margin-top:4px'>{escape(check.address)}</div>"
        )
        heading.setObjectName("heading")
        heading.setWordWrap(True)
        top.addWidget(heading, 1)
        layout.addWidget(banner)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        cards = QVBoxLayout(body)
        for person in check.flagged:
            cards.addWidget(_card(person))
        cards.addStretch()
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.read_it = QCheckBox(
            "I have read these instructions and will follow them on this visit"
        )
        self.read_it.toggled.connect(self._update)
        layout.addWidget(self.read_it)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.stop = QPushButton("Not yet: back to the visit (Esc)")
        self.stop.setAutoDefault(False)
        self.stop.clicked.connect(self.reject)
        self.acknowledge = QPushButton("Acknowledge (Enter)")
        self.acknowledge.setObjectName("acknowledge")
        self.acknowledge.setAutoDefault(False)
        self.acknowledge.clicked.connect(self._on_acknowledge)
        buttons.addWidget(self.stop)
        buttons.addStretch()
        buttons.addWidget(self.acknowledge)
        layout.addLayout(buttons)
        self.setStyleSheet(
            """
            QDialog { background: #fff7f7; }
            #banner { background: #b00000; border-radius: 6px; }
            #heading { color: white; }
            #triangle { background: white; border-radius: 8px; padding: 6px; }
            #card { border: 3px solid #b00000; border-radius: 6px; background: white; }
            #cardTitle { font-size: 13pt; color: #7a0000; }
            #instructions { font-size: 12pt; }
            #problem { color: #b00000; font-weight: bold; font-size: 12pt; }
            #acknowledge { font-size: 13pt; padding: 8px 18px; font-weight: bold; }
            QCheckBox { font-size: 12pt; }
            QPushButton:focus, QCheckBox:focus { outline: 3px solid #1f4e9c; }
            """
        )
        self._update()
        self.read_it.setFocus()

    def _update(self) -> None:
        self.acknowledge.setEnabled(self.read_it.isChecked())
        if self.read_it.isChecked():
            self.problem.setText("")

    def _on_acknowledge(self) -> None:
        if not self.read_it.isChecked():
            self.problem.setText("Tick the box (Space) to confirm you have read the instructions.")
            return
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
                return
            self._on_acknowledge()
            return
        if key == Qt.Key.Key_Escape:
            event.accept()
            self.reject()
            return
        super().keyPressEvent(event)
