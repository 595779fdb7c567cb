"""The reception desk's global panic hotkey (pynput), working even when SafeDesk is not focused.

A press becomes a ``ButtonPress`` from the desk's device (source HOTKEY) and is offered to the sink
until it is taken. The pressing PC stays silent (the person at the desk may be under threat).
Where pynput cannot listen (no display, Wayland without X, a locked-down session) the source
says so clearly in the log, stays offline (so supervision shows the hotkey OFFLINE), and the
on-screen panic button of the desktop app remains the way to raise an alarm.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from safedesk.button_events import (
    ButtonPress,
    DeviceHeard,
    DeviceKind,
    LedState,
    PressedBy,
    PressReceipt,
    PressSink,
)
from safedesk.clock import Clock

from .button_source import ButtonSource, StatusListener
from .press_delivery import PressDelivery

log = logging.getLogger(__name__)

# Ctrl+Alt+F-keys switch consoles on Linux; Ctrl+Shift+F12 is free everywhere we run.
DEFAULT_HOTKEY = "<ctrl>+<shift>+<f12>"


class HotkeyError(ValueError):
    """The configured key combination is not one pynput understands."""


class HotkeyButtonSource(ButtonSource):
    """One global hotkey raising alarms for one device (the reception desk it sits at)."""

    def __init__(
        self,
        sink: PressSink,
        clock: Clock,
        device_id: str,
        hotkey: str = DEFAULT_HOTKEY,
        on_status: StatusListener | None = None,
        heartbeat_s: float = 2.0,
        retry_initial_s: float = 0.25,
        retry_max_s: float = 2.0,
        pressed_by: Callable[[], PressedBy | None] | None = None,
    ) -> None:
        super().__init__(sink, clock, on_status)
        self.device_id = device_id
        # A desk PC's hotkey: who is signed in there, asked when the key goes down.
        self._pressed_by = pressed_by
        self.hotkey = hotkey
        self.boot_id = random.getrandbits(32)
        self.unavailable_reason: str | None = None
        self.led: LedState = LedState.IDLE
        self._seq = 0
        self._lock = threading.Lock()
        self._listener: Any = None
        self._delivery = PressDelivery(
            sink,
            clock,
            on_delivered=self._on_delivered,
            on_failed=self._on_failed,
            retry_initial_s=retry_initial_s,
            retry_max_s=retry_max_s,
            tick=self._heartbeat,
            tick_every_s=heartbeat_s,
            name="hotkey-delivery",
        )

    @property
    def available(self) -> bool:
        return self._listener is not None and self.unavailable_reason is None

    def start(self) -> None:
        if self._listener is not None:
            return
        self._delivery.start()  # presses from the app's own shortcut are delivered regardless
        try:
            from pynput import keyboard
        except ImportError as exc:  # pynput raises ImportError when it has no display to use
            self._unavailable(f"no keyboard access for global hotkeys here ({exc})")
            return
        try:
            keyboard.HotKey.parse(self.hotkey)
        except ValueError as exc:
            raise HotkeyError(f"panic hotkey {self.hotkey!r} is not valid: {exc}") from exc
        listener = keyboard.GlobalHotKeys({self.hotkey: self.press})
        listener.daemon = True
        listener.start()
        listener.wait()
        if not listener.is_alive():
            self._unavailable("the keyboard listener stopped at once")
            return
        self._listener = listener
        self.unavailable_reason = None
        log.info("Global panic hotkey %s raises alarms for %s", self.hotkey, self.device_id)

    def _unavailable(self, reason: str) -> None:
        self.unavailable_reason = reason
        log.error(
            "Global panic hotkey %s is NOT available on this PC: %s. "
            "Use the on-screen panic button; the hotkey shows as OFFLINE to responders.",
            self.hotkey,
            reason,
        )

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        self._delivery.stop()
        self._mark_offline(self.device_id, "hotkey stopped")

    def set_led(self, device_id: str, state: LedState) -> None:
        """No light on a keyboard: remembered for the desktop app to show discreetly."""
        self.led = LedState(state)

    def press(self) -> None:
        """The hotkey went down (also callable by the app's own shortcut)."""
        who = self._who()
        with self._lock:
            self._seq += 1
            press = ButtonPress(
                device_id=self.device_id,
                sequence=self._seq,
                pressed_at=self.clock.now(),
                source=DeviceKind.HOTKEY,
                boot_id=self.boot_id,
                pressed_by=who,
            )
        self.led = LedState.WAITING
        log.info("Panic hotkey pressed for %s (sequence %d)", self.device_id, press.sequence)
        self._delivery.submit(press)

    def _who(self) -> PressedBy | None:
        if self._pressed_by is None:
            return None
        try:
            return self._pressed_by()
        except Exception:
            # The press matters more than knowing who made it: it goes ahead, loudly.
            log.exception("cannot tell who pressed the panic hotkey; the press goes ahead")
            return None

    def pending_presses(self) -> list[ButtonPress]:
        return self._delivery.pending()

    def _on_delivered(self, press: ButtonPress, receipt: PressReceipt) -> None:
        self.led = LedState.TEST if receipt.is_test else LedState.DELIVERED

    def _on_failed(self, press: ButtonPress, attempts: int) -> None:
        self.led = LedState.NOT_DELIVERED

    def _heartbeat(self) -> None:
        listener = self._listener
        if listener is None or not listener.is_alive():
            self._mark_offline(self.device_id, "keyboard listener not running")
            return
        self.sink.heard(DeviceHeard(self.device_id, self.clock.now(), DeviceKind.HOTKEY))
        self._mark_online(self.device_id, self.hotkey)
