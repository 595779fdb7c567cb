"""Supervision: heartbeats keep a button online; silence past its limit shows it OFFLINE, once,
whichever PC notices; it recovers by itself. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from safedesk.alarm_bus import DeviceOffline, DeviceOnline
from safedesk.button_events import DeviceHeard, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AuditEntry, BusEvent, PanicDevice
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice

ROOM = "Interview Room 1"


def everyone_heard_now(services: Services, office: SeededOffice) -> None:
    for device_id in office.device_ids.values():
        services.alarms.heard(DeviceHeard(device_id, services.clock.now(), DeviceKind.SERIAL))
    with services.db.session() as s:  # the other office's buttons are alive too
        s.execute(update(PanicDevice).values(last_seen_at=services.clock.now()))


def device_events(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        rows = s.execute(
            select(BusEvent.kind, BusEvent.payload)
            .where(BusEvent.kind.in_([DeviceOffline.KIND, DeviceOnline.KIND]))
            .order_by(BusEvent.id)
        ).all()
    return [(kind, payload["device_id"]) for kind, payload in rows]


def test_a_heartbeat_updates_last_seen(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device_id = office.device_ids[ROOM]
    clock.advance(seconds=30)
    services.alarms.heard(DeviceHeard(device_id, clock.now(), DeviceKind.SERIAL, "1.0.1"))
    with services.db.session() as s:
        device = s.scalars(select(PanicDevice).where(PanicDevice.device_id == device_id)).one()
        assert device.last_seen_at == clock.now()
        assert device.firmware_version == "1.0.1"


def test_a_silent_button_goes_offline_after_its_limit_and_comes_back_by_itself(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    supervision = services.supervision
    everyone_heard_now(services, office)
    assert not supervision.check()
    device_id = office.device_ids[ROOM]
    for i in range(5):  # every other button keeps beating; this one has gone quiet
        clock.advance(seconds=2.5)
        for other in office.device_ids.values():
            if other != device_id:
                services.alarms.heard(DeviceHeard(other, clock.now(), DeviceKind.SERIAL))
        with services.db.session() as s:
            s.execute(
                update(PanicDevice)
                .where(PanicDevice.room_id.not_in(office.room_ids.values()))
                .values(last_seen_at=clock.now())
            )
        changes = supervision.check()
        silent_s = 2.5 * (i + 1)
        assert bool(changes) == (silent_s > 10), f"silent {silent_s} s"
    assert device_events(services.db) == [(DeviceOffline.KIND, device_id)]
    [offline] = supervision.offline_devices(office.office_id)
    assert offline.text == "Panic button in Interview Room 1 OFFLINE"
    assert offline.silent_for_s(clock.now()) == pytest.approx(12.5)

    assert not supervision.check()  # announced once, not every second
    services.alarms.heard(DeviceHeard(device_id, clock.now(), DeviceKind.SERIAL))
    changes = supervision.check()
    assert changes.came_online == [device_id]
    assert device_events(services.db) == [
        (DeviceOffline.KIND, device_id),
        (DeviceOnline.KIND, device_id),
    ]
    assert supervision.offline_devices(office.office_id) == []
    with services.db.session() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("device.%"))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["device.offline", "device.online"]


def test_a_per_device_limit_overrides_the_default(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    everyone_heard_now(services, office)
    slow = office.device_ids["Interview Room 2"]
    with services.db.session() as s:
        s.execute(
            update(PanicDevice).where(PanicDevice.device_id == slow).values(offline_after_s=60)
        )
    clock.advance(seconds=30)
    offline = {d.device_id for d in services.supervision.offline_devices(None)}
    assert slow not in offline and office.device_ids[ROOM] in offline
    assert services.supervision.offline_devices(office.office_id)[0].offline_after_s == 10


def test_many_pcs_checking_at_once_announce_each_change_once(
    db: Database, office: SeededOffice, clock: FakeClock
) -> None:
    """Eight PCs (eight service hubs, own connections) run the check at the same moment."""
    pcs = [Services.build(Config(), Database(db.url), clock, f"PC-{i}") for i in range(8)]
    try:
        everyone_heard_now(pcs[0], office)
        clock.advance(seconds=11)
        start = threading.Barrier(len(pcs))
        announced: list[int] = []

        def run(pc: Services) -> None:
            start.wait()
            announced.append(len(pc.supervision.check().went_offline))

        threads = [threading.Thread(target=run, args=(pc,)) for pc in pcs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with db.session() as s:
            total_devices = len(s.scalars(select(PanicDevice.id)).all())
        assert sum(announced) == total_devices
        assert len(device_events(db)) == total_devices  # no duplicates on the bus
    finally:
        for pc in pcs:
            pc.close()
            pc.db.dispose()
