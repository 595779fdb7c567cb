"""The reception desk's on-screen panic button and hotkey, and the demo office's simulated buttons.

Every one of them goes through the same core call as a physical button (``press_room`` or the
hotkey driver's ``press``). The desk's own press is silent on this PC: no alert, no sound, only a
small "sent" line, because the person pressing may be facing the aggressor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from safedesk.button_events import DeviceKind, PressReceipt
from safedesk.clock import Clock
from safedesk.db import DatabaseUnavailable
from safedesk.services.actor import Actor
from safedesk.services.alarm_views import AlertView
from safedesk.services.alarms import AlarmService
from safedesk.services.workstation_place import RoomChoice

log = logging.getLogger(__name__)


def qt_key_sequence(pynput_hotkey: str) -> str:
    """ "<ctrl>+<shift>+<f12>" (pynput, the config's syntax) -> "Ctrl+Shift+F12" (Qt)."""
    names = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "cmd": "Meta", "alt_gr": "AltGr"}
    parts = []
    for token in pynput_hotkey.split("+"):
        key = token.strip().strip("<>").lower()
        if not key:
            raise ValueError(f"empty key in hotkey {pynput_hotkey!r}")
        parts.append(names.get(key, key.upper() if len(key) <= 3 else key.capitalize()))
    return "+".join(parts)


