"""The flagged-file warning: a red triangle and words, listing what staff must do.

Modal and impossible to wave away: no close button, and "Acknowledge" stays disabled until the
receptionist ticks that they have read it. It shows each flagged record (the booked one and any
close match) beside what the visitor said, with the instructions to staff only, never a
restricted reason, and the officer's own notes for a high-risk meeting. A close match that is
not the visitor can be marked "Not this person", which needs a reason; both choices are audited
by the service, and so is stopping.

Keys are predictable and said on the buttons: Enter means "Acknowledge" (and says what is still
missing if it cannot yet) unless a button has the focus frame, which Enter then presses; Escape
always means "Stop booking in" (or, for a visitor already in the building, says the warning must
be acknowledged). The box is ticked deliberately (Alt+R, or Tab to it and Space): the focus
starts on the text, so keys typed by someone busy elsewhere as it opens cannot acknowledge it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.reception.focus_style import FOCUS_STYLE
from desktop.reception.rich_text import plain
from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.services.reception.visit_warnings import MIN_DISMISS_REASON


@dataclass(frozen=True)
class FlaggedCandidate:
    """One flagged record to warn about (from a shortlist entry or a visit's warning)."""

    key: int  # person id
    name: str
    date_of_birth: date | None
    postcode: str | None
    tenancy_ref: str | None
    instructions: tuple[str, ...]
    marker_ids: tuple[int, ...]
    booked_person: bool


@dataclass
class WarningOutcome:
    """What the receptionist did: person id -> marker ids acknowledged, person id -> reason."""

    acknowledged: dict[int, tuple[int, ...]] = field(default_factory=dict)
    dismissed: dict[int, str] = field(default_factory=dict)


def _dob(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "not recorded"


class _CandidateCard(QFrame):
    def __init__(self, candidate: FlaggedCandidate, visitor_said: str) -> None:
        super().__init__()
        self.candidate = candidate
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        role = "BOOKED AS THIS RECORD" if candidate.booked_person else "POSSIBLE MATCH"
        title = QLabel(f"<b>{role}: {plain(candidate.name)}</b>")
        title.setObjectName("cardTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        facts = QLabel(
            f"Record: DOB {_dob(candidate.date_of_birth)} · postcode "
            f"{candidate.postcode or 'not recorded'} · tenancy {candidate.tenancy_ref or '—'}"
            + (f"<br>Visitor said: {plain(visitor_said)}" if visitor_said else "")
        )
        facts.setTextFormat(Qt.TextFormat.RichText)
        facts.setWordWrap(True)
        layout.addWidget(facts)
        items = "".join(f"<li><b>{plain(text)}</b></li>" for text in candidate.instructions)
        instructions = QLabel(f"Instructions to staff:<ul style='margin:2px'>{items}</ul>")
        instructions.setObjectName("instructions")
        instructions.setWordWrap(True)
        layout.addWidget(instructions)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            "Why this is not the visitor (e.g. DOB and address checked, they differ)"
        )
        self.reason.hide()
        self.not_this_person = QPushButton("Not this person…")
        self.not_this_person.setAutoDefault(False)
        self.not_this_person.setCheckable(True)
        self.not_this_person.toggled.connect(self._on_not_this_person)
        if not candidate.booked_person:
            row = QHBoxLayout()
            row.addWidget(self.not_this_person)
            row.addWidget(self.reason, 1)
            layout.addLayout(row)

    def _on_not_this_person(self, checked: bool) -> None:
        self.reason.setVisible(checked)
        if checked:
            self.reason.setFocus()

    @property
    def dismissal(self) -> str | None:
        if self.not_this_person.isChecked():
            return self.reason.text().strip()
        return None


class FlaggedFileWarning(QDialog):
    """Shown before a flagged visitor sits down with anyone; must be acknowledged.

    With no flagged record but ``risk_notes`` it is the arrival notice of a high-risk meeting:
    the officer's instructions, read and ticked the same way.
    """

    def __init__(
        self,
        candidates: list[FlaggedCandidate],
        *,
        visitor_said: str = "",
        context: str = "",
        allow_stop: bool = True,
        risk_notes: str | None = None,
        host_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        flagged = bool(candidates)
        self.setWindowTitle(
            "FLAGGED FILE: read before continuing"
            if flagged
            else "HIGH-RISK MEETING: read before continuing"
        )
        self.setModal(True)
        self.setWindowFlags(
            Qt.WindowType.Dialog
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.allow_stop = allow_stop
        self.outcome = WarningOutcome()
        self.resize(760, 600)
        layout = QVBoxLayout(self)

        banner = QFrame()
        banner.setObjectName("banner")
        top = QHBoxLayout(banner)
        icon = QLabel()
        icon.setPixmap(status_pixmap(StatusKind.ALARM, 96))
        icon.setAccessibleName("Red triangle: flagged file" if flagged else "High-risk meeting")
        icon.setObjectName("triangle")
        top.addWidget(icon)
        title = "FLAGGED FILE" if flagged else "HIGH-RISK MEETING"
        lead = (
            "This visitor may be a person with a risk marker. Follow the instructions below "
            "and tell the officer before anyone meets them."
            if flagged
            else "The officer registered this meeting as high-risk. Do what they ask below "
            "before letting the visitor through."
        )
        heading = QLabel(
            f"<div style='font-size:22pt; font-weight:bold'>{title}</div>"
            f"<div style='font-size:13pt'>{lead}</div>"
            + (
                f"<div style='font-size:11pt; margin-top:4px'>{plain(context)}</div>"
                if context
                else ""
            )
        )
        heading.setWordWrap(True)
        heading.setObjectName("heading")
        top.addWidget(heading, 1)
        layout.addWidget(banner)

        self.host_line = QLabel(
            f"Seeing: <b>{plain(host_name)}</b>. SafeDesk puts these instructions on their "
            "screen when the visitor is booked in; make sure they have them before anyone "
            "meets the visitor."
            if host_name
            else "<b>No host officer chosen yet:</b> choose who the visitor is seeing."
        )
        self.host_line.setObjectName("hostLine")
        self.host_line.setWordWrap(True)
        layout.addWidget(self.host_line)

        scroll = self.reading_area = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows scroll what is to be read
        body = QWidget()
        cards = QVBoxLayout(body)
        self.meeting_notes: QLabel | None = None
        if risk_notes:
            notes = QLabel(
                "<div style='font-size:13pt'><b>HIGH-RISK MEETING: the officer's notes for "
                "reception</b></div>"
                f"<div style='font-size:13pt; margin-top:4px'>{plain(risk_notes)}</div>"
            )
            notes.setObjectName("meetingNotes")
            notes.setWordWrap(True)
            notes.setTextFormat(Qt.TextFormat.RichText)
            cards.addWidget(notes)
            self.meeting_notes = notes
        self.cards = [_CandidateCard(c, visitor_said) for c in candidates]
        for card in self.cards:
            cards.addWidget(card)
            card.reason.textChanged.connect(self._update)
            card.not_this_person.toggled.connect(self._update)
        cards.addStretch()
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        self.read_it = QCheckBox(
            "I have &read this warning and will pass the instructions to the officer (Alt+R)"
            if flagged
            else "I have &read the officer's notes and will do what they ask (Alt+R)"
        )
        self.read_it.toggled.connect(self._update)
        layout.addWidget(self.read_it)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.cancel = QPushButton("Stop booking in (Esc)")
        self.cancel.setAutoDefault(False)
        self.cancel.clicked.connect(self._on_stop)
        # A visitor already in the building: the warning can only be acknowledged.
        self.cancel.setVisible(allow_stop)
        self.acknowledge = QPushButton("Acknowledge warning (Enter)")
        self.acknowledge.setObjectName("acknowledge")
        self.acknowledge.setAutoDefault(False)
        self.acknowledge.setDefault(True)
        self.acknowledge.clicked.connect(self._on_acknowledge)
        buttons.addWidget(self.cancel)
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
            #meetingNotes { border: 3px solid #8a5a00; border-radius: 6px; background: #fff4d6;
                            color: #3d2800; padding: 6px; }
            #hostLine { font-size: 12pt; }
            #problem { color: #b00000; font-weight: bold; font-size: 12pt; }
            #acknowledge { font-size: 13pt; padding: 8px 18px; font-weight: bold; }
            QCheckBox { font-size: 12pt; }
            """
            + FOCUS_STYLE
        )
        self._problem_asked = False
        self._update()
        # The focus starts on what is to be read, not on the box: a Space and Enter typed by
        # someone busy in another window when the warning appears cannot acknowledge it.
        scroll.setFocus()

    def _problem(self) -> str:
        for card in self.cards:
            reason = card.dismissal
            if reason is not None and len(reason) < MIN_DISMISS_REASON:
                return f"Say why {card.candidate.name} is not the visitor."
        if not self.read_it.isChecked():
            return "Tick the box (Alt+R) to confirm you have read the warning."
        return ""

    def _update(self) -> None:
        problem = self._problem()
        # What is missing shows once someone tried to go on; before that the button says it.
        self.problem.setText(problem if self._problem_asked else "")
        self.acknowledge.setEnabled(not problem)

    def _on_acknowledge(self) -> None:
        if self._problem():
            self._problem_asked = True
            self._update()
            return
        outcome = WarningOutcome()
        for card in self.cards:
            reason = card.dismissal
            if reason is not None:
                outcome.dismissed[card.candidate.key] = reason
            else:
                outcome.acknowledged[card.candidate.key] = card.candidate.marker_ids
        self.outcome = outcome
        self.accept()

    def _on_stop(self) -> None:
        if self.allow_stop:
            self.reject()
            return
        self.problem.setText(
            "This visitor is already in the building: read the warning, tick the box and "
            "acknowledge it."
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # On top and with the keyboard, so Enter and Escape mean what the buttons say.
        self.raise_()
        self.activateWindow()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()  # the button with the focus frame, as everywhere on Windows
                return
            self._on_acknowledge()  # otherwise Enter means Acknowledge, and says what is missing
            return
        if key == Qt.Key.Key_Escape:
            event.accept()
            self._on_stop()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() != QDialog.DialogCode.Accepted:
            event.ignore()
            return
        super().closeEvent(event)
