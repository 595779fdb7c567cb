"""The full-screen red alert on a responder's PC: where to go, who is there, who else is going.

It renders an ``AlertView`` from the core and computes nothing but the live elapsed counter.
Actions go back through ``AlertActions`` (the alarm controller), which calls the core; a refused
action (already resolved, database gone) is shown on the alert, never swallowed.

Nothing typed by someone busy elsewhere acts on the alert (``desktop.alarm.deliberate_input``): its
buttons never take keyboard focus, ignore the mouse for a moment after it appears, and
keyboard-only users pick an action with a Ctrl+Shift chord and confirm it with Y.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.alarm.call_999_dialog import Call999Dialog
from desktop.alarm.deliberate_input import (
    ARM_AFTER_MS,
    CHORD,
    CHORD_TEXT,
    CONFIRM_TIMEOUT_MS,
    DeliberateInput,
    GuardedButton,
    KeyAction,
)
from desktop.alarm.resolve_dialog import ResolveDialog
from desktop.alarm.sound import NO_SOUND_TEXT
from desktop.shell.status_icons import StatusKind, status_icon, status_pixmap
from safedesk.clock import Clock
from safedesk.db import DatabaseUnavailable
from safedesk.models import AlarmOutcome
from safedesk.services.alarms.alarm_deliveries import Delivery, shown_on_text
from safedesk.services.alarms.alarm_service import AlarmError
from safedesk.services.alarms.alert_views import AlertView, VisitorInRoom
from safedesk.services.alarms.responder_reach import Reach, not_heard_from

log = logging.getLogger(__name__)

# Re-exported: tests lengthen ARM_AFTER_MS here; showEvent reads it from this module.
__all__ = ["ARM_AFTER_MS", "CHORD", "CHORD_TEXT", "CONFIRM_TIMEOUT_MS", "AlertWindow"]


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


def refusal_text(exc: Exception) -> str:
    """What the person is told when an action could not be recorded (human words, no ids)."""
    if isinstance(exc, DatabaseUnavailable):
        return (
            "SafeDesk cannot reach the database, so this was NOT recorded and the other screens "
            "do not know. If you can go safely, go, and tell the others by phone or radio."
        )
    if isinstance(exc, AlarmError):
        text = str(exc)
        return text[:1].upper() + text[1:] + "."
    return "SafeDesk had an internal error (it is in the log). Try again, or tell the others."


OUTCOME_WORDS = {
    AlarmOutcome.FALSE_ALARM: "false alarm",
    AlarmOutcome.RESOLVED_ON_SITE: "resolved on site",
    AlarmOutcome.POLICE_CALLED: "police called",
    AlarmOutcome.AMBULANCE_CALLED: "ambulance called",
}

_ALARM_BG = "#b00000"
_TEST_BG = "#1f4e9c"
_CARD_BG = "#7a0000"  # solid, so the text contrast is what it looks like
_TEST_CARD_BG = "#163a75"
_STRIP = "color: #000000; background: #ffd23f; padding: 6px 12px;"


KEY_ACTIONS = (
    KeyAction(Qt.Key.Key_R, "R", "I'm responding", "say I'M RESPONDING", "respond_button"),
    KeyAction(
        Qt.Key.Key_D,
        "D",
        "Resolved",
        "open RESOLVED (outcome and notes)",
        "resolve_button",
    ),
    KeyAction(Qt.Key.Key_C, "C", "Call 999", "show what to say when you CALL 999", "call_button"),
    KeyAction(Qt.Key.Key_S, "S", "Silence", "SILENCE this PC", "silence_button"),
    KeyAction(Qt.Key.Key_H, "H", "Hide", "HIDE this alert", "hide_button"),
)


class AlertWindow(QWidget):
    """One open alarm, full screen and always on top.

    Signals:
        closed(int): the window went away (alarm resolved, or hidden after responding).
    """

    closed = Signal(int)

    def __init__(self, view: AlertView, actions: AlertActions, clock: Clock) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.view = view
        self.reach: Reach | None = None
        self._actions = actions
        self._clock = clock
        self._silenced = False
        self._responded = False
        self._sound_problem: str | None = None
        self.shown_on = ""  # "Shown on: RESPONDER-1 (sound), ..." (the screens that showed it)
        self.resolve_dialog: ResolveDialog | None = None  # open dialogs, reachable by tests
        self.call_999_dialog: Call999Dialog | None = None
        self.setObjectName("alertWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # The window itself takes the keys (and ignores them); no button ever has focus.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self._input = DeliberateInput(
            self,
            KEY_ACTIONS,
            self.confirm_label,
            available=self._available,
            describe=lambda: f"alert for {self.view.room_name}",
        )
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.update_view(view)

    @property
    def armed(self) -> bool:
        """The buttons take mouse clicks (a moment after the alert appeared)."""
        return self._input.armed

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        # The alert's look lives on this content widget, not on the window: the dialogs opened
        # over the alert (children of the window) must not inherit white-on-red text.
        self.content = QWidget(self)
        self.content.setObjectName("alertContent")
        window_layout = QVBoxLayout(self)
        window_layout.setContentsMargins(0, 0, 0, 0)
        window_layout.addWidget(self.content)
        outer = QVBoxLayout(self.content)
        outer.setContentsMargins(36, 20, 36, 16)
        outer.setSpacing(10)

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

        self.escalation_label = self._strip("alertEscalated")
        outer.addWidget(self.escalation_label)
        self.reach_label = self._strip("alertReach")
        outer.addWidget(self.reach_label)
        self.no_sound_label = self._strip("alertNoSound")
        outer.addWidget(self.no_sound_label)

        cards = QHBoxLayout()
        cards.setSpacing(16)
        self.people_card, self.people_title, self.people_label = self._card("In the room now")
        self.responders_card, _, self.responders_label = self._card("Responding")
        cards.addWidget(self.people_card, 3)
        cards.addWidget(self.responders_card, 2)
        outer.addLayout(cards, 1)

        self.error_label = QLabel()
        self.error_label.setObjectName("alertError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.confirm_label = QLabel()
        self.confirm_label.setObjectName("alertConfirm")
        self.confirm_label.setWordWrap(True)
        self.confirm_label.hide()
        outer.addWidget(self.confirm_label)

        # Four slots of equal, fixed width: no button moves when another appears, disappears or
        # changes its words (a second click lands where the person aimed it).
        self.button_row = QWidget()
        self.button_row.setObjectName("alertButtons")
        buttons = QHBoxLayout(self.button_row)
        buttons.setContentsMargins(0, 0, 0, 0)
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
        self.last_slot = QStackedWidget()
        self.last_slot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.last_slot.setFixedHeight(self.respond_button.minimumHeight())
        self._empty_slot = QWidget()
        for widget in (self._empty_slot, self.silence_button, self.hide_button):
            self.last_slot.addWidget(widget)
        for widget in (self.respond_button, self.resolve_button, self.call_button):
            buttons.addWidget(widget, 1)
        buttons.addWidget(self.last_slot, 1)
        outer.addWidget(self.button_row)
        self.keys_label = QLabel()
        self.keys_label.setObjectName("alertKeys")
        self.keys_label.setWordWrap(True)
        self.keys_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.keys_label)

    def _strip(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.hide()
        return label

    def _card(self, title: str) -> tuple[QFrame, QLabel, QLabel]:
        card = QFrame()
        card.setObjectName("alertCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 10, 18, 10)
        heading = QLabel(title.upper())
        heading.setObjectName("alertCardTitle")
        layout.addWidget(heading)
        body = QLabel()
        body.setObjectName("alertCardBody")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Long instructions scroll inside the card instead of pushing the buttons off screen.
        scroll = QScrollArea()
        scroll.setObjectName("alertCardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        scroll.setWidget(body)
        scroll.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)
        layout.addWidget(scroll, 1)
        return card, heading, body

    def _button(self, text: str, name: str, *, primary: bool = False) -> GuardedButton:
        button = GuardedButton(text)
        button.setObjectName(name)
        button.setMinimumHeight(72 if primary else 64)
        button.setFixedHeight(72)
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _apply_style(self) -> None:
        test = self.view.is_test
        bg = _TEST_BG if test else _ALARM_BG
        card = _TEST_CARD_BG if test else _CARD_BG
        self.setStyleSheet(f"#alertWindow {{ background: {bg}; }}")
        self.content.setStyleSheet(
            f"#alertContent {{ background: {bg}; }}"
            "QLabel { color: #ffffff; background: transparent; }"
            "#alertKind { font-size: 34pt; font-weight: 900; letter-spacing: 2px; }"
            "#alertElapsed { font-size: 30pt; font-weight: bold; }"
            "#alertRaised { font-size: 13pt; }"
            "#alertRoom { font-size: 44pt; font-weight: 900; }"
            "#alertWhere { font-size: 17pt; }"
            f"#alertEscalated, #alertReach {{ font-size: 14pt; font-weight: bold; {_STRIP} }}"
            f"#alertNoSound {{ font-size: 13pt; font-weight: bold; {_STRIP} }}"
            f"#alertCard {{ background: {card}; border: 2px solid #ffffff; border-radius: 8px; }}"
            "#alertCardTitle { font-size: 12pt; font-weight: bold; color: #ffffff; }"
            "#alertCardBody { font-size: 15pt; }"
            "#alertError { font-size: 14pt; font-weight: bold; color: #000000; background: #ffffff;"
            " padding: 6px 12px; }"
            "#alertConfirm { font-size: 15pt; font-weight: bold; color: #000000;"
            " background: #ffffff; border: 4px solid #ffd23f; padding: 6px 12px; }"
            "#alertKeys { font-size: 11pt; color: #ffffff; }"
            "#alertCardScroll, #alertCardScroll > QWidget > QWidget { background: transparent; }"
            "QPushButton { font-size: 14pt; font-weight: bold; color: #1a1a1a; background: #ffffff;"
            " border: 3px solid #1a1a1a; border-radius: 8px; padding: 4px 6px; }"
            "QPushButton:disabled { color: #333333; background: #d9d9d9; }"
            "#respondButton { background: #ffd23f; }"
            # Responding is a state, not a greyed-out button: black on pale yellow.
            "#respondButton:disabled { color: #000000; background: #fff0b3;"
            " border: 3px dashed #000000; }"
        )

    # --- state --------------------------------------------------------------------------------

    def update_view(self, view: AlertView, reach: Reach | None = None) -> None:
        """Show the latest state of the alarm (another responder, escalation, pressed again)."""
        self.view = view
        if reach is not None:
            self.reach = reach
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
        waiting = view.acknowledged_at is None
        if view.escalated_at is not None and waiting:
            self.escalation_label.setText(
                f"⚠ ESCALATED TO ALL STAFF at {local_time(view.escalated_at)}: "
                "no responder has said they are going. If you can go safely, go now."
            )
            self.escalation_label.show()
        else:
            self.escalation_label.hide()
        self._show_reach_strip(waiting and view.escalated_at is None)
        self.people_title.setText("AT THE DESK NOW" if view.is_desk else "IN THE ROOM NOW")
        self.people_label.setText(self._people_html(view))
        self.responders_label.setText(self._responders_html(view))
        self._refresh_buttons()
        # Two lines whatever the hint says: the buttons above it never move when it changes.
        self.keys_label.ensurePolished()
        self.keys_label.setFixedHeight(2 * self.keys_label.fontMetrics().lineSpacing() + 4)
        self._tick()

    def _show_reach_strip(self, waiting: bool) -> None:
        reach = self.reach
        if not waiting or reach is None:
            self.reach_label.hide()
            return
        if not reach.on_duty:
            text = (
                "⚠ SENT TO EVERY SCREEN AT ONCE: nobody is on the responder rota right now. "
                "If you can go safely, go now."
            )
        elif reach.nobody_reachable:
            names = ", ".join(r.name for r in reach.on_duty)
            text = (
                "⚠ SENT TO EVERY SCREEN AT ONCE: no responder on the rota "
                f"({names}) is signed in on a SafeDesk PC. If you can go safely, go now."
            )
        else:
            self.reach_label.hide()
            return
        self.reach_label.setText(text)
        self.reach_label.show()

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

    def set_shown_on(self, deliveries: tuple[Delivery, ...]) -> None:
        """The screens that have shown this alarm so far, and whether they sounded it."""
        shown_on = shown_on_text(deliveries)
        if shown_on != self.shown_on:
            self.shown_on = shown_on
            self.responders_label.setText(self._responders_html(self.view))

    def show_error(self, text: str) -> None:
        self.error_label.setText(f"⚠ {text}")
        self.error_label.show()

    def _refresh_buttons(self) -> None:
        view = self.view
        others_going = bool(view.responders)
        if self._silenced:
            self.last_slot.setCurrentWidget(self.hide_button)
        elif others_going:
            self.last_slot.setCurrentWidget(self.silence_button)
        else:
            self.last_slot.setCurrentWidget(self._empty_slot)
        self.respond_button.setEnabled(view.is_open and not self._responded)
        self.respond_button.setText(
            "✔  YOU ARE RESPONDING" if self._responded else "➜  I'M RESPONDING"
        )
        self.resolve_button.setEnabled(view.is_open)
        self.keys_label.setText(self._input.hint())

    def _available(self, action: KeyAction) -> bool:
        button = getattr(self, action.button)
        if not button.isEnabled():
            return False
        if button in (self.silence_button, self.hide_button):
            return self.last_slot.currentWidget() is button
        return True

    def _people_html(self, view: AlertView) -> str:
        if view.unknown_location:
            return "Nobody knows where this button is: check every room and desk."
        parts = [self._staff_html(view)]
        if view.is_desk:
            if view.waiting:
                visitors = "<br><br>".join(self._visitor_html(v) for v in view.waiting)
                parts.append(f"<b>Arrived and waiting (not yet in a room):</b><br>{visitors}")
            else:
                parts.append(
                    "No booked visitor is waiting in reception: whoever is at the counter is not "
                    "known. <i>Go and look.</i>"
                )
        elif view.visitors:
            parts.extend(self._visitor_html(v) for v in view.visitors)
        else:
            parts.append(
                "No visitor is booked into this room right now.<br>"
                "<i>Someone may be there without a booking: go and look.</i>"
            )
        return "<hr>".join(parts)

    @staticmethod
    def _staff_html(view: AlertView) -> str:
        heading = "Staff at the desk" if view.is_desk else "Staff in the room"
        if not view.staff:
            unknown = (
                "nobody is known to be signed in at this desk's PC"
                if view.is_desk
                else "not known (no booked visit with a host officer)"
            )
            return f"<b>{heading}:</b> {unknown}"
        rows = []
        for person in view.staff:
            pc = f" on {html.escape(person.workstation)}" if person.workstation else ""
            rows.append(f"<b>{html.escape(person.name)}</b> ({html.escape(person.why)}{pc})")
        return f"<b>{heading}:</b> " + "; ".join(rows)

    @staticmethod
    def _visitor_html(visitor: VisitorInRoom) -> str:
        lines = [f"<b>{html.escape(visitor.name)}</b>"]
        if visitor.flagged:
            lines[0] = "⚠ " + lines[0] + " &nbsp;<b>(flagged file)</b>"
        if visitor.purpose:
            lines.append(f"<span style='font-size:13pt'>{html.escape(visitor.purpose)}</span>")
        if visitor.high_risk:
            lines.append("⚠ <b>Booked as a high-risk meeting</b>")
        if visitor.marker_instructions:
            items = "".join(f"<li>{html.escape(i)}</li>" for i in visitor.marker_instructions)
            lines.append(f"<b>Instructions to staff:</b><ul style='margin:0'>{items}</ul>")
        return "<br>".join(lines)

    def _responders_html(self, view: AlertView) -> str:
        html_text = self._who_is_going_html(view)
        if self.shown_on:
            html_text += f"<br><br><span style='font-size:12pt'>{html.escape(self.shown_on)}</span>"
        return html_text

    def _who_is_going_html(self, view: AlertView) -> str:
        if view.responders:
            rows = []
            for r in view.responders:
                pc = f" (from {html.escape(r.workstation)})" if r.workstation else ""
                rows.append(
                    f"➜ <b>{html.escape(r.name)}</b> is going<br>"
                    f"<span style='font-size:12pt'>since {local_time(r.at)}{pc}</span>"
                )
            return "<br>".join(rows)
        lines = ["<b>Nobody has said they are going yet.</b>"]
        reach = self.reach
        if reach is None:
            lines.append("Sent to the screens of the responders on the rota.")
        elif not reach.on_duty:
            lines.append("Nobody is on the responder rota: sent to every screen.")
        else:
            lines.append("<span style='font-size:13pt'>Sent to the rota (no answer yet):</span>")
            for person in reach.on_duty:
                where = person.where
                for quiet in person.quiet:  # like an offline button: it stopped answering
                    since = quiet.last_seen_at.astimezone().strftime("%H:%M")
                    where += "; " + not_heard_from(person.name, quiet, since)
                lines.append(
                    f"<span style='font-size:13pt'>• {html.escape(person.name)}: "
                    f"{html.escape(where)}</span>"
                )
        return "<br>".join(lines)

    def _tick(self) -> None:
        self.elapsed_label.setText(elapsed_text(self.view.elapsed_s(self._clock.now())) + " ago")

    # --- deliberate input only (desktop.alarm.deliberate_input) ------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._input.appeared(ARM_AFTER_MS)  # read here, so a test may lengthen it

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._input.key_pressed(event)

    # --- actions ------------------------------------------------------------------------------

    def _run(self, what: str, action: Callable[[], None]) -> bool:
        try:
            action()
        except Exception as exc:  # shown on the alert and logged; the alarm stays up
            log.exception("alert action %s failed for the alarm in %s", what, self.view.room_name)
            self.show_error(f"Could not record “{what}”. {refusal_text(exc)}")
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
        if self.resolve_dialog is not None:
            self.resolve_dialog.raise_()
            return
        alarm_id = self.view.alarm_id

        def submit(outcome: AlarmOutcome, notes: str) -> None:
            self._actions.resolve(alarm_id, outcome, notes)

        dialog = ResolveDialog(self.view.room_name, submit, self)
        self.resolve_dialog = dialog
        self._open_dialog(dialog, modal=True)

    def _on_call_999(self) -> None:
        if self.call_999_dialog is not None:
            self.call_999_dialog.raise_()
            return
        dialog = Call999Dialog(self.view, self)
        self.call_999_dialog = dialog
        # Not modal: the numbers stay on screen while the responder resolves the alarm.
        self._open_dialog(dialog, modal=False)

    def _open_dialog(self, dialog: QDialog, *, modal: bool) -> None:
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.finished.connect(lambda _result, d=dialog: self._forget_dialog(d))
        if modal:
            dialog.open()
        else:
            dialog.show()

    def _forget_dialog(self, dialog: QDialog) -> None:
        """A dialog closed (by its person, or because the alarm was resolved): let it go."""
        if self.resolve_dialog is dialog:
            self.resolve_dialog = None
        if self.call_999_dialog is dialog:
            self.call_999_dialog = None
        if shiboken6.isValid(dialog):
            dialog.deleteLater()

    @property
    def unsaved_notes(self) -> str:
        """Notes typed into an open resolve dialog here (lost if someone else resolves first)."""
        dialog = self.resolve_dialog
        if dialog is None or not shiboken6.isValid(dialog):
            return ""
        return dialog.notes.toPlainText().strip()

    def _on_hide(self) -> None:
        self.hide()
        self.closed.emit(self.view.alarm_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.view.is_open and not self._silenced:
            # Alt+F4 on an alarm nobody here has acknowledged: keep it up.
            event.ignore()
            return
        self._timer.stop()
        super().closeEvent(event)
        self.closed.emit(self.view.alarm_id)

    def dismiss(self) -> None:
        """Taken down by the controller (resolved): no questions asked, whatever is open on it.

        Deleted explicitly (deleteLater, in the GUI thread) rather than left to Python's garbage
        collector, which may run at any moment and in any thread.
        """
        self._silenced = True
        self._timer.stop()
        self._input.cancel()
        for dialog in (self.resolve_dialog, self.call_999_dialog):
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.reject()
        self.resolve_dialog = None
        self.call_999_dialog = None
        self.close()
        self.deleteLater()
