"""Serial press latency and offline detection, through the real driver, service and database.

1. Latency: simulated USB buttons on pseudo-terminals press one at a time; the time from the
   press frame's first byte written into the pty to the alarm row committed (``press`` returned
   in the alarm service, the bridge's path without an outage) is measured per press. Each
   alarm is resolved before the next press, so every press raises a new alarm (the full path:
   room, visit, audit entry, bus event). ``lost`` counts presses with no committed row.
2. Supervision: the buttons' cables are pulled; ``offline_detect_s`` is the time from each
   button's last heartbeat heard (its last_seen_at) to the DeviceOffline a screen receives on
   the bus, with the default limit (devices.offline_after_s = 10 s) and the bridge's 1 s check.

    .venv/bin/python bench/serial_latency.py [--json] [--presses N] [--pg ADMIN_URL]

Default database: a fresh SQLite file. ``--pg postgresql://postgres@127.0.0.1:5432/test`` runs on
a throwaway PostgreSQL database made (and dropped) through that admin URL. POSIX only (ptys).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.alarm_bus import DeviceOffline
from safedesk.button_events import ButtonPress, DeviceHeard, PressReceipt
from safedesk.clock import SystemClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.db.migrate import upgrade
from safedesk.demo.office import seed_office
from safedesk.models import AlarmOutcome, AlarmPress, PanicDevice, Room
from safedesk.services.buttons.supervision import SupervisionTimer
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor

BUTTONS = 4


class TimedSink:
    """The alarm service, with the moment each press's commit returned."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.committed: dict[tuple[str, int | None, int], tuple[float, int]] = {}
        self._cond = threading.Condition()

    def press(self, press: ButtonPress) -> PressReceipt:
        receipt = self.services.alarms.press(press)
        done = time.monotonic()
        with self._cond:
            self.committed.setdefault(
                (press.device_id, press.boot_id, press.sequence), (done, receipt.alarm_id)
            )
            self._cond.notify_all()
        return receipt

    def heard(self, heard: DeviceHeard) -> None:
        self.services.alarms.heard(heard)

    def wait_for(self, key: tuple[str, int, int], timeout: float) -> tuple[float, int] | None:
        with self._cond:
            self._cond.wait_for(lambda: key in self.committed, timeout)
            return self.committed.get(key)


@contextmanager
def database(pg_admin: str | None) -> Iterator[str]:
    if pg_admin is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{(Path(tmp) / 'bench.sqlite3').as_posix()}"
        return
    import psycopg

    name = f"bench_serial_{uuid.uuid4().hex[:10]}"
    admin = make_url(pg_admin)
    with psycopg.connect(
        admin.set(drivername="postgresql").render_as_string(False), autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(
            admin.set(drivername="postgresql").render_as_string(False), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(presses: int, pg_admin: str | None) -> dict[str, Any]:
    with database(pg_admin) as url:
        db = Database(url, pool_size=4, max_overflow=4)
        upgrade(db.engine)
        clock = SystemClock()
        with db.session() as s:
            seed_office(s, clock.now())
            device_ids = list(
                s.scalars(
                    select(PanicDevice.device_id)
                    .join(Room, PanicDevice.room_id == Room.id)
                    .order_by(PanicDevice.id)
                    .limit(BUTTONS)
                )
            )
        config = Config()
        services = Services.build(config, db, clock, "BENCH-BRIDGE")
        sink = TimedSink(services)
        buttons = [
            SimulatedSerialDevice(device_id=d, heartbeat_s=2.0, resend_s=0.5) for d in device_ids
        ]
        for button in buttons:
            button.plug_in()
        source = SerialButtonSource(
            sink,
            clock,
            SerialButtonConfig(
                port_urls=tuple(b.port_path for b in buttons),
                discover=False,
                scan_interval_s=0.1,
                silent_after_s=30.0,
            ),
        )
        source.start()
        deadline = time.monotonic() + 10
        while source.online_devices() != set(device_ids) and time.monotonic() < deadline:
            time.sleep(0.02)
        supervision = SupervisionTimer(services.supervision, interval_s=1.0)
        supervision.start()

        latencies: list[float] = []
        lost = 0
        for i in range(presses):
            button = buttons[i % len(buttons)]
            seq = button.press()
            sent_at = button.presses[(button.boot_id, seq)].pressed_at
            got = sink.wait_for((button.device_id, button.boot_id, seq), timeout=10)
            if got is None:
                lost += 1
                continue
            committed_at, alarm_id = got
            latencies.append((committed_at - sent_at) * 1000)
            button.wait_for_ack(seq, timeout=5)
            services.alarms.resolve(
                alarm_id, Actor.system("BENCH"), AlarmOutcome.FALSE_ALARM, "benchmark press"
            )
        with db.session() as s:
            rows = s.scalar(select(func.count()).select_from(AlarmPress)) or 0
        lost = max(lost, presses - int(rows))

        # Supervision: pull every cable; time last heard -> DeviceOffline on a screen's bus.
        detect: list[float] = []
        with services.bus.subscribe(kinds=[DeviceOffline.KIND]) as sub:
            for button in buttons:
                button.unplug()
            waiting = set(device_ids)
            deadline = time.monotonic() + 30
            while waiting and time.monotonic() < deadline:
                for message in sub.get(timeout=0.5):
                    event = message.event
                    if isinstance(event, DeviceOffline) and event.device_id in waiting:
                        shown = datetime.now(UTC)
                        waiting.discard(event.device_id)
                        if event.last_seen_at is not None:
                            detect.append((shown - event.last_seen_at).total_seconds())
        supervision.stop()
        source.stop()
        for button in buttons:
            button.close()
        backend = "postgresql" if db.is_postgresql else "sqlite"
        services.close()
        db.dispose()
    return {
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 2) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "max_ms": round(max(latencies), 2) if latencies else None,
        "presses": presses,
        "lost": lost,
        "offline_detect_s": round(statistics.fmean(detect), 2) if detect else None,
        "offline_detect_max_s": round(max(detect), 2) if detect else None,
        "offline_limit_s": config.devices.offline_after_s,
        "buttons": len(device_ids),
        "database": backend,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--pg", metavar="ADMIN_URL", help="run on a throwaway PostgreSQL database")
    args = parser.parse_args()
    result = run(args.presses, args.pg)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
