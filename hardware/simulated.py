"""A simulated panic button, shipped so demo mode and ``safedesk press`` can drive the whole path.

It behaves like a USB button from the sink's point of view: each press has a device, a boot id and
a sequence number, heartbeats keep it online, and the frames a real button would have sent are
kept in ``sent_frames`` (encoded with the real codec) so tests can compare the two.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping
from datetime import timedelta

from hardware import wire_protocol as protocol
from safedesk.button_events import (
    ButtonPress,
    DeviceHeard,
    DeviceKind,
    LedState,
    PressReceipt,
    PressSink,
)
from safedesk.clock import Clock

from .button_source import ButtonSource, StatusListener

log = logging.getLogger(__name__)

FIRMWARE_VERSION = "simulated"


class UnknownButtonError(LookupError):
    """``press`` was given a name that is neither a simulated device id nor its room."""


class SimulatedButtonSource(ButtonSource):
    """Buttons that exist only in software; ``press("Interview room 1")`` raises a real alarm."""

    def __init__(
        self,
        sink: PressSink,
        clock: Clock,
        devices: Mapping[str, str],
        on_status: StatusListener | None = None,
        heartbeat_interval_s: float | None = 2.0,
    ) -> None:
        """``devices`` maps device id to room name; heartbeats every interval once started."""
        super().__init__(sink, clock, on_status)
        for device_id in devices:
            protocol.encode(protocol.hello(device_id, 0, 0, FIRMWARE_VERSION))  # valid id check
        self.devices = dict(devices)
        self.heartbeat_interval_s = heartbeat_interval_s
        self.boot_id = random.getrandbits(32)
        self.sent_frames: list[bytes] = []
        self.led_states: dict[str, LedState] = {d: LedState.IDLE for d in devices}
        self.led_history: list[tuple[str, LedState]] = []
        self._seq = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def resolve(self, device_or_room: str) -> str:
        """The device id for a device id or a room name (case and spacing ignored)."""
        if device_or_room in self.devices:
            return device_or_room
        wanted = " ".join(device_or_room.split()).casefold()
        matches = [
            d for d, room in self.devices.items() if " ".join(room.split()).casefold() == wanted
        ]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(sorted({*self.devices, *self.devices.values()}))
        if matches:
            raise UnknownButtonError(
                f"room {device_or_room!r} has several buttons ({', '.join(matches)}): name one"
            )
        raise UnknownButtonError(f"no simulated button or room {device_or_room!r} (known: {known})")

    def press(self, device_or_room: str) -> PressReceipt:
        """Press the button; returns the sink's receipt (exceptions from the sink propagate)."""
        device_id = self.resolve(device_or_room)
        with self._lock:
            self._seq += 1
            seq = self._seq
            self.sent_frames.append(
                protocol.encode(protocol.press(device_id, self.boot_id, seq, 0))
            )
        self._show(device_id, LedState.WAITING)
        event = ButtonPress(
            device_id=device_id,
            sequence=seq,
            pressed_at=self.clock.now(),
            source=DeviceKind.SIMULATED,
            boot_id=self.boot_id,
        )
        try:
            receipt = self.sink.press(event)
        except Exception:
            log.exception("Simulated press on %s was NOT delivered", device_id)
            self._show(device_id, LedState.NOT_DELIVERED)
            raise
        if receipt.held:
            self._show(device_id, LedState.NOT_DELIVERED)
        else:
            self._show(device_id, LedState.TEST if receipt.is_test else LedState.DELIVERED)
        return receipt

    def resend(self, device_or_room: str, age_s: float = 1.0) -> PressReceipt:
        """Send the last press again, as a button whose acknowledgement was lost would."""
        device_id = self.resolve(device_or_room)
        with self._lock:
            seq = self._seq
            self.sent_frames.append(
                protocol.encode(protocol.press(device_id, self.boot_id, seq, int(age_s * 1000)))
            )
        event = ButtonPress(
            device_id=device_id,
            sequence=seq,
            pressed_at=self.clock.now() - timedelta(seconds=age_s),
            source=DeviceKind.SIMULATED,
            boot_id=self.boot_id,
        )
        return self.sink.press(event)

    def heartbeat(self, device_or_room: str | None = None) -> None:
        """One heartbeat from one device, or from all of them."""
        targets = [self.resolve(device_or_room)] if device_or_room else list(self.devices)
        for device_id in targets:
            with self._lock:
                self.sent_frames.append(
                    protocol.encode(
                        protocol.heartbeat(
                            device_id, self.boot_id, self._seq, self.led_states[device_id].value
                        )
                    )
                )
            self.sink.heard(
                DeviceHeard(device_id, self.clock.now(), DeviceKind.SIMULATED, FIRMWARE_VERSION)
            )
            self._mark_online(device_id, "simulated")

    def owns(self, device_id: str) -> bool:
        return device_id in self.devices

    def set_led(self, device_id: str, state: LedState) -> None:
        self._show(self.resolve(device_id), LedState(state))

    def _show(self, device_id: str, state: LedState) -> None:
        with self._lock:
            self.led_states[device_id] = state
            self.led_history.append((device_id, state))

    def start(self) -> None:
        self.heartbeat()
        if self.heartbeat_interval_s is None or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._beat, name="simulated-buttons", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        assert self.heartbeat_interval_s is not None
        while not self._stopping.wait(self.heartbeat_interval_s):
            try:
                self.heartbeat()
            except Exception:
                # Supervision will show the buttons offline; say why in the log and keep beating.
                log.exception("Simulated heartbeat failed")

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for device_id in list(self.online_devices()):
            self._mark_offline(device_id, "simulated buttons stopped")
