"""The reception desk's on-screen panic button and hotkey, and the demo office's simulated buttons.

The desk's button and hotkey make presses of the desk's device (its registered panic device, or
"hotkey:room:<id>") and hand them to this PC's durable press outbox (``services.presses``, see
``desktop.alarm.press_outbox``) on a delivery thread, never on the GUI thread: a hung database cannot
freeze the windows, and a press the database cannot take at once is kept on disk with its press
time and forwarded when it answers. The desk's own press is silent on this PC: no alert, no
sound, only a small line under the button, because the person pressing may be facing the
aggressor. That line says what the system knows: "Sending…", then "Sent" (the database has it)
or "HELD: will be sent as soon as the database answers" (or "INTERNAL ERROR" when recording
it hit a bug, not an outage: kept and tried again all the same), then "Sent" when it is forwarded.
Every such press carries who was signed in at this PC and the PC's name (``PressedBy``): the
alarm's audit entry names them, written with the alarm whenever the press reaches the database.
The demo office's simulated buttons take the same path (outbox, delivery thread), never the GUI
thread.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.alarm.deliberate_input import mouse_only
from hardware.press_delivery import PressDelivery
from safedesk.button_events import ButtonPress, DeviceKind, PressedBy, PressReceipt, PressSink
from safedesk.clock import Clock, SystemClock
from safedesk.outbox import StoreAndForwardSink
from safedesk.services.alarms.alert_views import AlertView
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.workstation_place import RoomChoice

log = logging.getLogger(__name__)

SENDING_TEXT = "Sending…"
HELD_TEXT = "⚠ HELD: will be sent as soon as the database answers. Shout, phone, or call 999"
INTERNAL_ERROR_TEXT = (
    "⚠ INTERNAL ERROR: SafeDesk could not record the press (see the log); it is kept on this PC "
    "and tried again. Shout, phone, or call 999"
)
NOT_SENT_TEXT = (
    "⚠ NOT SENT yet: SafeDesk cannot reach the database and cannot keep the press on this PC; "
    "still trying. Shout, phone, or call 999"
)
_QUIET = "font-size: 10pt; color: #333;"
_WARNING = "font-size: 13pt; font-weight: bold; color: #a00000;"
PressKey = tuple[str, int | None, int]


def desk_device_id(desk: RoomChoice) -> str:
    """The device a desk's on-screen press and hotkey press as (the room's registered button)."""
    return desk.device_id or f"{DeviceKind.HOTKEY.value}:room:{desk.room_id}"


def pressed_by(actor: Callable[[], Actor]) -> PressedBy | None:
    """Who is signed in at this PC now, for a press made here (None, logged, if that cannot be
    told: the press goes ahead without it)."""
    try:
        who = actor()
    except Exception:
        log.exception("cannot tell who is signed in at this PC; the press goes ahead")
        return None
    return PressedBy(who.staff_id, who.login, who.workstation or "")


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

    ``presses`` is the PC's durable outbox (or, without one, the alarm service itself); every
    press goes to it on a delivery thread that keeps offering it until it is taken.

    Signals:
        pressed(object): a PressReceipt once the database has the press (at once or forwarded).
    """

    pressed = Signal(object)
    _taken = Signal(object, object)  # (ButtonPress, PressReceipt), from the delivery thread
    _forwarded = Signal(object, object)  # (ButtonPress, PressReceipt), from the forwarder
    _failed = Signal(object)  # ButtonPress neither delivered nor kept, still being retried
    _refused = Signal(object, str)  # (ButtonPress, 'INTERNAL ERROR: ...'), from the forwarder

    def __init__(
        self,
        presses: PressSink,
        desk: RoomChoice,
        actor: Callable[[], Actor],
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sink = presses
        self.desk = desk
        self.device_id = desk_device_id(desk)
        self.actor = actor
        self._clock = clock
        self.alarm_id: int | None = None
        self._boot = random.getrandbits(62)  # a restart never reuses (boot, sequence)
        self._seq = 0
        self._waiting: set[PressKey] = set()  # held or being delivered: not in the database yet
        layout = QVBoxLayout(self)
        self.button = QPushButton(f"PANIC\ncall for help to {desk.name}")
        self.button.setObjectName("panicButton")
        self.button.setMinimumSize(260, 120)
        # Mouse only: a Space or Enter typed at the desk must never raise a silent alarm (the
        # desk hotkey is the keyboard's way).
        mouse_only(self.button)
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
        self.result.setWordWrap(True)
        self.result.setStyleSheet(_QUIET)
        layout.addWidget(self.result)
        queued = Qt.ConnectionType.QueuedConnection
        self._taken.connect(self._on_taken, queued)
        self._forwarded.connect(self._on_forwarded, queued)
        self._failed.connect(self._on_failed, queued)
        self._refused.connect(self._on_refused, queued)
        # Retry pacing in real seconds whatever clock stamps the press (tests pass a fake one).
        self._delivery = PressDelivery(
            presses,
            SystemClock(),
            on_delivered=lambda press, receipt: self._taken.emit(press, receipt),
            on_failed=lambda press, _attempts: self._failed.emit(press),
            name=f"desk-press {desk.name}",
        )
        self._delivery.start()
        if isinstance(presses, StoreAndForwardSink):
            presses.subscribe(
                on_forwarded=self._forwarded_elsewhere, on_refused=self._refused_elsewhere
            )

    def press(self) -> None:
        """Raise the alarm for the desk: the press is made here, delivered off the GUI thread."""
        self._seq += 1
        press = ButtonPress(
            device_id=self.device_id,
            sequence=self._seq,
            pressed_at=self._clock.now(),
            source=DeviceKind.HOTKEY,
            boot_id=self._boot,
            pressed_by=pressed_by(self.actor),
        )
        self._waiting.add(_key(press))
        log.warning(
            "on-screen panic press for %s (device %s, sequence %d)",
            self.desk.name,
            self.device_id,
            press.sequence,
        )
        if self.result.text() not in (HELD_TEXT, INTERNAL_ERROR_TEXT):
            self._show(SENDING_TEXT, _QUIET)
        self._delivery.submit(press)

    def stop(self) -> None:
        """Stop the delivery thread (app shutdown); presses already held stay in the outbox."""
        if isinstance(self.sink, StoreAndForwardSink):
            self.sink.unsubscribe(self._forwarded_elsewhere)
            self.sink.unsubscribe(self._refused_elsewhere)
        self._delivery.stop()

    def _forwarded_elsewhere(self, press: ButtonPress, receipt: PressReceipt) -> None:
        # The forwarder's thread, for every press the outbox forwards: ours are told apart here.
        if press.device_id == self.device_id and press.boot_id == self._boot:
            self._forwarded.emit(press, receipt)

    def _refused_elsewhere(self, press: ButtonPress, internal_error: str) -> None:
        # The forwarder's thread: a held press of ours hit a bug on its way to the database.
        if press.device_id == self.device_id and press.boot_id == self._boot:
            self._refused.emit(press, internal_error)

    def _on_refused(self, press: ButtonPress, internal_error: str) -> None:
        if _key(press) in self._waiting:
            log.error(
                "held on-screen panic press for %s refused: %s", self.desk.name, internal_error
            )
            self._show(INTERNAL_ERROR_TEXT, _WARNING)

    def _on_taken(self, press: ButtonPress, receipt: PressReceipt) -> None:
        if receipt.held and receipt.internal_error:
            # A bug, not an outage: never "sent as soon as the database answers".
            log.error(
                "on-screen panic press for %s HELD on this PC: %s",
                self.desk.name,
                receipt.internal_error,
            )
            self._show(INTERNAL_ERROR_TEXT, _WARNING)
            return
        if receipt.held:
            log.error("on-screen panic press for %s HELD on this PC", self.desk.name)
            self._show(HELD_TEXT, _WARNING)
            return
        self._in_database(press, receipt)

    def _on_forwarded(self, press: ButtonPress, receipt: PressReceipt) -> None:
        log.warning("held on-screen panic press for %s forwarded", self.desk.name)
        self._in_database(press, receipt)

    def _on_failed(self, press: ButtonPress) -> None:
        if _key(press) in self._waiting:
            self._show(NOT_SENT_TEXT, _WARNING)

    def _in_database(self, press: ButtonPress, receipt: PressReceipt) -> None:
        self._waiting.discard(_key(press))
        self.alarm_id = receipt.alarm_id
        if not self._waiting:
            # The press time, not the delivery time: "Sent 10:41:07" is when it was pressed.
            self._show(f"✔ Sent {_hhmm(press.pressed_at)}", _QUIET)
        self.pressed.emit(receipt)

    def _show(self, text: str, style: str) -> None:
        self.result.setStyleSheet(style)
        self.result.setText(text)

    def on_alarm_update(self, view: AlertView) -> None:
        """Discreet news of this desk's alarm: who is coming, or that it is closed."""
        if view.room_id != self.desk.room_id or self._waiting:
            return  # a press still held: the HELD warning stays until it is in the database
        if not view.is_open:
            self.result.setText(f"✔ Closed {_hhmm(view.resolved_at)}" if view.resolved_at else "")
            self.alarm_id = None
            return
        self.alarm_id = view.alarm_id
        going = ", ".join(r.name for r in view.responders)
        self.result.setStyleSheet(_QUIET)
        self.result.setText(
            f"✔ Sent {_hhmm(view.raised_at)}" + (f" · {going} coming" if going else "")
        )


def _key(press: ButtonPress) -> PressKey:
    return (press.device_id, press.boot_id, press.sequence)


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
            # The same durable outbox as the on-screen button: a held hotkey press survives too.
            self.global_source = self._start_global(hotkey, device_id, panic, clock)
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
        self, hotkey: str, device_id: str, panic: PanicButton, clock: Clock
    ) -> object | None:
        try:
            from hardware.hotkey import HotkeyButtonSource, HotkeyError
        except ImportError as exc:
            self.problem = f"global hotkey driver not installed ({exc})"
            return None
        source = HotkeyButtonSource(
            panic.sink,
            clock,
            device_id,
            hotkey=hotkey,
            pressed_by=lambda: pressed_by(panic.actor),  # who is at the desk when it goes down
        )
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
    """One simulated panic button per room, so a newcomer can try the whole path.

    A press is made here, as the room's device (its registered button, else
    "simulated:room:<id>"), with who is signed in at this PC, and delivered like the desk's own
    press: to ``presses`` (the PC's outbox) on a delivery thread, never on the GUI thread.
    """

    _taken = Signal(object, object)  # (ButtonPress, PressReceipt), from the delivery thread
    _failed = Signal(object)  # ButtonPress neither delivered nor kept, still being retried
    _forwarded = Signal(object, object)  # (ButtonPress, PressReceipt): a held press now stored
    _refused = Signal(object, str)  # (ButtonPress, 'INTERNAL ERROR: ...'): a held press, a bug

    def __init__(
        self,
        presses: PressSink,
        rooms: tuple[RoomChoice, ...],
        actor: Callable[[], Actor],
        *,
        clock: Clock,
        desk_room_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sink = presses
        self._actor = actor
        self._clock = clock
        self._boot = random.getrandbits(62)  # a restart never reuses (boot, sequence)
        self._seq = 0
        self._room_of: dict[str, RoomChoice] = {}
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
            mouse_only(button)  # a key typed on the tab never presses it (again)
            button.clicked.connect(lambda _=False, r=room: self._press(r))
            self.buttons[room.room_id] = button
            grid.addWidget(button, index // 3, index % 3)
        layout.addLayout(grid)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        queued = Qt.ConnectionType.QueuedConnection
        self._taken.connect(self._on_taken, queued)
        self._failed.connect(self._on_failed, queued)
        self._forwarded.connect(self._on_forwarded, queued)
        self._refused.connect(self._on_refused, queued)
        if isinstance(presses, StoreAndForwardSink):
            # A held press's line follows it: "HELD" is true only until the database has it.
            presses.subscribe(
                on_forwarded=self._forwarded_elsewhere, on_refused=self._refused_elsewhere
            )
        # A thread only while a press is on its way: nothing to stop when the window goes.
        self._delivery = PressDelivery(
            presses,
            SystemClock(),
            on_delivered=lambda press, receipt: self._taken.emit(press, receipt),
            on_failed=lambda press, _attempts: self._failed.emit(press),
            name="demo-presses",
            while_pending=True,
        )

    def _press(self, room: RoomChoice) -> None:
        self._seq += 1
        press = ButtonPress(
            device_id=room.device_id or f"{DeviceKind.SIMULATED.value}:room:{room.room_id}",
            sequence=self._seq,
            pressed_at=self._clock.now(),
            source=DeviceKind.SIMULATED,
            boot_id=self._boot,
            pressed_by=pressed_by(self._actor),
        )
        self._room_of[press.device_id] = room
        self.result.setText(f"Simulated press in {room.name}: sending…")
        self._delivery.submit(press)

    def _room_name(self, press: ButtonPress) -> str:
        room = self._room_of.get(press.device_id)
        return room.name if room is not None else press.device_id

    def _on_taken(self, press: ButtonPress, receipt: PressReceipt) -> None:
        if receipt.held and receipt.internal_error:
            what = f"HELD on this PC, {receipt.internal_error}"
        elif receipt.held:
            what = "HELD on this PC, sent as soon as the database answers"
        elif receipt.created:
            what = "new alarm"
        else:
            what = "pressed again on the open alarm"
        self.result.setText(f"Simulated press in {self._room_name(press)}: {what}.")  # no ids

    def _forwarded_elsewhere(self, press: ButtonPress, receipt: PressReceipt) -> None:
        if press.boot_id == self._boot:  # the forwarder's thread: only this PC's demo presses
            self._forwarded.emit(press, receipt)

    def _refused_elsewhere(self, press: ButtonPress, internal_error: str) -> None:
        if press.boot_id == self._boot:
            self._refused.emit(press, internal_error)

    def _on_forwarded(self, press: ButtonPress, receipt: PressReceipt) -> None:
        what = "new alarm" if receipt.created else "pressed again on the open alarm"
        self.result.setText(
            f"Simulated press in {self._room_name(press)}: was held on this PC, now sent "
            f"(pressed {_hhmm(press.pressed_at)}): {what}."
        )

    def _on_refused(self, press: ButtonPress, internal_error: str) -> None:
        self.result.setText(
            f"Simulated press in {self._room_name(press)}: HELD on this PC, {internal_error}."
        )

    def _on_failed(self, press: ButtonPress) -> None:
        self.result.setText(
            f"⚠ Simulated press in {self._room_name(press)} NOT SENT yet: SafeDesk cannot reach "
            "the database and cannot keep the press on this PC; still trying."
        )

    def stop(self) -> None:
        """Stop trying (presses already held stay in the outbox)."""
        if isinstance(self.sink, StoreAndForwardSink):
            self.sink.unsubscribe(self._forwarded_elsewhere)
            self.sink.unsubscribe(self._refused_elsewhere)
        self._delivery.stop()
