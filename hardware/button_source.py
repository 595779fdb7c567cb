"""The one small interface every panic button driver implements (serial, GPIO, hotkey, simulated).

A source turns its inputs into ``ButtonPress``/``DeviceHeard`` calls on a ``PressSink`` (the alarm
service, or the bridge's outbox) and shows what the system tells it on the button's LED. Whoever
owns buttons (the desktop app, the bridge) sees only this interface.
"""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from safedesk.button_events import LedState, PressSink
from safedesk.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceStatus:
    """A device came online or went offline, as its driver saw it (cable, heartbeats)."""

    device_id: str
    online: bool
    at: datetime
    detail: str = ""


StatusListener = Callable[[DeviceStatus], None]


class ButtonSource(abc.ABC):
    """Buttons feeding one sink. ``start`` begins listening; ``stop`` releases every resource.

    The sink and the status listener are called on the driver's own threads: a Qt user must
    carry them to the GUI thread with a queued signal, never touch widgets from them.
    """

    def __init__(
        self, sink: PressSink, clock: Clock, on_status: StatusListener | None = None
    ) -> None:
        self.sink = sink
        self.clock = clock
        self._on_status = on_status
        self._online: dict[str, str] = {}  # device id -> detail (e.g. the port it is on)
        self._online_lock = threading.Lock()

    @abc.abstractmethod
    def start(self) -> None:
        """Begin listening (drivers with I/O start their own thread here)."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop listening and release ports and pins; safe to call twice."""

    @abc.abstractmethod
    def set_led(self, device_id: str, state: LedState) -> None:
        """Show ``state`` on the device's LED (and buzzer); remembered if it is offline now."""

    def owns(self, device_id: str) -> bool:
        """Whether ``set_led`` for this device means anything here (the LED relay asks first).

        By default: a device this source can hear now. Sources that know their devices from
        configuration (GPIO, simulated) or from the wire (serial) answer more widely.
        """
        return device_id in self.online_devices()

    def online_devices(self) -> frozenset[str]:
        """Device ids this source can hear right now."""
        with self._online_lock:
            return frozenset(self._online)

    def _mark_online(self, device_id: str, detail: str = "") -> None:
        with self._online_lock:
            if device_id in self._online:
                return
            self._online[device_id] = detail
        log.info("Panic button %s online %s", device_id, detail)
        self._report(DeviceStatus(device_id, True, self.clock.now(), detail))

    def _mark_offline(self, device_id: str, detail: str = "") -> None:
        with self._online_lock:
            if self._online.pop(device_id, None) is None:
                return
        log.warning("Panic button %s OFFLINE: %s", device_id, detail)
        self._report(DeviceStatus(device_id, False, self.clock.now(), detail))

    def _report(self, status: DeviceStatus) -> None:
        if self._on_status is None:
            return
        try:
            self._on_status(status)
        except Exception:
            # A broken listener must not stop the driver hearing presses; it is a bug, so loud.
            log.exception("Device status listener failed for %s", status)
