"""Issue 13: the narrow bridge login keeps the press path's usual latency.

The same presses through the database owner's login and through a bridge PC's own login
(column grants, the audit stamp trigger, the incident trigger), interleaved so both meet the same
machine load: the bridge's median stays within a small margin of the owner's. Prints the figures.
"""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import text

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import PanicDevice, Room, RoomKind
from safedesk.services.hub import Services
from tests.security.conftest import Office
from tests.security.pc_logins import PcLogins

pytestmark = pytest.mark.postgresql

ROOMS = 10
ROUNDS = 4


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_presses_through_the_bridge_login_are_as_fast_as_through_the_owner(
    office: Office, logins: PcLogins, pg_url: str, clock: FakeClock
) -> None:
    owner_db = office.world.db
    with owner_db.session() as s:
        devices = []
        for n in range(ROOMS):
            room = Room(
                office_id=office.world.office_id, name=f"Bench {n}", kind=RoomKind.INTERVIEW_ROOM
            )
            s.add(room)
            s.flush()
            devices.append(f"bench-{n}")
            s.add(
                PanicDevice(
                    device_id=devices[-1],
                    kind=DeviceKind.SERIAL,
                    room_id=room.id,
                    registered_at=clock.now(),
                    last_seen_at=clock.now(),
                )
            )
    pcs = {
        "owner": Database(pg_url, pool_size=1, max_overflow=1),
        "bridge": Database(logins.url("bridge"), pool_size=1, max_overflow=1),
    }
    services = {name: Services.build(Config(), db, clock, f"{name}-PC") for name, db in pcs.items()}
    timings: dict[str, list[float]] = {name: [] for name in pcs}
    sequence = 0
    try:
        for name in pcs:  # warm both pools and statement caches
            services[name].alarms.press(
                ButtonPress(devices[0], 10_000 + len(name), clock.now(), DeviceKind.SERIAL, 1)
            )
        for _ in range(ROUNDS):
            for device in devices:
                for name in ("owner", "bridge") if sequence % 2 else ("bridge", "owner"):
                    sequence += 1
                    with owner_db.session() as s:  # each press raises a new alarm
                        s.execute(
                            text(
                                "UPDATE alarm_events SET resolved_at = now(), notes = 'x'"
                                " WHERE resolved_at IS NULL"
                            )
                        )
                    press = ButtonPress(device, sequence, clock.now(), DeviceKind.SERIAL, 1)
                    started = time.perf_counter()
                    receipt = services[name].alarms.press(press)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert receipt.created
    finally:
        for hub in services.values():
            hub.close()
        for db in pcs.values():
            db.dispose()
    figures = {name: (statistics.median(ms), _percentile(ms, 0.95)) for name, ms in timings.items()}
    print(
        "\npress latency (new alarm, one transaction) over "
        f"{len(timings['owner'])} presses each: "
        + "; ".join(f"{n} p50 {p50:.1f} ms p95 {p95:.1f} ms" for n, (p50, p95) in figures.items())
    )
    owner_p50, _ = figures["owner"]
    bridge_p50, _ = figures["bridge"]
    assert bridge_p50 <= owner_p50 * 1.5 + 5.0, figures