class PanicButton(QWidget):
    """The big on-screen button for this PC's desk, with a discreet result line under it.

    Signals:
        pressed(object): a PressReceipt after the core recorded the press.
    """

    pressed = Signal(object)

    def __init__(
        self,
        alarms: AlarmService,
        desk: RoomChoice,
        actor: Callable[[], Actor],
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.alarms = alarms
        self.desk = desk
        self._actor = actor
        self._clock = clock
        self.alarm_id: int | None = None
        layout = QVBoxLayout(self)
        self.button = QPushButton(f"PANIC\ncall for help to {desk.name}")
        self.button.setObjectName("panicButton")
        self.button.setMinimumSize(260, 120)
        self.button.setStyleSheet(
            "#panicButton { background: #c00000; color: white; font-size: 18pt; font-weight: bold;"
            " border: 4px solid #5a0000; border-radius: 14px; padding: 10px; }"
            "#panicButton:pressed { background: #800000; }"
        )
        self.button.setToolTip(
            "Raises a silent panic alarm for this desk: responders are alerted, this screen stays quiet."
        )
        self.button.clicked.connect(self.press)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.result = QLabel("")
        self.result.setObjectName("panicResult")
        self.result.setStyleSheet("font-size: 10pt; color: #333;")
        layout.addWidget(self.result)

    def press(self) -> None:
        """Raise the alarm for the desk (idempotent per press; a second press is "pressed again")."""
        at = self._clock.now()
        try:
            receipt: PressReceipt = self.alarms.press_room(
                self.desk.room_id, source=DeviceKind.HOTKEY, actor=self._actor()
            )
        except DatabaseUnavailable as exc:
            log.error("on-screen panic press for %s NOT DELIVERED: %s", self.desk.name, exc)
            self.result.setStyleSheet("font-size: 13pt; font-weight: bold; color: #a00000;")
            self.result.setText(
                "⚠ NOT SENT: SafeDesk cannot reach the database. Shout, phone, or call 999."
            )
            return
        self.alarm_id = receipt.alarm_id
        log.warning("on-screen panic press for %s: alarm %d", self.desk.name, receipt.alarm_id)
        self.result.setStyleSheet("font-size: 10pt; color: #333;")
        self.result.setText(f"✔ Sent {_hhmm(at)}")
        self.pressed.emit(receipt)

    def on_alarm_update(self, view: AlertView) -> None:
        """Discreet news of this desk's alarm: who is coming, or that it is closed."""
        if view.room_id != self.desk.room_id:
            return
        if not view.is_open:
            self.result.setText(f"✔ Closed {_hhmm(view.resolved_at)}" if view.resolved_at else "")
            self.alarm_id = None
            return
        self.alarm_id = view.alarm_id
        going = ", ".join(r.name for r in view.responders)
        self.result.setText(
            f"✔ Sent {_hhmm(view.raised_at)}" + (f" · {going} coming" if going else "")
        )


def _hhmm(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M:%S") if when is not None else ""


class DeskHotkey(QObject):
    """The configured hotkey: global (hardware.hotkey, pynput) when possible, else in-app only.

    Never both: the global listener also sees keys typed into SafeDesk, and one keystroke must be
    one press.
    """

    def __init__(
        self,
        hotkey: str,
        panic: PanicButton,
        window: QWidget,
        *,
        alarms: AlarmService,
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.hotkey = hotkey
        self.global_source: object | None = None
        self.shortcut: QShortcut | None = None
        self.problem: str | None = None
        device_id = panic.desk.device_id
        if device_id is not None:
            self.global_source = self._start_global(hotkey, device_id, alarms, clock)
        else:
            self.problem = f"{panic.desk.name} has no registered panic device"
        if self.global_source is None:
            self.shortcut = QShortcut(QKeySequence(qt_key_sequence(hotkey)), window)
            self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            self.shortcut.activated.connect(panic.press)
            log.warning(
                "panic hotkey %s works only while SafeDesk has the focus on this PC (%s)",
                hotkey,
                self.problem,
            )

    def _start_global(
        self, hotkey: str, device_id: str, alarms: AlarmService, clock: Clock
    ) -> object | None:
        try:
            from hardware.hotkey import HotkeyButtonSource, HotkeyError
        except ImportError as exc:
            self.problem = f"global hotkey driver not installed ({exc})"
            return None
        source = HotkeyButtonSource(alarms, clock, device_id, hotkey=hotkey)
        try:
            source.start()
        except HotkeyError as exc:
            self.problem = str(exc)
            source.stop()
            return None
        if not source.available:
            self.problem = source.unavailable_reason or "global hotkeys unavailable"
            source.stop()
            return None
        return source

    def stop(self) -> None:
        source, self.global_source = self.global_source, None
        stop = getattr(source, "stop", None)
        if stop is not None:
            stop()


class DemoButtons(QWidget):
    """One simulated panic button per room, so a newcomer can try the whole path."""

    def __init__(
        self,
        alarms: AlarmService,
        rooms: tuple[RoomChoice, ...],
        actor: Callable[[], Actor],
        *,
        desk_room_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.alarms = alarms
        self._actor = actor
        layout = QVBoxLayout(self)
        intro = QLabel(
            "<b>Try it (demo office):</b> each button below is a simulated panic button. Press one "
            "and this PC receives the alarm as a responder's PC would: look, listen, then click "
            "<i>I'm responding</i> and <i>Resolved</i>."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        self.buttons: dict[int, QPushButton] = {}
        for index, room in enumerate(rooms):
            label = f"Press the panic button in {room.name}"
            if room.room_id == desk_room_id:
                label += "\n(this PC's desk: silent here)"
            button = QPushButton(label)
            button.setMinimumHeight(54)
            button.clicked.connect(lambda _=False, r=room: self._press(r))
            self.buttons[room.room_id] = button
            grid.addWidget(button, index // 3, index % 3)
        layout.addLayout(grid)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)

    def _press(self, room: RoomChoice) -> None:
        try:
            receipt = self.alarms.press_room(
                room.room_id, source=DeviceKind.SIMULATED, actor=self._actor()
            )
        except DatabaseUnavailable as exc:
            self.result.setText(f"⚠ Not sent: {exc}")
            return
        what = "new alarm" if receipt.created else "pressed again on the open alarm"
        self.result.setText(f"Simulated press in {room.name}: {what} (alarm {receipt.alarm_id}).")
