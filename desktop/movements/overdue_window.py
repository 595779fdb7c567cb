"""The OVERDUE alert: an officer is not back from a visit. Amber and black, never the panic red.

It renders an ``OverdueView`` from the core: who, where, who they went to see and the markers
there, their phone number, when they left and were due, the second officer, who is dealing with
it. Nothing typed by someone busy elsewhere acts on it, and a click meant for another window does
not either: the same rules as the panic alert (``desktop.alarm.deliberate_input``). Its buttons never
take the keyboard and ignore the mouse for a moment after it appears; keyboard-only users pick an
action with a Ctrl+Shift chord and confirm it with Y.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.alarm.deliberate_input import ARM_AFTER_MS, DeliberateInput, GuardedButton, KeyAction
from desktop.alarm.sound import NO_SOUND_TEXT
from desktop.movements.call_999_card import VisitCall999Dialog
from desktop.movements.times import hh_mm, overdue_text
from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.clock import Clock
from safedesk.models.movements import OverdueReason
from safedesk.services.movements.overdue_view import OverdueView

log = logging.getLogger(__name__)

AMBER = "#ffb000"
BLACK = "#111111"

# The panic alert's letters where the meaning is the same (D done, C call 999, S, H).
KEY_ACTIONS = (
    KeyAction(Qt.Key.Key_P, "P", "I'm phoning them", "say I'M PHONING THEM", "take_button"),
    KeyAction(Qt.Key.Key_D, "D", "Phoned: safe", "open PHONED: SAFE (with a note)", "safe_button"),
    KeyAction(Qt.Key.Key_E, "E", "Extended", "open EXTENDED TO (a new time)", "extend_button"),
    KeyAction(
        Qt.Key.Key_C, "C", "Cannot reach: police", "open CANNOT REACH: POLICE", "police_button"
    ),
    KeyAction(Qt.Key.Key_S, "S", "Silence", "SILENCE this PC", "silence_button"),
    KeyAction(Qt.Key.Key_H, "H", "Hide", "HIDE this alert", "hide_button"),
)


class OverdueActions(Protocol):
    """What the buttons do; each raises with a message for the screen when refused."""

    def take(self, overdue_id: int) -> None: ...

    def phoned_safe(self, overdue_id: int, note: str) -> None: ...

    def extended(self, overdue_id: int, new_back: datetime, note: str) -> None: ...

    def police_called(self, overdue_id: int) -> None: ...

    def silence(self, overdue_id: int) -> None: ...


class OverdueWindow(QWidget):
    """One open OVERDUE alert, full screen and on top.

    Signals:
        closed(int): the window went away (hidden after taking it, or the alert resolved).
    """

    closed = Signal(int)

    def __init__(self, view: OverdueView, actions: OverdueActions, clock: Clock) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.view = view
        self._actions = actions
        self._clock = clock
        self._silenced = False
        self.dialog: QDialog | None = None  # the open action dialog, reachable by tests
        self.setObjectName("overdueWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # The window itself holds the keyboard (no button ever has it) and ignores stray keys.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self._input = DeliberateInput(
            self,
            KEY_ACTIONS,
            self.confirm_label,
            describe=lambda: f"OVERDUE alert for {self.view.officer_name}",
        )
        self.setStyleSheet(_STYLE)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.update_view(view)

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 16, 28, 16)
        outer.setSpacing(10)
        band = QFrame()
        band.setObjectName("band")
        top = QHBoxLayout(band)
        icon = QLabel()
        icon.setPixmap(status_pixmap(StatusKind.WARNING, 60))
        top.addWidget(icon)
        self.kind_label = QLabel("OVERDUE: NOT BACK FROM A VISIT")
        self.kind_label.setObjectName("overdueKind")
        top.addWidget(self.kind_label, 1)
        times = QVBoxLayout()
        self.late_label = QLabel()
        self.late_label.setObjectName("overdueLate")
        self.late_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.due_label = QLabel()
        self.due_label.setObjectName("overdueDue")
        self.due_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        times.addWidget(self.late_label)
        times.addWidget(self.due_label)
        top.addLayout(times)
        outer.addWidget(band)

        self.officer_label = self._label("overdueOfficer")
        self.where_label = self._label("overdueWhere")
        self.visit_label = self._label("overdueVisit")
        self.phone_label = self._label("overduePhone")
        self.phone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.officer_label, self.where_label, self.visit_label, self.phone_label):
            outer.addWidget(label)
        self.escalation_label = self._label("overdueEscalated")
        outer.addWidget(self.escalation_label)
        self.no_sound_label = self._label("overdueNoSound")
        self.no_sound_label.hide()
        outer.addWidget(self.no_sound_label)

        cards = QHBoxLayout()
        cards.setSpacing(14)
        self.markers_card, self.markers_label = self._card("Markers at this address")
        self.dealing_card, self.dealing_label = self._card("Who is dealing with it")
        cards.addWidget(self.markers_card, 3)
        cards.addWidget(self.dealing_card, 2)
        outer.addLayout(cards, 1)

        self.error_label = self._label("overdueError")
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.confirm_label = self._label("overdueConfirm")
        outer.addWidget(self.confirm_label)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        self.take_button = self._button("☎  I'M PHONING THEM", "takeButton", self._on_take)
        self.safe_button = self._button("✔  PHONED: SAFE…", "safeButton", self._on_safe)
        self.extend_button = self._button("EXTENDED TO…", "extendButton", self._on_extend)
        self.police_button = self._button(
            "⚠  CANNOT REACH: POLICE…", "policeButton", self._on_police
        )
        self.silence_button = self._button("Silence this PC", "silenceButton", self._on_silence)
        self.hide_button = self._button("Hide", "hideButton", self._on_hide)
        for button in (
            self.take_button,
            self.safe_button,
            self.extend_button,
            self.police_button,
            self.silence_button,
            self.hide_button,
        ):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self.keys_label = self._label("overdueKeys")
        outer.addWidget(self.keys_label)

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _card(self, title: str) -> tuple[QFrame, QLabel]:
        card = QFrame()
        card.setObjectName("overdueCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(14, 8, 14, 8)
        heading = QLabel(title.upper())
        heading.setObjectName("overdueCardTitle")
        layout.addWidget(heading)
        body = QLabel()
        body.setObjectName("overdueCardBody")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(body, 1)
        return card, body

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> GuardedButton:
        button = GuardedButton(text)  # never focused, never default, deaf at first
        button.setObjectName(name)
        button.setMinimumHeight(60)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(slot)
        return button

    # --- state --------------------------------------------------------------------------------

    def update_view(self, view: OverdueView) -> None:
        self.view = view
        self.setWindowTitle(f"SafeDesk: OVERDUE — {view.officer_name}")
        if view.reason is OverdueReason.END_OF_DAY:
            self.kind_label.setText("OVERDUE: STILL OUT AT CLOSING TIME")
        elif view.reason is OverdueReason.AMBER:
            self.kind_label.setText("OVERDUE: WENT IN, NOT OUT")
        else:
            self.kind_label.setText("OVERDUE: NOT BACK FROM A VISIT")
        self.officer_label.setText(view.officer_name)
        where = view.address + (f" {view.postcode}" if view.postcode else "")
        self.where_label.setText(where)
        partner = f"with {view.second_officer_name}" if view.second_officer_name else "on their own"
        seeing = f"went to see {view.seeing}" if view.seeing else "went out"
        self.visit_label.setText(
            f"{seeing}, {partner} · left {hh_mm(view.leaving_at)}"
            + (f" · {view.transport}" if view.transport else "")
        )
        self.phone_label.setText(f"☎  {view.phone}")
        self.escalation_label.setText(self._escalation_text(view))
        self.escalation_label.setVisible(bool(self.escalation_label.text()))
        self.markers_label.setText(self._markers_html(view))
        self.dealing_label.setText(self._dealing_html(view))
        taken = view.taken_at is not None
        self.take_button.setEnabled(view.is_open and not taken)
        self.take_button.setText("✔  BEING PHONED" if taken else "☎  I'M PHONING THEM")
        for button in (self.safe_button, self.extend_button, self.police_button):
            button.setEnabled(view.is_open)
        self.police_button.setText(
            "☎  CALL 999 CARD" if view.police_called_at else "⚠  CANNOT REACH: POLICE…"
        )
        self._refresh_buttons()
        self._tick()

    def _escalation_text(self, view: OverdueView) -> str:
        if view.taken_at is not None:
            return ""
        if view.reason is OverdueReason.END_OF_DAY:
            return (
                "⚠ THE OFFICE HAS CLOSED and they have not reported back. "
                "Whoever is still here: phone them now."
            )
        if view.escalated_all_at is not None:
            return (
                f"⚠ ESCALATED TO ALL STAFF at {hh_mm(view.escalated_all_at)}: nobody has taken it."
            )
        if view.escalated_managers_at is not None:
            return (
                f"⚠ ESCALATED TO THE MANAGERS at {hh_mm(view.escalated_managers_at)}: "
                "nobody has taken it."
            )
        return ""

    def _markers_html(self, view: OverdueView) -> str:
        if not view.markers:
            return "No markers were found for the person or the address before they left."
        parts = []
        for line in view.markers:
            items = "".join(f"<li>{html.escape(i)}</li>" for i in line.instructions)
            parts.append(
                f"<b>⚠ {html.escape(line.person_name)}</b><ul style='margin:0'>{items}</ul>"
            )
        return "".join(parts)

    def _dealing_html(self, view: OverdueView) -> str:
        rows = []
        if view.taken_by_name:
            rows.append(
                f"☎ <b>{html.escape(view.taken_by_name)}</b> is phoning (since {hh_mm(view.taken_at)})"
            )
        if view.police_called_at:
            who = html.escape(view.police_called_by_name or "")
            rows.append(f"⚠ <b>Police called</b> by {who} at {hh_mm(view.police_called_at)}")
        if not rows:
            return "<b>Nobody has taken this yet.</b> Phone them: the number is above."
        return "<br>".join(rows)

    def set_sound_problem(self, problem: str | None) -> None:
        self.no_sound_label.setText(
            f"⚠ {NO_SOUND_TEXT}: {problem}. Watch the screen." if problem else ""
        )
        self.no_sound_label.setVisible(bool(problem))

    def set_silenced(self, silenced: bool) -> None:
        self._silenced = silenced
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        quiet = self._silenced or self.view.taken_at is not None
        self.silence_button.setVisible(not quiet)
        self.hide_button.setVisible(quiet)
        self.keys_label.setText(self._input.hint())

    @property
    def armed(self) -> bool:
        """The buttons take mouse clicks (a moment after the alert appeared)."""
        return self._input.armed

    def _tick(self) -> None:
        late = self.view.overdue_s(self._clock.now())
        self.late_label.setText(f"overdue by {overdue_text(late)}")
        self.due_label.setText(
            f"due back {hh_mm(self.view.expected_back_at)} · alert at {hh_mm(self.view.raised_at)}"
        )

    def show_error(self, text: str) -> None:
        self.error_label.setText(f"⚠ {text}")
        self.error_label.show()

    # --- actions ------------------------------------------------------------------------------

    def _run(self, what: str, action: Callable[[], None]) -> bool:
        try:
            action()
        except Exception as exc:  # shown on the alert and logged; the alert stays up
            log.exception("overdue action %s failed for alert %d", what, self.view.overdue_id)
            self.show_error(f"Could not record “{what}”: {exc}")
            return False
        self.error_label.hide()
        return True

    def _open(self, dialog: QDialog) -> None:
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialog = dialog
        dialog.open()

    def _on_take(self) -> None:
        if self._run("I'm phoning them", lambda: self._actions.take(self.view.overdue_id)):
            self.set_silenced(True)

    def _on_safe(self) -> None:
        name = self.view.officer_name
        dialog = NoteDialog(
            f"{name} is safe",
            f"You spoke to {name} (or someone who has seen them) and they are safe.",
            "What they said, e.g. “phone died, safe in the car, back by 3”",
            "Record: safe",
            self,
        )

        def submit(note: str) -> None:
            alert = self.view.overdue_id
            if self._run("phoned: safe", lambda: self._actions.phoned_safe(alert, note)):
                dialog.accept()

        dialog.submitted.connect(submit)
        self._open(dialog)

    def _on_extend(self) -> None:
        dialog = ExtendDialog(self.view.officer_name, self._clock.now(), parent=self)

        def submit(when: datetime, note: str) -> None:
            alert = self.view.overdue_id
            if self._run("extended", lambda: self._actions.extended(alert, when, note)):
                dialog.accept()

        dialog.chosen.connect(submit)
        self._open(dialog)

    def _on_police(self) -> None:
        first = self.view.police_called_at is None
        dialog = VisitCall999Dialog(self.view, record=first, parent=self)
        alert = self.view.overdue_id
        dialog.police_called.connect(
            lambda: self._run("police called", lambda: self._actions.police_called(alert))
        )
        self._open(dialog)

    def _on_silence(self) -> None:
        self._run("silence", lambda: self._actions.silence(self.view.overdue_id))
        self.set_silenced(True)

    def _on_hide(self) -> None:
        self.hide()
        self.closed.emit(self.view.overdue_id)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._input.appeared(ARM_AFTER_MS)  # read here, so a test may lengthen it

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Every key stops here: Space, Enter and Escape press nothing and put nothing away.
        self._input.key_pressed(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.view.is_open and not self._silenced and self.view.taken_at is None:
            event.ignore()
            return
        self._timer.stop()
        super().closeEvent(event)
        self.closed.emit(self.view.overdue_id)

    def dismiss(self) -> None:
        """Taken down by the controller (resolved): no questions asked."""
        self._silenced = True
        self._timer.stop()
        self._input.cancel()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        self.close()
        self.deleteLater()


_DIALOG_STYLE = (
    "QDialog { background: white; } QLabel { color: black; font-size: 13pt; }"
    "QLineEdit, QDateTimeEdit { font-size: 13pt; padding: 4px; }"
    "QPushButton { font-size: 12pt; padding: 6px 14px; }"
)


class NoteDialog(QDialog):
    """A short note and one deliberate button (Enter in the note also submits it).

    Signals:
        submitted(str): the note, when the button is pressed.
    """

    submitted = Signal(str)

    def __init__(
        self, title: str, lead: str, placeholder: str, button: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.setStyleSheet(_DIALOG_STYLE)
        layout = QVBoxLayout(self)
        text = QLabel(lead)
        text.setWordWrap(True)
        text.setStyleSheet("font-size: 13pt;")
        layout.addWidget(text)
        self.note = QLineEdit()
        self.note.setPlaceholderText(placeholder)
        self.note.returnPressed.connect(self._submit)
        layout.addWidget(self.note)
        row = QHBoxLayout()
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.ok = QPushButton(button)
        self.ok.setObjectName("noteOk")
        self.ok.setAutoDefault(False)
        self.ok.clicked.connect(self._submit)
        row.addWidget(cancel)
        row.addStretch()
        row.addWidget(self.ok)
        layout.addLayout(row)
        self.note.setFocus()

    def _submit(self) -> None:
        self.submitted.emit(self.note.text().strip())


class ExtendDialog(QDialog):
    """A new expected return, chosen deliberately.

    Signals:
        chosen(datetime, str): the new time (aware) and a note.
    """

    chosen = Signal(object, str)

    def __init__(
        self, officer_name: str, now: datetime, *, lead: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Extend {officer_name}'s visit")
        self.setMinimumWidth(520)
        self.setStyleSheet(_DIALOG_STYLE)
        layout = QVBoxLayout(self)
        text = QLabel(
            lead
            or f"You spoke to {html.escape(officer_name)}: they are safe and staying longer. "
            "When will they be back?"
        )
        text.setWordWrap(True)
        text.setStyleSheet("font-size: 13pt;")
        layout.addWidget(text)
        start = now + timedelta(minutes=30)
        self.when = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(start.timestamp())))
        self.when.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when.setObjectName("extendWhen")
        layout.addWidget(self.when)
        self.note = QLineEdit()
        self.note.setPlaceholderText("What they said (optional)")
        layout.addWidget(self.note)
        row = QHBoxLayout()
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.ok = QPushButton("Extend to this time")
        self.ok.setObjectName("extendOk")
        self.ok.setAutoDefault(False)
        self.ok.clicked.connect(self._submit)
        row.addWidget(cancel)
        row.addStretch()
        row.addWidget(self.ok)
        layout.addLayout(row)

    def new_time(self) -> datetime:
        return datetime.fromtimestamp(self.when.dateTime().toSecsSinceEpoch(), tz=UTC)

    def _submit(self) -> None:
        self.chosen.emit(self.new_time(), self.note.text().strip())


_STYLE = f"""
#overdueWindow {{ background: {AMBER}; }}
QLabel {{ color: {BLACK}; background: transparent; }}
#band {{ background: {BLACK}; border-radius: 6px; }}
#band QLabel {{ color: {AMBER}; }}
#overdueKind {{ font-size: 26pt; font-weight: 900; letter-spacing: 1px; }}
#overdueLate {{ font-size: 24pt; font-weight: bold; }}
#overdueDue {{ font-size: 12pt; }}
#overdueOfficer {{ font-size: 38pt; font-weight: 900; }}
#overdueWhere {{ font-size: 22pt; font-weight: bold; }}
#overdueVisit {{ font-size: 15pt; }}
#overduePhone {{ font-size: 24pt; font-weight: bold; }}
#overdueEscalated, #overdueNoSound {{ font-size: 15pt; font-weight: bold; color: {AMBER};
    background: {BLACK}; padding: 6px 10px; }}
#overdueCard {{ background: rgba(255, 255, 255, 150); border: 3px solid {BLACK};
    border-radius: 8px; }}
#overdueCardTitle {{ font-size: 11pt; font-weight: bold; }}
#overdueCardBody {{ font-size: 14pt; }}
#overdueError {{ font-size: 13pt; font-weight: bold; background: white; padding: 6px 10px; }}
#overdueConfirm {{ font-size: 14pt; font-weight: bold; background: white;
    border: 4px solid {BLACK}; padding: 6px 10px; }}
#overdueKeys {{ font-size: 11pt; }}
QPushButton {{ font-size: 13pt; font-weight: bold; color: {AMBER}; background: {BLACK};
    border: 3px solid {BLACK}; border-radius: 8px; padding: 6px 10px; }}
QPushButton:disabled {{ color: #777; background: #ddd; border-color: #999; }}
"""
