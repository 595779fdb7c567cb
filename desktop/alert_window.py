"""The full-screen red alert on a responder's PC: where to go, who is there, who else is going.

It renders an ``AlertView`` from the core and computes nothing but the live elapsed counter.
Actions go back through ``AlertActions`` (the alarm controller), which calls the core; a refused
action (already resolved, database gone) is shown on the alert, never swallowed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.alarm_sound import NO_SOUND_TEXT
from desktop.call_999_dialog import Call999Dialog
from desktop.resolve_dialog import ResolveDialog
from desktop.status_icons import StatusKind, status_icon, status_pixmap
from safedesk.clock import Clock
from safedesk.models import AlarmOutcome
from safedesk.services.alarm_views import AlertView

log = logging.getLogger(__name__)


class AlertActions(Protocol):
    """What the alert's buttons do; each raises with a message for the screen when refused."""

    def respond(self, alarm_id: int) -> None: ...

    def resolve(self, alarm_id: int, outcome: AlarmOutcome, notes: str) -> None: ...

    def silence(self, alarm_id: int) -> None: ...


def local_time(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M:%S")


def elapsed_text(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


OUTCOME_WORDS = {
    AlarmOutcome.FALSE_ALARM: "false alarm",
    AlarmOutcome.RESOLVED_ON_SITE: "resolved on site",
    AlarmOutcome.POLICE_CALLED: "police called",
    AlarmOutcome.AMBULANCE_CALLED: "ambulance called",
}

_ALARM_BG = "#b00000"
_TEST_BG = "#1f4e9c"
_CARD_BG = "rgba(0, 0, 0, 70)"


class AlertWindow(QWidget):
    """One open alarm, full screen and always on top.

    Signals:
        closed(int): the window went away (alarm resolved, or hidden after responding).
    """

    closed = Signal(int)

    def __init__(self, view: AlertView, actions: AlertActions, clock: Clock) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.view = view
        self._actions = actions
        self._clock = clock
        self._silenced = False
        self._responded = False
        self._sound_problem: str | None = None
        self.resolve_dialog: ResolveDialog | None = None  # open dialogs, reachable by tests
        self.call_999_dialog: Call999Dialog | None = None
        self.setObjectName("alertWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.update_view(view)

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(36, 24, 36, 24)
        outer.setSpacing(14)

        top = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setPixmap(status_pixmap(StatusKind.ALARM, 72))
        top.addWidget(self.icon)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("alertKind")
        top.addWidget(self.kind_label, 1)
        times = QVBoxLayout()
        self.elapsed_label = QLabel()
        self.elapsed_label.setObjectName("alertElapsed")
        self.elapsed_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.raised_label = QLabel()
        self.raised_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.raised_label.setObjectName("alertRaised")
        times.addWidget(self.elapsed_label)
        times.addWidget(self.raised_label)
        top.addLayout(times)
        outer.addLayout(top)

        self.room_label = QLabel()
        self.room_label.setObjectName("alertRoom")
        self.room_label.setWordWrap(True)
        outer.addWidget(self.room_label)
        self.where_label = QLabel()
        self.where_label.setObjectName("alertWhere")
        self.where_label.setWordWrap(True)
        outer.addWidget(self.where_label)

        self.escalation_label = QLabel()
        self.escalation_label.setObjectName("alertEscalated")
        self.escalation_label.setWordWrap(True)
        outer.addWidget(self.escalation_label)
        self.no_sound_label = QLabel()
        self.no_sound_label.setObjectName("alertNoSound")
        self.no_sound_label.setWordWrap(True)
        outer.addWidget(self.no_sound_label)

        cards = QHBoxLayout()
        cards.setSpacing(16)
        self.people_card, self.people_label = self._card("In the room now")
        self.responders_card, self.responders_label = self._card("Responding")
        cards.addWidget(self.people_card, 3)
        cards.addWidget(self.responders_card, 2)
        outer.addLayout(cards, 1)

        self.error_label = QLabel()
        self.error_label.setObjectName("alertError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        outer.addWidget(self.error_label)

        buttons = QHBoxLayout()
        buttons.setSpacing(16)
        self.respond_button = self._button("➜  I'M RESPONDING", "respondButton", primary=True)
        self.respond_button.clicked.connect(self._on_respond)
        self.resolve_button = self._button("✔  RESOLVED…", "resolveButton")
        self.resolve_button.clicked.connect(self._on_resolve)
        self.call_button = self._button("☎  CALL 999", "call999Button")
        self.call_button.clicked.connect(self._on_call_999)
        self.silence_button = self._button("Silence this PC", "silenceButton")
        self.silence_button.setIcon(status_icon(StatusKind.NO_SOUND))
        self.silence_button.clicked.connect(self._on_silence)
        self.hide_button = self._button("Hide", "hideButton")
        self.hide_button.clicked.connect(self._on_hide)
        for button in (
            self.respond_button,
            self.resolve_button,
            self.call_button,
            self.silence_button,
            self.hide_button,
        ):
            buttons.addWidget(button)
        outer.addLayout(buttons)

    def _card(self, title: str) -> tuple[QFrame, QLabel]:
        card = QFrame()
        card.setObjectName("alertCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 12, 18, 12)
        heading = QLabel(title.upper())
        heading.setObjectName("alertCardTitle")
        layout.addWidget(heading)
        body = QLabel()
        body.setObjectName("alertCardBody")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(body, 1)
        return card, body

    def _button(self, text: str, name: str, *, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setMinimumHeight(72 if primary else 64)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _apply_style(self) -> None:
        bg = _TEST_BG if self.view.is_test else _ALARM_BG
        self.setStyleSheet(
            f"#alertWindow {{ background: {bg}; }}"
            "QLabel { color: white; background: transparent; }"
            "#alertKind { font-size: 34pt; font-weight: 900; letter-spacing: 2px; }"
            "#alertElapsed { font-size: 30pt; font-weight: bold; }"
            "#alertRaised { font-size: 13pt; }"
            "#alertRoom { font-size: 48pt; font-weight: 900; }"
            "#alertWhere { font-size: 18pt; }"
            "#alertEscalated { font-size: 16pt; font-weight: bold; color: black;"
            " background: #ffd23f; padding: 8px 12px; }"
            "#alertNoSound { font-size: 16pt; font-weight: bold; color: black;"
            " background: #ffd23f; padding: 8px 12px; }"
            f"#alertCard {{ background: {_CARD_BG}; border: 2px solid rgba(255,255,255,120);"
            " border-radius: 8px; }"
            "#alertCardTitle { font-size: 12pt; font-weight: bold; color: #ffe3e3; }"
            "#alertCardBody { font-size: 16pt; }"
            "#alertError { font-size: 14pt; font-weight: bold; color: black; background: white;"
            " padding: 8px 12px; }"
            "QPushButton { font-size: 15pt; font-weight: bold; color: #1a1a1a; background: white;"
            " border: 3px solid #1a1a1a; border-radius: 8px; padding: 6px 14px; }"
            "QPushButton:focus { border: 4px solid #ffd23f; }"
            "QPushButton:disabled { color: #777; background: #ddd; }"
            "#respondButton { background: #ffd23f; }"
        )

    # --- state --------------------------------------------------------------------------------

    def update_view(self, view: AlertView) -> None:
        """Show the latest state of the alarm (another responder, escalation, pressed again)."""
        self.view = view
        self._apply_style()
        if view.is_test:
            self.kind_label.setText(f"TEST — {view.room_name}")
            self.icon.setPixmap(status_pixmap(StatusKind.TEST, 72))
            self.setWindowTitle(f"SafeDesk: TEST — {view.room_name}")
        else:
            self.kind_label.setText("PANIC ALARM")
            self.icon.setPixmap(status_pixmap(StatusKind.ALARM, 72))
            self.setWindowTitle(f"SafeDesk: PANIC ALARM — {view.room_name}")
        self.room_label.setText(view.room_name)
        where = [view.room_location or "", view.office_name]
        self.where_label.setText("  ·  ".join(w for w in where if w))
        if view.unknown_location:
            self.where_label.setText(
                f"The panic button {view.device_id} is not registered to a room: "
                "check every room and desk. Tell the administrator afterwards."
            )
        pressed = f"   ·   pressed {view.press_count} times" if view.press_count > 1 else ""
        self.raised_label.setText(f"raised at {local_time(view.raised_at)}{pressed}")
        if view.escalated_at is not None and view.acknowledged_at is None:
            self.escalation_label.setText(
                f"⚠ ESCALATED TO ALL STAFF at {local_time(view.escalated_at)}: "
                "no responder has said they are going. If you can go safely, go now."
            )
            self.escalation_label.show()
        else:
            self.escalation_label.hide()
        self.people_label.setText(self._people_html(view))
        self.responders_label.setText(self._responders_html(view))
        self._refresh_buttons()
        self._tick()

    def set_sound_problem(self, problem: str | None) -> None:
        self._sound_problem = problem
        if problem:
            self.no_sound_label.setText(f"⚠ {NO_SOUND_TEXT}: {problem}. Watch the screen.")
            self.no_sound_label.show()
        else:
            self.no_sound_label.hide()

    def set_silenced(self, silenced: bool) -> None:
        self._silenced = silenced
        self._refresh_buttons()

    def show_error(self, text: str) -> None:
        self.error_label.setText(f"⚠ {text}")
        self.error_label.show()

    def _refresh_buttons(self) -> None:
        view = self.view
        others_going = bool(view.responders)
        self.silence_button.setVisible(others_going and not self._silenced)
        self.silence_button.setText("Silence this PC" if others_going else "")
        self.hide_button.setVisible(self._silenced)
        self.respond_button.setEnabled(view.is_open and not self._responded)
        self.respond_button.setText(
            "✔  YOU ARE RESPONDING" if self._responded else "➜  I'M RESPONDING"
        )
        self.resolve_button.setEnabled(view.is_open)

    def _people_html(self, view: AlertView) -> str:
        if not view.visitors:
            return (
                "No visitor is booked into this room right now.<br>"
                "<i>Someone may be there without a booking: go and look.</i>"
            )
        parts = []
        for visitor in view.visitors:
            lines = [f"<b>{html.escape(visitor.name)}</b>"]
            if visitor.flagged:
                lines[0] = "⚠ " + lines[0] + " &nbsp;<b>(flagged file)</b>"
            if visitor.host_officer:
                lines.append(f"with {html.escape(visitor.host_officer)}")
            if visitor.purpose:
                lines.append(f"<span style='font-size:13pt'>{html.escape(visitor.purpose)}</span>")
            if visitor.high_risk:
                lines.append("⚠ <b>Booked as a high-risk meeting</b>")
            if visitor.marker_instructions:
                items = "".join(f"<li>{html.escape(i)}</li>" for i in visitor.marker_instructions)
                lines.append(f"<b>Instructions to staff:</b><ul style='margin:0'>{items}</ul>")
            parts.append("<br>".join(lines))
        return "<hr>".join(parts)

    def _responders_html(self, view: AlertView) -> str:
        if not view.responders:
            return "<b>Nobody has said they are going yet.</b>"
        rows = []
        for r in view.responders:
            pc = f" at {html.escape(r.workstation)}" if r.workstation else ""
            rows.append(
                f"➜ <b>{html.escape(r.name)}</b> is going<br>"
                f"<span style='font-size:12pt'>since {local_time(r.at)}{pc}</span>"
            )
        return "<br>".join(rows)

    def _tick(self) -> None:
        self.elapsed_label.setText(elapsed_text(self.view.elapsed_s(self._clock.now())) + " ago")

    # --- actions ------------------------------------------------------------------------------

    def _run(self, what: str, action: Callable[[], None]) -> bool:
        try:
            action()
        except Exception as exc:  # shown on the alert and logged; the alarm stays up
            log.exception("alert action %s failed for alarm %d", what, self.view.alarm_id)
            self.show_error(f"Could not record “{what}”: {exc}")
            return False
        self.error_label.hide()
        return True

    def _on_respond(self) -> None:
        if self._run("I'm responding", lambda: self._actions.respond(self.view.alarm_id)):
            self._silenced = True
            self._responded = True
            self._refresh_buttons()

    def _on_silence(self) -> None:
        self._run("silence", lambda: self._actions.silence(self.view.alarm_id))
        self._silenced = True
        self._refresh_buttons()

    def _on_resolve(self) -> None:
        alarm_id = self.view.alarm_id

        def submit(outcome: AlarmOutcome, notes: str) -> None:
            self._actions.resolve(alarm_id, outcome, notes)

        dialog = ResolveDialog(self.view.room_name, submit, self)
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.resolve_dialog = dialog
        dialog.open()

    def _on_call_999(self) -> None:
        dialog = Call999Dialog(self.view, self)
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.call_999_dialog = dialog
        dialog.open()

    def _on_hide(self) -> None:
        self.hide()
        self.closed.emit(self.view.alarm_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape must not make an unacknowledged alarm disappear by accident.
        if event.key() == Qt.Key.Key_Escape and not self._silenced:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.view.is_open and not self._silenced:
            # Alt+F4 on an alarm nobody here has acknowledged: keep it up.
            event.ignore()
            return
        self._timer.stop()
        super().closeEvent(event)
        self.closed.emit(self.view.alarm_id)

    def dismiss(self) -> None:
        """Taken down by the controller (resolved): no questions asked.

        Deleted explicitly (deleteLater, in the GUI thread) rather than left to Python's garbage
        collector, which may run at any moment and in any thread.
        """
        self._silenced = True
        self._timer.stop()
        for dialog in (self.resolve_dialog, self.call_999_dialog):
            if dialog is not None:
                dialog.close()
        self.resolve_dialog = None
        self.call_999_dialog = None
        self.close()
        self.deleteLater()
