"""In the demo office there is no hardware: simulated buttons send the heartbeats real ones would.

Without them every demo button would show OFFLINE after ten seconds and a newcomer's first
weekly test would fail with "device offline". Real deployments never start this. (The demo's GPIO
ids, "gpio:pi-central-1:17", are not wire-protocol ids, so this does not go through
``hardware.simulated``, which speaks the USB button protocol.)
"""

from __future__ import annotations

import logging
import threading

from safedesk.button_events import DeviceHeard, DeviceKind
from safedesk.demo.simulated_devices import demo_device_rooms
from safedesk.services.hub import Services

log = logging.getLogger(__name__)


class DemoHeartbeats:
    def __init__(self, services: Services, device_ids: list[str], interval_s: float = 2.0) -> None:
        self.services = services
        self.device_ids = device_ids
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-heartbeats", daemon=True)

    def beat(self) -> None:
        for device_id in self.device_ids:
            self.services.alarms.heard(
                DeviceHeard(device_id, self.services.clock.now(), DeviceKind.SIMULATED, "demo")
            )

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.beat()
            except Exception:
                # The buttons will show OFFLINE, which is true; say why and keep beating.
                log.exception("demo heartbeat failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def start_demo_heartbeats(services: Services) -> DemoHeartbeats | None:
    devices = sorted(demo_device_rooms(services.db))
    if not devices:
        return None
    heartbeats = DemoHeartbeats(services, devices)
    heartbeats.start()
    log.info("demo: %d simulated buttons send heartbeats every 2 s", len(devices))
    return heartbeats
