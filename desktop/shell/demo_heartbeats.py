"""In the demo office there is no hardware: simulated buttons send the heartbeats real ones would.

Without them every demo button would show OFFLINE after ten seconds and a newcomer's first
weekly test would fail with "device offline". Real deployments never start this. (The demo's GPIO
ids, "gpio:pi-central-1:17", are not wire-protocol ids, so this does not go through
``hardware.simulated``, which speaks the USB button protocol.)

Everything runs on a thread of its own, never the GUI thread: finding the demo's devices (a
database read) and every heartbeat, which goes to this PC's outbox sink when there is one (its
heartbeat writer: a hung database holds nothing up), as a real button's would.
"""

from __future__ import annotations

import logging
import threading

from safedesk.button_events import DeviceHeard, DeviceKind, PressSink
from safedesk.db import DatabaseUnavailable
from safedesk.demo.simulated_devices import demo_device_rooms
from safedesk.outbox.trouble_log import TroubleLog
from safedesk.services.hub import Services

log = logging.getLogger(__name__)


class DemoHeartbeats:
    """``start`` returns at once; the thread finds the devices (``device_ids`` None) and beats."""

    def __init__(
        self, services: Services, device_ids: list[str] | None = None, interval_s: float = 2.0
    ) -> None:
        self.services = services
        self.device_ids = device_ids
        self.interval_s = interval_s
        self.beats = 0  # rounds sent (for tests and the log)
        self._trouble = TroubleLog(log)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-heartbeats", daemon=True)

    def _sink(self) -> PressSink:
        return self.services.presses or self.services.alarms

    def beat(self) -> None:
        if self.device_ids is None:
            self.device_ids = sorted(demo_device_rooms(self.services.db))
            log.info("demo: %d simulated buttons send heartbeats", len(self.device_ids))
        sink = self._sink()
        for device_id in self.device_ids:
            sink.heard(
                DeviceHeard(device_id, self.services.clock.now(), DeviceKind.SIMULATED, "demo")
            )
        self.beats += 1

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.beat()
            except DatabaseUnavailable as exc:
                # The buttons will show OFFLINE, which is true while nothing can be recorded.
                self._trouble.failing(
                    "database", f"demo heartbeats not recorded: {exc}", level=logging.WARNING
                )
            except Exception:
                # A bug: say why (once until it works again) and keep beating.
                if self._trouble.mark("bug"):
                    log.exception("demo heartbeat failed")
            else:
                self._trouble.recovered("database", "demo heartbeats recorded again")
                self._trouble.recovered("bug", "demo heartbeats work again")
            if self._stop.wait(self.interval_s):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def start_demo_heartbeats(services: Services) -> DemoHeartbeats:
    """Start the demo's simulated heartbeats (off the calling thread, which may be the GUI's)."""
    heartbeats = DemoHeartbeats(services)
    heartbeats.start()
    return heartbeats
