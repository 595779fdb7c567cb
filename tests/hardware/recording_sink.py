"""A hand-written PressSink for driver tests: records, dedupes like the alarm service, can fail."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from safedesk.button_events import ButtonPress, DeviceHeard, PressReceipt


class SinkDownError(ConnectionError):
    """What the sink raises while told to be down (as the alarm service would without its DB)."""


class RecordingSink:
    """Alarms keyed by (device, boot, sequence), as the real service; ``down`` makes it raise."""

    def __init__(self) -> None:
        self.presses: list[ButtonPress] = []  # every committed call, resends included
        self.heard_events: list[DeviceHeard] = []
        self.failed_presses: list[ButtonPress] = []
        self.down = False
        self.test_devices: set[str] = set()  # presses from these are weekly-test presses
        self.alarms: dict[tuple[str, int | None, int], int] = {}
        self._cond = threading.Condition()

    def set_down(self, down: bool) -> None:
        with self._cond:
            self.down = down

    def press(self, press: ButtonPress) -> PressReceipt:
        with self._cond:
            if self.down:
                self.failed_presses.append(press)
                self._cond.notify_all()
                raise SinkDownError("database unreachable (test sink is down)")
            key = (press.device_id, press.boot_id, press.sequence)
            created = key not in self.alarms
            if created:
                self.alarms[key] = len(self.alarms) + 1
            self.presses.append(press)
            self._cond.notify_all()
            return PressReceipt(self.alarms[key], created, press.device_id in self.test_devices)

    def heard(self, heard: DeviceHeard) -> None:
        with self._cond:
            self.heard_events.append(heard)
            self._cond.notify_all()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait (without polling sleeps) until ``predicate()`` holds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True
