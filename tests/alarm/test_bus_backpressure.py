"""A subscriber that stops draining stays bounded and catches up by id (issue 12, hole 10).

It grew without bound (+51 MB per 100,000 events). Now it keeps at most ``max_queued`` messages;
past that it is *behind*, says so, and reads the rest back from the log, in id order, each exactly
once, when it drains again. Real bus, SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime

import pytest

from safedesk.alarm_bus import AlarmBus, DeviceOnline, Subscription, make_bus
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from tests.helpers.office import SeededOffice


@pytest.fixture
def bus(db: Database, clock: FakeClock) -> Iterator[AlarmBus]:
    bus = make_bus(db, clock, Config().alarm)
    yield bus
    bus.close()


def _publish(bus: AlarmBus, db: Database, office_id: int, count: int, at: datetime) -> list[int]:
    """``count`` events in transactions of 500, as a burst of presses and heartbeats would."""
    ids: list[int] = []
    while len(ids) < count:
        with db.session() as s:
            for _ in range(min(500, count - len(ids))):
                event = DeviceOnline(
                    office_id=office_id, device_id="pico-x", room_id=None, room_name="Room", at=at
                )
                ids.append(bus.publish(s, event, at=at))
    return ids


def _wait_until_offered(
    sub: Subscription, last_id: int, bus: AlarmBus, timeout: float = 30
) -> None:
    """Until the pump has handed ``last_id`` to the subscriber (kept or left in the log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sub._cond:
            if last_id in sub._delivered or (
                sub._resume_from is not None and sub._resume_from <= last_id
            ):
                cursor = bus._cursor
                if cursor is not None and cursor.high >= last_id:
                    return
        time.sleep(0.05)
    raise AssertionError(f"the pump never offered bus id {last_id}")


def test_a_subscriber_that_stops_draining_stays_bounded_and_then_gets_every_event_once(
    bus: AlarmBus, db: Database, clock: FakeClock, office: SeededOffice
) -> None:
    stalled = bus.subscribe(office_id=office.office_id, max_queued=200)
    try:
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        published = _publish(bus, db, office.office_id, 6000, clock.now())
        _wait_until_offered(stalled, published[-1], bus)
        after, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(stalled._queue) <= 200
        lag = stalled.lag()
        assert lag.behind and lag.dropped >= 5800
        # 6,000 undrained events used to cost about 3 MB here; bounded, it stays well under.
        assert after - before < 1_500_000, f"{(after - before) / 1e6:.1f} MB kept"

        # It drains again: everything, in order, once; then it says it has caught up.
        received: list[int] = []
        while True:
            received += [m.id for m in stalled.get(timeout=0.2)]
            if not stalled.lag().behind and len(received) >= len(published):
                break
        assert received == published
        assert stalled.get(timeout=0.2) == []

        # Caught up, it is an ordinary subscriber again.
        more = _publish(bus, db, office.office_id, 3, clock.now())
        deadline = time.monotonic() + 5
        late: list[int] = []
        while len(late) < 3 and time.monotonic() < deadline:
            late += [m.id for m in stalled.get(timeout=0.2)]
        assert late == more
    finally:
        stalled.close()


def test_a_stalled_subscriber_never_slows_or_starves_a_healthy_one(
    bus: AlarmBus, db: Database, clock: FakeClock, office: SeededOffice
) -> None:
    stalled = bus.subscribe(office_id=office.office_id, max_queued=50)
    healthy = bus.subscribe(office_id=office.office_id, max_queued=50)
    try:
        received: list[int] = []
        published: list[int] = []
        for _ in range(4):
            published += _publish(bus, db, office.office_id, 40, clock.now())
            deadline = time.monotonic() + 10
            while len(received) < len(published) and time.monotonic() < deadline:
                received += [m.id for m in healthy.get(timeout=0.2)]
        assert received == published
        assert not healthy.lag().behind
        assert stalled.lag().behind
    finally:
        stalled.close()
        healthy.close()
