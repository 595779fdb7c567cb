"""Run as a separate process ("another PC"): press buttons through the real alarm service.

python -m tests.alarm.publisher_process DATABASE_URL DEVICE_ID:SEQUENCE ...
"""

from __future__ import annotations

import sys

from safedesk.alarm_bus import make_bus
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import SystemClock
from safedesk.config import AlarmConfig
from safedesk.db import Database
from safedesk.services.alarms.alarm_service import AlarmService


def main(argv: list[str]) -> int:
    url, *presses = argv
    db = Database(url)
    clock = SystemClock()
    bus = make_bus(db, clock)
    service = AlarmService(db, bus, clock, AlarmConfig(), "OTHER-PROCESS")
    for spec in presses:
        device_id, _, seq = spec.rpartition(":")
        receipt = service.press(
            ButtonPress(device_id, int(seq), clock.now(), DeviceKind.SIMULATED, boot_id=1)
        )
        print(receipt.alarm_id, receipt.created, flush=True)
    bus.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
